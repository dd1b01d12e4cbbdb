"""Every consultation and measures-document URL with the three people of DESIGN §3.3: the organiser
(may change), a read-only member of the organiser's staff (sees, 403 on writes) and another
enterprise's staff who was not invited (404 everywhere)."""

import datetime

import pytest
from django.urls import reverse

from kaohe.consultation import actions
from kaohe.consultation.tests.conftest import clause_key
from kaohe.measures.actions import documents as document_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(people, consultation, draft):
    first = actions.comment(
        people.staff_a, consultation, "党课偏少", clause_key=clause_key(draft, "基层组织")
    )
    second = actions.comment(people.staff_a2, consultation, "建议党课每季度一次")
    group = actions.group(people.admin, consultation, [first, second], "党课次数")
    symposium = actions.record_symposium(
        people.admin,
        consultation,
        title="座谈会",
        held_on=datetime.date(2026, 11, 20),
        place="会议室",
        chair="王主任",
        attendees=[{"name": "李明", "org_name": "市交通集团", "role": "副书记", "speaking_order": 1}],
    )
    next_draft = document_actions.start_draft(people.admin, draft)
    made = actions.link(people.admin, first, next_draft, clause_key=clause_key(draft, "基层组织"))
    r, s = consultation.public_id, first.public_id
    key = clause_key(next_draft, "为压实")
    v = next_draft.public_id
    reads = [
        reverse("consultation:suggestions", args=[r]),
        reverse("consultation:suggestion", args=[r, s]),
        reverse("consultation:symposium", args=[r, symposium.public_id]),
        reverse("consultation:changes", args=[r]),
        reverse("consultation:whatif", args=[r]),
        reverse("consultation:scheme", args=[r]),
        reverse("consultation:download", args=[r, "statement.docx"]),
        reverse("documents:version", args=[v]),
        reverse("documents:compare", args=[v]),
        reverse("documents:download", args=[v, "docx"]),
    ]
    writes = [
        (reverse("consultation:remind", args=[r]), {}),
        (reverse("consultation:add_topic", args=[r]), {"name": "新议题"}),
        (reverse("consultation:answer_group", args=[r, group.pk]), {"disposition": "adopted"}),
        (reverse("consultation:group", args=[r]), {"suggestion": [first.pk, second.pk], "title": "t"}),
        (reverse("consultation:answer", args=[r, s]), {"disposition": "adopted", "revision": 1}),
        (reverse("consultation:set_topic", args=[r, s]), {"topic": ""}),
        (reverse("consultation:ungroup", args=[r, s]), {}),
        (reverse("consultation:link", args=[r, s]), {"indicator": "lecture"}),
        (reverse("consultation:unlink", args=[r, s, made.pk]), {}),
        (
            reverse("consultation:remark", args=[r, symposium.public_id]),
            {"attendee": symposium.attendees.get().pk, "text": "x"},
        ),
        (reverse("consultation:close", args=[r]), {}),
        (reverse("consultation:conclude", args=[r]), {"confirm": "yes"}),
        (reverse("documents:clause_reword", args=[v, key]), {"text": "改过的文字。"}),
        (reverse("documents:clause_add", args=[v]), {"level": "article", "text": "新增一条。"}),
        (reverse("documents:clause_split", args=[v, key]), {"first": "前一半。", "second": "后一半。"}),
        (reverse("documents:clause_merge", args=[v, key]), {}),
        (reverse("documents:clause_move", args=[v, key]), {"after": clause_key(next_draft, "考核实行")}),
        (reverse("documents:clause_delete", args=[v, key]), {}),
        (reverse("documents:attach_scheme", args=[v]), {"scheme": ""}),
        (reverse("documents:publish", args=[v]), {}),
    ]
    return reads, writes, symposium


def test_the_read_only_member_sees_every_page_and_changes_nothing(people, world, login):
    reads, writes, _symposium = world
    client = login(people.viewer_c)
    for url in reads:
        assert client.get(url).status_code == 200, url
    for url, data in writes:
        assert client.post(url, data).status_code == 403, url
    assert (
        client.get(reverse("consultation:symposium_create", args=[reads[0].split("/")[2]])).status_code == 403
    )


def test_another_enterprise_gets_404_everywhere(people, world, login):
    reads, writes, _symposium = world
    client = login(people.staff_b)
    for url in reads:
        assert client.get(url).status_code == 404, url
    for url, data in writes:
        assert client.post(url, data).status_code == 404, url


def test_the_organiser_reaches_every_page_and_every_write(people, world, login):
    reads, writes, _symposium = world
    client = login(people.admin)
    for url in reads:
        assert client.get(url).status_code == 200, url
    for url, data in writes:
        assert client.post(url, data).status_code == 302, url
