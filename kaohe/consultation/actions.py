"""Writes to consultation rounds: open a round on a draft, invite and remind participants, take
written comments, record symposia and the suggestions in each speaker's remarks, sort them under
topics and into groups, answer them (alone or a group at once), link them to the changes in the
next version, close the round, and conclude it by publishing the final version."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import record
from kaohe.consultation.models import (
    Attendee,
    Channel,
    Disposition,
    Participant,
    Round,
    RoundStatus,
    Suggestion,
    SuggestionGroup,
    SuggestionLink,
    Symposium,
    Topic,
)
from kaohe.measures.actions.documents import freeze_for_consultation, publish_final
from kaohe.measures.models import Clause, DocumentVersion, VersionStatus
from kaohe.orgs.models import OrgUnit

REMINDER_INTERVAL = timedelta(hours=24)

# The four topics of the founding symposium, with words that suggest them for a new comment.
DEFAULT_TOPICS: dict[str, list[str]] = {
    "产业建设": ["产业", "经营", "生产", "效益", "主业", "项目", "改革", "发展", "公司治理", "前置"],
    "基层党建": [
        "支部",
        "党员",
        "党课",
        "三会一课",
        "主题党日",
        "组织生活",
        "发展党员",
        "党费",
        "书记",
        "阵地",
    ],
    "考核指标": ["考核", "指标", "分值", "评分", "扣分", "加分", "细则", "权重", "等次", "测评"],
    "轻微违纪处理": ["违纪", "轻微", "处分", "诫勉", "谈话", "提醒", "问责", "纪律", "第一种形态"],
}


def _organiser(actor, round_: Round) -> None:
    if actor is not None and not has_cap(actor, Cap.MANAGE_SCHEMES, round_.organiser):
        raise PermissionDenied(_("只有组织单位可以办理征求意见"))


def _locked(round_: Round) -> Round:
    return Round.objects.select_for_update().select_related("draft__document", "organiser").get(pk=round_.pk)


@transaction.atomic
def open_round(
    actor,
    draft: DocumentVersion,
    *,
    title: str,
    deadline: datetime,
    instructions: str = "",
    topics: dict[str, list[str]] | None = None,
    people: Sequence[tuple] = (),
) -> Round:
    """Freeze the draft as the 征求意见稿 (if not yet) and open a round on it, sent to `people`
    ((user, org, anonymous) each)."""
    owner = draft.document.owner
    if actor is not None and not has_cap(actor, Cap.MANAGE_SCHEMES, owner):
        raise PermissionDenied(_("只有文件的制定单位可以征求意见"))
    if deadline <= timezone.now():
        raise ValidationError({"deadline": _("截止时间须晚于现在")})
    if not people:
        raise ValidationError({"participants": _("请至少选择一名参与人")})
    if Round.objects.filter(draft__document=draft.document).exclude(status=RoundStatus.CONCLUDED).exists():
        raise ValidationError(_("该文件正在征求意见，请在原征求意见办结后再发起新的一轮"))
    if draft.status == VersionStatus.DRAFT:
        draft = freeze_for_consultation(actor, draft)
    elif draft.status != VersionStatus.CONSULTING:
        raise ValidationError(_("正式发布的版本不能再征求意见"))
    round_ = Round.objects.create(
        draft=draft,
        organiser=owner,
        title=title.strip() or f"{draft.title}（征求意见稿）",
        instructions=instructions,
        deadline=deadline,
        created_by=actor,
    )
    for position, (name, words) in enumerate((DEFAULT_TOPICS if topics is None else topics).items()):
        Topic.objects.create(round=round_, name=name, words=words, position=position)
    for user, org, anonymous in people:
        Participant.objects.create(round=round_, user=user, org=org, anonymous=anonymous)
    record(
        actor,
        "consultation.round.open",
        round_,
        new={
            "draft": str(draft.public_id),
            "deadline": str(deadline),
            "people": [p[0].username for p in people],
        },
    )
    return round_


@transaction.atomic
def invite(actor, round_: Round, people: list[tuple], *, anonymous: bool = False) -> list[Participant]:
    """Add (user, org) pairs to the round; people already in it are left as they are."""
    round_ = _locked(round_)
    _organiser(actor, round_)
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(_("征求意见已截止，不能再邀请"))
    added = []
    have = set(round_.participants.values_list("user_id", flat=True))
    for user, org in people:
        if user.pk in have:
            continue
        added.append(Participant.objects.create(round=round_, user=user, org=org, anonymous=anonymous))
        have.add(user.pk)
    if added:
        record(actor, "consultation.invite", round_, new={"users": [p.user.username for p in added]})
    return added


@transaction.atomic
def remind(actor, round_: Round) -> int:
    """Mark every participant who has not responded as reminded; they see it on their pages."""
    round_ = _locked(round_)
    _organiser(actor, round_)
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(_("征求意见已截止"))
    now = timezone.now()
    # Once a day at most: a reminder repeated within hours is noise, not a reminder.
    recent = now - REMINDER_INTERVAL
    waiting = list(round_.participants.filter(responded_at__isnull=True).exclude(reminded_at__gt=recent))
    for participant in waiting:
        participant.reminded_at = now
        participant.reminders += 1
        participant.save(update_fields=["reminded_at", "reminders"])
    record(actor, "consultation.remind", round_, new={"count": len(waiting)})
    return len(waiting)


def _participant(actor, round_: Round) -> Participant:
    participant = round_.participants.filter(user=actor).first()
    if participant is None:
        raise PermissionDenied(_("您不在本次征求意见的范围内"))
    if round_.status != RoundStatus.OPEN or timezone.now() > round_.deadline:
        raise ValidationError(
            _("征求意见已于 %(deadline)s 截止，不能再提交")
            % {"deadline": timezone.localtime(round_.deadline).strftime("%Y-%m-%d %H:%M")}
        )
    return participant


def _target(round_: Round, clause_key: str, indicator: str) -> tuple[Clause | None, str]:
    """The clause of the draft or the indicator of its scoring table a suggestion is about."""
    if clause_key and indicator:
        raise ValidationError({"clause": _("一条意见请只针对一个条款或一个指标")})
    clause = None
    if clause_key:
        clause = round_.draft.clauses.filter(key=clause_key).first()
        if clause is None:
            raise ValidationError({"clause": _("征求意见稿中没有这一条款")})
    if indicator:
        scheme = round_.draft.scheme
        codes = {place.node.code for place in scheme.scheme.walk()} if scheme else set()
        if indicator not in codes:
            raise ValidationError(
                {"indicator": _("评分细则中没有编码为 %(code)s 的指标") % {"code": indicator}}
            )
    return clause, indicator


def _next_number(round_: Round) -> int:
    return (round_.suggestions.aggregate(n=Max("number"))["n"] or 0) + 1


def _topic_hint(round_: Round, text: str) -> Topic | None:
    from kaohe.consultation.similarity import suggest_topic

    topics = {t.name: t for t in round_.topics.all()}
    name = suggest_topic(text, {n: t.words for n, t in topics.items()})
    return topics.get(name) if name else None


def _suggestion(
    round_: Round, text: str, proposed: str, clause_key: str, indicator: str, **source
) -> Suggestion:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请填写意见建议")})
    clause, indicator = _target(round_, clause_key, indicator)
    return Suggestion.objects.create(
        round=round_,
        number=_next_number(round_),
        text=text,
        proposed=proposed.strip(),
        clause=clause,
        indicator=indicator,
        topic=_topic_hint(round_, text),
        **source,
    )


@transaction.atomic
def comment(
    actor, round_: Round, text: str, *, proposed: str = "", clause_key: str = "", indicator: str = ""
) -> Suggestion:
    """A participant's written comment on a clause, an indicator, or the draft in general."""
    round_ = _locked(round_)
    participant = _participant(actor, round_)
    suggestion = _suggestion(
        round_, text, proposed, clause_key, indicator, channel=Channel.WRITTEN, participant=participant
    )
    if participant.responded_at is None or participant.no_comment:
        participant.responded_at = participant.responded_at or timezone.now()
        participant.no_comment = False
        participant.save(update_fields=["responded_at", "no_comment"])
    record(
        actor, "consultation.comment", suggestion, new={"number": suggestion.number, "text": suggestion.text}
    )
    return suggestion


