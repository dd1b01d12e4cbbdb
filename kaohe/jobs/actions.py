"""Starting and running jobs. The queue row is written in the same transaction as the job, so a
job exists exactly when its work is queued (the database task backend is the outbox)."""

import logging

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation

from kaohe.audit.actions import record
from kaohe.audit.context import current_ip
from kaohe.jobs.models import Job, JobStatus
from kaohe.jobs.registry import KINDS, handler_for

log = logging.getLogger(__name__)


@transaction.atomic
def start_job(actor, kind: str, upload: UploadedFile | None = None, params: dict | None = None) -> Job:
    from kaohe.jobs.tasks import run_job

    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(
        kind=kind,
        owner=actor,
        input_name=(upload.name or "")[:255] if upload else "",
        ip=current_ip.get(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        params=params or {},
    )
    if upload is not None:
        job.input_file.save(f"{job.public_id}.bin", upload, save=False)
    job.save()
    record(actor, "job.start", job, target_repr=f"{KINDS[kind].label}: {job.input_name}")
    run_job.enqueue(job.pk)
    return job


def run_job(job_id: int) -> str:
    """Run one queued job: mark it running, do the work, store the outcome. Returns the status."""
    with transaction.atomic():
        job = Job.objects.select_for_update().select_related("owner").get(pk=job_id)
        if job.status != JobStatus.QUEUED:
            return job.status  # already taken by another worker, or re-delivered
        job.status, job.started_at = JobStatus.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    token = current_ip.set(job.ip)
    try:
        # Messages in the result are text in the starter's language, not the worker's.
        with translation.override(job.language or settings.LANGUAGE_CODE):
            ok, result = handler_for(job.kind)(job.owner, job)
        job.status = JobStatus.SUCCEEDED if ok else JobStatus.FAILED
        job.result = result
    except Exception as exc:  # a broken job must end visibly, not stay "running" forever
        log.exception("job %s crashed", job.public_id)
        job.status, job.message = JobStatus.CRASHED, f"{type(exc).__name__}: {exc}"
    finally:
        current_ip.reset(token)
    job.finished_at = timezone.now()
    if job.input_file:
        job.input_file.delete(save=False)  # uploaded personal data is not kept once read
    job.save(update_fields=["status", "result", "message", "finished_at", "input_file"])
    return job.status
