"""Reading measures documents (Word and plain lines) into outlines: levels from the typed markers,
nesting, continuation text, and every numbering problem reported with its paragraph."""

import io
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from kaohe.measures.docx_outline import OutlineError, read_docx, read_text
from kaohe.measures.outline import Outline, OutlineNode


def docx_of(*paragraphs) -> bytes:
    """A Word file with one paragraph per argument: a text, or (text, style name)."""
    doc = Document()
    for paragraph in paragraphs:
        words, style = paragraph if isinstance(paragraph, tuple) else (paragraph, None)
        doc.add_paragraph(words, style=style)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(OutlineError) as raised:
        read_docx(data)
    return raised.value.problems


def node(level, number, heading="", text="", *children):
    return OutlineNode(level, number, heading, text, list(children))


def test_it_reads_chapters_articles_clauses_and_items_typed_without_styles():
    outline = read_docx(
        docx_of(
            "某某公司党建工作考核办法",
            "",
            "为推动全面从严治党向基层延伸，制定本办法。",
            "第一章 总则",
            "第一条　考核坚持以下原则：",
            "（一）实事求是；",
            "1. 以台账为准；",
            "2. 以现场为辅。",
            "（二）公开公正。",
            "第二条 本办法适用于各党支部。",
            "各直属单位参照执行。",
            "第二章　附则",
            "第三条 本办法自印发之日起施行。",
        )
    )

    assert outline == Outline(
        title="某某公司党建工作考核办法",
        preamble="为推动全面从严治党向基层延伸，制定本办法。",
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
                    node(
                        "clause",
                        1,
                        "",
                        "实事求是；",
                        node("item", 1, "", "以台账为准；"),
                        node("item", 2, "", "以现场为辅。"),
                    ),
                    node("clause", 2, "", "公开公正。"),
                ),
                node("article", 2, "", "本办法适用于各党支部。\n各直属单位参照执行。"),
            ),
            node("chapter", 2, "附则", "", node("article", 3, "", "本办法自印发之日起施行。")),
        ],
    )


def test_it_lets_the_marker_decide_the_level_whatever_the_heading_style():
    outline = read_docx(
        docx_of(
            ("考核办法", "Title"),
            ("第一章 总则", "Heading 2"),
            ("第一节　目标", "Heading 1"),
            ("第一条 目标明确。", "Heading 3"),
        )
    )

    chapter = outline.nodes[0]
    section = chapter.children[0]
    assert (chapter.level, chapter.heading) == ("chapter", "总则")
    assert (section.level, section.heading) == ("section", "目标")
    assert section.children == [node("article", 1, "", "目标明确。")]


def test_it_reads_an_opinion_numbered_with_parts_clauses_and_items():
    outline = read_docx(
        docx_of(
            ("关于加强基层党建工作的意见", "Heading 1"),
            "一、总体要求",
            "坚持党的全面领导。",
            "（一）指导思想。以新时代中国特色社会主义思想为指导。",
            "(二)工作目标",
            "1、支部标准化；",
            "2．党员教育常态化。",
            "二、主要任务",
            "（一）加强政治建设。",
        )
    )

    assert outline.title == "关于加强基层党建工作的意见" and outline.preamble == ""
    first, second = outline.nodes
    assert (first.level, first.number, first.heading, first.text) == (
        "part",
        1,
        "总体要求",
        "坚持党的全面领导。",
    )
    assert [(c.level, c.number, c.text) for c in first.children] == [
        ("clause", 1, "指导思想。以新时代中国特色社会主义思想为指导。"),
        ("clause", 2, "工作目标"),
    ]
    assert [(i.level, i.number, i.text) for i in first.children[1].children] == [
        ("item", 1, "支部标准化；"),
        ("item", 2, "党员教育常态化。"),
    ]
    assert (second.heading, second.children[0].number) == ("主要任务", 1)  # clauses restart per part


def test_it_takes_a_bold_lead_after_a_clause_marker_as_its_heading():
    doc = Document()
    doc.add_paragraph("意见")
    doc.add_paragraph("一、总体要求")
    clause = doc.add_paragraph()
    clause.add_run("（一）").bold = True
    clause.add_run("指导思想。").bold = True
    clause.add_run("坚持以人民为中心。")
    out = io.BytesIO()
    doc.save(out)

    assert read_docx(out.getvalue()).nodes[0].children == [
        node("clause", 1, "指导思想", "坚持以人民为中心。")
    ]


def test_it_reads_a_wholly_bold_article_as_text_and_a_wholly_bold_clause_as_a_heading():
    doc = Document()
    doc.add_paragraph("办法")
    doc.add_paragraph().add_run("第一条 必须遵守。").bold = True
    doc.add_paragraph().add_run("（一）政治建设").bold = True
    out = io.BytesIO()
    doc.save(out)

    assert read_docx(out.getvalue()).nodes == [
        node("article", 1, "", "必须遵守。", node("clause", 1, "政治建设", ""))
    ]


