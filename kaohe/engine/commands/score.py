"""`kaohe score S.yaml FACTS.csv --out RESULTS.csv`: every unit's scores, grade, rank and uses.

Scored by the vectorised evaluator (fast.py), which agrees with the reference to the thousandth;
`kaohe explain` uses the reference, whose lines explain every point.
"""

import csv
import io
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from kaohe.engine.commands.common import guarded, parser, read_cycle
from kaohe.engine.fast import FastResult, score_cycle_fast
from kaohe.engine.points import format_points
from kaohe.engine.results import CycleResult
from kaohe.engine.scheme import Scheme
from kaohe.engine.text_form import read_scheme


def _header(scheme: Scheme) -> list[str]:
    return [
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
        *(p.node.code for p in scheme.walk() if p.category != "veto"),
    ]


def _csv_text(header: list[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def results_csv(scheme: Scheme, result: CycleResult) -> str:
    """One row per unit: totals, grade with its reasons, rank, uses, then every node's score
    (from the reference evaluator's results)."""
    places = list(scheme.walk())
    rows = []
    for unit in result.units:
        rows.append(
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
    return _csv_text(_header(scheme), rows)


def _points_texts(values: np.ndarray) -> list[str]:
    """format_points of every value, formatting each distinct value once."""
    distinct, where = np.unique(values, return_inverse=True)
    texts = np.array([format_points(int(v)) for v in distinct], dtype=object)
    return list(texts[where.reshape(-1)])


def fast_results_csv(scheme: Scheme, result: FastResult) -> str:
    """The same CSV as results_csv, from the fast evaluator's arrays."""
    n = result.facts.size
    grades = result.grade_names
    g = result.grades
    facts = result.facts
    names = facts.names if facts.names is not None else [""] * n
    groups = [facts.groups[int(i)] for i in facts.group]
    pay = _points_texts(g.pay)
    uses = {int(key): "、".join(result.uses(row)[0]) for row, key in _first_rows(g.uses).items()}
    columns: list[Sequence[Any]] = [
        list(facts.units),
        names,
        groups,
        _points_texts(result.total),
        _points_texts(result.basic),
        _points_texts(result.bonus),
        *(_points_texts(result.totals[t.code]) for t in scheme.uses.totals),
        [grades[int(i)] for i in g.band],
        [grades[int(i)] for i in g.grade],
        ["；".join(step.text for step in result.steps(row)) for row in range(n)],
        [int(v) for v in g.rank],
        [int(v) for v in g.group_size],
        ["是" if v else "否" for v in g.awards_eligible],
        [text if has else "" for text, has in zip(pay, g.has_pay, strict=True)],
        [uses[int(key)] for key in g.uses],
        *(_points_texts(result.scores[p.node.code]) for p in scheme.walk() if p.category != "veto"),
    ]
    return _csv_text(_header(scheme), zip(*columns, strict=True))


def _first_rows(keys: np.ndarray) -> dict[int, Any]:
    """The first row of each distinct key, as {row: key}."""
    _, first = np.unique(keys, return_index=True)
    return {int(row): keys[row] for row in first}


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
        started = time.perf_counter()
        scheme = read_scheme(args.scheme)
        cycle = read_cycle(scheme, args.facts, args.units)
        result = score_cycle_fast(scheme, cycle)
        text = fast_results_csv(scheme, result)
        if args.out is None:
            out.write(text)
            return 0
        # Excel opens a UTF-8 CSV with Chinese text correctly only when it starts with a BOM.
        Path(args.out).write_text(text, encoding="utf-8-sig")
        names = result.grade_names
        grades = Counter(names[int(i)] for i in result.grades.grade)
        summary = "，".join(f"{g} {grades[g]}" for g in scheme.grading.grades() if grades[g])
        seconds = time.perf_counter() - started
        out.write(
            f"{result.facts.size} units scored with {scheme.code} v{scheme.version}: {summary}; "
            f"{args.out}; {seconds:.1f} s\n"
        )
        return 0

    return guarded(body, err)