@transaction.atomic
def declare_no_comment(actor, round_: Round) -> Participant:
    round_ = _locked(round_)
    participant = _participant(actor, round_)
    if participant.suggestions.exists():
        raise ValidationError(_("您已提交意见"))
    participant.responded_at = timezone.now()
    participant.no_comment = True
    participant.save(update_fields=["responded_at", "no_comment"])
    record(actor, "consultation.no_comment", round_, new={"user": actor.username})
    return participant


def _sorting_open(round_: Round) -> None:
    if round_.status == RoundStatus.CONCLUDED:
        raise ValidationError(_("征求意见已办结，不能再修改"))


@transaction.atomic
def record_symposium(
    actor,
    round_: Round,
    *,
    title: str,
    held_on: date,
    place: str,
    chair: str,
    attendees: list[dict],
    notes: str = "",
) -> Symposium:
    """A symposium and who attended (name, org, role, speaking order when they spoke)."""
    round_ = _locked(round_)
    _organiser(actor, round_)
    _sorting_open(round_)
    if not attendees:
        raise ValidationError({"attendees": _("请至少填写一名参会人员")})
    symposium = Symposium.objects.create(
        round=round_,
        title=title.strip() or _("征求意见座谈会"),
        held_on=held_on,
        place=place,
        chair=chair,
        notes=notes,
    )
    orders = set()
    for line, person in enumerate(attendees, start=1):
        name = (person.get("name") or "").strip()
        if not name:
            raise ValidationError({"attendees": _("第 %(n)d 名参会人员没有姓名") % {"n": line}})
        order = person.get("speaking_order")
        if order is not None and order in orders:
            raise ValidationError({"attendees": _("第 %(n)d 名参会人员的发言顺序与他人重复") % {"n": line}})
        orders.add(order)
        org = person.get("org")
        Attendee.objects.create(
            symposium=symposium,
            name=name,
            org=org if isinstance(org, OrgUnit) else None,
            org_name=(person.get("org_name") or (org.name if isinstance(org, OrgUnit) else "")).strip(),
            role=(person.get("role") or "").strip(),
            speaking_order=order,
        )
    record(
        actor,
        "consultation.symposium",
        symposium,
        new={"title": symposium.title, "attendees": len(attendees)},
    )
    return symposium


