"""Assessor panels (考核组) and each assessor's own values for the panel items.

An assessor's values are their own rows: two assessors never write the same row, so saving at
the same time loses nothing; the engine takes the panel's mean or trimmed mean as the scheme says.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssessorPanel(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="panels")
    name = models.CharField(_("名称"), max_length=60)
    units = models.ManyToManyField("cycles.CycleUnit", verbose_name=_("负责的单位"), related_name="panels")
    # The panel items it scores (codes); empty: every panel item of the scheme.
    nodes = models.JSONField(_("负责的评分项"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("考核组")
        verbose_name_plural = _("考核组")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "name"],
                name="panel_unique_name",
                violation_error_message=_("已有同名考核组"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class PanelMember(models.Model):
    """An assessor on a panel, with the pseudonym the results show (考核员3). A person keeps one
    pseudonym on every panel of a cycle and no two people share one: create_panel sees to it under
    the cycle's lock (a portable constraint cannot say "one label per user")."""

    panel = models.ForeignKey(AssessorPanel, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    label = models.CharField(_("代号"), max_length=20)

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "user"], name="panel_member_once"),
            models.UniqueConstraint(fields=["panel", "label"], name="panel_label_unique_on_panel"),
        ]

    def __str__(self) -> str:
        return self.label


class AssessorEntry(models.Model):
    """One assessor's value of one panel fact kind for one unit, in the engine's text form."""

    unit = models.ForeignKey("cycles.CycleUnit", on_delete=models.CASCADE, related_name="assessor_entries")
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("事实编码"), max_length=80)
    value = models.TextField(_("取值"))
    reason = models.TextField(_("评分理由"), blank=True)
    version = models.PositiveIntegerField(default=1)  # refuses a save from a stale page
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("考核员评分")
        verbose_name_plural = _("考核员评分")
        constraints = [
            models.UniqueConstraint(fields=["unit", "member", "kind"], name="assessor_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.kind}={self.value}"
