"""The few Word (docx) building blocks the documents share: text in the official body face,
a gridded table, the document as bytes. Letters, bulletins, reports and registers use them."""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "宋体"  # the body face of official documents; Word substitutes where it is missing


def text(paragraph, words: str, size: float = 12, bold: bool = False) -> None:
    """Append `words` to a paragraph (or a table cell's first paragraph) in the body face."""
    run = paragraph.add_run(words)
    run.font.name = FONT
    run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)  # Chinese text takes the East Asian face
    run.font.size = Pt(size)
    run.bold = bold


def paragraph(doc, words: str, size: float = 12, *, bold: bool = False, align: str = ""):
    p = doc.add_paragraph()
    text(p, words, size, bold)
    if align:
        p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    return p


def row(t, values, size: float = 10.5, *, bold: bool = False) -> None:
    for cell, value in zip(t.add_row().cells, values, strict=True):
        cell.text = ""
        text(cell.paragraphs[0], str(value), size, bold)


def table(doc, header: tuple[str, ...], rows=(), size: float = 10.5, *, grid: bool = True):
    """A table with a bold header row (none when `header` is empty) and the rows as text."""
    rows = list(rows)
    t = doc.add_table(rows=0, cols=len(header) if header else len(rows[0]))
    if grid:
        t.style = "Table Grid"
    if header:
        row(t, header, size, bold=True)
    for values in rows:
        row(t, values, size)
    return t


def new_document():
    return Document()


def to_bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
