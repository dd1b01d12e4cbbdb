"""The scheme as the published xlsx table: exact round trip, bad cells named by place, fuzzing."""

import contextlib
import io
import re
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from kaohe.engine.commands import scheme as scheme_command
from kaohe.engine.scheme_xlsx import (
    BANDS,
    FACTS,
    HEADER,
    TABLE,
    XlsxError,
    flow,
    level_names,
    read_xlsx,
    write_xlsx,
)
from kaohe.engine.tests.strategies import schemes
from kaohe.engine.text_form import default_scheme, dump_scheme, load_scheme


@pytest.fixture(scope="module")
def scheme():
    return default_scheme()


@pytest.fixture(scope="module")
def content(scheme):
    return write_xlsx(scheme)


def edited(content: bytes, edit) -> bytes:
    book = load_workbook(io.BytesIO(content))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def column_of(sheet, name: str) -> int:
    return next(c.column for c in sheet[1] if c.value == name)


def row_of(sheet, code: str) -> int:
    column = column_of(sheet, "编码")
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, column).value == code)


def problems_of(content: bytes) -> list[str]:
    with pytest.raises(XlsxError) as caught:
        read_xlsx(content)
    return caught.value.problems


# -- round trip ------------------------------------------------------------------------------------


def test_the_default_scheme_round_trips_exactly(scheme, content):
    back = read_xlsx(content)
    assert back == scheme
    assert dump_scheme(back) == dump_scheme(scheme)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemes())
def test_random_schemes_of_any_depth_round_trip_exactly(generated):
    back = read_xlsx(write_xlsx(generated))
    assert back == generated
    assert dump_scheme(back) == dump_scheme(generated)


def test_deeper_trees_get_more_level_columns():
    assert level_names(2) == ["一级指标", "二级指标", "评分项"]
    assert level_names(5) == ["一级指标", "二级指标", "三级指标", "四级指标", "评分项"]
    text = """
code: deep
title: 深层方案
year: 2026
version: 2
total_points: 10
facts: [{code: lectures, title: 党课次数, type: count}]
nodes:
  - code: a
    title: 组织建设
    points: 10
    children:
      - code: a.b
        title: 三会一课
        points: 10
        children:
          - code: a.b.c
            title: 党课
            points: 10
            children:
              - code: a.b.c.d
                title: "=党课次数"
                points: 10
                requirement: "党课一年4次，\\n少一次扣0.5分"
                rule: {kind: quota, fact: lectures, required: 4, amount: 0.5}
grading:
  bands: [{grade: 好, at_least: 9}, {grade: 差, below: 9}]
"""
    deep = load_scheme(text)
    content = write_xlsx(deep)
    sheet = load_workbook(io.BytesIO(content))[TABLE]
    headers = [c.value for c in sheet[1]]
    assert headers[:5] == ["一级指标", "二级指标", "三级指标", "评分项", "分值"]
    assert sheet.cell(5, 4).value == "=党课次数"  # text, never a formula
    assert read_xlsx(content) == deep


def test_the_table_reads_as_people_know_it(content):
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames[:3] == [TABLE, HEADER, FACTS]
    sheet = book[TABLE]
    headers = [c.value for c in sheet[1]]
    assert headers[:7] == ["一级指标", "二级指标", "评分项", "分值", "评分细则", "考核方式", "佐证材料"]
    assert {"编码", "规则类型", "规则参数", "否决条件"} <= set(headers)
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["E"].width > 30
    row = row_of(sheet, "political.first-topic")
    assert sheet.cell(row, column_of(sheet, "规则类型")).value == "定额次数（quota）"
    assert sheet.cell(row, column_of(sheet, "规则参数")).value == (
        "{fact: first_topic_sessions, required: 12, amount: 0.2}"
    )
    assert sheet.cell(row, column_of(sheet, "分值")).value == 2  # a number Excel can add up
    assert "说明" in book.sheetnames


def test_an_officer_may_write_the_rule_kind_by_its_chinese_name_or_code(scheme, content):
    def edit(book):
        sheet = book[TABLE]
        row = row_of(sheet, "political.first-topic")
        sheet.cell(row, column_of(sheet, "规则类型")).value = "定额次数"
        row = row_of(sheet, "political.reporting")
        sheet.cell(row, column_of(sheet, "规则类型")).value = "per_occurrence"

    assert read_xlsx(edited(content, edit)) == scheme


