"""The publication package of a concluded round: the final text (Word and PDF), what changed since
the draft, the register and the statement, and a manifest.

The package's identity is the digest of its canonical content (the final text, the changes, the
register as published, the statistics) rather than of its files: Word and Excel stamp the time
into every file they write, and the digest must be the same however often the package is rebuilt.
"""

import dataclasses
import hashlib
import io
import json
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from kaohe.consultation.models import Round
from kaohe.consultation.queries import register_rows, statistics
from kaohe.consultation.register import register_docx, register_xlsx, statement_docx
from kaohe.measures.documents import CHANGE_LABELS, change_rows, content_digest, outline_of
from kaohe.measures.models import DocumentVersion
from kaohe.measures.outline import Outline, OutlineNode

# A fixed time for the zip's own entries. The Word and Excel files inside carry their build time, so
# their hashes (listed in manifest.json) differ from build to build; the content digest does not.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _kind_labels() -> dict[str, str]:
    return {kind: str(label) for kind, label in CHANGE_LABELS.items()}


def _final(round_: Round) -> DocumentVersion:
    if round_.final is None:
        raise ValidationError(_("征求意见尚未确定正式稿，不能生成发布材料"))
    return round_.final


def _node(node: OutlineNode) -> dict:
    return {
        "key": node.key,
        "level": node.level,
        "label": node.label,
        "heading": node.heading,
        "text": node.text,
        "children": [_node(child) for child in node.children],
    }


def _outline(outline: Outline) -> dict:
    return {
        "title": outline.title,
        "preamble": outline.preamble,
        "nodes": [_node(node) for node in outline.nodes],
    }


def _changes(round_: Round, final: DocumentVersion) -> list[dict]:
    """Each change with the labels people cite (第十条（一）4.), as the pages show them."""
    return [
        {
            **dataclasses.asdict(row["change"]),
            "origins": list(row["change"].origins),  # JSON has lists, not tuples
            "old_label": row["old_label"],
            "new_label": row["new_label"],
        }
        for row in change_rows(round_.draft, final)
    ]


def package_content(round_: Round) -> dict:
    """What the package says, as plain JSON-able data. Built in the site's language whatever the
    request's, so that labels (采纳, 书面意见 …) and hence the digest never depend on the reader."""
    final = _final(round_)
    with translation.override(settings.LANGUAGE_CODE):
        outline = outline_of(final)
        rows = register_rows(round_, reveal=False)  # what is published keeps anonymity
        stats = statistics(rows)
        return {
            "round": {
                "public_id": str(round_.public_id),
                "title": round_.title,
                "organiser": round_.organiser.name,
            },
            "draft": {
                "public_id": str(round_.draft.public_id),
                "number": round_.draft.number,
                "digest": content_digest(outline_of(round_.draft)),
            },
            # Digests computed from the clauses, not read from the row: while `conclude` runs,
            # the instance it holds has not seen the digest publishing has just stored.
            "final": {
                "public_id": str(final.public_id),
                "number": final.number,
                "digest": content_digest(outline),
                "outline": _outline(outline),
            },
            "changes": _changes(round_, final),
            "register": [
                {
                    field.name: getattr(row, field.name)
                    for field in dataclasses.fields(row)
                    if field.name != "suggestion"
                }
                for row in rows
            ],
            "statistics": {
                "total": stats.total,
                "answered": stats.answered,
                "adopted": stats.adopted,
                "adoption_rate": stats.adoption_rate,
                "by_disposition": stats.by_disposition,
                "by_topic": [list(t) for t in stats.by_topic],
                "by_target": [list(t) for t in stats.by_target],
                "by_channel": [list(t) for t in stats.by_channel],
            },
        }


def canonical_json(content: dict) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def package_digest(round_: Round) -> str:
    return hashlib.sha256(canonical_json(package_content(round_))).hexdigest()


def changes_xlsx(changes: list[dict]) -> bytes:
    """修订对照表: each change from the draft to the final, old and new side by side."""
    labels = _kind_labels()
    book = Workbook()
    sheet = book.active
    sheet.title = _("修订对照")
    sheet.append([_("序号"), _("变动"), _("原条款"), _("征求意见稿"), _("现条款"), _("正式稿")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, change in enumerate(changes, start=1):
        sheet.append(
            [
                number,
                labels.get(change["kind"], change["kind"]),
                change["old_label"],
                change["old_text"],
                change["new_label"],
                change["new_text"],
            ]
        )
    for letter, width in zip("ABCDEF", (6, 10, 10, 50, 10, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def package_files(round_: Round) -> dict[str, bytes]:
    from kaohe.measures.official import outline_docx, outline_pdf

    final = _final(round_)
    with translation.override(settings.LANGUAGE_CODE):
        outline = outline_of(final)
        return {
            "正式稿.docx": outline_docx(outline),
            "正式稿.pdf": outline_pdf(outline),
            "修订对照.xlsx": changes_xlsx(_changes(round_, final)),
            "征求意见采纳情况汇总表.xlsx": register_xlsx(round_, reveal=False),
            "征求意见采纳情况汇总表.docx": register_docx(round_, reveal=False),
            "采纳情况说明.docx": statement_docx(round_),
        }


def package_zip(round_: Round) -> bytes:
    files = package_files(round_)
    manifest = {
        "round": str(round_.public_id),
        "content_digest": package_digest(round_),
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    }
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, _ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()
