"""Target letters: download a unit's letter (docx, PDF), upload the signed copy, fetch it back."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.cycles import actions, letters
from kaohe.cycles.models import CycleState, TargetLetter
from kaohe.cycles.queries import can_manage, get_cycle_for_user, get_unit_for_user, units_for_user
from kaohe.exports.word import DOCX
from kaohe.files.queries import content_disposition, file_response
from kaohe.forms_errors import add_action_errors


class SignedLetterForm(forms.Form):
    signed_on = forms.DateField(label=gettext_lazy("签订日期"))
    file = forms.FileField(label=gettext_lazy("签字盖章后的扫描件（PDF、图片或 OFD）"))


@login_required
def letters_page(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id)
    units = list(units_for_user(request.user, cycle))
    signed = {
        letter.unit_id: letter
        for letter in TargetLetter.objects.filter(unit__in=units).select_related("signed_file")
    }
    rows = [
        {
            "unit": u,
            "letter": signed.get(u.pk),
            "can_upload": can_manage(request.user, cycle) or has_cap(request.user, Cap.FILL_UNIT, u.org),
        }
        for u in units
    ]
    open_ = cycle.reached(CycleState.TARGETS) and cycle.state != CycleState.CLOSED
    return render(
        request,
        "cycles/letters.html",
        {
            "cycle": cycle,
            "rows": rows,
            "signed_count": len(signed),
            "form": SignedLetterForm() if open_ else None,
        },
    )


@login_required
def letter_download(request, public_id, code, fmt):
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code)
    name = f"{cycle.year}年度党建工作目标责任书-{unit.org.name}"
    if fmt == "docx":
        response = HttpResponse(letters.letter_docx(cycle, unit), content_type=DOCX)
        response["Content-Disposition"] = content_disposition(f"{name}.docx")
    elif fmt == "pdf":
        response = HttpResponse(letters.letter_pdf(cycle, unit), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition(f"{name}.pdf")
    else:
        raise Http404("no such format")
    return response


@login_required
def letter_upload(request, public_id, code):
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code)
    if not (can_manage(request.user, cycle) or has_cap(request.user, Cap.FILL_UNIT, unit.org)):
        raise PermissionDenied("read-only")
    form = SignedLetterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.upload_signed_letter(
                request.user, cycle, unit, form.cleaned_data["file"], form.cleaned_data["signed_on"]
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已上传%(unit)s签字的目标责任书") % {"unit": unit.org.name})
            return redirect("cycles:letters", public_id=cycle.public_id)
    return render(request, "cycles/letter_upload.html", {"cycle": cycle, "unit": unit, "form": form})


@login_required
def letter_signed(request, public_id, code):
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code)
    letter = TargetLetter.objects.filter(unit=unit).select_related("signed_file").first()
    if letter is None:
        raise Http404("not signed yet")
    return file_response(letter.signed_file)
