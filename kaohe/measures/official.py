"""A measures document (办法 / 意见) laid out as an official document in the spirit of GB/T 9704:
title in 小标宋 2号, body in 仿宋_GB2312 3号 with a two-character first-line indent, chapters in
黑体, A4 with the standard margins, page numbers "— N —". Word for editing and filing (what
read_docx reads back to the same outline) and PDF (WeasyPrint, embedded CJK fonts) for printing."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from kaohe.exports import word
from kaohe.measures.outline import ARTICLE, CHAPTER, CLAUSE, HEADED, ITEM, PART, SECTION, Outline

TITLE_FACE = "方正小标宋简体"
BODY_FACE = "仿宋_GB2312"
HEI_FACE = "黑体"
KAI_FACE = "楷体_GB2312"
PAGE_NUMBER_FACE = "宋体"
# What Word shows instead when the official faces are not installed (the font table's altName).
FALLBACKS = {TITLE_FACE: "宋体", BODY_FACE: "仿宋", KAI_FACE: "楷体", HEI_FACE: "SimHei"}

BODY_SIZE = 16  # 3号
TITLE_SIZE = 22  # 2号
PAGE_NUMBER_SIZE = 14  # 4号
LINE_PITCH = 28  # points: 22 lines to the page, as the standard asks
_ENDS_A_SENTENCE = tuple("。：；！？:;!?")


@dataclass(frozen=True)
class Line:
    """One printed paragraph: its kind (a level, or title / subtitle / body), the marker as
    written (with the space after it), a lead (a clause's heading, set in bold) and the text."""

    kind: str
    text: str
    marker: str = ""
    lead: str = ""


def _marker(level: str, label: str) -> str:
    # 第一章　总则, 第一条　为了……: a full-width space after the long markers; 一、（一）1. need none.
    return label + "\u3000" if level in (CHAPTER, SECTION, ARTICLE) else label


def lines(outline: Outline, subtitle: str = "") -> list[Line]:
    out = [Line("title", outline.title)]
    if subtitle:
        out.append(Line("subtitle", subtitle))
    out += [Line("body", text) for text in outline.preamble.split("\n") if text.strip()]
    for node in outline.walk():
        paragraphs = [text for text in node.text.split("\n") if text.strip()]
        marker = _marker(node.level, node.label)
        if node.level in HEADED:
            out.append(Line(node.level, node.heading, marker))
        else:
            lead = node.heading
            if lead and paragraphs and not lead.endswith(_ENDS_A_SENTENCE):
                lead += "。"
            out.append(Line(node.level, paragraphs.pop(0) if paragraphs else "", marker, lead))
        out += [Line("body", text) for text in paragraphs]
    return out


# --- Word ---


def _set_face(element, face: str) -> None:
    """Set every script's face (Latin, East Asian, complex) on a run or a style, dropping theme
    fonts, which would otherwise win over the named face."""
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), face)


def _restyle(doc, name: str, face: str, size: float, *, centred: bool = False, bold: bool = False):
    """Turn one of the template's styles (blue, Calibri, spaced) into its official-document look."""
    style = doc.styles[name]
    _set_face(style.element, face)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    layout = style.paragraph_format
    layout.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.JUSTIFY
    layout.space_before = Pt(0)
    layout.space_after = Pt(0)
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = Pt(LINE_PITCH)
    borders = style.element.pPr.find(qn("w:pBdr")) if style.element.pPr is not None else None
    if borders is not None:  # the template's Title is underlined with a rule
        borders.getparent().remove(borders)
    return style


def _indent_two_characters(paragraph) -> None:
    paragraph.paragraph_format.first_line_indent = Pt(2 * BODY_SIZE)
    # Word measures the indent in characters when firstLineChars is there, so it follows the font.
    paragraph._p.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "200")


def _run(paragraph, words: str, face: str, *, bold: bool = False) -> None:
    run = paragraph.add_run(words)
    _set_face(run._element, face)
    run.bold = bold


