"""Times recomputing the demo city's cycle (24 enterprises) against a baseline measured in the same run.

    uv run python bench/cycle_recompute.py [--repeat 7]

Builds the demo city with its ledgers (two years of meetings, dues and decisions), discipline cases
and the two assessment cycles in a fresh SQLite database in a temporary data folder (or uses
DATABASE_URL's database, which must be empty). Then times, medians of --repeat:

- recompute: `kaohe.cycles.actions.recompute` of this year's cycle, everything a user waits for -
  derived facts from the records, the entered facts, the fast evaluator, writing the run;
- its parts: gathering the facts (records → facts), scoring (the engine on those facts);
- baseline: reading the cycle's current results back (one query for all units), the least a page
  showing the results does.

Prints one JSON line with the figures and their ratios to the baseline. Not a test.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("KAOHE_DATA_DIR", tempfile.mkdtemp(prefix="kaohe-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402


def median_s(fn, repeat: int) -> float:
    fn()  # warm caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from kaohe.cycles import actions
    from kaohe.cycles.demo import build_cycles
    from kaohe.cycles.facts import gather
    from kaohe.cycles.models import Cycle
    from kaohe.cycles.results import current_results
    from kaohe.engine.facts import build_cycle
    from kaohe.engine.fast import score_cycle_fast
    from kaohe.orgs.demo import build_city

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    build_city()
    made = build_cycles(2026, timezone.localdate())
    built = time.perf_counter() - t0
    cycle = made["cycles"][-1]
    scheme = cycle.scheme.scheme
    gathered = gather(cycle)

    recompute = median_s(lambda: actions.recompute(None, cycle), args.repeat)
    gathering = median_s(lambda: gather(cycle), args.repeat)
    scoring = median_s(
        lambda: score_cycle_fast(scheme, build_cycle(scheme, gathered.facts, gathered.units)).outcomes(),
        args.repeat,
    )
    baseline = median_s(lambda: current_results(Cycle.objects.get(pk=cycle.pk)), args.repeat)
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "units": len(gathered.units),
                "facts": len(gathered.facts),
                "records": {k: made[k] for k in ("meetings", "dues", "decisions", "cases")},
                "demo_build_s": round(built, 1),
                "baseline_ms": round(baseline * 1000, 2),
                "recompute_ms": round(recompute * 1000, 1),
                "gather_ms": round(gathering * 1000, 1),
                "score_ms": round(scoring * 1000, 1),
                "recompute_x": round(recompute / baseline, 1),
                "gather_x": round(gathering / baseline, 1),
                "score_x": round(scoring / baseline, 1),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
