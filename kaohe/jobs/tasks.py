from django.tasks import task

from kaohe.jobs import actions


@task()
def run_job(job_id: int) -> str:
    return actions.run_job(job_id)
