"""Measures documents: list, create (blank or from Word), read a version, edit a draft's clauses,
start the next draft, attach the scoring table, publish, compare two versions, download."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.exports import attachment
from kaohe.exports.word import DOCX
from kaohe.forms_errors import add_action_errors, run_action
from kaohe.measures.actions import documents as actions
from kaohe.measures.documents import (
    change_rows,
    clause_rows,
    documents_for_user,
    get_version_for_user,
    outline_of,
    versions_for_user,
)
from kaohe.measures.forms import (
    AddClauseForm,
    AttachSchemeForm,
    ClauseForm,
    DocumentCreateForm,
    DraftUploadForm,
    MoveForm,
    SplitForm,
)
from kaohe.measures.models import ClauseLevel, SchemeVersion
from kaohe.measures.outline import Outline
from kaohe.orgs.models import OrgUnit

MAX_DOCX_BYTES = 10 * 1024 * 1024


def _owners(user):
    roots = scope_roots(user, Cap.MANAGE_SCHEMES)
    return OrgUnit.objects.filter(pk__in=[r.pk for r in roots]).order_by("path")


def read_upload(upload) -> Outline:
    """The outline of an uploaded Word file; ValidationError names what is wrong and where."""
    from kaohe.measures.docx_outline import OutlineError, read_docx

    if upload.size > MAX_DOCX_BYTES:
        raise ValidationError({"file": _("文件超过 10 MB")})
    try:
        return read_docx(upload.read())
    except OutlineError as error:
        raise ValidationError({"file": list(error.problems)}) from None


@login_required
def document_list(request):
    if not scope_roots(request.user, Cap.VIEW_CYCLES):
        raise Http404("no scope")
    documents = list(documents_for_user(request.user).prefetch_related("versions"))
    return render(
        request,
        "measures/documents.html",
        {"documents": documents, "can_create": has_cap(request.user, Cap.MANAGE_SCHEMES)},
    )


@login_required
def document_create(request):
    owners = _owners(request.user)
    if not owners:
        raise Http404("nothing to manage")
    form = DocumentCreateForm(request.POST or None, request.FILES or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outline = read_upload(data["file"]) if data["file"] else Outline(data["title"])
            version = actions.create_document(
                request.user, data["owner"], data["title"], data["kind"], outline
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已建立文件草稿（第1稿）"))
            return redirect("documents:version", public_id=version.public_id)
    return render(request, "measures/document_form.html", {"form": form})


@login_required
def version_detail(request, public_id):
    version = get_version_for_user(request.user, public_id)
    can_manage = has_cap(request.user, Cap.MANAGE_SCHEMES, version.document.owner)
    others = versions_for_user(request.user).filter(document=version.document).exclude(pk=version.pk)
    schemes = SchemeVersion.objects.filter(owner=version.document.owner).order_by("-year", "-version")
    return render(
        request,
        "measures/version.html",
        {
            "version": version,
            "document": version.document,
            "rows": clause_rows(version),
            "can_manage": can_manage,
            "can_edit": can_manage and version.editable,
            "others": others.order_by("-number"),
            "rounds": version.rounds.all(),
            "can_consult": can_manage
            and version.status != "final"
            and not version.rounds.exists()
            and not version.document.versions.filter(rounds__status__in=["open", "closed"]).exists(),
            "levels": ClauseLevel.choices,
            "scheme_form": AttachSchemeForm(schemes=schemes, initial={"scheme": version.scheme}),
            "upload_form": DraftUploadForm(),
        },
    )


def _edit(request, public_id, change, success: str, form_class=None):
    """Run one clause edit from a POST; errors come back as messages on the version page."""
    version = get_version_for_user(request.user, public_id, write=True)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        messages.error(request, "；".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    else:
        run_action(request, lambda: change(version, form.cleaned_data if form is not None else {}), success)
    anchor = request.POST.get("key", "")
    url = redirect("documents:version", public_id=version.public_id).url
    return redirect(f"{url}#c-{anchor}" if anchor else url)


@login_required
@require_POST
def clause_reword(request, public_id, key):
    return _edit(
        request,
        public_id,
        lambda v, d: actions.reword_clause(request.user, v, str(key), d["heading"], d["text"]),
        _("条款已修改"),
        ClauseForm,
    )


@login_required
@require_POST
def clause_add(request, public_id):
    return _edit(
        request,
        public_id,
        lambda v, d: actions.add_clause(
            request.user, v, d["level"], d["heading"], d["text"], after=d["after"], parent=d["parent"]
        ),
        _("已添加条款"),
        AddClauseForm,
    )


@login_required
@require_POST
def clause_delete(request, public_id, key):
    return _edit(
        request, public_id, lambda v, d: actions.delete_clause(request.user, v, str(key)), _("条款已删除")
    )


@login_required
@require_POST
def clause_move(request, public_id, key):
    return _edit(
        request,
        public_id,
        lambda v, d: actions.move_clause(request.user, v, str(key), after=d["after"], into=d["into"]),
        _("条款已移动"),
        MoveForm,
    )


@login_required
@require_POST
def clause_split(request, public_id, key):
    return _edit(
        request,
        public_id,
        lambda v, d: actions.split_clause(request.user, v, str(key), d["first"], d["second"]),
        _("条款已拆分"),
        SplitForm,
    )


@login_required
@require_POST
def clause_merge(request, public_id, key):
    return _edit(
        request,
        public_id,
        lambda v, d: actions.merge_with_next(request.user, v, str(key)),
        _("已与下一项合并"),
    )


@login_required
@require_POST
def attach_scheme(request, public_id):
    version = get_version_for_user(request.user, public_id, write=True)
    schemes = SchemeVersion.objects.filter(owner=version.document.owner)
    form = AttachSchemeForm(request.POST, schemes=schemes)
    if form.is_valid():
        scheme = form.cleaned_data["scheme"]
        run_action(
            request, lambda: actions.attach_scheme(request.user, version, scheme), _("附件评分细则已更新")
        )
    else:
        messages.error(request, _("请选择本单位的评分细则"))
    return redirect("documents:version", public_id=version.public_id)


@login_required
@require_POST
def start_draft(request, public_id):
    """The next draft, copied from this version or read from an uploaded Word file."""
    base = get_version_for_user(request.user, public_id, write=True)
    form = DraftUploadForm(request.POST, request.FILES)
    upload = form.files.get("file")
    draft = run_action(
        request,
        lambda: actions.start_draft(request.user, base, read_upload(upload) if upload else None),
        lambda made: _("已建立第%(n)d稿") % {"n": made.number},
    )
    return redirect("documents:version", public_id=(draft or base).public_id)


@login_required
@require_POST
def publish(request, public_id):
    version = get_version_for_user(request.user, public_id, write=True)
    if version.document.versions.filter(rounds__isnull=False).exists():
        # A consulted document is published through its round, which checks every suggestion.
        messages.error(request, _("该文件已征求意见，请在征求意见页面办结并发布正式稿"))
        return redirect("documents:version", public_id=version.public_id)
    run_action(request, lambda: actions.publish_final(request.user, version), _("已发布正式稿"))
    return redirect("documents:version", public_id=version.public_id)


@login_required
def compare(request, public_id):
    """Clause-level differences between this version and another (its base by default)."""
    version = get_version_for_user(request.user, public_id)
    other_id = request.GET.get("against") or (version.based_on.public_id if version.based_on else None)
    if other_id is None:
        raise Http404("nothing to compare with")
    other = get_version_for_user(request.user, other_id)
    if other.document_id != version.document_id:
        raise Http404("another document")
    old, new = (other, version) if other.number < version.number else (version, other)
    return render(
        request,
        "measures/compare.html",
        {
            "old": old,
            "new": new,
            "change_rows": change_rows(old, new),
            "document": version.document,
        },
    )


@login_required
def download(request, public_id, fmt: str):
    # An official document is written in Chinese whatever the reader's UI language.
    with translation.override(settings.LANGUAGE_CODE):
        return _download(request, public_id, fmt)


def _download(request, public_id, fmt: str):
    from kaohe.measures.official import outline_docx, outline_pdf

    version = get_version_for_user(request.user, public_id)
    outline = outline_of(version)
    subtitle = "" if version.status == "final" else version.get_status_display()
    name = f"{version.title}-第{version.number}稿"
    if fmt == "docx":
        return attachment(outline_docx(outline, subtitle=subtitle), f"{name}.docx", DOCX)
    if fmt == "pdf":
        return attachment(outline_pdf(outline, subtitle=subtitle), f"{name}.pdf", "application/pdf")
    raise Http404("unknown format")