def test_flow_cells_are_one_line_yaml():
    assert flow({"fact": "x", "items": ("甲", "乙")}) == "{fact: x, items: [甲, 乙]}"
    assert flow(0) == "0"
    assert flow([]) == "[]"


# -- bad input -------------------------------------------------------------------------------------


def set_cell(code: str, column: str, value):
    def edit(book):
        sheet = book[TABLE]
        sheet.cell(row_of(sheet, code), column_of(sheet, column)).value = value

    return edit


def test_an_unknown_rule_kind_names_sheet_row_and_column(content):
    book = load_workbook(io.BytesIO(content))
    row = row_of(book[TABLE], "political.first-topic")
    [problem] = problems_of(edited(content, set_cell("political.first-topic", "规则类型", "按心情扣分")))
    assert problem.startswith(
        f"sheet '评分细则', row {row}, column L '规则类型': unknown rule kind '按心情扣分'"
    )


def test_a_bad_number_names_sheet_row_and_column(content):
    book = load_workbook(io.BytesIO(content))
    row = row_of(book[TABLE], "political.reporting")
    [problem] = problems_of(edited(content, set_cell("political.reporting", "分值", "两分")))
    assert problem.startswith(f"sheet '评分细则', row {row}, column D '分值': ")
    assert "must be a number" in problem


def test_an_empty_points_cell_is_an_error_not_a_zero(content):
    [problem] = problems_of(edited(content, set_cell("political.reporting", "分值", None)))
    assert "column D '分值': empty" in problem


def test_bad_rule_settings_name_the_cell_and_the_setting(content):
    bad = "{fact: first_topic_sessions, required: 12, amount: 很多}"
    [problem] = problems_of(edited(content, set_cell("political.first-topic", "规则参数", bad)))
    assert "column M '规则参数': amount:" in problem
    [problem] = problems_of(edited(content, set_cell("political.first-topic", "规则参数", "{fact: [")))
    assert "column M '规则参数': not readable as one-line YAML" in problem


def test_a_missing_column_is_named(content):
    def edit(book):
        book[TABLE].cell(1, column_of(book[TABLE], "编码")).value = None

    [problem] = problems_of(edited(content, edit))
    assert problem == "sheet '评分细则', row 1: missing column(s) 编码"


def test_an_unknown_column_is_named_but_a_notes_column_is_welcome(scheme, content):
    def unknown(book):
        book[TABLE].cell(1, 20).value = "打分人"

    [problem] = problems_of(edited(content, unknown))
    assert problem.startswith("sheet '评分细则', row 1, column T: unknown column '打分人'")

    def notes(book):
        book[TABLE].cell(1, 20).value = "备注"
        book[TABLE].cell(3, 20).value = "去年扣分较多"

    assert read_xlsx(edited(content, notes)) == scheme


def test_a_missing_or_wrong_sheet_is_named(content):
    def rename(book):
        book[BANDS].title = "等级"

    [problem] = problems_of(edited(content, rename))
    assert problem.startswith("sheet '等次' is missing; the workbook has 评分细则, 方案, 事实, 等级")


def test_a_file_that_is_not_a_workbook_is_refused():
    [problem] = problems_of(b"unit,kind,value\nE01,x,1\n")
    assert problem.startswith("not an xlsx workbook")


def test_bad_cells_in_the_other_sheets_are_named(content):
    def edit(book):
        book[HEADER]["C5"] = "第一版"  # version
        book[FACTS].cell(3, 3).value = "次数（times）"
        book[BANDS]["B2"] = "九十"

    problems = problems_of(edited(content, edit))
    assert problems[0].startswith("sheet '方案', row 5, column C '值': expected a whole number")
    assert problems[1].startswith("sheet '事实', row 3, column C '类型': unknown fact type")
    assert problems[2].startswith("sheet '等次', row 2, column B '不低于':")


def test_a_title_in_two_level_columns_or_an_orphan_level_is_named(content):
    def two_titles(book):
        book[TABLE]["A3"] = "多写了一个"

    problem = problems_of(edited(content, two_titles))[0]
    assert problem.startswith("sheet '评分细则', row 3: the title goes in exactly one of")

    def orphan(book):
        book[TABLE]["B2"], book[TABLE]["A2"] = book[TABLE]["A2"].value, None

    assert (
        "row 2, column B '二级指标': a level-2 node needs a level-1 node"
        in problems_of(edited(content, orphan))[0]
    )


