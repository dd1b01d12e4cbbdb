"""Appeals (申诉) against an item's score in the review window, and their review (复核)."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AppealStatus(models.TextChoices):
    FILED = "filed", _("待复核")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("维持原评分")


class Appeal(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey("cycles.CycleUnit", on_delete=models.CASCADE, related_name="appeals")
    node = models.CharField(_("评分项"), max_length=120)  # the scheme item's code
    reason = models.TextField(_("申诉理由"))
    attachment = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("佐证材料"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    score_before = models.BigIntegerField()  # thousandths, from the run the unit appealed against
    filed_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.FILED
    )
    decision = models.TextField(_("复核意见"), blank=True)
    decided_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    score_after = models.BigIntegerField(null=True, blank=True)
    run_after = models.PositiveIntegerField(null=True, blank=True)  # the recompute that applied it

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["filed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "node"],
                condition=Q(status="filed"),
                name="appeal_one_open_per_item",
                violation_error_message=_("该评分项已有待复核的申诉"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.node}"
