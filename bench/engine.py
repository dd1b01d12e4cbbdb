"""Benchmark of the scoring engine: the fast evaluator against the reference and a NumPy floor.

    uv run python bench/engine.py [--units 1000000] [--leaves 50] [--sample 2000] [--repeat 3]

Generates a valid scheme with `leaves` scoring items (every rule kind in turn, weighted and
product parts, bonus caps, vetoes, a quota, rank outcomes) and `units` units of random facts for it,
straight into arrays. Then, in one run, times

  (a) the fast evaluator end to end: checks, item scores, subtotals, totals, grades with what
      decided them, ranks in peer groups, quotas and result uses (best of --repeat, each run on
      fresh columns so that nothing worked out by an earlier run is reused; the first run is
      also given, as fast_first_s: it pays for touching fresh memory for its results);
  (b) the reference evaluator on the first `sample` units, scaled to `units` (and checks that the
      fast evaluator gives exactly the same results on that sample);
  (c) a floor: one NumPy pass that reads every fact once (a sum per column, np.add.reduceat over
      the entries of list kinds).

Prints one JSON line; peak_rss_mb is the process's peak resident memory (resource.getrusage).
"""

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kaohe.engine.fast import outcome_of, score_facts
from kaohe.engine.fast_facts import FactColumns, Ragged
from kaohe.engine.fast_generate import random_columns, synthetic_scheme
from kaohe.engine.reference import score_cycle


def floor_pass(facts: FactColumns) -> int:
    """Reads every fact once: the sum of each column, and of each unit's list entries."""
    seen = 0
    for column in facts.columns.values():
        if isinstance(column, Ragged):
            starts = column.offsets[:-1]
            nonempty = column.offsets[1:] > starts
            if column.values.size:
                seen += int(np.add.reduceat(column.values, starts[nonempty]).sum())
        elif isinstance(column, np.ndarray):
            seen += int(column.sum())
    return seen


def best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--leaves", type=int, default=50)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--panel", action="store_true", help="a fifth of the items scored by assessor panels")
    args = parser.parse_args(argv)

    scheme = synthetic_scheme(args.leaves, panel=args.panel)
    facts = random_columns(scheme, args.units, seed=args.seed)

    floor_s = best_of(args.repeat, lambda: floor_pass(facts))

    def fast() -> None:
        # Fresh columns over the same arrays: nothing worked out by an earlier run is reused.
        again = FactColumns(
            facts.kinds.values(),
            facts.columns,
            units=facts.units,
            group=facts.group,
            groups=facts.groups,
            assessors=facts.assessors,
        )
        start = time.perf_counter()
        score_facts(scheme, again)
        times.append(time.perf_counter() - start)

    times: list[float] = []
    for _ in range(args.repeat):
        fast()
    fast_s = min(times)

    sample = facts.take(np.arange(min(args.sample, args.units)))
    cycle = sample.to_cycle()
    start = time.perf_counter()
    reference = score_cycle(scheme, cycle)
    reference_s = time.perf_counter() - start
    reference_s_est = reference_s * args.units / sample.size
    if score_facts(scheme, sample).outcomes() != [outcome_of(u) for u in reference.units]:
        print("the fast evaluator disagrees with the reference on the sample", file=sys.stderr)
        return 1

    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        json.dumps(
            {
                "units": args.units,
                "leaves": args.leaves,
                "panel": args.panel,
                "fast_s": round(fast_s, 3),
                "reference_s_est": round(reference_s_est, 1),
                "floor_s": round(floor_s, 4),
                "fast_vs_reference": round(reference_s_est / fast_s, 1),
                "fast_vs_floor": round(fast_s / floor_s, 1),
                "peak_rss_mb": round(peak_rss_mb),
                "fast_first_s": round(times[0], 3),  # the first run also faults in fresh memory
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