def _page(doc) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.paragraph_format.first_line_indent = Pt(0)
    _run(footer, "— ", PAGE_NUMBER_FACE)
    number = footer.add_run()
    _set_face(number._element, PAGE_NUMBER_FACE)
    for kind, instruction in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
        else:
            field = OxmlElement("w:instrText")
            field.set(qn("xml:space"), "preserve")
            field.text = instruction
        number._element.append(field)
    _run(footer, " —", PAGE_NUMBER_FACE)
    for run in footer.runs:
        run.font.size = Pt(PAGE_NUMBER_SIZE)


def _declare_fallbacks(doc) -> None:
    """Name, in the font table, the face Word should use where an official face is missing."""
    part = doc.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE)
    table = etree.fromstring(part.blob)
    for face, fallback in FALLBACKS.items():
        font = etree.SubElement(table, qn("w:font"), {qn("w:name"): face})
        etree.SubElement(font, qn("w:altName"), {qn("w:val"): fallback})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})  # GB2312
        etree.SubElement(font, qn("w:family"), {qn("w:val"): "roman"})
        etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
    # The font table is a plain part in python-docx (no XML API): its bytes are replaced whole.
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


# The style each kind of line is written in: Word's navigation pane then shows the chapters, and
# the reader recognises the title and subtitle by them.
_STYLES = {
    "title": "Title",
    "subtitle": "Subtitle",
    CHAPTER: "Heading 1",
    PART: "Heading 1",
    SECTION: "Heading 2",
}
# Centred lines in a single face.
_CENTRED = {"title": TITLE_FACE, "subtitle": KAI_FACE, CHAPTER: HEI_FACE, SECTION: KAI_FACE}


def _styles(doc) -> None:
    _restyle(doc, "Normal", BODY_FACE, BODY_SIZE)
    _restyle(doc, "Title", TITLE_FACE, TITLE_SIZE, centred=True)
    doc.styles["Title"].paragraph_format.space_after = Pt(LINE_PITCH)
    _restyle(doc, "Subtitle", KAI_FACE, BODY_SIZE, centred=True)
    doc.styles["Subtitle"].paragraph_format.space_after = Pt(LINE_PITCH)
    _restyle(doc, "Heading 1", HEI_FACE, BODY_SIZE, centred=True)
    _restyle(doc, "Heading 2", KAI_FACE, BODY_SIZE, centred=True, bold=True)


def outline_docx(outline: Outline, *, subtitle: str = "") -> bytes:
    doc = word.new_document()
    _styles(doc)
    _page(doc)
    _declare_fallbacks(doc)
    for line in lines(outline, subtitle):
        paragraph = doc.add_paragraph(style=_STYLES.get(line.kind))
        if line.kind in _CENTRED:
            _run(paragraph, line.marker + line.text, _CENTRED[line.kind])
            continue
        _indent_two_characters(paragraph)
        if line.kind == PART:  # 一、总体要求: a heading, but set on the left like the text
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _run(paragraph, line.marker + line.text, HEI_FACE)
            continue
        if line.kind == ARTICLE:
            _run(paragraph, line.marker, HEI_FACE)
        elif line.marker:
            # A clause's own heading is set in 楷体 (an item's in bold 仿宋), marker and all.
            face = KAI_FACE if line.kind == CLAUSE and line.lead else BODY_FACE
            _run(paragraph, line.marker, face, bold=bool(line.lead) and line.kind in (CLAUSE, ITEM))
        if line.lead:
            _run(paragraph, line.lead, KAI_FACE if line.kind == CLAUSE else BODY_FACE, bold=True)
        if line.text:
            _run(paragraph, line.text, BODY_FACE)
    return word.to_bytes(doc)


# --- PDF ---


def outline_html(outline: Outline, *, subtitle: str = "") -> str:
    body = lines(outline, subtitle)[2 if subtitle else 1 :]
    return render_to_string(
        "measures/outline_pdf.html", {"title": outline.title, "subtitle": subtitle, "lines": body}
    )


def outline_pdf(outline: Outline, *, subtitle: str = "") -> bytes:
    from weasyprint import HTML  # a heavy import, needed only here

    return HTML(string=outline_html(outline, subtitle=subtitle)).write_pdf()