@transaction.atomic
def add_remark(
    actor,
    attendee: Attendee,
    text: str,
    *,
    proposed: str = "",
    clause_key: str = "",
    indicator: str = "",
    topic: Topic | None = None,
) -> Suggestion:
    """One suggestion from a speaker's remarks, tied to a clause or an indicator and a topic."""
    round_ = _locked(attendee.symposium.round)
    _organiser(actor, round_)
    _sorting_open(round_)
    suggestion = _suggestion(
        round_, text, proposed, clause_key, indicator, channel=Channel.SYMPOSIUM, attendee=attendee
    )
    if topic is not None:
        if topic.round_id != round_.pk:
            raise ValidationError({"topic": _("议题不属于本次征求意见")})
        suggestion.topic = topic
        suggestion.save(update_fields=["topic"])
    record(
        actor, "consultation.remark", suggestion, new={"number": suggestion.number, "speaker": attendee.name}
    )
    return suggestion


@transaction.atomic
def set_topic(actor, suggestion: Suggestion, topic: Topic | None) -> Suggestion:
    round_ = _locked(suggestion.round)
    _organiser(actor, round_)
    _sorting_open(round_)
    if topic is not None and topic.round_id != round_.pk:
        raise ValidationError({"topic": _("议题不属于本次征求意见")})
    old = suggestion.topic.name if suggestion.topic else ""
    suggestion.topic = topic
    suggestion.save(update_fields=["topic"])
    record(
        actor,
        "consultation.topic",
        suggestion,
        old={"topic": old},
        new={"topic": topic.name if topic else ""},
    )
    return suggestion


