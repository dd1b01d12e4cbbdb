"""The YAML text form: exact round trips, Chinese as is, and bad text named by line and column."""

import contextlib
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaohe.engine import yaml_text
from kaohe.engine.errors import SchemeError, YamlError
from kaohe.engine.text_form import default_scheme, default_scheme_text, dump_scheme, load_scheme

SAMPLE = """\
# 一份手写的方案片段
---
code: demo
title: "示例: 方案"
points: 0.5
negative: -0.25
flags: [是, 否]
list:
- a
- b: 1
  c: [1, 2.50, "x y", 好]
-
  - nested
text: |
  第一行
    缩进
  第三行

m: {a: 1, b: [x], 'c''d': null}
folded: >
  一行
  两行
date: 2026-01-01
empty:
"""


def test_it_reads_block_and_flow_styles_comments_quotes_and_block_text():
    data = yaml_text.parse(SAMPLE)
    assert data == {
        "code": "demo",
        "title": "示例: 方案",
        "points": Decimal("0.5"),
        "negative": Decimal("-0.25"),
        "flags": ["是", "否"],
        "list": ["a", {"b": 1, "c": [1, Decimal("2.50"), "x y", "好"]}, ["nested"]],
        "text": "第一行\n  缩进\n第三行\n",
        "m": {"a": 1, "b": ["x"], "c'd": None},
        "folded": "一行 两行\n",
        "date": "2026-01-01",  # a scheme has no dates: the text as written
        "empty": None,
    }
    assert isinstance(data["points"], Decimal)  # never a float


def test_the_default_scheme_text_is_canonical_and_round_trips_exactly():
    text = default_scheme_text()
    scheme = load_scheme(text)
    assert dump_scheme(scheme) == text
    assert load_scheme(dump_scheme(scheme)) == scheme


def test_chinese_text_is_written_as_is():
    text = dump_scheme(default_scheme())
    assert "党的政治建设" in text
    assert "\\u" not in text
    assert "title: 2026年度市属国有企业党建工作目标责任制考核评分细则" in text


@pytest.mark.parametrize(
    ("text", "line", "column", "says"),
    [
        ("a: b: c", 1, 5, "mapping values are not allowed"),
        ("a:\n\tb: 1", 2, 1, "indent with spaces, not tabs"),
        ("a: [1, 2", 2, 1, "did not find expected ',' or ']'"),
        ("a: &x 1", 1, 4, "anchors, aliases and tags"),
        ("a: *x", 1, 4, "anchors, aliases and tags"),
        ("a: !!binary aGk=", 1, 4, "anchors, aliases and tags"),
        ("a: 1\na: 2", 2, 1, "duplicate key 'a'"),
        ("? [a]\n: b", 1, 3, "a key must be a single value"),
        ('a: "x\\q"', 1, 6, "unknown escape"),
        ('a: "open', 1, 9, "unexpected end of stream"),
        ("a: 010", 1, 4, "leading zero"),
        ("a: .nan", 1, 4, "not a number the engine can use"),
        ("a: -.inf", 1, 4, "not a number the engine can use"),
        ("x: 1\n---\ny: 2", 2, 1, "only one document"),
        ("code: x\ntitle：三会一课", 2, 1, "use ':' rather than '：'"),
        ("title：三会一课\nyear: 2026", 2, 5, "use ':' rather than '：'"),
        ("a: 1\n b: 2", 2, 3, "mapping values are not allowed"),
        ("a:\n  - x\n  y: 1", 3, 3, "expected '-'"),
        ("a: \x07", 1, 4, "U+0007 is not allowed"),
        ("标题: 中文\r\n说明: 第二行\x00", 2, 8, "U+0000 is not allowed"),
        ("a: " + "9" * 5000, 1, 4, "too many digits"),
    ],
)
def test_malformed_yaml_names_the_line_and_column(text, line, column, says):
    with pytest.raises(YamlError) as caught:
        yaml_text.parse(text)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert says in caught.value.message
    assert str(caught.value).startswith(f"line {line}, column {column}: ")


def test_a_scheme_that_is_not_a_mapping_is_a_scheme_error():
    with pytest.raises(SchemeError, match="scheme: Input should be a valid dictionary"):
        load_scheme("- just\n- a list\n")


def test_strings_a_yaml_reader_could_mistake_are_quoted():
    for text in [
        "yes",
        "No",
        "on",
        "null",
        "~",
        "1.0",
        "010",
        "2026-01-01",
        "1:30",
        "#tag",
        "a: b",
        " x",
        "",
    ]:
        dumped = yaml_text.dump({"k": text})
        assert dumped != f"k: {text}\n", text
        assert yaml_text.parse(dumped) == {"k": text}
    assert yaml_text.dump({"k": "90%"}) == "k: 90%\n"


def test_numbers_are_written_plain_and_read_back_exact():
    data = {"a": Decimal("0.1"), "b": Decimal("2.50"), "c": Decimal("1E+3"), "d": [Decimal("-0.250"), 7]}
    text = yaml_text.dump(data)
    assert text == "a: 0.1\nb: 2.50\nc: 1000\nd: [-0.250, 7]\n"
    assert yaml_text.parse(text) == data
    assert yaml_text.parse("a: 1_000.5\nb: 0x1F\nc: 1.0e+3") == {"a": Decimal("1000.5"), "b": 31, "c": 1000}
    with pytest.raises(ValueError, match="not a finite number"):
        yaml_text.dump({"a": Decimal("Infinity")})


def test_multi_line_text_is_written_as_a_literal_block():
    text = yaml_text.dump({"requirement": "第一行\n第二行\n"})
    assert text == "requirement: |\n  第一行\n  第二行\n"
    assert yaml_text.parse(text) == {"requirement": "第一行\n第二行\n"}


def test_aliases_cannot_blow_a_small_text_up():
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8)
    )
    with pytest.raises(YamlError, match="anchors, aliases and tags") as caught:
        yaml_text.parse(laughs)
    assert (caught.value.line, caught.value.column) == (1, 4)


# -- properties ------------------------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)
    | st.text(max_size=30)
)
keys = st.text(max_size=12) | st.integers(min_value=-1000, max_value=1000)
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_any_data_written_reads_back_equal(data):
    text = yaml_text.dump(data)
    assert yaml_text.parse(text) == data
    assert yaml_text.dump(yaml_text.parse(text)) == text


yaml_alphabet = st.sampled_from([*" \t\n-:#[]{},'\"|>&*!?%@`\\abcxyz019.好：", "\r", "\u3000", "\x85"])


@settings(max_examples=500)
@given(st.text(yaml_alphabet, max_size=120))
def test_fuzzed_text_either_parses_or_raises_a_yaml_error(text):
    try:
        yaml_text.parse(text)
    except YamlError as error:
        assert error.line >= 1 and error.column >= 1


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_mangled_scheme_raises_a_scheme_error_and_nothing_else(data):
    text = default_scheme_text()
    lines = text.splitlines()
    cut = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    noise = data.draw(st.text(yaml_alphabet, max_size=20))
    mangled = "\n".join([*lines[:cut], noise + lines[cut], *lines[cut + 1 : cut + 40]])
    with contextlib.suppress(SchemeError):  # any other exception fails the test
        load_scheme(mangled)


def test_deep_nesting_is_refused_not_a_crash():
    with pytest.raises(YamlError, match="nested more than"):
        yaml_text.parse("a: " + "[" * 500 + "]" * 500)
    with pytest.raises(YamlError, match="nested more than"):
        yaml_text.parse("".join(" " * n + "- \n" for n in range(0, 600, 2)) + " " * 600 + "- x\n")
