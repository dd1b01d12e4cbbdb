"""The demo city's consultation on next year's measures: the draft 《考核办法》 with next year's
scoring table as its annex, a round with written comments, the symposium of DOMAIN.md §1, answers
in progress and a second draft whose changes are linked to the suggestions they answer.

Everything is written through the actions, as the organiser (actor None) or, for comments, as the
participant. Runs after `build_cycles`: the annex is made from this year's scheme.
"""

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kaohe.accounts import actions as account_actions
from kaohe.accounts.models import Role, User
from kaohe.audit.actions import record
from kaohe.consultation import actions
from kaohe.consultation import demo_text as text
from kaohe.consultation.models import Participant, Round, Suggestion
from kaohe.cycles.models import Cycle
from kaohe.engine import yaml_text
from kaohe.engine.text_form import load_scheme
from kaohe.measures.actions import add_scheme_version
from kaohe.measures.actions.documents import (
    add_clause,
    attach_scheme,
    create_document,
    delete_clause,
    reword_clause,
    split_clause,
    start_draft,
)
from kaohe.measures.models import DocumentKind, DocumentVersion, SchemeVersion
from kaohe.measures.outline import ARTICLE, CHAPTER, CLAUSE, ITEM, Outline, OutlineNode
from kaohe.orgs.demo import DEMO_PASSWORD, STAFF_POSITION
from kaohe.orgs.models import OrgKind, OrgUnit

PARTICIPANTS = 15
COMMITTEE_SEATS = 4  # the department heads (and the discipline staff) among the participants
ANONYMOUS = (2, 6)  # positions in the commenting order of the two who asked to stay anonymous
LATE = 3  # invited after the reminder went out, so they have not been reminded
SYMPOSIUM_DAYS_AGO = 10
OPENED_DAYS_AGO = 16
DEADLINE_DAYS = 14
ROOT_STAFF_POSITION = "党建工作处工作人员"  # as orgs.demo gives the committee's staff
SECOND_DRAFT_EDITS = 5  # reword, delete, add, split, and the reword no one asked for


# -- the document ------------------------------------------------------------------------------


def _node(level: str, entry: Any, below: str) -> OutlineNode:
    words, children = (entry, []) if isinstance(entry, str) else entry
    return OutlineNode(level, 1, "", words, [_node(below, child, ITEM) for child in children])


def draft_outline(year: int) -> Outline:
    """The first draft as an outline (numbers are set when it is stored)."""
    chapters = [
        OutlineNode(CHAPTER, 1, heading, "", [_node(ARTICLE, a, CLAUSE) for a in articles])
        for heading, articles in text.CHAPTERS
    ]
    for node in chapters[-1].walk():
        node.text = node.text.replace("{year}", str(year))
    return Outline(text.TITLE, "", chapters)


def _key(version: DocumentVersion, target: tuple[int, ...]) -> str:
    """The key of an article (by its number in the document), or of a clause or item under it."""
    clause = version.clauses.get(level=ARTICLE, number=target[0])
    for level, number in zip((CLAUSE, ITEM), target[1:], strict=False):
        clause = clause.children.get(level=level, number=number)
    return str(clause.key)


def _target(version: DocumentVersion, target: object) -> dict[str, str]:
    if target is None:
        return {}
    if isinstance(target, str):
        return {"indicator": target}
    assert isinstance(target, tuple)
    return {"clause_key": _key(version, target)}


# -- next year's scoring table -----------------------------------------------------------------


def _this_years_scheme(root: OrgUnit, today: datetime.date) -> SchemeVersion:
    cycle = Cycle.objects.filter(owner=root, year=today.year).select_related("scheme").first()
    if cycle is None:
        raise ValueError(f"no {today.year} cycle: build_consultation runs after build_cycles")
    return cycle.scheme


def _find(nodes: list[dict], code: str) -> dict:
    for node in nodes:
        if node["code"] == code:
            return node
        found = _find(node.get("children", []), code)
        if found:
            return found
    return {}


