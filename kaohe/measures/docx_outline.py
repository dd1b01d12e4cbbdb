"""Reading a measures document (办法 / 意见) as people type it, in Word or as plain lines, into an
Outline. The numbers are read from the text markers at the start of each paragraph (第一章, 第一条,
一、, （一）, 1.), which is how official documents are numbered; Word's automatic numbering is not
in the text and is reported rather than guessed. Every numbering problem is collected and raised
together, each naming the paragraph, so that one upload shows the author everything to fix."""

import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from kaohe.measures.outline import (
    ARTICLE,
    CHAPTER,
    HEADED,
    ITEM,
    PART,
    RANK,
    SECTION,
    Outline,
    OutlineNode,
    label,
    parse_chinese_number,
)


class OutlineError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the source as the shared reader needs it."""

    text: str
    number: int  # 1-based position in the source, for messages
    role: str = ""  # "title" (looks like a title), "title-style" (style Title), "subtitle"
    lead: str = ""  # emphasised (bold) words right after the marker: a clause's own heading
    auto_numbered: bool = False  # Word numbers it itself; that number is not in the text


_NUMERAL = "[零〇一二两三四五六七八九十百]+"
# Order matters only for readability: no text matches two of these.
_MARKERS = (
    (CHAPTER, re.compile(rf"第({_NUMERAL})章\s*(.*)", re.DOTALL)),
    (SECTION, re.compile(rf"第({_NUMERAL})节\s*(.*)", re.DOTALL)),
    (ARTICLE, re.compile(rf"第({_NUMERAL})条\s*(.*)", re.DOTALL)),
    (PART, re.compile(rf"({_NUMERAL})、\s*(.*)", re.DOTALL)),
    ("clause", re.compile(rf"[（(]\s*({_NUMERAL})\s*[）)]\s*(.*)", re.DOTALL)),
    # Not "1.5 倍": a digit right after the dot is a decimal, not an item.
    (ITEM, re.compile(r"(\d{1,3})[.．、](?!\d)\s*(.*)", re.DOTALL)),
)


@dataclass(frozen=True)
class Marker:
    level: str
    number: int
    rest: str  # the text after the marker
    rest_at: int  # where the rest starts in the paragraph's text


def marker(text: str) -> Marker | None:
    """The numbering marker that opens `text` (already stripped), if any."""
    for level, pattern in _MARKERS:
        found = pattern.match(text)
        if found:
            numeral = found.group(1)
            number = int(numeral) if numeral.isdigit() else parse_chinese_number(numeral)
            return Marker(level, number, found.group(2).strip(), found.start(2))
    return None


def _start(text: str, width: int = 12) -> str:
    return text if len(text) <= width else text[:width] + "……"


def _safe_label(level: str, number: int) -> str:
    try:
        return label(level, number)
    except ValueError:  # 0 or 1000+: not writable as a Chinese number; show it as typed
        return str(number)


_NOUNS = {CHAPTER: _lazy("章号"), SECTION: _lazy("节号"), ARTICLE: _lazy("条号")}


class _Reader:
    def __init__(self, unit: str):
        self.unit = unit  # 段 for Word paragraphs, 行 for lines of text
        self.problems: list[str] = []
        self.preamble: list[str] = []
        self.roots: list[OutlineNode] = []
        self.open: list[OutlineNode] = []  # the path from the top to the last node
        self.last_number: dict[tuple[int, str], int] = {}  # (id of parent, level) → number
        self.articles = 0
        self.article_parent: OutlineNode | None = None
        self.top_level: tuple[str, Paragraph] | None = None

    def where(self, paragraph: Paragraph) -> str:
        if self.unit == "行":
            return _("第%(number)s行“%(start)s”") % {
                "number": paragraph.number,
                "start": _start(paragraph.text),
            }
        return _("第%(number)s段“%(start)s”") % {"number": paragraph.number, "start": _start(paragraph.text)}

    def add_text(self, text: str) -> None:
        if not self.open:
            self.preamble.append(text)
            return
        node = self.open[-1]
        node.text = f"{node.text}\n{text}" if node.text else text

    def add_node(self, paragraph: Paragraph, found: Marker) -> None:
        node = OutlineNode(found.level, found.number)
        if found.level in HEADED:
            node.heading = found.rest
        elif (
            paragraph.lead
            and found.rest.startswith(paragraph.lead)
            # A wholly bold article is emphasis, not a heading (articles have none).
            and not (found.level == ARTICLE and paragraph.lead == found.rest)
        ):
            # Written as "（一）加强政治建设。正文……" with the heading in bold.
            node.heading = paragraph.lead.strip().removesuffix("。")
            node.text = found.rest[len(paragraph.lead) :].strip()
        else:
            node.text = found.rest
        while self.open and RANK[self.open[-1].level] >= RANK[node.level]:
            self.open.pop()
        parent = self.open[-1] if self.open else None
        (parent.children if parent else self.roots).append(node)
        self.open.append(node)
        self.check_top_level(paragraph, node)
        self.check_number(paragraph, node, parent)

    def check_top_level(self, paragraph: Paragraph, node: OutlineNode) -> None:
        if node.level not in (PART, CHAPTER):
            return
        if self.top_level is None:
            self.top_level = (node.level, paragraph)
        elif self.top_level[0] != node.level:
            self.problems.append(
                _(
                    "%(where)s：同一文件的最高一级要么用“第一章”，要么用“一、”，不能混用（%(first)s已用了另一种）"
                )
                % {"where": self.where(paragraph), "first": self.where(self.top_level[1])}
            )

    def check_number(self, paragraph: Paragraph, node: OutlineNode, parent: OutlineNode | None) -> None:
        restarted = False
        if node.level == ARTICLE:  # articles run through the whole document
            previous, self.articles = self.articles, node.number
            restarted = node.number == 1 and previous > 0 and parent is not self.article_parent
            self.article_parent = parent
        else:
            key = (id(parent), node.level)
            previous = self.last_number.get(key, 0)
            self.last_number[key] = node.number
        expected, got = previous + 1, node.number
        if got == expected:
            return
        values = {"where": self.where(paragraph), "noun": _NOUNS.get(node.level, _lazy("序号"))}
        if got > expected:
            missing = _safe_label(node.level, expected)
            if got > expected + 1:
                missing += pgettext("range", "至") + _safe_label(node.level, got - 1)
            problem = _("%(where)s：%(noun)s跳过了%(missing)s") % {**values, "missing": missing}
        elif restarted:  # 第一条 again under the next chapter
            problem = _("%(where)s：条号应为%(expected)s（条在全文连续编号，不随章节重新开始）") % {
                **values,
                "expected": _safe_label(node.level, expected),
            }
        elif got == previous:
            problem = _("%(where)s：%(noun)s重复了%(label)s") % {
                **values,
                "label": _safe_label(node.level, got),
            }
        else:
            problem = _("%(where)s：%(noun)s应为%(expected)s，这里是%(got)s") % {
                **values,
                "expected": _safe_label(node.level, expected),
                "got": _safe_label(node.level, got),
            }
        self.problems.append(problem)


def _title_index(paragraphs: list[Paragraph]) -> int | None:
    """Which paragraph is the title: the first that looks like one before any numbered paragraph,
    else simply the first (then none if that one is already numbered)."""
    for index, paragraph in enumerate(paragraphs):
        if marker(paragraph.text):
            break
        # A line wholly in brackets is a subtitle such as （征求意见稿）, however it is set.
        bracketed = paragraph.text.startswith(("（", "(")) and paragraph.text.endswith(("）", ")"))
        if paragraph.role in ("title", "title-style") and not bracketed:
            return index
    if paragraphs and not marker(paragraphs[0].text):
        return 0
    return None


def read_paragraphs(paragraphs: list[Paragraph], unit: str = "段") -> Outline:
    """The shared reader: paragraphs (in order, with their positions) → Outline, or OutlineError."""
    paragraphs = [p for p in paragraphs if p.text]
    reader = _Reader(unit)
    title = ""
    title_at = _title_index(paragraphs)
    body = paragraphs
    if title_at is not None:
        reader.preamble.extend(p.text for p in paragraphs[:title_at])  # e.g. a document number
        title = paragraphs[title_at].text
        body = paragraphs[title_at + 1 :]
        # A long title typed over two paragraphs in the Title style is one title; a subtitle
        # (revision note, 征求意见稿) belongs with the title, not with the text.
        while body and body[0].role == "title-style" and not marker(body[0].text):
            title += body[0].text
            body = body[1:]
        while body and body[0].role == "subtitle":
            body = body[1:]
    for paragraph in body:
        found = marker(paragraph.text)
        if found:
            reader.add_node(paragraph, found)
        elif paragraph.auto_numbered:
            reader.problems.append(
                _("%(where)s：编号由 Word 自动生成，无法读取；请改为手工输入编号（如“第一条”“（一）”）")
                % {"where": reader.where(paragraph)}
            )
        else:
            reader.add_text(paragraph.text)
    if not reader.roots:
        reader.problems.append(
            _(
                "没有找到章、条或（一）等编号：请在每一章、每一条、每一项的开头输入“第一章”“第一条”"
                "“一、”“（一）”“1.”等编号（Word 的自动编号无法识别）"
            )
        )
    if reader.problems:
        raise OutlineError(reader.problems)
    return Outline(title=title, preamble="\n".join(reader.preamble), nodes=reader.roots)


def read_text(text: str) -> Outline:
    """Plain text, one paragraph per line."""
    lines = [Paragraph(line.strip(), number) for number, line in enumerate(text.splitlines(), start=1)]
    return read_paragraphs(lines, unit="行")


# --- Word ---

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .doc (and .wps) container


def _open(data: bytes):
    if data.startswith(_OLE):
        raise OutlineError([_("这是旧版 Word（.doc）文件：请在 Word 或 WPS 中另存为 .docx 后再上传")])
    not_docx = OutlineError([_("这不是 Word（.docx）文件，无法读取；请上传 .docx 格式的文件")])
    if not data.startswith(b"PK"):
        raise not_docx
    try:
        return Document(io.BytesIO(data))
    # A zip that is not a Word package fails in many ways (BadZipFile, KeyError, python-docx's
    # PackageNotFoundError, lxml's XMLSyntaxError): all of them mean "not a docx we can read".
    except Exception as error:
        raise not_docx from error


_HEADING_ONE = {"heading 1", "标题 1"}


def _role(paragraph) -> str:
    style = (paragraph.style.name if paragraph.style is not None else "").lower()
    if style in ("title", "标题"):
        return "title-style"
    if style in ("subtitle", "副标题"):
        return "subtitle"
    if style in _HEADING_ONE:
        return "title"
    runs = [run for run in paragraph.runs if run.text.strip()]
    if paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER and runs and all(run.bold for run in runs):
        return "title"
    return ""


def _lead(paragraph, text: str) -> str:
    """The bold words right after the marker (the clause's heading, as the writer puts it)."""
    runs = paragraph.runs
    raw = "".join(run.text for run in runs)
    found = marker(raw.strip())
    if raw.strip() != text or found is None or not found.rest:
        return ""  # runs that are not the whole text (hyperlinks, fields): no guessing
    position = found.rest_at + (len(raw) - len(raw.lstrip()))
    lead = ""
    offset = 0
    for run in runs:
        start, offset = offset, offset + len(run.text)
        if offset <= position:
            continue
        piece = run.text[max(position - start, 0) :]
        if not run.bold and piece.strip():
            break
        lead += piece
    lead = lead.strip()
    return lead if lead and found.rest.startswith(lead) else ""


def _number_format(document, num_id: str, level: str) -> str:
    """The format Word draws an automatic number in ('decimal', 'chineseCounting', 'bullet'...)."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):  # python-docx's answer for a file with no numbering part
        return ""
    abstract_id = None
    for num in numbering.findall(qn("w:num")):
        if num.get(qn("w:numId")) == num_id:
            abstract = num.find(qn("w:abstractNumId"))
            abstract_id = abstract.get(qn("w:val")) if abstract is not None else None
    for abstract_num in numbering.findall(qn("w:abstractNum")):
        if abstract_num.get(qn("w:abstractNumId")) != abstract_id:
            continue
        for lvl in abstract_num.findall(qn("w:lvl")):
            if lvl.get(qn("w:ilvl")) == level:
                number_format = lvl.find(qn("w:numFmt"))
                return number_format.get(qn("w:val"), "") if number_format is not None else ""
    return ""


def _auto_numbered(document, paragraph) -> bool:
    """Whether Word draws a number (not a bullet) before the paragraph, directly or by its style."""
    for owner in (paragraph._p, paragraph.style.element if paragraph.style is not None else None):
        properties = owner.find(qn("w:pPr")) if owner is not None else None
        numbering = properties.find(qn("w:numPr")) if properties is not None else None
        if numbering is None:
            continue
        num_id = numbering.find(qn("w:numId"))
        level = numbering.find(qn("w:ilvl"))
        num_id_value = num_id.get(qn("w:val")) if num_id is not None else "0"
        if num_id_value == "0":  # numbering switched off
            return False
        level_value = level.get(qn("w:val")) if level is not None else "0"
        return _number_format(document, num_id_value, level_value) not in ("bullet", "none")
    return False


def read_docx(data: bytes) -> Outline:
    document = _open(data)
    paragraphs = []
    for number, paragraph in enumerate(document.paragraphs, start=1):
        text = paragraph.text.strip()
        if not text:
            continue
        paragraphs.append(
            Paragraph(
                text,
                number,
                role=_role(paragraph),
                lead=_lead(paragraph, text),
                auto_numbered=_auto_numbered(document, paragraph),
            )
        )
    return read_paragraphs(paragraphs)
