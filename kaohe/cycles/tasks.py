"""Job handlers of the cycles app (run by kaohe.jobs: in the worker, or at once in tests)."""

from django.core.exceptions import ValidationError

from kaohe.cycles.actions import recompute
from kaohe.cycles.models import Cycle


def run_recompute(actor, job) -> tuple[bool, dict]:
    cycle = Cycle.objects.get(public_id=job.params["cycle"])
    try:
        run = recompute(actor, cycle)
    except ValidationError as error:
        return False, {"errors": error.messages[:200], "error_count": len(error.messages)}
    return True, {"run": run.number, "units": run.results.count(), "seconds": str(run.seconds)}
