"""`kaohe consultation list / register`."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document
from openpyxl import load_workbook

from kaohe.consultation.tests.test_register import make_round

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("consultation", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def made(city):
    return make_round(city)


def test_list_shows_each_round_with_its_progress(made):
    line = run("list").strip()
    # the whole id, as the API takes it (register also takes its first 8 characters)
    assert line.startswith(f"{made.round.public_id}  考核办法征求意见  明澜市国资委党委  征求中  ")
    # 3 invited, 2 of them commented; 4 suggestions, all answered.
    assert line.endswith("participants 2/3  suggestions 4/4")


def test_register_writes_both_files_with_every_name(made, tmp_path):
    xlsx, docx = tmp_path / "r.xlsx", tmp_path / "r.docx"
    out = run("register", str(made.round.public_id)[:8], "--xlsx", str(xlsx), "--docx", str(docx))
    assert f"wrote {xlsx}" in out and f"wrote {docx}" in out
    sheet = load_workbook(xlsx).active
    assert sheet["B4"].value == "staff_b（匿名）（企业B党委）"  # the anonymous participant, named
    table = Document(str(docx)).tables[0]
    assert table.rows[2].cells[1].text == "staff_b（匿名）（企业B党委）"


def test_register_writes_only_the_file_asked_for(made, tmp_path):
    docx = tmp_path / "r.docx"
    run("register", str(made.round.public_id), "--docx", str(docx))
    assert docx.exists() and not (tmp_path / "r.xlsx").exists()


def test_register_refuses_without_an_output_or_a_known_round(made, tmp_path):
    with pytest.raises(CommandError, match="--xlsx"):
        run("register", str(made.round.public_id))
    with pytest.raises(CommandError, match="no consultation round"):
        run("register", "00000000", "--xlsx", str(tmp_path / "r.xlsx"))
    with pytest.raises(CommandError, match="first 8"):
        run("register", "abc", "--xlsx", str(tmp_path / "r.xlsx"))
    assert not (tmp_path / "r.xlsx").exists()
