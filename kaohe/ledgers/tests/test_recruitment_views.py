"""The 发展党员 pages with the personas: staff_a edits EA's cases, viewer_a only reads them (403 on
every write), staff_b (enterprise B) gets 404, an anonymous visitor is sent to log in."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kaohe.audit.models import AuditEntry
from kaohe.ledgers.models import RecruitmentCase, RecruitmentStep
from kaohe.ledgers.recruitment import STEPS
from kaohe.ledgers.tests.conftest import add_org
from kaohe.orgs.models import OrgKind, OrgUnit

pytestmark = pytest.mark.django_db

D = datetime.date


def add_case(org, name: str, started_on: datetime.date, **steps: datetime.date):
    case = RecruitmentCase.objects.create(org=org, candidate_name=name, started_on=started_on)
    for code, day in steps.items():
        RecruitmentStep.objects.create(case=case, step=code, done_on=day)
    return case


@pytest.fixture
def case(city):
    # The talk came late (due 2024-02-10): one breach, shown on the talk.
    return add_case(city.branch_a, "李明", D(2024, 1, 10), apply=D(2024, 1, 10), talk=D(2024, 3, 1))


def read_pages(case) -> list[str]:
    return [
        reverse("ledgers:recruitment", args=["EA-B1"]),
        reverse("ledgers:recruitment", args=["EA"]),
        reverse("ledgers:recruitment_case", args=[case.public_id]),
    ]


def edit_pages(case) -> list[str]:
    return [
        reverse("ledgers:recruitment_case_create", args=["EA-B1"]),
        reverse("ledgers:recruitment_case_create", args=["EA"]),
        reverse("ledgers:recruitment_case_edit", args=[case.public_id]),
    ]


def timeline(**dates: str) -> dict[str, str]:
    data = {f"done_on_{s.code}": "" for s in STEPS} | {f"note_{s.code}": "" for s in STEPS}
    return data | {f"done_on_{code}": day for code, day in dates.items()}


def test_anonymous_visitors_are_sent_to_log_in(client, case):
    delete = reverse("ledgers:recruitment_case_delete", args=[case.public_id])
    for url in [*read_pages(case), *edit_pages(case)]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response.url, url
    assert reverse("accounts:login") in client.post(delete).url
    assert RecruitmentCase.objects.exists()


def test_read_pages_follow_the_personas(city, login, case):
    for url in read_pages(case):
        assert login(city.staff_a).get(url).status_code == 200, url
        assert login(city.viewer_a).get(url).status_code == 200, url
        assert login(city.staff_b).get(url).status_code == 404, url
        assert login(city.sysadmin).get(url).status_code == 404, url


def test_edit_pages_follow_the_personas(city, login, case):
    for url in edit_pages(case):
        assert login(city.staff_a).get(url).status_code == 200, url
        assert login(city.viewer_a).get(url).status_code == 403, url
        assert login(city.staff_b).get(url).status_code == 404, url


def test_the_org_pages_link_the_recruitment_tab(city, login):
    page = login(city.viewer_a).get(reverse("ledgers:org", args=["EA-B1"]))
    assert reverse("ledgers:recruitment", args=["EA-B1"]) in page.text and "发展党员" in page.text


def test_the_list_shows_each_cases_stage_and_breaches(city, login, case):
    add_case(city.branch_a, "王芳", D(2024, 1, 10), apply=D(2024, 1, 10), talk=D(2024, 1, 20))
    url = reverse("ledgers:recruitment", args=["EA"])
    page = login(city.viewer_a).get(url)
    assert "李明" in page.text and "王芳" in page.text and "入党申请人" in page.text
    assert 'data-violations="1"' in page.text and "程序问题 1 项" in page.text
    assert reverse("ledgers:recruitment_case_create", args=["EA"]) not in page.text  # read-only
    only = login(city.viewer_a).get(url, {"problems": "1"})
    assert "李明" in only.text and "王芳" not in only.text
    assert "王芳" not in login(city.viewer_a).get(url, {"q": "李"}).text
    assert "李明" not in login(city.viewer_a).get(url, {"stage": "activist"}).text
    assert reverse("ledgers:recruitment_case_create", args=["EA"]) in login(city.staff_a).get(url).text
    assert "李明" not in login(city.staff_b).get(reverse("ledgers:recruitment", args=["EB"])).text


def test_the_list_tells_apart_two_branches_of_the_same_short_name(city, login):
    branches = []
    for code in ("EA-S1", "EA-S2"):
        sub = add_org(city.ent_a, code, OrgKind.COMMITTEE_SUB)
        branch = add_org(sub, f"{code}-B")
        OrgUnit.objects.filter(pk=branch.pk).update(short_name="工程部党支部")
        add_case(branch, f"候选{code}", D(2024, 1, 10))
        branches.append(branch)
    html = login(city.viewer_a).get(reverse("ledgers:recruitment", args=["EA"])).text
    cells = [html.split(f'data-branch="{b.code}">', 1)[1].split("</td>", 1)[0] for b in branches]
    assert all("工程部党支部" in cell for cell in cells)
    assert "EA-S1组织" in cells[0] and "EA-S2组织" in cells[1]  # the parent, and the code
    assert "EA-S1-B" in cells[0] and "EA-S2-B" in cells[1]


def test_the_list_costs_the_same_queries_for_few_or_many_cases(city, login, django_assert_max_num_queries):
    client = login(city.viewer_a)
    url = reverse("ledgers:recruitment", args=["EA"])
    add_case(city.branch_a, "一", D(2024, 1, 10), apply=D(2024, 1, 10))
    client.get(url)  # warm the session and the role cache
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for i in range(40):
        branch = add_org(city.ent_a, f"EA-X{i}")
        add_case(branch, f"候选{i}", D(2024, 1, 10), apply=D(2024, 1, 10), activist=D(2024, 3, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.status_code == 200 and "共 41 条" in page.text


def test_the_case_page_shows_the_timeline_and_the_breaches_in_red(city, login, case):
    url = reverse("ledgers:recruitment_case", args=[case.public_id])
    page = login(city.viewer_a).get(url)
    assert "递交入党申请书" in page.text and "材料归档" in page.text and "2024-03-01" in page.text
    assert 'data-violation="talk_within"' in page.text and "截至 2024-02-10" in page.text
    assert 'name="done_on_talk"' not in page.text  # read-only: dates as text
    editable = login(city.staff_a).get(url)
    assert 'name="done_on_talk"' in editable.text and 'value="2024-03-01"' in editable.text


def test_saving_the_timeline_follows_the_personas(city, login, case):
    url = reverse("ledgers:recruitment_case", args=[case.public_id])
    data = timeline(apply="2024-01-10", talk="2024-02-01", activist="2024-03-01")
    assert login(city.viewer_a).post(url, data).status_code == 403
    assert login(city.staff_b).post(url, data).status_code == 404
    assert login(city.staff_a).post(url, data).status_code == 302
    assert dict(case.steps.values_list("step", "done_on")) == {
        "apply": D(2024, 1, 10),
        "talk": D(2024, 2, 1),
        "activist": D(2024, 3, 1),
    }
    assert AuditEntry.objects.filter(action="recruitment.step.record", actor=city.staff_a).count() == 2
    page = login(city.staff_a).get(url)
    assert "程序问题" not in page.text and "入党积极分子" in page.text


def test_a_date_in_the_future_is_shown_under_its_step(city, login, case):
    url = reverse("ledgers:recruitment_case", args=[case.public_id])
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    page = login(city.staff_a).post(url, timeline(apply="2024-01-10", talk="2024-03-01", activist=tomorrow))
    assert page.status_code == 200
    assert page.context["form"].errors["done_on_activist"][0].startswith("“3. 推荐和确定入党积极分子”的日期")
    assert not case.steps.filter(step="activist").exists()


def test_opening_a_case_from_the_enterprise_page_picks_the_branch(city, login):
    url = reverse("ledgers:recruitment_case_create", args=["EA"])
    data = {
        "branch": "EA-B1",
        "candidate_name": "",
        "person": str(city.person_a.public_id),
        "started_on": "2024-02-01",
    }
    assert login(city.viewer_a).post(url, data).status_code == 403
    assert login(city.staff_b).post(url, data).status_code == 404
    response = login(city.staff_a).post(url, data)
    case = RecruitmentCase.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "ledgers:recruitment_case", args=[case.public_id]
    )
    assert case.org == city.branch_a and case.candidate_name == "张a" and case.person == city.person_a


def test_opening_a_case_at_a_branch_shows_the_actions_errors(city, login):
    url = reverse("ledgers:recruitment_case_create", args=["EA-B1"])
    page = login(city.staff_a).get(url)
    assert 'name="branch"' not in page.text
    page = login(city.staff_a).post(url, {"candidate_name": "", "started_on": "2024-02-01"})
    assert page.status_code == 200 and page.context["form"].errors["candidate_name"] == ["请填写姓名"]
    assert not RecruitmentCase.objects.exists()


def test_editing_and_deleting_a_case(city, login, case):
    edit = reverse("ledgers:recruitment_case_edit", args=[case.public_id])
    data = {
        "candidate_name": "李明",
        "started_on": "2024-01-10",
        "ended_on": "2024-03-05",
        "end_note": "转出",
    }
    assert login(city.viewer_a).post(edit, data).status_code == 403
    assert login(city.staff_a).post(edit, data).status_code == 302
    case.refresh_from_db()
    assert case.ended_on == D(2024, 3, 5) and case.end_note == "转出"
    bad = login(city.staff_a).post(edit, {**data, "ended_on": "2024-02-01"})
    assert "终止日期不能早于它" in bad.context["form"].errors["ended_on"][0]

    delete = reverse("ledgers:recruitment_case_delete", args=[case.public_id])
    assert login(city.viewer_a).post(delete).status_code == 403
    assert login(city.staff_b).post(delete).status_code == 404
    response = login(city.staff_a).post(delete)
    assert response.status_code == 302 and response.url == reverse("ledgers:recruitment", args=["EA-B1"])
    assert not RecruitmentCase.objects.exists()
    assert AuditEntry.objects.filter(action="recruitment.case.delete", actor=city.staff_a).exists()