@transaction.atomic
def add_topic(actor, round_: Round, name: str) -> Topic:
    round_ = _locked(round_)
    _organiser(actor, round_)
    _sorting_open(round_)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写议题名称")})
    if round_.topics.filter(name=name).exists():
        raise ValidationError({"name": _("已有同名议题")})
    topic = Topic.objects.create(round=round_, name=name, position=round_.topics.count())
    record(actor, "consultation.topic.add", topic, new={"name": name})
    return topic


@transaction.atomic
def group(actor, round_: Round, suggestions: list[Suggestion], title: str) -> SuggestionGroup:
    """Confirm suggestions as one matter: they may then share one answer. A suggestion already in
    another group moves to this one."""
    round_ = _locked(round_)
    _organiser(actor, round_)
    _sorting_open(round_)
    if len(suggestions) < 2:
        raise ValidationError({"suggestions": _("归并至少需要两条意见")})
    if any(s.round_id != round_.pk for s in suggestions):
        raise ValidationError({"suggestions": _("只能归并本次征求意见中的意见")})
    first = min(suggestions, key=lambda s: s.number)
    new = SuggestionGroup.objects.create(
        round=round_, title=title.strip() or first.text[:60], created_by=actor
    )
    Suggestion.objects.filter(pk__in=[s.pk for s in suggestions]).update(group=new)
    SuggestionGroup.objects.filter(round=round_, suggestions__isnull=True).delete()  # emptied by the move
    record(actor, "consultation.group", new, new={"numbers": sorted(s.number for s in suggestions)})
    return new


@transaction.atomic
def ungroup(actor, suggestion: Suggestion) -> Suggestion:
    round_ = _locked(suggestion.round)
    _organiser(actor, round_)
    _sorting_open(round_)
    old = suggestion.group_id
    suggestion.group = None
    suggestion.save(update_fields=["group"])
    SuggestionGroup.objects.filter(round=round_, suggestions__isnull=True).delete()
    record(actor, "consultation.ungroup", suggestion, old={"group": old})
    return suggestion


def _check_answer(disposition: str, reason: str) -> str:
    if disposition not in Disposition.values or disposition == Disposition.PENDING:
        raise ValidationError({"disposition": _("请选择处理意见")})
    reason = reason.strip()
    if disposition != Disposition.ADOPTED and not reason:
        raise ValidationError({"reason": _("部分采纳、不采纳或已有规定须说明理由")})
    return reason


@transaction.atomic
def answer(actor, suggestion: Suggestion, disposition: str, reason: str, *, revision: int) -> Suggestion:
    """Record the disposition of one suggestion. `revision` is what the answering page showed: if
    someone answered in between, this answer is refused rather than overwriting theirs."""
    round_ = _locked(suggestion.round)
    _organiser(actor, round_)
    _sorting_open(round_)
    reason = _check_answer(disposition, reason)
    current = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if current.revision != revision:
        who = current.answered_by or _("他人")
        raise ValidationError(
            _("这条意见已被 %(who)s 修改为“%(disposition)s”，请刷新后再处理")
            % {"who": who, "disposition": current.get_disposition_display()}
        )
    old = {"disposition": current.disposition, "reason": current.reason}
    current.disposition, current.reason = disposition, reason
    current.answered_by, current.answered_at = actor, timezone.now()
    current.revision += 1
    current.save(update_fields=["disposition", "reason", "answered_by", "answered_at", "revision"])
    record(actor, "consultation.answer", current, old=old, new={"disposition": disposition, "reason": reason})
    return current


