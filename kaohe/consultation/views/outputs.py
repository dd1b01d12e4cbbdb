"""The register (xlsx, docx), the statement (docx), the publication package (zip), and the draft
and final text for everyone in the round (participants may not see the committee's documents)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation

from kaohe.consultation.models import RoundStatus
from kaohe.consultation.queries import get_round_for_user, sees_all
from kaohe.exports import attachment
from kaohe.exports.word import DOCX
from kaohe.tables import XLSX_CONTENT_TYPE


@login_required
def download(request, public_id, what: str):
    # Documents that are filed and published are written in Chinese whatever the reader's UI language.
    with translation.override(settings.LANGUAGE_CODE):
        return _download(request, public_id, what)


def _download(request, public_id, what: str):
    from kaohe.consultation import package, register

    round_ = get_round_for_user(request.user, public_id)
    # Participants read the register as it is published: anonymous names stay hidden.
    reveal = sees_all(request.user, round_)
    if what == "register.xlsx":
        return attachment(
            register.register_xlsx(round_, reveal=reveal), "征求意见采纳情况汇总表.xlsx", XLSX_CONTENT_TYPE
        )
    if what == "register.docx":
        return attachment(register.register_docx(round_, reveal=reveal), "征求意见采纳情况汇总表.docx", DOCX)
    if what == "statement.docx":
        if not reveal and round_.status != RoundStatus.CONCLUDED:
            raise Http404("the answers are published with the final version")
        return attachment(register.statement_docx(round_), "征求意见采纳情况说明.docx", DOCX)
    if what in ("draft.docx", "draft.pdf", "final.docx", "final.pdf"):
        return _document(round_, what)
    if what == "package.zip":
        try:
            content = package.package_zip(round_)
        except ValidationError:
            raise Http404("not concluded") from None
        return attachment(content, "发布包.zip", "application/zip")
    raise Http404("unknown output")


def _document(round_, what: str):
    from kaohe.measures.documents import outline_of
    from kaohe.measures.official import outline_docx, outline_pdf

    which, fmt = what.split(".")
    version = round_.draft if which == "draft" else round_.final
    if version is None:
        raise Http404("no final version yet")
    subtitle = "（征求意见稿）" if which == "draft" else ""
    outline = outline_of(version)
    name = f"{version.title}{subtitle}.{fmt}"
    if fmt == "docx":
        return attachment(outline_docx(outline, subtitle=subtitle), name, DOCX)
    return attachment(outline_pdf(outline, subtitle=subtitle), name, "application/pdf")
