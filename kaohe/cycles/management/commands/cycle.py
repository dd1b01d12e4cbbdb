"""`kaohe cycle list | recompute CYCLE | export CYCLE --xlsx OUT` for administrators and scripts."""

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kaohe.cycles.actions import recompute
from kaohe.cycles.exports import results_workbook
from kaohe.cycles.models import Cycle


def find_cycle(ref: str) -> Cycle:
    """A cycle by its id, or by the first 8 or more characters of it (as `list` prints them)."""
    ref = ref.strip().lower()
    if len(ref) < 8:
        raise CommandError("give the cycle's id or at least its first 8 characters (see `kaohe cycle list`)")
    found = [c for c in Cycle.objects.select_related("owner", "scheme") if str(c.public_id).startswith(ref)]
    if not found:
        raise CommandError(f"no cycle {ref}")
    if len(found) > 1:
        raise CommandError(f"{ref} matches {len(found)} cycles; give more characters")
    return found[0]


class Command(BaseCommand):
    help = "Assessment cycles: list them, recompute one's results, export its results as xlsx."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("list", help="every cycle with its id, year, owner, phase and units")
        again = sub.add_parser("recompute", help="score every unit again (one transaction)")
        again.add_argument("cycle")
        export = sub.add_parser("export", help="write the current results as an xlsx workbook")
        export.add_argument("cycle")
        export.add_argument("--xlsx", required=True, type=Path)

    def handle(self, *args, what, **options):
        if what == "list":
            for c in Cycle.objects.select_related("owner").order_by("-year", "owner__path", "name"):
                self.stdout.write(
                    f"{c.public_id}  {c.year}  {c.owner.code:<10} {c.get_state_display():<10} "
                    f"{c.units.count():>4} units  {c.name}"
                )
            return
        cycle = find_cycle(options["cycle"])
        if what == "recompute":
            started = time.perf_counter()
            try:
                run = recompute(None, cycle)
            except ValidationError as error:
                for message in error.messages:
                    self.stderr.write(message)
                raise CommandError(
                    f"{len(error.messages)} problem(s); the results were not changed"
                ) from None
            seconds = time.perf_counter() - started
            self.stdout.write(
                f"{cycle.name}: {run.results.count()} units scored in {seconds:.3f} s (run {run.number})"
            )
        else:
            if cycle.current_run_id is None:
                raise CommandError(f"{cycle.name} has no results yet: run `kaohe cycle recompute` first")
            options["xlsx"].write_bytes(results_workbook(cycle))
            self.stdout.write(f"wrote {options['xlsx']}")
