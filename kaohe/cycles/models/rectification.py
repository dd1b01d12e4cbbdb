"""Rectification (整改): the problems a unit must put right after an assessment, opened by hand or
from the points it lost, each closed on its own (销号) once the organiser has checked the evidence.

An item goes open (整改中) → submitted (待验收: the unit says it is done, with evidence) → closed
(已销号: the organiser's check passed). A failed check sends it back to open with the reason. Every
change of status is an event row (who, when, why, which files), so the history can be queried.
"""

import datetime
import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def today() -> datetime.date:
    """Which items are overdue is judged against this day (a test may move it)."""
    return timezone.localdate()


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    SUBMITTED = "submitted", _("待验收")
    CLOSED = "closed", _("已销号")


# Not closed yet: the states in which an item can be overdue.
UNFINISHED = (RectificationStatus.OPEN, RectificationStatus.SUBMITTED)


class RectificationOrigin(models.TextChoices):
    AUTO = "auto", _("按失分生成")
    MANUAL = "manual", _("手工登记")


class RectificationQuerySet(models.QuerySet):
    def unfinished(self) -> "RectificationQuerySet":
        return self.filter(status__in=UNFINISHED)

    def overdue(self, day: datetime.date) -> "RectificationQuerySet":
        """Open or submitted after the deadline: `day` is later than the last day to finish."""
        return self.unfinished().filter(deadline__lt=day)

    def closed_late(self) -> "RectificationQuerySet":
        return self.filter(status=RectificationStatus.CLOSED, closed_on__gt=F("deadline"))


class RectificationItem(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(
        "cycles.CycleUnit",
        verbose_name=_("被考核单位"),
        on_delete=models.CASCADE,
        related_name="rectifications",
    )
    node = models.CharField(_("评分项"), max_length=120, blank=True)  # the scheme item's code, or ""
    problem = models.TextField(_("问题"))
    measure = models.TextField(_("整改措施"), blank=True)
    owner_name = models.CharField(_("责任人"), max_length=40, blank=True)
    owner_org = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("责任组织"), on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    origin = models.CharField(_("来源"), max_length=8, choices=RectificationOrigin.choices)
    # Thousandths the item lost in the run it was opened from (None: not tied to a scored item).
    lost_points = models.BigIntegerField(_("失分"), null=True, blank=True)
    run = models.ForeignKey(
        "cycles.ResultRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("登记人")
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改项")
        verbose_name_plural = _("整改项")
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["unit", "status"], name="rectification_unit_status"),
            models.Index(fields=["status", "deadline"], name="rectification_status_deadline"),
        ]
        constraints = [
            # Opening from lost points twice opens nothing new, even if two people click at once.
            models.UniqueConstraint(
                fields=["unit", "node"],
                condition=Q(origin="auto"),
                name="rectification_one_auto_per_item",
                violation_error_message=_("该评分项已按失分生成过整改项"),
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_on__isnull=False)
                | (~Q(status="closed") & Q(closed_on=None)),
                name="rectification_closed_on_when_closed",
                violation_error_message=_("销号的整改项须有销号日期，未销号的不能有"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.problem[:40]}"

    def overdue_on(self, day: datetime.date) -> bool:
        return self.status in UNFINISHED and day > self.deadline

    @property
    def overdue(self) -> bool:
        return self.overdue_on(today())

    @property
    def closed_late(self) -> bool:
        return self.closed_on is not None and self.closed_on > self.deadline


class RectificationEventKind(models.TextChoices):
    OPENED = "opened", _("登记整改项")
    PLANNED = "planned", _("制定整改措施")
    SUBMITTED = "submitted", _("提交整改完成")
    RETURNED = "returned", _("验收未通过，退回整改")
    CLOSED = "closed", _("验收通过，销号")


class RectificationEvent(models.Model):
    """One step of an item's history: what happened, the status before and after, who, when, why."""

    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=12, choices=RectificationEventKind.choices)
    status_from = models.CharField(
        _("原状态"), max_length=12, choices=RectificationStatus.choices, blank=True
    )
    status_to = models.CharField(_("新状态"), max_length=12, choices=RectificationStatus.choices)
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("经办人")
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.kind}"


class RectificationEvidence(models.Model):
    """A file handed in with a submission (整改佐证材料)."""

    event = models.ForeignKey(RectificationEvent, on_delete=models.CASCADE, related_name="evidence")
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("整改佐证材料")
        verbose_name_plural = _("整改佐证材料")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "file"], name="rectification_evidence_unique")
        ]

    def __str__(self) -> str:
        return str(self.file_id)
