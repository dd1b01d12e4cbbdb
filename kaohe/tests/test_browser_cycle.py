"""The assessment cycle end to end in headless Chromium, each person doing their own part:
the committee creates and runs the cycle, the enterprise signs its letter, uploads evidence,
assesses itself and appeals, a branch secretary keeps the ledger that scores by itself, an
assessor judges the evidence, the committee computes, reviews the appeal, publishes."""

import pytest
from django.utils import timezone

from kaohe.accounts.models import Role
from kaohe.conftest import PASSWORD, make_user
from kaohe.cycles.models import (
    Appeal,
    AppealStatus,
    Cycle,
    CycleState,
    RectificationItem,
    SelfAssessment,
    TargetLetter,
)
from kaohe.cycles.tests.conftest import SMALL_SCHEME
from kaohe.engine.text_form import load_scheme
from kaohe.files.tests.samples import pdf
from kaohe.ledgers.models import Meeting
from kaohe.measures import actions as measure_actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The small scheme, with its lectures counted from the branches' ledgers and the team's judgment
# given by each assessor of a panel (backed by a document the unit uploads).
E2E_SCHEME = (
    SMALL_SCHEME.replace(
        "{code: lectures, title: 党课次数, type: count}",
        "{code: lectures, title: 党课次数, type: count, derive: ledger.party_lecture.per_branch}",
    )
    .replace(
        "{code: judgment, title: 考核组评价, type: judgment, options: [好, 较好, 一般, 差]}",
        "{code: judgment, title: 考核组评价, type: judgment, options: [好, 较好, 一般, 差], panel: true}",
    )
    .replace("total_points: 10\n", "total_points: 10\npanel: {method: mean}\n")
)


def sign_in(page, base, username):
    # Let the page's own requests finish first (htmx loads the results notice after the page):
    # a request still running as the cookies go would race the next sign-in.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def advance(page, base, cycle, label):
    """The phase button leads to the confirmation page; what is left undone is confirmed there."""
    page.goto(f"{base}/cycles/{cycle.public_id}/")
    page.click("#advance")
    page.wait_for_selector("#advance-submit")
    if page.locator("#advance-confirm").count():
        page.check("#advance-confirm")
    page.click("#advance-submit")
    page.wait_for_selector(f".kh-phase.current:has-text('{label}')")


