from django.http import Http404

from kaohe.jobs.models import Job


def get_job_for_user(user, public_id) -> Job:
    """A job is its owner's alone: anyone else gets 404."""
    job = Job.objects.filter(public_id=public_id, owner=user).first()
    if job is None:
        raise Http404("no such job")
    return job
