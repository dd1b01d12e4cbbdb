"""Evidence (佐证材料): the upload window, what may be uploaded, withdrawal, verdicts and recusal,
the status and overdue flags of an item."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaohe.accounts.models import Role
from kaohe.audit.models import AuditEntry
from kaohe.conftest import make_user
from kaohe.cycles import actions
from kaohe.cycles.actions import evidence as evidence_actions
from kaohe.cycles.models import CycleState
from kaohe.cycles.models.evidence import (
    EvidenceFile,
    EvidenceVerdict,
    Status,
    Upload,
    Verdict,
    item_state,
    scored_items,
)
from kaohe.cycles.tests.conftest import SMALL_SCHEME, enter_all
from kaohe.engine.text_form import default_scheme, load_scheme
from kaohe.files.models import StoredFile
from kaohe.files.tests.samples import docx_file, pdf, upload
from kaohe.measures import actions as measure_actions
from kaohe.orgs import actions as org_actions
from kaohe.orgs.models import OrgKind

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 1)
LECTURE_MATERIALS = ("党课计划", "党课记录")


def with_materials(text: str):
    """The small test scheme with 佐证材料 on 党课 (two) and 综合评价 (one); 直接扣分 has none."""
    scheme = load_scheme(text)
    wanted = {"lecture": LECTURE_MATERIALS, "team": ("年度工作总结",)}
    nodes = tuple(n.model_copy(update={"materials": wanted.get(n.code, ())}) for n in scheme.nodes)
    return scheme.model_copy(update={"nodes": nodes})


@pytest.fixture
def evidence_scheme(city):
    version = measure_actions.add_scheme_version(None, city.root, with_materials(SMALL_SCHEME))
    return measure_actions.publish_scheme(None, version)


def advance_to(cycle, state):
    cycle.refresh_from_db()
    while cycle.state != state:
        cycle = actions.advance_cycle(None, cycle, actions.next_state(cycle) or "")
    return cycle


@pytest.fixture
def ev_cycle(city, evidence_scheme):
    """A city cycle of EA and EB, in its daily-work phase, the upload window open around today."""
    today = timezone.localdate()
    cycle = actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name="2026年度党建考核（佐证材料）",
        scheme=evidence_scheme,
        units=[actions.UnitSpec(city.ent_a), actions.UnitSpec(city.ent_b)],
        evidence_opens=today - datetime.timedelta(days=10),
        evidence_closes=today + datetime.timedelta(days=10),
    )
    return advance_to(cycle, CycleState.IN_PROGRESS)


@pytest.fixture
def assessor_c(city):
    """An assessor of the committee, scoped at C, whose account belongs to C."""
    return make_user("assessor_c", Role.ASSESSOR, city.root)


@pytest.fixture
def assessor_ea(city):
    """An assessor scoped at C whose own account belongs to enterprise A: recused from A."""
    return make_user("assessor_ea", Role.ASSESSOR, city.root, home=city.ent_a)


def unit_of(cycle, org):
    return cycle.units.select_related("org", "cycle").get(org=org)


def put(actor, cycle, org, material="党课记录", name="党课记录.pdf", data=None, node="lecture"):
    return evidence_actions.upload_evidence(
        actor, unit_of(cycle, org), node, material, upload(name, data or pdf()), "第一季度"
    )


# -- the window ------------------------------------------------------------------------------------


def test_the_window_is_inclusive_of_its_first_and_last_day(ev_cycle):
    ev_cycle.evidence_opens, ev_cycle.evidence_closes = DAY, DAY + datetime.timedelta(days=30)

    def problem(cycle, day) -> str:
        return evidence_actions.window_problem(cycle, day) or ""

    assert "尚未开始" in problem(ev_cycle, DAY - datetime.timedelta(days=1))
    assert "2026-06-01 至 2026-07-01" in problem(ev_cycle, DAY - datetime.timedelta(days=1))
    assert problem(ev_cycle, DAY) == ""
    assert problem(ev_cycle, DAY + datetime.timedelta(days=30)) == ""
    assert "已截止" in problem(ev_cycle, DAY + datetime.timedelta(days=31))


def test_the_window_follows_the_phases_when_no_dates_are_set(city, evidence_scheme):
    cycle = actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name="无日期",
        scheme=evidence_scheme,
        units=[actions.UnitSpec(city.ent_a)],
    )
    assert "尚未启动" in (evidence_actions.window_problem(cycle, DAY) or "")
    for state in (CycleState.TARGETS, CycleState.IN_PROGRESS, CycleState.SELF_ASSESSMENT):
        cycle = advance_to(cycle, state)
        assert evidence_actions.window_problem(cycle, DAY) is None
    cycle = advance_to(cycle, CycleState.ASSESSMENT)
    assert "上传已结束" in (evidence_actions.window_problem(cycle, DAY) or "")


def test_a_unit_uploads_inside_the_window(city, ev_cycle):
    evidence = put(city.staff_a, ev_cycle, city.ent_a)
    assert evidence.node_code == "lecture" and evidence.material == "党课记录" and evidence.note == "第一季度"
    assert evidence.file.original_name == "党课记录.pdf" and evidence.uploaded_by == city.staff_a
    entry = AuditEntry.objects.get(action="evidence.upload")
    new = entry.new or {}
    assert new["unit"] == "EA" and new["item"] == "lecture" and entry.org_path == city.ent_a.path


def test_the_organiser_may_upload_for_a_unit(city, ev_cycle):
    assert put(city.admin, ev_cycle, city.ent_b).unit.org == city.ent_b


def test_an_upload_before_the_window_names_the_window(city, ev_cycle):
    today = timezone.localdate()
    ev_cycle.evidence_opens = today + datetime.timedelta(days=1)
    ev_cycle.save()
    with pytest.raises(ValidationError) as caught:
        put(city.staff_a, ev_cycle, city.ent_a)
    [message] = caught.value.message_dict["file"]
    assert "尚未开始" in message and (today + datetime.timedelta(days=1)).isoformat() in message
    assert not EvidenceFile.objects.exists() and not StoredFile.objects.exists()


def test_an_upload_after_the_window_is_refused(city, ev_cycle):
    ev_cycle.evidence_closes = timezone.localdate() - datetime.timedelta(days=1)
    ev_cycle.save()
    with pytest.raises(ValidationError) as caught:
        put(city.staff_a, ev_cycle, city.ent_a)
    assert "已截止" in caught.value.message_dict["file"][0]


def test_uploads_end_when_the_assessment_begins(city, ev_cycle):
    advance_to(ev_cycle, CycleState.ASSESSMENT)
    with pytest.raises(ValidationError, match="上传已结束"):
        put(city.staff_a, ev_cycle, city.ent_a)


def test_a_file_that_lies_about_its_type_is_refused(city, ev_cycle):
    with pytest.raises(ValidationError) as caught:
        put(city.staff_a, ev_cycle, city.ent_a, name="党课记录.pdf", data=docx_file())
    assert "内容却是" in caught.value.message_dict["file"][0]
    assert not EvidenceFile.objects.exists()


def test_an_executable_is_refused(city, ev_cycle):
    with pytest.raises(ValidationError) as caught:
        put(city.staff_a, ev_cycle, city.ent_a, name="党课记录.exe", data=b"MZ" + b"\0" * 100)
    assert "可执行程序" in caught.value.message_dict["file"][0]


def test_a_powerpoint_is_not_evidence(city, ev_cycle):
    with pytest.raises(ValidationError) as caught:
        put(city.staff_a, ev_cycle, city.ent_a, name="党课课件.pptx", data=b"PK")
    assert "只接受" in caught.value.message_dict["file"][0]


def test_a_material_the_item_does_not_ask_for_is_refused(city, ev_cycle):
    with pytest.raises(ValidationError) as caught:
        put(city.staff_a, ev_cycle, city.ent_a, material="年度工作总结")
    assert caught.value.message_dict["material"] == ["“年度工作总结”不是“党课”要求的佐证材料"]


def test_other_material_goes_with_any_scored_item(city, ev_cycle):
    assert put(city.staff_a, ev_cycle, city.ent_a, material="", node="minus").material == ""


def test_only_scored_items_take_evidence(city, ev_cycle):
    with pytest.raises(ValidationError, match="没有评分项"):
        put(city.staff_a, ev_cycle, city.ent_a, material="", node="no-such-item")


def test_only_the_units_people_and_the_organiser_upload(city, ev_cycle):
    with pytest.raises(PermissionDenied):
        put(city.viewer_a, ev_cycle, city.ent_a)
    with pytest.raises(PermissionDenied):
        put(city.staff_b, ev_cycle, city.ent_a)


# -- withdrawing -----------------------------------------------------------------------------------


def test_a_unit_withdraws_its_upload_and_nothing_is_deleted(city, ev_cycle):
    evidence = put(city.staff_a, ev_cycle, city.ent_a)
    evidence_actions.withdraw_evidence(city.staff_a, evidence)
    evidence.refresh_from_db()
    assert evidence.withdrawn and evidence.withdrawn_by == city.staff_a and StoredFile.objects.count() == 1
    assert AuditEntry.objects.filter(action="evidence.withdraw").count() == 1
    with pytest.raises(ValidationError, match="已撤回"):
        evidence_actions.withdraw_evidence(city.staff_a, evidence)


def test_withdrawing_ends_with_the_window(city, ev_cycle):
    evidence = put(city.staff_a, ev_cycle, city.ent_a)
    ev_cycle.evidence_closes = timezone.localdate() - datetime.timedelta(days=1)
    ev_cycle.save()
    with pytest.raises(ValidationError, match="已截止"):
        evidence_actions.withdraw_evidence(city.staff_a, evidence)
    with pytest.raises(PermissionDenied):
        evidence_actions.withdraw_evidence(city.viewer_a, evidence)


# -- verdicts --------------------------------------------------------------------------------------


def test_an_assessor_gives_and_changes_a_verdict(city, ev_cycle, assessor_c):
    evidence = put(city.staff_a, ev_cycle, city.ent_a)
    evidence_actions.give_verdict(assessor_c, evidence, Verdict.INSUFFICIENT, "缺少签到表")
    evidence_actions.give_verdict(assessor_c, evidence, Verdict.PASS)
    verdict = EvidenceVerdict.objects.get()
    assert verdict.verdict == Verdict.PASS and verdict.decided_by == assessor_c
    entries = list(AuditEntry.objects.filter(action="evidence.verdict").order_by("seq"))
    assert len(entries) == 2 and entries[1].old == {"verdict": "insufficient", "comment": "缺少签到表"}


def test_a_verdict_other_than_pass_needs_a_reason(city, ev_cycle, assessor_c):
    evidence = put(city.staff_a, ev_cycle, city.ent_a)
    with pytest.raises(ValidationError) as caught:
        evidence_actions.give_verdict(assessor_c, evidence, Verdict.FAIL, "  ")
    assert caught.value.message_dict["comment"] == ["认定为“不合格”的，须写明理由"]


def test_an_assessor_of_the_units_own_enterprise_is_recused(city, ev_cycle, assessor_ea):
    own = put(city.staff_a, ev_cycle, city.ent_a)
    with pytest.raises(PermissionDenied, match="须回避"):
        evidence_actions.give_verdict(assessor_ea, own, Verdict.PASS)
    other = put(city.staff_b, ev_cycle, city.ent_b)
    evidence_actions.give_verdict(assessor_ea, other, Verdict.PASS)
    assert EvidenceVerdict.objects.get().evidence == other


def test_only_assessors_give_verdicts(city, ev_cycle):
    evidence = put(city.staff_a, ev_cycle, city.ent_a)
    for user in (city.staff_a, city.viewer_a, city.admin):
        with pytest.raises(PermissionDenied):
            evidence_actions.give_verdict(user, evidence, Verdict.PASS)


def test_verdicts_are_final_once_the_cycle_reaches_review(city, ev_cycle, assessor_c):
    evidence = put(city.staff_a, ev_cycle, city.ent_a)
    evidence_actions.give_verdict(assessor_c, evidence, Verdict.PASS)
    advance_to(ev_cycle, CycleState.ASSESSMENT)
    evidence_actions.give_verdict(assessor_c, evidence, Verdict.INSUFFICIENT, "签到表不全")
    enter_all(ev_cycle, city)
    actions.recompute(None, ev_cycle)  # the review window opens on current results
    advance_to(ev_cycle, CycleState.REVIEW)
    with pytest.raises(ValidationError, match="不能再修改"):
        evidence_actions.give_verdict(assessor_c, evidence, Verdict.PASS)
    assert EvidenceVerdict.objects.get().verdict == Verdict.INSUFFICIENT


def test_a_withdrawn_file_takes_no_verdict(city, ev_cycle, assessor_c):
    evidence = put(city.staff_a, ev_cycle, city.ent_a)
    evidence_actions.withdraw_evidence(city.staff_a, evidence)
    with pytest.raises(ValidationError, match="已被撤回"):
        evidence_actions.give_verdict(assessor_c, evidence, Verdict.PASS)


# -- status and overdue ----------------------------------------------------------------------------

CLOSES = datetime.date(2026, 11, 30)


def test_an_item_missing_a_material_is_due_then_overdue():
    uploads = [Upload("党课计划")]
    before = item_state(LECTURE_MATERIALS, uploads, closes=CLOSES, today=CLOSES)
    assert before.status == Status.MISSING and not before.overdue and before.due == CLOSES
    assert [m.status for m in before.materials] == [Status.UPLOADED, Status.MISSING]
    after = item_state(LECTURE_MATERIALS, uploads, closes=CLOSES, today=CLOSES + datetime.timedelta(days=1))
    assert after.overdue and after.due is None and not after.complete


def test_a_complete_item_is_never_overdue():
    uploads = [Upload("党课计划"), Upload("党课记录")]
    state = item_state(LECTURE_MATERIALS, uploads, closes=CLOSES, today=CLOSES + datetime.timedelta(days=1))
    assert state.complete and not state.overdue and state.status == Status.UPLOADED


def test_without_a_closing_date_nothing_is_overdue():
    state = item_state(LECTURE_MATERIALS, [], closes=None, today=CLOSES)
    assert state.status == Status.MISSING and not state.overdue and state.due is None


def test_verdicts_make_an_item_accepted_or_questioned():
    passed = [Upload("党课计划", (Verdict.PASS,)), Upload("党课记录", (Verdict.PASS, Verdict.PASS))]
    assert item_state(LECTURE_MATERIALS, passed, closes=CLOSES, today=DAY).status == Status.ACCEPTED
    half = [Upload("党课计划", (Verdict.PASS,)), Upload("党课记录")]
    assert item_state(LECTURE_MATERIALS, half, closes=CLOSES, today=DAY).status == Status.UPLOADED
    doubted = [Upload("党课计划", (Verdict.PASS, Verdict.INSUFFICIENT)), Upload("党课记录")]
    state = item_state(LECTURE_MATERIALS, doubted, closes=CLOSES, today=DAY)
    assert state.status == Status.QUESTIONED and state.materials[0].status == Status.QUESTIONED


def test_an_item_without_required_materials():
    assert item_state((), [], closes=CLOSES, today=DAY).status == Status.NOT_REQUIRED
    others = item_state((), [Upload("")], closes=CLOSES, today=CLOSES + datetime.timedelta(days=9))
    assert (
        others.status == Status.UPLOADED
        and others.complete
        and not others.overdue
        and len(others.others) == 1
    )


def test_the_scoring_items_of_a_scheme():
    items = scored_items(default_scheme())
    assert len(items) == 48 and not any(i.code.startswith("veto") for i in items)
    assert sum(1 for i in items if i.materials) == 33
    negative = [i.code for i in items if i.negative]
    assert negative == ["deductions.criticism", "deductions.platform"]
    lecture = next(i for i in items if i.code == "organization.meetings.lecture")
    assert lecture.area == "基层组织建设" and lecture.trail == ("“三会一课”",) and lecture.points == 2000


# -- pages -----------------------------------------------------------------------------------------


def page_url(cycle, code="EA"):
    return reverse("cycles:unit_evidence", args=[cycle.public_id, code])


def test_anonymous_users_are_sent_to_login(client, ev_cycle):
    for url in (page_url(ev_cycle), reverse("cycles:evidence", args=[ev_cycle.public_id])):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_the_unit_page_lists_items_by_area_with_their_materials(city, login, ev_cycle):
    put(city.staff_a, ev_cycle, city.ent_a)
    page = login(city.staff_a).get(page_url(ev_cycle))
    assert page.status_code == 200
    text = page.text
    assert "党课" in text and "党课计划" in text and "党课记录.pdf" in text and "年度工作总结" in text
    assert 'id="item-lecture"' in text and 'id="item-minus"' in text
    assert 'name="file"' in text and "撤回" in text
    assert "需上传材料的评分项 0 / 2 项已齐全" in text


def test_an_observer_sees_the_page_without_forms(city, login, ev_cycle):
    put(city.staff_a, ev_cycle, city.ent_a)
    text = login(city.viewer_a).get(page_url(ev_cycle)).text
    assert "党课记录.pdf" in text and 'name="file"' not in text and "撤回" not in text


def test_another_enterprise_gets_404_everywhere(city, login, ev_cycle, assessor_c):
    evidence = put(city.staff_a, ev_cycle, city.ent_a)
    client = login(city.staff_b)
    args = [ev_cycle.public_id, "EA", evidence.public_id]
    assert client.get(page_url(ev_cycle)).status_code == 404
    assert client.get(reverse("cycles:evidence_download", args=args)).status_code == 404
    assert client.post(reverse("cycles:evidence_withdraw", args=args)).status_code == 404
    assert client.post(reverse("cycles:evidence_verdict", args=args), {"verdict": "pass"}).status_code == 404
    data = {"node": "lecture", "material": "党课记录", "file": upload("a.pdf", pdf())}
    assert client.post(reverse("cycles:evidence_upload", args=args[:2]), data).status_code == 404


def test_uploading_through_the_page(city, login, ev_cycle):
    url = reverse("cycles:evidence_upload", args=[ev_cycle.public_id, "EA"])

    def data():
        return {"node": "lecture", "material": "党课计划", "note": "", "file": upload("党课计划.pdf", pdf())}

    assert login(city.viewer_a).post(url, data()).status_code == 403
    response = login(city.staff_a).post(url, data())
    assert response.status_code == 302 and response["Location"].endswith("#item-lecture")
    assert EvidenceFile.objects.get().material == "党课计划"


def test_a_refused_upload_shows_the_reason_on_its_item(city, login, ev_cycle):
    url = reverse("cycles:evidence_upload", args=[ev_cycle.public_id, "EA"])
    data = {"node": "lecture", "material": "党课记录", "file": upload("党课记录.pdf", docx_file())}
    response = login(city.staff_a).post(url, data)
    assert response.status_code == 200 and "内容却是" in response.text
    assert not EvidenceFile.objects.exists()


def test_htmx_uploads_refresh_only_their_item(city, login, ev_cycle):
    url = reverse("cycles:evidence_upload", args=[ev_cycle.public_id, "EA"])
    data = {"node": "team", "material": "年度工作总结", "file": upload("总结.docx", docx_file())}
    response = login(city.staff_a).post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.count('id="item-') == 1 and "已上传“总结.docx”" in response.text
    assert "<html" not in response.text


def test_downloading_checks_access_first(city, login, ev_cycle):
    evidence = put(city.staff_a, ev_cycle, city.ent_a)
    url = reverse("cycles:evidence_download", args=[ev_cycle.public_id, "EA", evidence.public_id])
    response = login(city.viewer_a).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["X-Content-Type-Options"] == "nosniff"
    # a file of EA asked for under EB's address is not found
    wrong = reverse("cycles:evidence_download", args=[ev_cycle.public_id, "EB", evidence.public_id])
    assert login(city.admin).get(wrong).status_code == 404


def test_withdrawing_through_the_page(city, login, ev_cycle):
    evidence = put(city.staff_a, ev_cycle, city.ent_a)
    url = reverse("cycles:evidence_withdraw", args=[ev_cycle.public_id, "EA", evidence.public_id])
    assert login(city.viewer_a).post(url).status_code == 403
    assert login(city.staff_a).post(url).status_code == 302
    evidence.refresh_from_db()
    assert evidence.withdrawn
    text = login(city.staff_a).get(page_url(ev_cycle)).text
    assert "已撤回 1 份" in text


def test_verdicts_through_the_page(city, login, ev_cycle, assessor_c, assessor_ea):
    evidence = put(city.staff_a, ev_cycle, city.ent_a)
    url = reverse("cycles:evidence_verdict", args=[ev_cycle.public_id, "EA", evidence.public_id])
    assert 'name="verdict"' in login(assessor_c).get(page_url(ev_cycle)).text
    assert login(city.viewer_a).post(url, {"verdict": "pass"}).status_code == 403
    assert login(city.staff_a).post(url, {"verdict": "pass"}).status_code == 403
    response = login(assessor_c).post(url, {"verdict": "insufficient", "comment": "缺签到表"})
    assert response.status_code == 302
    assert EvidenceVerdict.objects.get().comment == "缺签到表"
    page = login(city.staff_a).get(page_url(ev_cycle)).text
    assert "不充分" in page and "缺签到表" in page and "审核有疑问" in page


def test_a_recused_assessor_is_told_why(city, login, ev_cycle, assessor_ea):
    evidence = put(city.staff_a, ev_cycle, city.ent_a)
    client = login(assessor_ea)
    page = client.get(page_url(ev_cycle)).text
    assert "须回避" in page and 'name="verdict"' not in page
    url = reverse("cycles:evidence_verdict", args=[ev_cycle.public_id, "EA", evidence.public_id])
    response = client.post(url, {"verdict": "pass"}, follow=True)
    assert "须回避" in response.text and not EvidenceVerdict.objects.exists()


def test_the_overview_counts_complete_and_overdue_items(city, login, ev_cycle):
    put(city.staff_a, ev_cycle, city.ent_a, material="党课计划")
    put(city.staff_a, ev_cycle, city.ent_a, material="党课记录")
    ev_cycle.evidence_opens = timezone.localdate() - datetime.timedelta(days=20)
    ev_cycle.evidence_closes = timezone.localdate() - datetime.timedelta(days=1)
    ev_cycle.save()
    response = login(city.admin).get(reverse("cycles:evidence", args=[ev_cycle.public_id]))
    rows = {r["unit"].org.code: r for r in response.context["page"]}
    assert (rows["EA"]["complete"], rows["EA"]["required"], rows["EA"]["overdue"]) == (1, 2, 1)
    assert (rows["EB"]["complete"], rows["EB"]["overdue"]) == (0, 2)
    overdue_first = login(city.admin).get(
        reverse("cycles:evidence", args=[ev_cycle.public_id]) + "?sort=overdue"
    )
    assert [r["unit"].org.code for r in overdue_first.context["page"]] == ["EB", "EA"]


def test_the_overview_shows_each_user_only_their_units(city, login, ev_cycle):
    url = reverse("cycles:evidence", args=[ev_cycle.public_id])
    viewer = login(city.viewer_a).get(url)
    assert [r["unit"].org.code for r in viewer.context["page"]] == ["EA"]
    foreign = login(city.staff_b).get(url)
    assert [r["unit"].org.code for r in foreign.context["page"]] == ["EB"] and "企业A党委" not in foreign.text


OVERVIEW_BUDGET = 12  # session, user, roles, cycle, units, files, verdicts, ...


def _overview_queries(client, cycle) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("cycles:evidence", args=[cycle.public_id])).status_code == 200
    return len(queries)


def test_the_overview_costs_the_same_queries_for_any_number_of_units(
    city, login, evidence_scheme, ev_cycle, django_assert_max_num_queries
):
    put(city.staff_a, ev_cycle, city.ent_a)
    put(city.staff_b, ev_cycle, city.ent_b)
    more = [
        org_actions.create_org(
            None,
            code=f"E{n}",
            name=f"企业{n}党委",
            kind=OrgKind.ENTERPRISE,
            parent=city.root,
            active_from=datetime.date(2020, 1, 1),
        )
        for n in range(1, 7)
    ]
    big = actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name="八家企业",
        scheme=evidence_scheme,
        units=[actions.UnitSpec(org) for org in (city.ent_a, city.ent_b, *more)],
    )
    big = advance_to(big, CycleState.IN_PROGRESS)
    for org in more:
        put(city.admin, big, org)
    client = login(city.admin)
    assert _overview_queries(client, big) == _overview_queries(client, ev_cycle)
    with django_assert_max_num_queries(OVERVIEW_BUDGET):
        client.get(reverse("cycles:evidence", args=[big.public_id]))


def test_the_unit_page_costs_the_same_queries_for_any_number_of_files(city, login, ev_cycle, assessor_c):
    client = login(assessor_c)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_url(ev_cycle)).status_code == 200
        return len(queries)

    evidence = put(city.staff_a, ev_cycle, city.ent_a)
    evidence_actions.give_verdict(assessor_c, evidence, Verdict.PASS)
    one = count()
    for material in LECTURE_MATERIALS:
        more = put(city.staff_a, ev_cycle, city.ent_a, material=material)
        evidence_actions.give_verdict(assessor_c, more, Verdict.FAIL, "看不清")
    evidence_actions.withdraw_evidence(city.staff_a, evidence)
    assert count() == one <= OVERVIEW_BUDGET