def test_a_whole_cycle_in_the_browser(city, live_server, page, tmp_path):
    base = live_server.url
    year = timezone.localdate().year
    scheme = load_scheme(E2E_SCHEME)
    team = next(n for n in scheme.nodes if n.code == "team")
    nodes = tuple(
        n.model_copy(update={"materials": ("考核组评价材料",)}) if n is team else n for n in scheme.nodes
    )
    scheme = scheme.model_copy(update={"nodes": nodes, "year": year})
    measure_actions.publish_scheme(None, measure_actions.add_scheme_version(None, city.root, scheme))
    make_user("secretary_a", Role.BRANCH_SECRETARY, city.branch_a)
    make_user("assessor", Role.ASSESSOR, city.root)
    signed = tmp_path / "责任书签字版.pdf"
    signed.write_bytes(pdf())

    # The committee creates the cycle for its enterprises and opens the target letters.
    sign_in(page, base, "admin")
    page.goto(f"{base}/cycles/new/")
    page.fill("input[name=year]", str(year))
    page.fill("input[name=name]", "党建考核（端到端）")
    page.select_option("select[name=unit_kind]", "enterprise")
    page.fill("input[name=evidence_opens]", f"{year}-01-01")
    page.fill("input[name=evidence_closes]", f"{year}-12-31")
    page.fill("input[name=review_due]", f"{year + 1}-02-28")
    page.click("main button[type=submit]")
    page.wait_for_selector("#cycle-units")
    cycle = Cycle.objects.get(name="党建考核（端到端）")
    assert "企业A党委" in page.inner_text("#cycle-units") and "企业B党委" in page.inner_text("#cycle-units")
    advance(page, base, cycle, "签订目标责任书")

    # The enterprise downloads its letter and uploads the signed copy.
    sign_in(page, base, "staff_a")
    page.goto(f"{base}/cycles/{cycle.public_id}/letters/")
    assert "企业B党委" not in page.inner_text("#letters")
    with page.expect_download() as download:
        page.click("#letters a:has-text('Word')")
    assert download.value.suggested_filename.endswith(".docx")
    page.click("#letters a:has-text('上传签字件')")
    page.fill("input[name=signed_on]", f"{year}-01-15")
    page.set_input_files("input[name=file]", str(signed))
    page.click("main button[type=submit]")
    page.wait_for_selector("#signed-count")
    assert "已签订 1 / 1" in page.inner_text("#signed-count")
    assert TargetLetter.objects.filter(unit__org=city.ent_a).exists()

    # A branch secretary records a 党课 in the branch ledger.
    sign_in(page, base, "secretary_a")
    page.goto(f"{base}/ledgers/EA-B1/meetings/new/")
    page.select_option("select[name=kind]", "party_lecture")
    page.fill("input[name=held_on]", f"{timezone.localdate():%Y-%m-%d}")
    page.fill("input[name=title]", "专题党课：学习贯彻党的二十届四中全会精神")
    page.fill("input[name=expected]", "12")
    page.fill("input[name=present]", "11")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已记录")
    assert Meeting.objects.filter(org=city.branch_a, kind="party_lecture").count() == 1

    sign_in(page, base, "admin")
    advance(page, base, cycle, "日常工作")
    advance(page, base, cycle, "自查自评")

    # The enterprise uploads its evidence and submits its self-assessment.
    sign_in(page, base, "staff_a")
    page.goto(f"{base}/cycles/{cycle.public_id}/u/EA/evidence/")
    page.set_input_files("#file-team", str(signed))
    page.click("form:has(#file-team) button[type=submit]")
    page.wait_for_selector(".kh-evidence-item a:has-text('责任书签字版.pdf')")
    page.goto(f"{base}/cycles/{cycle.public_id}/u/EA/self/")
    page.fill("input[name=score_lecture]", "1")
    page.fill("textarea[name=explanation_lecture]", "全年党课1次，少3次")
    page.fill("input[name=score_team]", "6")
    page.fill("input[name=score_minus]", "0")
    page.check("#declaration")
    page.click("#self-submit")
    page.wait_for_selector("text=已提交自评")
    assert SelfAssessment.objects.get(unit__org=city.ent_a).status == "submitted"

    sign_in(page, base, "admin")
    advance(page, base, cycle, "考核评分")

    # An assessor judges the uploaded evidence.
    sign_in(page, base, "assessor")
    page.goto(f"{base}/cycles/{cycle.public_id}/u/EA/evidence/")
    page.select_option("select[name=verdict]", "pass")
    page.click("form:has(select[name=verdict]) button[type=submit]")
    page.wait_for_selector(".kh-evidence-item .badge.text-bg-success")

    # The committee forms the panel; the assessor scores each unit's panel item.
    sign_in(page, base, "admin")
    page.goto(f"{base}/cycles/{cycle.public_id}/panels/")
    page.fill("#panel-form input[name=name]", "第一考核组")
    page.check("#m-assessor")
    page.check("#u-EA")
    page.check("#u-EB")
    page.click("#panel-form button[type=submit]")
    page.wait_for_selector("text=已组建考核组")
    sign_in(page, base, "assessor")
    for code, grade in (("EA", "较好"), ("EB", "好")):
        page.goto(f"{base}/cycles/{cycle.public_id}/u/{code}/scoring/")
        page.select_option("select[name='team.judgment']", grade)
        page.click("#save-scores")
        page.wait_for_selector("text=已保存评分")
    sign_in(page, base, "admin")
    page.goto(f"{base}/cycles/{cycle.public_id}/results/")
    page.click("#recompute")
    page.wait_for_selector("#recompute-done", timeout=20_000)
    page.goto(f"{base}/cycles/{cycle.public_id}/results/")
    # EA: 1 lecture per branch from the ledger (4 − 3) + 较好 4 = 5; EB: no lecture (0) + 好 6 = 6
    assert page.locator("#results tbody td:nth-child(2)").all_inner_texts() == ["企业B党委", "企业A党委"]
    advance(page, base, cycle, "结果反馈与申诉")

    # The enterprise sees its result explained and appeals the team judgment.
    sign_in(page, base, "staff_a")
    page.goto(f"{base}/cycles/{cycle.public_id}/u/EA/")
    assert page.inner_text("#unit-total") == "5"
    assert "少3次" in page.inner_text("#lost-points")
    page.click("#lost-points tr:has-text('综合评价') a:has-text('申诉')")
    page.fill("textarea[name=reason]", "考核组评价未计入年度获评先进的情况")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已提交申诉")

    # The panel scores the appealed item again; the committee upholds the appeal and publishes.
    sign_in(page, base, "assessor")
    page.goto(f"{base}/cycles/{cycle.public_id}/u/EA/scoring/")
    page.select_option("select[name='team.judgment']", "好")
    page.click("#save-scores")
    page.wait_for_selector("text=已保存评分")
    sign_in(page, base, "admin")
    page.goto(f"{base}/cycles/{cycle.public_id}/appeals/")
    page.select_option("select[name=upheld]", "1")
    page.fill("textarea[name=decision]", "经考核组复核，评价调整为“好”")
    page.click("#appeals button[type=submit]")
    page.wait_for_selector("text=已复核")
    appeal = Appeal.objects.get()
    assert appeal.status == AppealStatus.UPHELD and appeal.score_after == 6000
    advance(page, base, cycle, "已通报")
    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.PUBLISHED

    # Every unit reads the bulletin.
    sign_in(page, base, "staff_b")
    page.goto(f"{base}/cycles/{cycle.public_id}/bulletin/")
    bulletin = page.inner_text("#bulletin")
    assert "企业A党委" in bulletin and "企业B党委" in bulletin

    # Lost points become rectification items; the enterprise rectifies, the committee closes it.
    sign_in(page, base, "admin")
    page.goto(f"{base}/cycles/{cycle.public_id}/rectification/")
    page.fill("#auto-open input[name=deadline]", f"{year + 1}-06-30")
    page.click("#auto-open button[type=submit]")
    page.wait_for_selector("text=已按失分生成")
    item = RectificationItem.objects.get(unit__org=city.ent_a, node="lecture")
    sign_in(page, base, "staff_a")
    page.goto(f"{base}/cycles/{cycle.public_id}/rectification/{item.public_id}/")
    page.fill("#plan-form textarea[name=measure]", "每季度召开一次党课，纳入支部工作计划")
    page.fill("#plan-form input[name=owner_name]", "张a")
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector("#submit-form")
    page.fill("#submit-form textarea[name=note]", "已补开党课并建立季度提醒")
    page.set_input_files("#submit-form input[name=evidence]", str(signed))
    page.click("#submit-form button[type=submit]")
    page.wait_for_selector("#item-status:has-text('待验收')")
    sign_in(page, base, "admin")
    page.goto(f"{base}/cycles/{cycle.public_id}/rectification/{item.public_id}/")
    page.select_option("#verify-form select[name=passed]", "1")
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#item-status:has-text('已销号')")
