"""A round from draft to final through the actions, and the faults the issue names."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kaohe.audit.models import AuditEntry
from kaohe.consultation import actions
from kaohe.consultation.models import Disposition, RoundStatus
from kaohe.consultation.queries import fate_in, register_rows, statistics
from kaohe.consultation.tests.conftest import clause_key
from kaohe.measures.actions import documents as document_actions
from kaohe.measures.models import VersionStatus

pytestmark = pytest.mark.django_db


def test_opening_a_round_freezes_the_draft(consultation, draft):
    draft.refresh_from_db()
    assert draft.status == VersionStatus.CONSULTING and draft.digest
    with pytest.raises(ValidationError, match="只有草稿"):
        document_actions.reword_clause(None, draft, clause_key(draft, "为压实"), "", "改过")
    assert [t.name for t in consultation.topics.all()] == ["产业建设", "基层党建", "考核指标", "轻微违纪处理"]
    assert consultation.participants.count() == 2


def test_participants_comment_on_clauses_indicators_and_the_whole(people, consultation, draft):
    on_clause = actions.comment(
        people.staff_a, consultation, "党课次数建议改为每季度1次", clause_key=clause_key(draft, "基层组织")
    )
    on_indicator = actions.comment(people.staff_a2, consultation, "党课指标分值偏低", indicator="lecture")
    general = actions.comment(
        people.staff_a, consultation, "建议增加产业建设方面的考核内容", proposed="增加一章"
    )
    assert [s.number for s in (on_clause, on_indicator, general)] == [1, 2, 3]
    assert on_clause.clause is not None and on_clause.clause.label == "（二）"
    assert register_rows(consultation, reveal=True)[0].target == "第三条（二）"
    assert on_indicator.indicator == "lecture"
    assert register_rows(consultation, reveal=True)[1].target == "指标：党课"
    assert on_clause.topic is not None and on_clause.topic.name == "基层党建"  # suggested from its words
    assert consultation.participants.get(user=people.staff_a).responded_at is not None
    with pytest.raises(ValidationError, match="没有编码为 nope"):
        actions.comment(people.staff_a, consultation, "x", indicator="nope")
    with pytest.raises(ValidationError, match="请填写"):
        actions.comment(people.staff_a, consultation, "   ")


def test_it_refuses_the_uninvited_and_the_late(people, consultation):
    with pytest.raises(PermissionDenied):
        actions.comment(people.staff_b, consultation, "我也有意见")
    consultation.deadline = timezone.now() - datetime.timedelta(minutes=1)
    consultation.save()
    with pytest.raises(ValidationError, match="截止"):
        actions.comment(people.staff_a, consultation, "迟到的意见")
    with pytest.raises(ValidationError, match="截止"):
        actions.declare_no_comment(people.staff_a, consultation)


def test_anonymity_hides_a_participant_from_others_only(people, consultation):
    actions.comment(people.staff_a2, consultation, "匿名提出的意见")
    published = register_rows(consultation, reveal=False)[0]
    organiser = register_rows(consultation, reveal=True)[0]
    assert published.submitter == "匿名" and published.org == "匿名"
    assert organiser.submitter == "staff_a2（匿名）" and organiser.org == people.ent_a.name


def test_reminders_go_to_those_who_have_not_answered(people, consultation):
    actions.declare_no_comment(people.staff_a, consultation)
    assert actions.remind(people.admin, consultation) == 1
    assert consultation.participants.get(user=people.staff_a2).reminders == 1
    assert consultation.participants.get(user=people.staff_a).reminders == 0
    assert actions.remind(people.admin, consultation) == 0  # not twice in a day
    waiting = consultation.participants.get(user=people.staff_a2)
    waiting.reminded_at = timezone.now() - datetime.timedelta(hours=25)
    waiting.save()
    assert actions.remind(people.admin, consultation) == 1
    with pytest.raises(PermissionDenied):
        actions.remind(people.staff_a, consultation)


def test_a_round_needs_participants_and_one_round_at_a_time(people, consultation, draft):
    second = document_actions.start_draft(people.admin, draft)
    deadline = timezone.now() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError, match="至少选择一名参与人"):
        actions.open_round(people.admin, second, title="第二轮", deadline=deadline)
    with pytest.raises(ValidationError, match="正在征求意见"):
        actions.open_round(
            people.admin,
            second,
            title="第二轮",
            deadline=deadline,
            people=[(people.staff_a, people.ent_a, False)],
        )
    second.refresh_from_db()
    assert second.status == VersionStatus.DRAFT  # nothing frozen by a refused round


def test_symposium_remarks_join_the_same_register(people, consultation, draft):
    symposium = actions.record_symposium(
        people.admin,
        consultation,
        title="征求意见座谈会",
        held_on=datetime.date(2026, 11, 20),
        place="三楼会议室",
        chair="王主任",
        attendees=[
            {"name": "李明", "org_name": "市交通集团", "role": "党委副书记", "speaking_order": 1},
            {"name": "赵强", "org_name": "市水务集团", "role": "党群工作部部长", "speaking_order": 2},
            {"name": "钱红", "org_name": "市国资委", "role": "科员"},
        ],
    )
    li = symposium.attendees.get(name="李明")
    topic = consultation.topics.get(name="轻微违纪处理")
    remark = actions.add_remark(
        people.admin, li, "轻微违纪的扣分应区分情节", clause_key=clause_key(draft, "考核实行"), topic=topic
    )
    actions.comment(people.staff_a, consultation, "书面意见")
    rows = register_rows(consultation, reveal=False)
    assert [(r.number, r.channel, r.submitter) for r in rows] == [
        (1, "座谈会", "李明"),
        (2, "书面意见", "staff_a"),
    ]
    assert remark.topic == topic
    with pytest.raises(ValidationError, match="发言顺序"):
        actions.record_symposium(
            people.admin,
            consultation,
            title="第二次",
            held_on=datetime.date(2026, 11, 21),
            place="x",
            chair="y",
            attendees=[{"name": "甲", "speaking_order": 1}, {"name": "乙", "speaking_order": 1}],
        )


def test_a_stale_answer_is_refused_rather_than_overwriting(people, consultation):
    suggestion = actions.comment(people.staff_a, consultation, "建议提高分值")
    shown = suggestion.revision
    actions.answer(people.admin, suggestion, Disposition.REJECTED, "分值已综合平衡", revision=shown)
    with pytest.raises(ValidationError, match="已被 admin 修改为“不采纳”"):
        actions.answer(people.admin, suggestion, Disposition.ADOPTED, "", revision=shown)
    suggestion.refresh_from_db()
    assert suggestion.disposition == Disposition.REJECTED
    with pytest.raises(ValidationError, match="须说明理由"):
        actions.answer(people.admin, suggestion, Disposition.PARTLY, "", revision=suggestion.revision)


def test_a_group_shares_one_answer_and_each_keeps_its_entry(people, consultation):
    a = actions.comment(people.staff_a, consultation, "党课每年4次偏少，建议每季度一次")
    b = actions.comment(people.staff_a2, consultation, "建议党课改为每季度1次")
    group = actions.group(people.admin, consultation, [a, b], "党课次数")
    assert actions.answer_group(people.admin, group, Disposition.ADOPTED, "") == 2
    rows = register_rows(consultation, reveal=True)
    assert [(r.number, r.disposition) for r in rows] == [(1, "采纳"), (2, "采纳")]
    with pytest.raises(ValidationError, match="至少需要两条"):
        actions.group(people.admin, consultation, [a], "x")


def test_a_comment_on_a_deleted_clause_keeps_pointing_at_the_draft(people, consultation, draft):
    key = clause_key(draft, "本办法适用")
    suggestion = actions.comment(people.staff_a, consultation, "适用范围应包括二级企业", clause_key=key)
    second = document_actions.start_draft(people.admin, draft)
    document_actions.delete_clause(people.admin, second, key)
    suggestion.refresh_from_db()
    assert suggestion.clause is not None
    assert suggestion.clause.version == draft and suggestion.clause.label == "第二条"
    assert fate_in(second, suggestion.clause)["state"] == "removed"
    # it can still be linked to the deletion that answers it
    actions.link(people.admin, suggestion, second, clause_key=key)


def test_split_and_merge_are_followed_to_the_next_version(people, consultation, draft):
    key = clause_key(draft, "基层组织建设")
    second = document_actions.start_draft(people.admin, draft)
    document_actions.split_clause(people.admin, second, key, "基层组织建设；", "党课每季度不少于1次。")
    suggestion = actions.comment(people.staff_a, consultation, "党课", clause_key=key)
    fate = fate_in(second, suggestion.clause)
    assert fate["state"] == "reworded" and fate["label"] == "第三条（二）"
    assert [o["label"] for o in fate["others"]] == ["第三条（三）"]


def test_concluding_publishes_the_final_version_and_its_scheme(people, consultation, draft):
    suggestion = actions.comment(
        people.staff_a, consultation, "党课次数调整", clause_key=clause_key(draft, "基层组织")
    )
    second = document_actions.start_draft(people.admin, draft)
    with pytest.raises(ValidationError, match="请先截止"):
        actions.conclude(people.admin, consultation, second)
    consultation = actions.close_round(people.admin, consultation)
    with pytest.raises(ValidationError, match="1 条意见未处理"):
        actions.conclude(people.admin, consultation, second)
    actions.answer(people.admin, suggestion, Disposition.ADOPTED, "", revision=suggestion.revision)
    done = actions.conclude(people.admin, consultation, second)
    second.refresh_from_db()
    assert done.status == RoundStatus.CONCLUDED and done.final == second and len(done.package_digest) == 64
    assert second.scheme is not None
    assert second.status == VersionStatus.FINAL and second.scheme.is_published
    with pytest.raises(ValidationError, match="已办结"):
        actions.answer(
            people.admin, suggestion, Disposition.REJECTED, "改主意", revision=suggestion.revision + 1
        )
    assert AuditEntry.objects.filter(action="consultation.round.conclude").count() == 1


def test_statistics_count_adoption_over_answered_less_covered(people, consultation):
    made = [actions.comment(people.staff_a, consultation, f"意见{i}") for i in range(4)]
    for suggestion, disposition in zip(
        made,
        [Disposition.ADOPTED, Disposition.PARTLY, Disposition.REJECTED, Disposition.COVERED],
        strict=True,
    ):
        actions.answer(people.admin, suggestion, disposition, "理由", revision=0)
    stats = statistics(register_rows(consultation, reveal=True))
    assert (stats.total, stats.answered, stats.adopted) == (4, 4, 2)
    assert stats.adoption_rate == "66.7%"  # 2 of the 3 that were not already covered
