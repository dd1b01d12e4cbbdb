"""Symposia (座谈会): record a meeting and its attendees, then each speaker's remarks as separate
suggestions tied to clauses or indicators and a topic."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe.consultation import actions
from kaohe.consultation.forms import RemarkForm, SymposiumForm
from kaohe.consultation.queries import (
    get_round_for_user,
    indicator_titles,
    is_organiser,
    register_rows,
    sees_all,
)
from kaohe.forms_errors import add_action_errors, run_action
from kaohe.measures.documents import full_labels


def parse_attendees(text: str) -> list[dict]:
    """One attendee per line: 姓名，单位，职务，发言顺序 (the last two optional); errors name the line."""
    people = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[,，、\t]", line)]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ValidationError({"attendees": _("第 %(n)d 行：至少需要姓名和单位") % {"n": number}})
        order = parts[3] if len(parts) > 3 else ""
        if order and not order.isdigit():
            raise ValidationError({"attendees": _("第 %(n)d 行：发言顺序须为数字") % {"n": number}})
        people.append(
            {
                "name": parts[0],
                "org_name": parts[1],
                "role": parts[2] if len(parts) > 2 else "",
                "speaking_order": int(order) if order else None,
            }
        )
    return people


@login_required
def symposium_create(request, public_id):
    round_ = get_round_for_user(request.user, public_id, write=True)
    form = SymposiumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            symposium = actions.record_symposium(
                request.user,
                round_,
                title=data["title"],
                held_on=data["held_on"],
                place=data["place"],
                chair=data["chair"],
                attendees=parse_attendees(data["attendees"]),
                notes=data["notes"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("座谈会已记录，请逐一录入发言中的意见建议"))
            return redirect(
                "consultation:symposium", public_id=round_.public_id, symposium_id=symposium.public_id
            )
    return render(request, "consultation/symposium_form.html", {"round": round_, "form": form})


def _symposium(request, public_id, symposium_id):
    round_ = get_round_for_user(request.user, public_id)
    if not sees_all(request.user, round_):
        raise Http404("participants do not see the minutes")
    symposium = round_.symposia.filter(public_id=symposium_id).first()
    if symposium is None:
        raise Http404("no such symposium")
    return round_, symposium


@login_required
def symposium_detail(request, public_id, symposium_id):
    round_, symposium = _symposium(request, public_id, symposium_id)
    attendees = list(symposium.attendees.all())
    said: dict[int, list] = {}
    for row in register_rows(round_, reveal=True):
        if row.suggestion.attendee_id is not None:
            said.setdefault(row.suggestion.attendee_id, []).append(row)
    labels = full_labels(round_.draft)
    return render(
        request,
        "consultation/symposium.html",
        {
            "round": round_,
            "symposium": symposium,
            "speakers": [
                {"attendee": a, "rows": said.get(a.pk, [])} for a in attendees if a.speaking_order is not None
            ],
            "listeners": [a for a in attendees if a.speaking_order is None],
            "clauses": [(c, labels[c.pk]) for c in round_.draft.clauses.order_by("position")],
            "indicators": list(indicator_titles(round_).items()),  # in the table's order
            "topics": round_.topics.all(),
            "can_manage": is_organiser(request.user, round_),
        },
    )


@login_required
@require_POST
def remark(request, public_id, symposium_id):
    round_, symposium = _symposium(request, public_id, symposium_id)
    if not is_organiser(request.user, round_):
        raise PermissionDenied("read-only")
    form = RemarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写意见建议"))
    else:
        data = form.cleaned_data
        attendee = symposium.attendees.filter(pk=data["attendee"]).first()
        if attendee is None:
            raise Http404("no such attendee")
        topic = round_.topics.filter(pk=data["topic"]).first() if data["topic"] else None
        run_action(
            request,
            lambda: actions.add_remark(
                request.user,
                attendee,
                data["text"],
                proposed=data["proposed"],
                clause_key=data["clause"],
                indicator=data["indicator"],
                topic=topic,
            ),
            lambda suggestion: _("已录入第 %(n)d 条意见") % {"n": suggestion.number},
        )
    url = redirect("consultation:symposium", public_id=round_.public_id, symposium_id=symposium.public_id).url
    return redirect(f"{url}#a-{request.POST.get('attendee', '')}")
