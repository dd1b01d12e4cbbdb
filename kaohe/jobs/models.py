"""Long work (imports now; exports and recomputes later) runs as a job, outside the request."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("未通过")  # the work ran and refused its input (e.g. errors in a file)
    CRASHED = "crashed", _("出错")  # the work itself broke; the message says so


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CRASHED)


class Job(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=40)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(_("状态"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    input_name = models.CharField(_("文件名"), max_length=255, blank=True)
    input_file = models.FileField(upload_to="jobs/", blank=True)
    # What the job works on besides an upload (e.g. the cycle to recompute), and "back": the page
    # the user returns to.
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    message = models.TextField(blank=True)
    # The address the job was started from: its writes are audited as coming from there.
    ip = models.GenericIPAddressField(null=True, blank=True)
    # The language of the person who started it: a worker has no request, and the result's messages
    # (e.g. the errors of an imported file) are stored as text in this language.
    language = models.CharField(_("语言"), max_length=15, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED
