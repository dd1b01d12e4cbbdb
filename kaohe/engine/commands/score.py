"""`kaohe score S.yaml FACTS.csv --out RESULTS.csv`: every unit's scores, grade, rank and uses."""

import csv
import io
import sys
from collections import Counter
from pathlib import Path
from typing import TextIO

from kaohe.engine.commands.common import guarded, parser, read_cycle
from kaohe.engine.points import format_points
from kaohe.engine.reference import score_cycle
from kaohe.engine.results import CycleResult
from kaohe.engine.scheme import Scheme
from kaohe.engine.text_form import read_scheme


def results_csv(scheme: Scheme, result: CycleResult) -> str:
    """One row per unit: totals, grade with its reasons, rank, uses, then every node's score."""
    places = list(scheme.walk())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "unit",
            "name",
            "group",
            "total",
            "basic",
            "bonus",
            *(t.code for t in scheme.uses.totals),
            "band_grade",
            "grade",
            "grade_reasons",
            "rank",
            "group_size",
            "awards_eligible",
            "pay",
            "actions",
            *(p.node.code for p in places if p.category != "veto"),
        ]
    )
    for unit in result.units:
        writer.writerow(
            [
                unit.unit.code,
                unit.unit.name,
                unit.unit.group,
                format_points(unit.total),
                format_points(unit.basic),
                format_points(unit.bonus),
                *(format_points(unit.totals[t.code]) for t in scheme.uses.totals),
                unit.band_grade,
                unit.grade,
                "；".join(step.text for step in unit.steps),
                unit.rank,
                unit.group_size,
                "是" if unit.awards_eligible else "否",
                format_points(unit.pay) if unit.pay is not None else "",
                "、".join(unit.actions),
                *(format_points(unit.nodes[p.node.code].score) for p in places if p.category != "veto"),
            ]
        )
    return out.getvalue()


def run(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    arguments = parser("kaohe score", "按评分方案对事实计分，输出各单位得分、等次、排名。", out, err)
    arguments.add_argument("scheme", help="the scheme as YAML")
    arguments.add_argument("facts", help="facts CSV: unit, kind, value, source")
    arguments.add_argument("--units", help="units CSV: unit, name, group (default: the units the facts name)")
    arguments.add_argument("--out", help="results CSV to write (default: standard output)")

    def body() -> int:
        args = arguments.parse_args(argv)
        scheme = read_scheme(args.scheme)
        cycle = read_cycle(scheme, args.facts, args.units)
        result = score_cycle(scheme, cycle)
        text = results_csv(scheme, result)
        if args.out is None:
            out.write(text)
            return 0
        # Excel opens a UTF-8 CSV with Chinese text correctly only when it starts with a BOM.
        Path(args.out).write_text(text, encoding="utf-8-sig")
        grades = Counter(u.grade for u in result.units)
        summary = "，".join(f"{g} {grades[g]}" for g in scheme.grading.grades() if grades[g])
        out.write(
            f"{len(result.units)} units scored with {scheme.code} v{scheme.version}: {summary}; {args.out}\n"
        )
        return 0

    return guarded(body, err)
