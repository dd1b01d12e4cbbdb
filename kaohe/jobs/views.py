from django.contrib.auth.decorators import login_required
from django.urls import reverse

from kaohe.htmx import render_page_or_partial
from kaohe.jobs.queries import get_job_for_user
from kaohe.jobs.registry import KINDS


@login_required
def job_detail(request, public_id):
    """The job's state while it runs (the page polls itself through htmx), then its result."""
    job = get_job_for_user(request.user, public_id)
    kind = KINDS[job.kind]
    context = {"job": job, "kind": kind, "back_url": job.params.get("back") or reverse(kind.back_url)}
    return render_page_or_partial(request, "jobs/detail.html", "jobs/partials/status.html", context)
