"""The plain shape of a measures document (办法 / 意见): numbered nodes in levels as Chinese official
documents number them. Pure Python: the docx reader produces it, the diff and the Word and PDF
builders read it, the database stores it as Clause rows.

Levels, outermost first, with the marker each is known by:
  part 一、 and chapter 第一章 (top level; a document uses one or the other), section 第一节,
  article 第一条 (numbered through the whole document, not per chapter), clause （一）, item 1.
"""

from dataclasses import dataclass, field

PART, CHAPTER, SECTION, ARTICLE, CLAUSE, ITEM = "part", "chapter", "section", "article", "clause", "item"
LEVELS = (PART, CHAPTER, SECTION, ARTICLE, CLAUSE, ITEM)
RANK = {PART: 0, CHAPTER: 0, SECTION: 1, ARTICLE: 2, CLAUSE: 3, ITEM: 4}
# Levels whose own line is a heading (a title), not running text.
HEADED = (PART, CHAPTER, SECTION)

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (as article numbers are written)."""
    if n <= 0 or n >= 1000:
        raise ValueError(f"cannot write {n} as an article number")
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += _DIGITS[hundreds] + "百"
        if rest and tens == 0:
            out += "零"
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    if ones:
        out += _DIGITS[ones]
    return out


def parse_chinese_number(text: str) -> int:
    """The inverse of chinese_number (also accepts 〇 and 两); ValueError if it is not one."""
    digits = {c: i for i, c in enumerate(_DIGITS)} | {"〇": 0, "两": 2}
    total, current = 0, 0
    if not text:
        raise ValueError("empty number")
    for char in text:
        if char in digits:
            current = digits[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += current * 100
            current = 0
        else:
            raise ValueError(f"'{char}' is not a Chinese numeral")
    return total + current


def label(level: str, number: int) -> str:
    """The marker a node is written with: 第三章, 第十二条, （二）, 4."""
    if level == CHAPTER:
        return f"第{chinese_number(number)}章"
    if level == SECTION:
        return f"第{chinese_number(number)}节"
    if level == ARTICLE:
        return f"第{chinese_number(number)}条"
    if level == PART:
        return f"{chinese_number(number)}、"
    if level == CLAUSE:
        return f"（{chinese_number(number)}）"
    if level == ITEM:
        return f"{number}."
    raise ValueError(f"unknown level '{level}'")


@dataclass
class OutlineNode:
    level: str
    number: int
    heading: str = ""  # a part's, chapter's or section's title; clauses may lead with one too
    text: str = ""  # the running text after the marker (several paragraphs joined by "\n")
    children: list["OutlineNode"] = field(default_factory=list)
    key: str = ""  # the stable clause id, once stored
    origins: tuple[str, ...] = ()  # keys of the previous version's clauses this one came from

    @property
    def label(self) -> str:
        return label(self.level, self.number)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Outline:
    title: str
    preamble: str = ""  # text before the first numbered node (purpose, document number)
    nodes: list[OutlineNode] = field(default_factory=list)

    def walk(self):
        for node in self.nodes:
            yield from node.walk()
