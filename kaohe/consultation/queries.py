"""Reading consultation rounds: who may see which round, the register of suggestions as rows, what
became of each commented clause in the latest version, and the statistics of the answers.

The organiser's staff (and read-only staff of the organiser) see every round of their subtree;
an invited participant sees the round they were invited to, with the other participants' names
hidden where those asked to be anonymous. Anyone else gets a 404.
"""

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.consultation.models import Channel, Disposition, Participant, Round, RoundStatus, Suggestion
from kaohe.measures.documents import full_labels
from kaohe.measures.models import DocumentVersion
from kaohe.orgs.models import OrgUnit


def rounds_for_user(user) -> QuerySet[Round]:
    roots = scope_roots(user, Cap.VIEW_CYCLES)
    inside = OrgUnit.objects.subtree_of(*roots) if roots else OrgUnit.objects.none()
    return (
        Round.objects.filter(Q(organiser__in=inside) | Q(participants__user=user))
        .distinct()
        .select_related("draft__document", "organiser", "final")
    )


def is_organiser(user, round_: Round) -> bool:
    return has_cap(user, Cap.MANAGE_SCHEMES, round_.organiser)


def sees_all(user, round_: Round) -> bool:
    """The organiser's side (its read-only staff too): every name, every answer."""
    return has_cap(user, Cap.VIEW_CYCLES, round_.organiser)


def get_round_for_user(user, public_id, *, write: bool = False) -> Round:
    round_ = rounds_for_user(user).filter(public_id=public_id).first()
    if round_ is None:
        raise Http404("no such round")
    if write and not is_organiser(user, round_):
        raise PermissionDenied("read-only")
    return round_


def get_suggestion_for_user(user, round_: Round, public_id) -> Suggestion:
    suggestion = round_.suggestions.filter(public_id=public_id).first()
    if suggestion is None:
        raise Http404("no such suggestion")
    return suggestion


def latest_version(round_: Round) -> DocumentVersion:
    return round_.draft.document.versions.order_by("-number").first() or round_.draft


# -- the register -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    number: int
    submitter: str  # a name, or 匿名 where the register is read by others
    org: str
    org_category: str
    channel: str
    target: str  # 第三条 / 指标 B.2 党课 / 总体意见
    topic: str
    text: str
    proposed: str
    disposition: str
    reason: str
    suggestion: Suggestion


def submitter_of(suggestion: Suggestion, *, reveal: bool) -> tuple[str, str, str]:
    """(name, org, org category) of who made the suggestion; name and org hidden for an anonymous
    participant unless `reveal` (the organiser's side)."""
    if suggestion.participant_id is not None:
        participant = suggestion.participant
        assert participant is not None
        if participant.anonymous and not reveal:
            return _("匿名"), _("匿名"), participant.org.get_kind_display()
        name = str(participant.user)
        if participant.anonymous:  # the organiser knows, and is reminded not to quote the name
            name = _("%(name)s（匿名）") % {"name": name}
        return name, participant.org.name, participant.org.get_kind_display()
    attendee = suggestion.attendee
    assert attendee is not None
    category = attendee.org.get_kind_display() if attendee.org else ""
    return attendee.name, attendee.org_name, category


def target_of(suggestion: Suggestion, titles: dict[str, str], labels: dict[int, str]) -> str:
    if suggestion.clause_id is not None:
        return labels[suggestion.clause_id]
    if suggestion.indicator:
        title = titles.get(suggestion.indicator)
        if title is None:  # not in the table any more: the code is all there is
            return _("指标 %(code)s") % {"code": suggestion.indicator}
        return _("指标：%(title)s") % {"title": title}
    return _("总体意见")


def indicator_titles(round_: Round) -> dict[str, str]:
    scheme = round_.draft.scheme
    return {p.node.code: p.node.title for p in scheme.scheme.walk()} if scheme else {}


def register_rows(round_: Round, *, reveal: bool, answers: bool | None = None) -> list[RegisterRow]:
    """The suggestions as the register lists them. `reveal` names anonymous participants (the
    organiser's side). Answers show on the organiser's side, and to everyone once the round is
    concluded (until then they are working drafts), unless `answers` says otherwise."""
    titles = indicator_titles(round_)
    labels = full_labels(round_.draft)
    if answers is None:
        answers = reveal or round_.status == RoundStatus.CONCLUDED
    suggestions = round_.suggestions.select_related(
        "participant__user", "participant__org", "attendee__org", "clause", "topic"
    ).order_by("number")
    rows = []
    for s in suggestions:
        name, org, category = submitter_of(s, reveal=reveal)
        rows.append(
            RegisterRow(
                s.number,
                name,
                org,
                category,
                s.get_channel_display(),
                target_of(s, titles, labels),
                s.topic.name if s.topic else "",
                s.text,
                s.proposed,
                s.get_disposition_display() if answers else "",
                s.reason if answers else "",
                s,
            )
        )
    return rows


