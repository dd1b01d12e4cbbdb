"""Measures documents written as official documents: the Word file reads back to the same outline,
is laid out as GB/T 9704 asks, and the PDF carries the Chinese text in embedded fonts."""

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from pypdf import PdfReader

from kaohe.measures.docx_outline import read_docx
from kaohe.measures.official import outline_docx, outline_pdf
from kaohe.measures.outline import Outline, OutlineNode


def node(level, number, heading="", text="", *children):
    return OutlineNode(level, number, heading, text, list(children))


MEASURES = Outline(
    title="中共某某市委党建工作目标责任制考核办法",
    preamble="为压实管党治党政治责任，制定本办法。\n本办法经市委常委会审议通过。",
    nodes=[
        node(
            "chapter",
            1,
            "总则",
            "",
            node(
                "article",
                1,
                "",
                "考核坚持以下原则：",
                node("clause", 1, "", "实事求是；"),
                node("clause", 2, "", "公开公正。"),
            ),
            node("article", 2, "", "本办法适用于：\n各党支部；\n各直属单位。"),
        ),
        node(
            "chapter",
            2,
            "考核内容",
            "",
            node(
                "section",
                1,
                "政治建设",
                "",
                node(
                    "article",
                    3,
                    "",
                    "主要考核：",
                    node(
                        "clause",
                        1,
                        "",
                        "学习情况：",
                        node("item", 1, "", "第一议题；"),
                        node("item", 2, "", "中心组学习。"),
                    ),
                ),
            ),
            node("section", 2, "组织建设", "", node("article", 4, "", "三会一课落实情况。")),
        ),
        node("chapter", 3, "附则", "", node("article", 5, "", "本办法自印发之日起施行。")),
    ],
)

OPINION = Outline(
    title="关于加强基层党建工作的意见",
    nodes=[
        node(
            "part",
            1,
            "总体要求",
            "坚持党的全面领导。",
            node("clause", 1, "指导思想", "以新时代中国特色社会主义思想为指导。"),
            node(
                "clause",
                2,
                "工作目标",
                "",
                node("item", 1, "支部标准化", "全部达标。"),
                node("item", 2, "", "党员教育常态化。"),
            ),
        ),
        node("part", 2, "主要任务", "", node("clause", 1, "", "加强政治建设。")),
    ],
)


def face(element) -> str:
    """The East Asian face set on a run or style element."""
    return element.xpath("string(w:rPr/w:rFonts/@w:eastAsia)")


def test_a_measures_document_reads_back_to_the_same_outline():
    assert read_docx(outline_docx(MEASURES, subtitle="（2026年3月修订）")) == MEASURES


def test_an_opinion_with_clause_headings_reads_back_to_the_same_outline():
    assert read_docx(outline_docx(OPINION)) == OPINION


def test_the_word_file_is_laid_out_as_an_official_document():
    doc = Document(io.BytesIO(outline_docx(MEASURES)))

    section = doc.sections[0]
    sizes = (section.page_width, section.page_height)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert tuple(round(m.mm) for m in (*sizes, *margins) if m) == (210, 297, 37, 35, 28, 26)
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert face(normal.element) == "仿宋_GB2312"

    title, preamble, chapter, article = doc.paragraphs[:2] + doc.paragraphs[3:5]
    assert title.style is not None and title.style.name == "Title"
    assert doc.styles["Title"].font.size == Pt(22) and face(title.runs[0]._element) == "方正小标宋简体"
    assert preamble.paragraph_format.first_line_indent == Pt(32)
    assert chapter.text == "第一章\u3000总则" and face(chapter.runs[0]._element) == "黑体"
    assert doc.styles["Heading 1"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    marker = article.runs[0]
    assert marker.text == "第一条\u3000" and face(marker._element) == "黑体"


def test_the_word_file_numbers_its_pages_in_the_footer():
    footer = Document(io.BytesIO(outline_docx(OPINION))).sections[0].footer.paragraphs[0]

    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert "PAGE" in "".join(t.text for t in footer._p.iter(qn("w:instrText")))


def test_the_word_file_names_a_fallback_for_the_title_face():
    doc = Document(io.BytesIO(outline_docx(OPINION)))
    fonts = doc.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
    )

    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>' in fonts.blob.decode()


def test_the_pdf_carries_the_chinese_text_in_embedded_fonts():
    pdf = outline_pdf(MEASURES, subtitle="（2026年3月修订）")

    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    flat = "".join(text.split())
    for words in (
        "党建工作目标责任制考核办法",
        "2026年3月修订",
        "第一章总则",
        "第一条考核坚持以下原则",
        "（一）实事求是",
    ):
        assert words in flat
    assert "— 1 —" in text
    resources: Any = reader.pages[0]["/Resources"]
    fonts = [font.get_object() for font in resources["/Font"].values()]
    cjk = [font for font in fonts if "CJK-SC" in font["/BaseFont"]]
    assert cjk, "no CJK font in the PDF"
    for font in cjk:  # the glyphs travel with the file: a subset of the font is embedded
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert any(key.startswith("/FontFile") for key in descriptor)