@transaction.atomic
def answer_group(actor, group_: SuggestionGroup, disposition: str, reason: str) -> int:
    """One answer for every suggestion of the group; each keeps its own entry in the register."""
    round_ = _locked(group_.round)
    _organiser(actor, round_)
    _sorting_open(round_)
    reason = _check_answer(disposition, reason)
    members = list(Suggestion.objects.select_for_update().filter(group=group_))
    now = timezone.now()
    for suggestion in members:
        suggestion.disposition, suggestion.reason = disposition, reason
        suggestion.answered_by, suggestion.answered_at = actor, now
        suggestion.revision += 1
        suggestion.save(update_fields=["disposition", "reason", "answered_by", "answered_at", "revision"])
    record(
        actor,
        "consultation.answer_group",
        group_,
        new={"numbers": [s.number for s in members], "disposition": disposition, "reason": reason},
    )
    return len(members)


def _later_version(round_: Round, version: DocumentVersion) -> None:
    if version.document_id != round_.draft.document_id or version.number <= round_.draft.number:
        raise ValidationError({"version": _("只能关联到征求意见稿之后的版本")})


@transaction.atomic
def link(
    actor, suggestion: Suggestion, version: DocumentVersion, *, clause_key: str = "", indicator: str = ""
) -> SuggestionLink:
    """Say which change in `version` answers the suggestion: a clause (by key) or an indicator."""
    round_ = _locked(suggestion.round)
    _organiser(actor, round_)
    _sorting_open(round_)
    _later_version(round_, version)
    if not clause_key and not indicator:
        raise ValidationError({"clause": _("请选择条款或指标")})
    # A deleted clause is answered by its absence: it must then exist in the draft it came from.
    in_either = clause_key and (
        version.clauses.filter(key=clause_key).exists()
        or round_.draft.clauses.filter(key=clause_key).exists()
    )
    if clause_key and not in_either:
        raise ValidationError({"clause": _("该版本和征求意见稿中都没有这一条款")})
    if indicator:
        codes = set()
        for scheme in (version.scheme, round_.draft.scheme):
            if scheme is not None:
                codes |= {p.node.code for p in scheme.scheme.walk()}
        if indicator not in codes:
            raise ValidationError(
                {"indicator": _("评分细则中没有编码为 %(code)s 的指标") % {"code": indicator}}
            )
    made, created = SuggestionLink.objects.get_or_create(
        suggestion=suggestion, version=version, clause_key=clause_key or None, indicator=indicator
    )
    if created:
        record(actor, "consultation.link", suggestion, new={"clause": clause_key, "indicator": indicator})
    return made


@transaction.atomic
def unlink(actor, made: SuggestionLink) -> None:
    round_ = _locked(made.suggestion.round)
    _organiser(actor, round_)
    _sorting_open(round_)
    record(
        actor,
        "consultation.unlink",
        made.suggestion,
        old={"clause": str(made.clause_key or ""), "indicator": made.indicator},
    )
    made.delete()


@transaction.atomic
def close_round(actor, round_: Round) -> Round:
    round_ = _locked(round_)
    _organiser(actor, round_)
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(_("征求意见已截止"))
    round_.status = RoundStatus.CLOSED
    round_.closed_at = timezone.now()
    round_.save(update_fields=["status", "closed_at"])
    record(actor, "consultation.round.close", round_, new={"status": round_.status})
    return round_


@transaction.atomic
def conclude(actor, round_: Round, final: DocumentVersion) -> Round:
    """Publish `final` (a later draft of the document) and close the round for good. Every
    suggestion must have been answered first: the register is what the committee reports."""
    from kaohe.consultation.package import package_digest

    round_ = _locked(round_)
    _organiser(actor, round_)
    _sorting_open(round_)
    _later_version(round_, final)
    if round_.status == RoundStatus.OPEN:
        raise ValidationError(_("请先截止征求意见，再发布正式稿"))
    pending = round_.suggestions.filter(disposition=Disposition.PENDING).count()
    if pending:
        raise ValidationError(_("还有 %(n)d 条意见未处理，不能发布正式稿") % {"n": pending})
    publish_final(actor, final)
    round_.final = final
    round_.status = RoundStatus.CONCLUDED
    round_.package_digest = package_digest(round_)
    round_.save(update_fields=["final", "status", "package_digest"])
    record(
        actor,
        "consultation.round.conclude",
        round_,
        new={"final": str(final.public_id), "package": round_.package_digest},
    )
    return round_
