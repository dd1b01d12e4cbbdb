"""The publication package: its canonical content, the digest of it, and the zip with a manifest."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from openpyxl import load_workbook

from kaohe.consultation import actions
from kaohe.consultation.models import Disposition, Round
from kaohe.consultation.package import package_content, package_digest, package_zip
from kaohe.consultation.tests.test_register import TITLE, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(city):
    return make_round(city)


@pytest.fixture
def concluded(city, made):
    actions.close_round(city.admin, made.round)
    made.round = actions.conclude(city.admin, made.round, made.final)
    return made


def with_final(made) -> Round:
    """The round as the package sees it once the final is chosen, before concluding."""
    made.round.final = made.final
    return made.round


def test_the_content_is_canonical_json_of_the_final_text_changes_register_and_statistics(made):
    content = package_content(with_final(made))
    assert json.loads(json.dumps(content, ensure_ascii=False)) == content
    final = content["final"]
    assert final["outline"]["title"] == TITLE
    articles = [a for chapter in final["outline"]["nodes"] for a in chapter["children"]]
    assert [a["label"] for a in articles] == ["第一条", "第二条", "第三条", "第四条"]
    assert articles[2]["text"] == "各企业党委每季度开展党课不少于1次。"
    assert [(c["kind"], c["key"], c["old_label"]) for c in content["changes"]] == [
        ("reworded", made.keys["第三条"], "第三条")
    ]
    assert [r["number"] for r in content["register"]] == [1, 2, 3, 4]
    assert content["register"][1]["submitter"] == "匿名" and content["register"][1]["org"] == "匿名"
    assert "staff_b" not in json.dumps(content, ensure_ascii=False)
    assert content["statistics"]["adoption_rate"] == "66.7%"
    assert content["statistics"]["by_disposition"]["不采纳"] == 1


def test_the_digest_is_the_same_however_often_and_in_whatever_language_it_is_built(made, monkeypatch):
    def english_where_asked(words: str) -> str:  # stands in for the English catalogue
        return "Anonymous" if words == "匿名" and translation.get_language() == "en" else words

    monkeypatch.setattr("kaohe.consultation.queries._", english_where_asked)
    round_ = with_final(made)
    first = package_digest(round_)
    assert len(first) == 64
    assert package_digest(round_) == first
    with translation.override("en"):
        assert package_digest(round_) == first


def test_the_digest_changes_when_an_answer_changes(city, made):
    round_ = with_final(made)
    before = package_digest(round_)
    s2 = made.suggestions[1]
    s2.refresh_from_db()
    actions.answer(city.admin, s2, Disposition.PARTLY, "在附则中说明。", revision=s2.revision)
    assert package_digest(round_) != before


def test_concluding_stores_the_digest_a_rebuild_gives(concluded):
    stored = concluded.round.package_digest
    fresh = Round.objects.get(pk=concluded.round.pk)
    assert stored and package_digest(fresh) == stored


def test_it_refuses_a_package_before_the_final_is_chosen(made):
    with pytest.raises(ValidationError):
        package_zip(made.round)
    with pytest.raises(ValidationError):
        package_content(made.round)


def test_the_zip_holds_every_file_and_a_manifest_whose_hashes_verify(concluded):
    round_ = Round.objects.get(pk=concluded.round.pk)
    archive = zipfile.ZipFile(io.BytesIO(package_zip(round_)))
    names = set(archive.namelist())
    assert names == {
        "正式稿.docx",
        "正式稿.pdf",
        "修订对照.xlsx",
        "征求意见采纳情况汇总表.xlsx",
        "征求意见采纳情况汇总表.docx",
        "采纳情况说明.docx",
        "manifest.json",
    }
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["content_digest"] == round_.package_digest
    assert set(manifest["files"]) == names - {"manifest.json"}
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    assert archive.read("正式稿.pdf").startswith(b"%PDF")
    changes = list(
        load_workbook(io.BytesIO(archive.read("修订对照.xlsx"))).active.iter_rows(values_only=True)
    )
    assert changes[1][1:] == (
        "修改",
        "第三条",
        "各企业党委每年开展党课不少于4次。",
        "第三条",
        "各企业党委每季度开展党课不少于1次。",
    )
    register = load_workbook(io.BytesIO(archive.read("征求意见采纳情况汇总表.xlsx"))).active
    assert register["B4"].value == "匿名"  # the published register keeps anonymity
