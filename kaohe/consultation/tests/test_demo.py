"""The demo consultation, built on the small demo city with this year's scheme and cycle."""

import datetime

import pytest
from django.utils import timezone

from kaohe.consultation.demo import build_consultation, next_years_scheme
from kaohe.consultation.models import Channel, Disposition, SuggestionLink
from kaohe.consultation.similarity import group_similar
from kaohe.cycles import actions as cycle_actions
from kaohe.engine.facts import Unit
from kaohe.engine.generate import random_facts
from kaohe.engine.text_form import default_scheme
from kaohe.engine.whatif import compare
from kaohe.measures.actions import add_scheme_version, publish_scheme
from kaohe.measures.models import ClauseLevel, SchemeStatus, VersionStatus
from kaohe.orgs.demo import SCALES, build_city
from kaohe.orgs.models import OrgKind, OrgUnit

CHANGED_RULES = {"organization.meetings.lecture", "deductions.criticism", "integrity.cases"}


def _this_years_cycle(today: datetime.date):
    """What build_cycles leaves for the consultation to use: this year's cycle on a published scheme."""
    root = OrgUnit.objects.get(parent=None)
    scheme = publish_scheme(None, add_scheme_version(None, root, default_scheme()))
    enterprises = OrgUnit.objects.filter(kind=OrgKind.ENTERPRISE).order_by("code")
    return cycle_actions.create_cycle(
        None,
        owner=root,
        year=today.year,
        name=f"{today.year}年度党建考核",
        scheme=scheme,
        units=[cycle_actions.UnitSpec(org, "竞争类") for org in enterprises],
    )


@pytest.fixture
def made(db):
    today = timezone.localdate()
    build_city(7, **SCALES["small"])
    _this_years_cycle(today)
    return build_consultation(7, today)


def test_it_asks_fifteen_people_and_hears_fourteen_speakers_on_the_four_topics(made):
    participants = made["round"].participants
    assert (made["participants"], made["anonymous"]) == (15, 2)
    assert participants.count() == 15 and participants.filter(anonymous=True).count() == 2
    assert made["responded"] == 10 and made["no_comment"] == 1
    waiting = participants.filter(responded_at__isnull=True)
    assert waiting.count() == 4
    assert list(participants.filter(reminders__gt=0)) == list(waiting.filter(reminders=1)) != []
    commenters = participants.filter(responded_at__isnull=False, no_comment=False)
    assert all(1 <= p.suggestions.count() <= 3 for p in commenters)
    written = made["round"].suggestions.filter(channel=Channel.WRITTEN)
    assert written.exclude(clause=None).exists() and written.exclude(indicator="").exists()
    assert written.filter(clause=None, indicator="").exists() and written.exclude(proposed="").exists()

    symposium = made["round"].symposia.get()
    assert symposium.held_on == timezone.localdate() - datetime.timedelta(days=10)
    assert symposium.place == "市国资委三楼会议室" and symposium.chair
    speakers = symposium.attendees.exclude(speaking_order=None)
    assert made["speakers"] == speakers.count() == 14
    assert all(1 <= s.suggestions.count() <= 3 for s in speakers)
    remarks = made["round"].suggestions.filter(channel=Channel.SYMPOSIUM)
    assert set(remarks.values_list("topic__name", flat=True)) == {
        "产业建设",
        "基层党建",
        "考核指标",
        "轻微违纪处理",
    }


def test_it_leaves_the_answers_half_done_and_groups_what_the_similarity_grouping_finds(made):
    suggestions = made["round"].suggestions
    pending = suggestions.filter(disposition=Disposition.PENDING).count()
    assert made["pending"] == pending and pending > 0 and made["answered"] > 0
    assert made["answered"] + pending == suggestions.count()
    assert set(suggestions.values_list("disposition", flat=True)) == set(Disposition.values)
    assert not suggestions.exclude(disposition__in=[Disposition.PENDING, Disposition.ADOPTED]).filter(
        reason=""
    )
    groups = list(made["round"].groups.all())
    answers = [set(g.suggestions.values_list("disposition", "reason")) for g in groups]
    assert len(groups) == 2 and sorted(len(a) for a in answers) == [1, 1]
    assert {d for a in answers for d, _reason in a} == {Disposition.ADOPTED, Disposition.PENDING}

    found = [set(g.ids) for g in group_similar([(str(s.pk), s.text) for s in suggestions.all()])]
    for group in groups:
        members = {str(pk) for pk in group.suggestions.values_list("pk", flat=True)}
        assert any(members <= ids for ids in found), group.title


def test_the_second_draft_of_the_six_chapter_measures_links_its_changes_to_suggestions(made):
    first, second = made["round"].draft, made["second_draft"]
    assert first.status == VersionStatus.CONSULTING
    assert first.clauses.filter(level=ClauseLevel.CHAPTER).count() == 6
    assert 25 <= first.clauses.filter(level=ClauseLevel.ARTICLE).count() <= 35
    assert first.clauses.filter(level=ClauseLevel.CLAUSE).exists()
    assert first.clauses.filter(level=ClauseLevel.ITEM).exists()
    annex = first.scheme
    assert (annex.status, annex.year, annex.owner.parent) == (
        SchemeStatus.DRAFT,
        timezone.localdate().year + 1,
        None,
    )

    assert (second.number, second.status, second.based_on) == (2, VersionStatus.DRAFT, first)
    links = SuggestionLink.objects.filter(version=second)
    assert links.count() == made["links"] > 0
    old_keys = {str(k) for k in first.clauses.values_list("key", flat=True)}
    new_keys = {str(k) for k in second.clauses.values_list("key", flat=True)}
    linked = {str(k) for k in links.exclude(clause_key=None).values_list("clause_key", flat=True)}
    assert list(links.filter(clause_key=None).values_list("indicator", flat=True)) == ["political.pre-study"]
    assert second.scheme is not None and second.scheme != first.scheme  # the revised annex
    assert linked - new_keys and linked - new_keys <= old_keys  # a deleted clause answers, by absence
    assert linked & new_keys - old_keys  # the added article and the split's second half
    old_texts = dict(first.clauses.values_list("key", "text"))
    changed = {str(c.key) for c in second.clauses.all() if old_texts.get(c.key) != c.text}
    assert changed - linked  # the change no suggestion asked for


def test_next_years_scheme_changes_three_rules_and_shifts_ranks(city):
    current = publish_scheme(None, add_scheme_version(None, city.root, default_scheme()))
    annex = next_years_scheme(current, current.year + 1)
    assert (annex.status, annex.year, annex.version) == (SchemeStatus.DRAFT, current.year + 1, 2)
    units = [Unit(f"U{n:02d}", f"企业{n}", "竞争类") for n in range(24)]
    whatif = compare(current.scheme, annex.scheme, random_facts(current.scheme, units, seed=2026), units)
    assert {c.code for c in whatif.scheme_changes} == CHANGED_RULES
    assert any(c.rank_shift for c in whatif.units)