def test_cells_that_read_then_go_through_the_schemes_validation_by_node_path(content):
    problems = problems_of(edited(content, set_cell("political.reporting", "分值", 3)))
    assert any(p.startswith("党的政治建设:") and "children" in p for p in problems), problems


# -- fuzz ------------------------------------------------------------------------------------------

cell_values = st.one_of(
    st.none(),
    st.text(max_size=12).map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t)),
    st.sampled_from(
        ["abc", "{", "[1, 2", "{fact: 1}", "-1", "1e99", "0.0001", "150%", "是", "=1+1", "*a", "!x"]
    ),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.just(datetime(2026, 1, 1)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from([TABLE, HEADER, FACTS, BANDS, "结果运用", "汇总口径"]),
            st.integers(min_value=1, max_value=40),
            st.integers(min_value=1, max_value=17),
            cell_values,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_fuzzed_cells_give_a_scheme_or_an_xlsx_error_only(content, edits):
    def edit(book):
        for sheet, row, column, value in edits:
            book[sheet].cell(row, column).value = value

    try:
        read_xlsx(edited(content, edit))
    except XlsxError as error:
        assert error.problems and all(isinstance(p, str) and p for p in error.problems)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=20000))
def test_fuzzed_bytes_give_an_xlsx_error_only(noise, offset):
    base = write_xlsx(default_scheme())
    corrupted = base[:offset] + noise + base[offset + len(noise) :]
    with contextlib.suppress(XlsxError):
        read_xlsx(corrupted)


# -- commands --------------------------------------------------------------------------------------


def test_export_and_import_commands(tmp_path, scheme):
    source, table, back = tmp_path / "S.yaml", tmp_path / "T.xlsx", tmp_path / "B.yaml"
    source.write_text(dump_scheme(scheme), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert scheme_command.run(["export", str(source), "--xlsx", str(table)], out, err) == 0, err.getvalue()
    assert table.exists()
    out = io.StringIO()
    assert scheme_command.run(["import", str(table)], out, err) == 0, err.getvalue()
    assert out.getvalue() == dump_scheme(scheme)
    assert scheme_command.run(["import", str(table), "--out", str(back)], io.StringIO(), err) == 0
    assert back.read_text(encoding="utf-8") == dump_scheme(scheme)


def test_import_command_reports_bad_cells_with_status_1(tmp_path, content):
    table = tmp_path / "T.xlsx"
    table.write_bytes(edited(content, set_cell("political.reporting", "分值", "两分")))
    out, err = io.StringIO(), io.StringIO()
    assert scheme_command.run(["import", str(table)], out, err) == 1
    assert re.search(r"T\.xlsx: sheet '评分细则', row \d+, column D '分值'", err.getvalue())
    assert out.getvalue() == ""
    assert scheme_command.run(["export", str(tmp_path / "none.yaml")], io.StringIO(), io.StringIO()) == 2


def test_the_scoring_wording_and_the_requirement_have_their_own_columns_and_a_numbering_column_is_fine():
    from openpyxl import load_workbook

    from kaohe.engine.scheme_xlsx import read_xlsx, write_xlsx
    from kaohe.engine.text_form import default_scheme

    scheme = default_scheme()
    first = scheme.nodes[0].children[0]
    worded = scheme.model_copy(
        update={
            "nodes": (
                scheme.nodes[0].model_copy(
                    update={
                        "children": (
                            first.model_copy(
                                update={"scoring": "每少1次扣0.2分", "requirement": "每月学习第一议题"}
                            ),
                            *scheme.nodes[0].children[1:],
                        )
                    }
                ),
                *scheme.nodes[1:],
            )
        }
    )
    book = load_workbook(io.BytesIO(write_xlsx(worded)))
    sheet = book["评分细则"]
    headers = [c.value for c in sheet[1]]
    row = next(
        r for r in sheet.iter_rows(min_row=2, values_only=True) if r[headers.index("编码")] == first.code
    )
    assert row[headers.index("评分细则")] == "每少1次扣0.2分"
    assert row[headers.index("考核要求")] == "每月学习第一议题"
    sheet.insert_cols(1)
    sheet.cell(row=1, column=1, value="序号")
    for i in range(2, sheet.max_row + 1):
        sheet.cell(row=i, column=1, value=i - 1)
    out = io.BytesIO()
    book.save(out)
    assert read_xlsx(out.getvalue()) == worded
