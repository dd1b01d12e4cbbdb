"""The fact `discipline.cases`: each assessed unit's cases, as the engine's `cases` value.

A unit's cases are the active ones decided within the cycle's span whose org lies in the unit's
subtree. Each person's record is one entry; the engine itself applies 同一案件同一部门不累计, so two
people in one case are two entries here. Entries carry the case number, the department and the
outcome, never a name: assessors see them in the explanations.
"""

import json
from collections.abc import Sequence

from kaohe.cycles.derived import Derived, Span, register
from kaohe.discipline.models import ENGINE_OPTION, CaseStatus, DisciplineCase
from kaohe.orgs.models import OrgUnit, path_segment

CODE = "discipline.cases"
LEDGER = "违纪案件台账"
SEGMENT = len(path_segment(0))
SOURCE_CASES_SHOWN = 20  # the source names the cases; past this many, it counts the rest


def _common_path(paths: Sequence[str]) -> str:
    """The deepest node path that every path starts with ("" when they share no root)."""
    # The common prefix of all strings is that of the smallest and the largest.
    first, last = min(paths), max(paths)
    end = 0
    while end < len(first) and first[end : end + SEGMENT] == last[end : end + SEGMENT]:
        end += SEGMENT
    return first[:end]


def _source(span: Span, entries: list[dict[str, str]]) -> str:
    where = f"{LEDGER} {span.starts.isoformat()}—{span.ends.isoformat()}"
    cases = list(dict.fromkeys(f"{e['case']}（{e['department']}）" for e in entries))
    if not cases:
        return f"{where}：无"
    shown = "、".join(cases[:SOURCE_CASES_SHOWN])
    more = f" 等 {len(cases)} 件" if len(cases) > SOURCE_CASES_SHOWN else ""
    return f"{where}：{shown}{more}"


@register(CODE, "违纪案件台账（有效案件，按处理日期计入考核期间）")
def cases_per_unit(units: Sequence[OrgUnit], span: Span) -> dict[int, Derived]:
    """One query whatever the number of units: every case under the units' common ancestor in the
    span, each handed to the units whose subtree holds its org."""
    if not units:
        return {}
    unit_at = {unit.path: unit.pk for unit in units}
    entries: dict[int, list[dict[str, str]]] = {unit.pk: [] for unit in units}
    rows = (
        DisciplineCase.objects.filter(
            status=CaseStatus.ACTIVE,
            decided_on__gte=span.starts,
            decided_on__lte=span.ends,
            org__path__startswith=_common_path(list(unit_at)),
        )
        .order_by("decided_on", "case_number", "department", "pk")
        .values_list("org__path", "case_number", "department", "outcome")
    )
    for path, number, department, outcome in rows:
        entry = {"case": number, "department": department, "outcome": ENGINE_OPTION[outcome]}
        # The org's ancestors (and itself) are the prefixes of its path, one segment at a time.
        for end in range(SEGMENT, len(path) + 1, SEGMENT):
            pk = unit_at.get(path[:end])
            if pk is not None:
                entries[pk].append(entry)
    return {
        pk: Derived(json.dumps(found, ensure_ascii=False), _source(span, found))
        for pk, found in entries.items()
    }