def test_it_does_not_take_a_bracketed_subtitle_for_the_title():
    doc = Document()
    doc.add_paragraph("党建工作考核办法")
    subtitle = doc.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.add_run("（征求意见稿）").bold = True
    doc.add_paragraph("第一条 总则。")
    out = io.BytesIO()
    doc.save(out)

    outline = read_docx(out.getvalue())

    assert (outline.title, outline.preamble) == ("党建工作考核办法", "（征求意见稿）")


def test_it_keeps_what_comes_before_a_title_styled_paragraph_in_the_preamble():
    doc = Document()
    doc.add_paragraph("某党发〔2026〕3号")
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("党建工作考核办法").bold = True
    doc.add_paragraph("第一条 总则。")
    out = io.BytesIO()
    doc.save(out)

    outline = read_docx(out.getvalue())

    assert (outline.title, outline.preamble) == ("党建工作考核办法", "某党发〔2026〕3号")


def test_it_does_not_take_a_decimal_for_an_item():
    outline = read_text("办法\n第一条 得分乘以系数：\n1.5倍计算。")

    assert outline.nodes == [node("article", 1, "", "得分乘以系数：\n1.5倍计算。")]


def test_it_reports_a_skipped_article_with_its_paragraph_and_text():
    problems = problems_of(
        docx_of("办法", "第一条 总则。", "", "第三条 本办法自印发之日起施行，由党委组织部负责解释。")
    )

    assert problems == ["第4段“第三条 本办法自印发之日……”：条号跳过了第二条"]


def test_it_reports_every_numbering_problem_at_once():
    problems = problems_of(
        docx_of(
            "办法",
            "第一条 甲。",
            "第一条 乙。",
            "（一）丙；",
            "（三）丁；",
            "第二条 戊。",
            "第五条 己。",
        )
    )

    assert problems == [
        "第3段“第一条 乙。”：条号重复了第一条",
        "第5段“（三）丁；”：序号跳过了（二）",
        "第7段“第五条 己。”：条号跳过了第三条至第四条",
    ]


def test_it_numbers_articles_through_the_document_but_clauses_per_article():
    problems = problems_of(
        docx_of("办法", "第一章 总则", "第一条 甲。", "第二章 附则", "第一条 乙。", "（二）丙。")
    )

    assert problems == [
        "第5段“第一条 乙。”：条号应为第二条（条在全文连续编号，不随章节重新开始）",
        "第6段“（二）丙。”：序号跳过了（一）",
    ]


def test_it_refuses_to_mix_chapters_and_parts_at_the_top():
    problems = problems_of(docx_of("办法", "第一章 总则", "第一条 甲：", "一、乙"))

    assert len(problems) == 1 and problems[0].startswith("第4段“一、乙”：同一文件的最高一级")


def test_it_refuses_a_document_without_any_numbered_paragraph():
    problems = problems_of(docx_of("办法", "为了加强管理，制定本办法。", "本办法自印发之日起施行。"))

    assert len(problems) == 1 and problems[0].startswith("没有找到章、条或（一）等编号")


def test_it_reports_paragraphs_numbered_by_word_itself():
    problems = problems_of(
        docx_of("办法", "第一条 原则：", ("实事求是", "List Number"), ("公开公正", "List Number"))
    )

    assert len(problems) == 2 and problems[0].startswith("第3段“实事求是”：编号由 Word 自动生成")


def test_it_accepts_a_bulleted_paragraph_as_text():
    outline = read_docx(docx_of("办法", "第一条 原则：", ("实事求是", "List Bullet")))

    assert outline.nodes == [node("article", 1, "", "原则：\n实事求是")]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"%PDF-1.7 not a word file", "不是 Word（.docx）文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "旧版 Word（.doc）"),
        (b"", "不是 Word（.docx）文件"),
    ],
)
def test_it_refuses_bytes_that_are_not_a_docx(data, says):
    problems = problems_of(data)

    assert len(problems) == 1 and says in problems[0]


def test_it_refuses_a_zip_that_is_not_a_word_file():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "不是文档")

    assert "不是 Word（.docx）文件" in problems_of(out.getvalue())[0]


def test_it_reads_plain_lines_by_the_same_rules_naming_lines():
    outline = read_text("考核办法\n\n  第一条　总则。\n（一）甲；\n第二条 附则。\n")
    assert [(n.level, n.number) for n in outline.walk()] == [("article", 1), ("clause", 1), ("article", 2)]

    with pytest.raises(OutlineError) as raised:
        read_text("考核办法\n\n第二条 总则。")
    assert raised.value.problems == ["第3行“第二条 总则。”：条号跳过了第一条"]