@dataclass(frozen=True)
class Statistics:
    total: int
    answered: int
    by_disposition: dict[str, int]  # label -> count, in the choices' order
    by_topic: list[tuple[str, int, int]]  # topic, count, adopted (采纳 + 部分采纳)
    by_target: list[tuple[str, int, int]]  # clause label or indicator, count, adopted
    by_channel: list[tuple[str, int, int]]

    @property
    def adopted(self) -> int:
        return self.by_disposition.get(str(Disposition.ADOPTED.label), 0) + self.by_disposition.get(
            str(Disposition.PARTLY.label), 0
        )

    @property
    def adoption_rate(self) -> str:
        """采纳率 (采纳 and 部分采纳 over answered, less 已有规定), as a percentage with one decimal."""
        base = self.answered - self.by_disposition.get(str(Disposition.COVERED.label), 0)
        if base <= 0:
            return "—"
        tenths = (self.adopted * 1000 * 2 + base) // (2 * base)  # rounded half up, integers only
        return f"{tenths // 10}.{tenths % 10}%"


def statistics(rows: list[RegisterRow]) -> Statistics:
    adopted_values = {Disposition.ADOPTED, Disposition.PARTLY}

    def tally(key) -> list[tuple[str, int, int]]:
        counts: Counter[str] = Counter()
        adopted: Counter[str] = Counter()
        for row in rows:
            counts[key(row)] += 1
            if row.suggestion.disposition in adopted_values:
                adopted[key(row)] += 1
        return [(name, counts[name], adopted[name]) for name in counts]

    by_disposition = {
        str(label): sum(1 for r in rows if r.suggestion.disposition == value)
        for value, label in Disposition.choices
    }
    return Statistics(
        total=len(rows),
        answered=sum(1 for r in rows if r.suggestion.disposition != Disposition.PENDING),
        by_disposition=by_disposition,
        by_topic=sorted(tally(lambda r: r.topic or _("未分类")), key=lambda t: -t[1]),
        by_target=sorted(tally(lambda r: r.target), key=lambda t: -t[1]),
        by_channel=[
            (str(label), *next(((c, a) for n, c, a in tally(lambda r: r.channel) if n == label), (0, 0)))
            for _v, label in Channel.choices
        ],
    )


def invitable_people(organiser: OrgUnit) -> list[dict]:
    """Who a round may be sent to: people holding a business role in the organiser's subtree, each
    with the organisation they would speak for (their role's), committee first then by org."""
    from kaohe.accounts.models import Role, RoleAssignment

    business = [
        Role.COMMITTEE_ADMIN,
        Role.PARTY_STAFF,
        Role.BRANCH_SECRETARY,
        Role.ASSESSOR,
        Role.DISCIPLINE_STAFF,
        Role.OBSERVER,  # a committee's department heads often hold only a read-only role
    ]
    assignments = (
        RoleAssignment.objects.filter(org__in=OrgUnit.objects.subtree_of(organiser), role__in=business)
        .select_related("user", "org")
        .order_by("org__path", "user__username")
    )
    people: dict[int, dict] = {}
    for ra in assignments:
        if ra.user_id not in people and ra.user.is_active:
            label = f"{ra.user} · {ra.org.short_name or ra.org.name} · {ra.get_role_display()}"
            people[ra.user_id] = {"user": ra.user, "org": ra.org, "label": label}
    return list(people.values())


def fate_in(version: DocumentVersion, clause, labels: dict[int, str] | None = None) -> dict:
    """What became of a draft's clause in a later version: the same key (reworded or not), the
    clauses it was split into or merged into, or gone; each with the label people cite."""
    labels = labels if labels is not None else full_labels(version)
    same = version.clauses.filter(key=clause.key).first()
    descendants = [c for c in version.clauses.all() if str(clause.key) in (c.origins or [])]
    others = [{"clause": c, "label": labels[c.pk]} for c in descendants]
    if same is not None:
        state = "same" if (same.heading, same.text) == (clause.heading, clause.text) else "reworded"
        return {"state": state, "clause": same, "label": labels[same.pk], "others": others}
    if descendants:
        return {
            "state": "merged",
            "clause": descendants[0],
            "label": labels[descendants[0].pk],
            "others": others[1:],
        }
    return {"state": "removed", "clause": None, "label": "", "others": []}


def awaiting(user) -> list:
    """The open rounds this person was asked to comment on and has not answered yet."""
    return list(
        Participant.objects.filter(
            user=user,
            responded_at__isnull=True,
            round__status=RoundStatus.OPEN,
            round__deadline__gt=timezone.now(),
        )
        .select_related("round")
        .order_by("round__deadline")
    )