def next_years_scheme(current: SchemeVersion, year: int) -> SchemeVersion:
    """A draft of the same scheme for `year`: 党课 and 通报批评 cost 1 point each, 诫勉 0.5."""
    data = yaml_text.parse(current.text, {})  # the stored text is the canonical dump
    nodes = data["nodes"]
    _find(nodes, "organization.meetings.lecture")["rule"]["amount"] = Decimal(1)
    _find(nodes, "deductions.criticism")["rule"]["charges"][0]["amount"] = Decimal(1)
    for step in _find(nodes, "integrity.cases")["rule"]["schedule"]:
        if step["outcome"] == "诫勉":
            step["deduct"] = Decimal("0.5")
    for code, words in text.SCHEME_CHANGES.items():
        _find(nodes, code).update(words)
    last = (
        SchemeVersion.objects.filter(owner=current.owner, code=current.code)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    data["version"] = (last or 0) + 1
    data["title"] = data["title"].replace(str(data["year"]), str(year))
    data["year"] = year
    return add_scheme_version(None, current.owner, load_scheme(yaml_text.dump(data)))


PRE_STUDY = "political.pre-study"


def revised_annex(annex: SchemeVersion, code: str, material: str) -> SchemeVersion:
    """The next version of the draft table, with one more material required of an indicator."""
    data = yaml_text.parse(annex.text, {})
    node = _find(data["nodes"], code)
    node["materials"] = [*node.get("materials", []), material]
    data["version"] = annex.version + 1
    return add_scheme_version(None, annex.owner, load_scheme(yaml_text.dump(data)))


# -- the people asked --------------------------------------------------------------------------


def _account(username: str, full_name: str, org: OrgUnit, role: str, scope: OrgUnit) -> User:
    """The demo's account for a seat: one the city already has, or a new one made as build_city
    makes its accounts (same password, no change forced at first login)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_actions.create_user(
            None,
            username=username,
            full_name=full_name,
            org=org,
            password=DEMO_PASSWORD,
            must_change_password=False,
        )
        account_actions.assign_role(None, user, role, scope)
    return user


def _holder(org: OrgUnit, role: str) -> User | None:
    found = User.objects.filter(role_assignments__org=org, role_assignments__role=role).order_by("pk")
    return found.first()


def _enterprise_seats(names: list[str], count: int) -> list[tuple[User, OrgUnit]]:
    """Party-affairs staff of the enterprises; in a small city also of their subsidiaries and then
    the secretaries of branches, so that there are always `count` of them."""
    open_orgs = OrgUnit.objects.filter(active_to__isnull=True).order_by("path")
    enterprises = list(open_orgs.filter(kind=OrgKind.ENTERPRISE).order_by("code"))
    seconds = list(
        open_orgs.filter(kind__in=[OrgKind.COMMITTEE_SUB, OrgKind.GENERAL_BRANCH], depth=2).order_by("code")
    )
    branches = list(open_orgs.filter(kind=OrgKind.BRANCH).order_by("code"))
    seats = []
    for org in (enterprises + seconds + branches)[:count]:
        role = Role.BRANCH_SECRETARY if org.kind == OrgKind.BRANCH else Role.PARTY_STAFF
        user = _holder(org, role)
        if user is None:
            prefix = "secretary" if role == Role.BRANCH_SECRETARY else "staff"
            staff = org.people.filter(position=STAFF_POSITION).order_by("pk").first()
            name = org.secretary if role == Role.BRANCH_SECRETARY else (staff.name if staff else names.pop())
            username = f"{prefix}_{org.code.lower().replace('-', '_')}"
            user = _account(username, name or names.pop(), org, role, org)
        seats.append((user, org))
    return seats


def _committee_seats(root: OrgUnit, names: list[str]) -> list[tuple[User, OrgUnit]]:
    seats = [
        (_account(username, names.pop(), root, Role.OBSERVER, root), root)
        for username, _position in text.DEPARTMENT_HEADS
    ]
    discipline = _holder(root, Role.DISCIPLINE_STAFF)
    if discipline is not None:
        seats.insert(1, (discipline, root))
    return seats[:COMMITTEE_SEATS]


# -- the round ---------------------------------------------------------------------------------


def _written(round_: Round, seats: list[tuple[User, OrgUnit]]) -> dict[str, Suggestion]:
    made = {}
    for (user, _org), comments in zip(seats, text.WRITTEN, strict=False):
        for tag, target, words, proposed in comments:
            made[tag] = actions.comment(
                user, round_, words, proposed=proposed, **_target(round_.draft, target)
            )
    return made


def _symposium(round_: Round, root: OrgUnit, today: datetime.date) -> dict[str, Suggestion]:
    chair = root.people.filter(position="党委副书记").order_by("pk").first()
    orgs = {o.name: o for o in OrgUnit.objects.filter(kind=OrgKind.ENTERPRISE)}
    attendees = [
        {
            "name": name,
            "org": orgs.get(f"{org_name}党委"),
            "org_name": org_name,
            "role": role,
            "speaking_order": order,
        }
        for order, (name, org_name, role, _remarks) in enumerate(text.SPEAKERS, start=1)
    ]
    # The committee's own staff took the notes (the city's people where it has them).
    staff = list(
        root.people.filter(position=ROOT_STAFF_POSITION).order_by("pk").values_list("name", flat=True)
    )
    for index, (name, role) in enumerate(text.NOTE_TAKERS):
        attendees.append({"name": staff[index] if index < len(staff) else name, "org": root, "role": role})
    symposium = actions.record_symposium(
        None,
        round_,
        title=text.SYMPOSIUM_TITLE,
        held_on=today - datetime.timedelta(days=SYMPOSIUM_DAYS_AGO),
        place=text.SYMPOSIUM_PLACE,
        chair=f"{chair.name if chair else text.CHAIR_FALLBACK}（市国资委党委副书记）",
        attendees=attendees,
        notes=text.SYMPOSIUM_NOTES,
    )
    topics = {t.name: t for t in round_.topics.all()}
    speakers = {a.speaking_order: a for a in symposium.attendees.filter(speaking_order__isnull=False)}
    made = {}
    for order, (_name, _org, _role, remarks) in enumerate(text.SPEAKERS, start=1):
        for tag, topic, target, words in remarks:
            made[tag] = actions.add_remark(
                None, speakers[order], words, topic=topics[topic], **_target(round_.draft, target)
            )
    return made


def _answer(suggestions: dict[str, Suggestion], round_: Round) -> int:
    answered = 0
    for title, tags, shared in text.GROUPS:
        group = actions.group(None, round_, [suggestions[t] for t in tags], title)
        if shared:
            answered += actions.answer_group(None, group, *shared)
    for tag, disposition, reason in text.ANSWERS:
        current = Suggestion.objects.get(pk=suggestions[tag].pk)
        actions.answer(None, current, disposition, reason, revision=current.revision)
        answered += 1
    return answered


def _second_draft(round_: Round, suggestions: dict[str, Suggestion]) -> tuple[DocumentVersion, int, int]:
    """The second draft with its edits; returns it, the number of edits and of links made."""
    first = round_.draft
    lecture, bulletin = _key(first, (10, 1, 4)), _key(first, (30, 6))
    after_privacy, pay, interpretation = _key(first, (32,)), _key(first, (25,)), _key(first, (34,))
    draft = start_draft(None, first)
    draft = reword_clause(None, draft, lecture, "", text.LECTURE_REWORDED)
    draft = delete_clause(None, draft, bulletin)
    draft = add_clause(None, draft, ARTICLE, "", text.SELF_REPORT_ARTICLE, after=after_privacy)
    added = str(draft.clauses.get(text=text.SELF_REPORT_ARTICLE).key)
    draft = split_clause(None, draft, pay, text.PAY_ARTICLE, text.USE_ARTICLE)
    use = str(draft.clauses.get(text=text.USE_ARTICLE).key)
    # Asked for by no one: who does the interpreting, said while the text was open anyway.
    draft = reword_clause(None, draft, interpretation, "", text.INTERPRETATION_ARTICLE)
    # The annex answers too: the adopted 前置研究 suggestion names its evidence in the table.
    assert first.scheme is not None
    draft = attach_scheme(None, draft, revised_annex(first.scheme, PRE_STUDY, text.PRE_STUDY_MATERIAL))
    actions.link(None, suggestions["s-pre-study"], draft, indicator=PRE_STUDY)
    answers = {
        lecture: ["w-lecture-1", "w-lecture-2", "s-lecture"],
        bulletin: ["w-bulletin", "s-bulletin"],
        added: ["w-self-report-1", "w-self-report-2", "s-self-report"],
        pay: ["w-split-pay"],
        use: ["w-split-pay"],
    }
    links = 1
    for key, tags in answers.items():
        for tag in tags:
            actions.link(None, suggestions[tag], draft, clause_key=key)
            links += 1
    return draft, SECOND_DRAFT_EDITS, links


def build_consultation(seed: int, today: datetime.date) -> dict[str, Any]:
    """The consultation on next year's measures, in one transaction; counts of what was made."""
    with transaction.atomic():
        root = OrgUnit.objects.get(parent=None)
        names = random.Random(seed).sample(text.NAMES, len(text.NAMES))
        users_before = User.objects.count()
        annex = next_years_scheme(_this_years_scheme(root, today), today.year + 1)
        first = create_document(None, root, text.TITLE, DocumentKind.MEASURES, draft_outline(today.year + 1))
        first = attach_scheme(None, first, annex)
        deadline = timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=DEADLINE_DAYS), datetime.time(17, 30))
        )
        committee = _committee_seats(root, names)
        enterprise = _enterprise_seats(names, PARTICIPANTS - len(committee))
        # Who comments, in order: eight enterprises, then the assessment and discipline heads.
        commenters = enterprise[:8] + [s for s in committee if s[0].username in ("dept_kaohe", "jijian")]
        silent = [s for s in committee if s not in commenters][:1]  # declares no comment
        waiting = enterprise[8:9]  # sent the draft, not yet answered: reminded
        late = [s for s in enterprise[9:] + committee if s not in commenters + silent + waiting]
        anonymous = [commenters[i] for i in ANONYMOUS]
        round_ = actions.open_round(
            None,
            first,
            title=text.ROUND_TITLE,
            deadline=deadline,
            instructions=text.ROUND_INSTRUCTIONS,
            people=[(user, org, (user, org) in anonymous) for user, org in commenters + silent + waiting],
        )
        suggestions = _written(round_, commenters)
        for user, _org in silent:
            actions.declare_no_comment(user, round_)
        reminded = actions.remind(None, round_)
        actions.invite(None, round_, late[:LATE])
        suggestions |= _symposium(round_, root, today)
        answered = _answer(suggestions, round_)
        draft, edits, links = _second_draft(round_, suggestions)
        # The actions stamp everything "now"; a demo round began before its symposium, so its start
        # and its invitations are dated back (demo data only, never the product's own writes).
        opened = timezone.now() - datetime.timedelta(days=OPENED_DAYS_AGO)
        Round.objects.filter(pk=round_.pk).update(created_at=opened)
        Participant.objects.filter(round=round_).update(invited_at=opened)
        participants = Participant.objects.filter(round=round_)
        counts = {
            "participants": participants.count(),
            "anonymous": participants.filter(anonymous=True).count(),
            "responded": participants.filter(responded_at__isnull=False, no_comment=False).count(),
            "no_comment": participants.filter(no_comment=True).count(),
            "reminded": reminded,
            "written": round_.suggestions.filter(channel="written").count(),
            "speakers": round_.symposia.get().attendees.filter(speaking_order__isnull=False).count(),
            "remarks": round_.suggestions.filter(channel="symposium").count(),
            "answered": answered,
            "pending": round_.suggestions.filter(disposition="").count(),
            "groups": round_.groups.count(),
            "draft_edits": edits,
            "links": links,
            "new_users": User.objects.count() - users_before,
        }
        record(
            None,
            "demo.consultation",
            target_type="city",
            target_id=root.code,
            org_path=root.path,
            new=counts,
        )
    return {"round": round_, "second_draft": draft, "annex": annex, **counts}
