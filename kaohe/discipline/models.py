"""Discipline cases (违纪案件): who was disciplined, how, and which org the case counts against.

Cases name people, so only users with MANAGE_DISCIPLINE over a case's org see them (queries.py).
What leaves this app - the facts a cycle scores, the audit log - carries the case number, the
department and the outcome, never a name.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    """The outcomes of the scheme's discipline schedule, lightest first (DOMAIN.md §4, §6)."""

    TALK_REMINDER = "talk_reminder", _("谈话提醒")
    CRITICISM = "criticism", _("批评教育")
    ADMONISHMENT = "admonishment", _("诫勉")
    WARNING = "warning", _("警告")
    SERIOUS_WARNING = "serious_warning", _("严重警告")
    REMOVAL_FROM_POST = "removal_from_post", _("撤销党内职务")
    PROBATION = "probation", _("留党察看")
    EXPULSION = "expulsion", _("开除党籍")
    JUDICIAL_REFERRAL = "judicial_referral", _("移送司法机关")


# The option names the engine reads (the scheme's `options` of fact kind discipline_cases). Fixed
# Chinese, not the translated labels: a fact must not change with the reader's language.
ENGINE_OPTION: dict[str, str] = {
    Outcome.TALK_REMINDER: "谈话提醒",
    Outcome.CRITICISM: "批评教育",
    Outcome.ADMONISHMENT: "诫勉",
    Outcome.WARNING: "警告",
    Outcome.SERIOUS_WARNING: "严重警告",
    Outcome.REMOVAL_FROM_POST: "撤销党内职务",
    Outcome.PROBATION: "留党察看",
    Outcome.EXPULSION: "开除党籍",
    Outcome.JUDICIAL_REFERRAL: "移送司法机关",
}
OUTCOME_BY_OPTION: dict[str, str] = {option: value for value, option in ENGINE_OPTION.items()}

# 监督执纪“第一种形态”: talks, criticism and admonishment, as opposed to party sanctions and referral.
FIRST_FORM = frozenset({Outcome.TALK_REMINDER, Outcome.CRITICISM, Outcome.ADMONISHMENT})


def is_first_form(outcome: str) -> bool:
    return outcome in FIRST_FORM


class CaseStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    WITHDRAWN = "withdrawn", _("已撤销")


class DisciplineCase(models.Model):
    """One person's outcome in one case handled by one department (a case may name several people)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case_number = models.CharField(_("案件编号"), max_length=40)
    department = models.CharField(
        _("处理部门"), max_length=60, help_text=_("立案或处理的部门，如 市纪委监委、企业纪委")
    )
    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("当事人"), on_delete=models.PROTECT, related_name="discipline_cases"
    )
    # The org whose score the case affects: the person's org unless the case is counted higher up.
    org = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("计入组织"), on_delete=models.PROTECT, related_name="discipline_cases"
    )
    outcome = models.CharField(_("处理结果"), max_length=20, choices=Outcome.choices)
    decided_on = models.DateField(_("处理日期"), db_index=True)
    summary = models.TextField(_("简要案情"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.ACTIVE)
    withdrawn_reason = models.TextField(_("撤销原因"), blank=True)
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("违纪案件")
        verbose_name_plural = _("违纪案件")
        ordering = ["-decided_on", "case_number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_number", "department", "person"],
                name="discipline_case_unique_per_person",
                violation_error_message=_("该当事人在此处理部门下已有同一案件编号的记录"),
            ),
            models.CheckConstraint(
                condition=models.Q(status="active") | ~models.Q(withdrawn_reason=""),
                name="discipline_case_withdrawn_has_reason",
                violation_error_message=_("撤销须填写原因"),
            ),
        ]

    def __str__(self) -> str:
        # Never the person's name: this text reaches the audit log and job results.
        return f"{self.case_number}（{self.department}）"

    @property
    def is_first_form(self) -> bool:
        return is_first_form(self.outcome)

    @property
    def is_active(self) -> bool:
        return self.status == CaseStatus.ACTIVE

    @property
    def engine_outcome(self) -> str:
        return ENGINE_OPTION[self.outcome]
