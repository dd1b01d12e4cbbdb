"""`kaohe cycle list / recompute / export`."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from kaohe.audit.models import AuditEntry
from kaohe.cycles.tests.conftest import enter_all

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("cycle", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_list_recompute_export(city, city_cycle, tmp_path):
    assert str(city_cycle.public_id) in run("list")
    enter_all(city_cycle, city)
    short = str(city_cycle.public_id)[:8]
    assert "2 units scored in" in run("recompute", short)
    assert AuditEntry.objects.filter(action="cycle.recompute", actor_name="system").exists()
    out = tmp_path / "r.xlsx"
    run("export", short, "--xlsx", str(out))
    book = load_workbook(out)
    assert [row[0] for row in book["考核结果"].iter_rows(min_row=2, values_only=True)] == ["EA", "EB"]
    items = list(book["逐项得分"].iter_rows(values_only=True))
    assert items[0][2] == "党课（4）" and items[2][2] == 3


def test_recompute_reports_problems_and_changes_nothing(city, city_cycle):
    with pytest.raises(CommandError, match="not changed"):
        run("recompute", str(city_cycle.public_id))
    with pytest.raises(CommandError, match="no cycle"):
        run("recompute", "00000000")
    with pytest.raises(CommandError, match="no results"):
        run("export", str(city_cycle.public_id), "--xlsx", "x.xlsx")
