"""An assessment cycle: who assesses whom, by which scheme version, in which phase; its facts and
the result runs the engine produced from them."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from kaohe.engine.points import RATE_SCALE, format_rate


class CycleState(models.TextChoices):
    DRAFTING = "drafting", _("筹备")
    TARGETS = "targets", _("签订目标责任书")
    IN_PROGRESS = "in_progress", _("日常工作")
    SELF_ASSESSMENT = "self_assessment", _("自查自评")
    ASSESSMENT = "assessment", _("考核评分")
    REVIEW = "review", _("结果反馈与申诉")
    PUBLISHED = "published", _("已通报")
    CLOSED = "closed", _("已结束")


# The phases in order; a cycle moves one step forward at a time.
STATE_ORDER: list[str] = [s.value for s in CycleState]


class Cycle(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("考核单位"), on_delete=models.PROTECT, related_name="cycles"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=120)
    scheme = models.ForeignKey(
        "measures.SchemeVersion", verbose_name=_("评分细则"), on_delete=models.PROTECT, related_name="cycles"
    )
    state = models.CharField(
        _("阶段"), max_length=20, choices=CycleState.choices, default=CycleState.DRAFTING
    )
    targets_due = models.DateField(_("目标责任书签订截止"), null=True, blank=True)
    evidence_opens = models.DateField(_("佐证材料上传开始"), null=True, blank=True)
    evidence_closes = models.DateField(_("佐证材料上传截止"), null=True, blank=True)
    self_assessment_due = models.DateField(_("自评截止"), null=True, blank=True)
    assessment_due = models.DateField(_("考核评分截止"), null=True, blank=True)
    review_due = models.DateField(_("申诉截止"), null=True, blank=True)
    current_run = models.ForeignKey(
        "ResultRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    published_at = models.DateTimeField(_("通报时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("考核周期")
        verbose_name_plural = _("考核周期")
        ordering = ["-year", "owner__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "year", "name"],
                name="cycle_unique_name",
                violation_error_message=_("该单位当年已有同名考核周期"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def state_index(self) -> int:
        return STATE_ORDER.index(self.state)

    def reached(self, state: str) -> bool:
        return self.state_index >= STATE_ORDER.index(state)


class Period(models.Model):
    """A scoring period: 日常 checks (half-yearly, quarterly) and the year-end check, with weights."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="periods")
    name = models.CharField(_("名称"), max_length=40)
    starts = models.DateField(_("开始日期"))
    ends = models.DateField(_("结束日期"))
    weight = models.PositiveIntegerField(_("权重（‰）"))  # thousandths: weights of a cycle add to 1000
    # The code of the scheme's part this period scores: a child of a node composed "weighted"
    # (平时 30% / 年终 70%). Facts read only by that part are taken over this period's dates.
    # Empty for a cycle's single period, which scores the whole scheme.
    node = models.CharField(_("评分细则中的部分"), max_length=80, blank=True, default="")

    class Meta:
        verbose_name = _("考核时段")
        verbose_name_plural = _("考核时段")
        ordering = ["starts", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gte=models.F("starts")),
                name="period_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def share(self) -> str:
        """The weight as people write it: 30%, 33.3%."""
        return format_rate(self.weight * (RATE_SCALE // 1000))


class CycleUnit(models.Model):
    """An assessed unit of a cycle, with its peer group (同类排名)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="units")
    org = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("被考核单位"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.CharField(_("同类分组"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("被考核单位")
        verbose_name_plural = _("被考核单位")
        ordering = ["org__sort_order", "org__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "org"],
                name="cycle_unit_unique",
                violation_error_message=_("该单位已在本周期中"),
            )
        ]

    def __str__(self) -> str:
        return str(self.org)


class FactEntry(models.Model):
    """A fact entered or imported by hand for one unit: the value in the engine's text form."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="fact_entries")
    unit = models.ForeignKey(CycleUnit, on_delete=models.CASCADE, related_name="fact_entries")
    kind = models.CharField(_("事实编码"), max_length=80)
    value = models.TextField(_("取值"))
    source = models.CharField(_("来源"), max_length=200, blank=True)
    entered_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("事实")
        verbose_name_plural = _("事实")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind"],
                name="fact_entry_unique",
                violation_error_message=_("该单位已有此项事实"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"


class ResultRun(models.Model):
    """One computation of a cycle's results. The facts it read are kept with it, so any result
    can be recomputed and explained years later from the run alone."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="runs")
    number = models.PositiveIntegerField()
    scheme_digest = models.CharField(max_length=64)
    facts_csv = models.TextField()
    units_csv = models.TextField()
    facts_digest = models.CharField(max_length=64)
    seconds = models.DecimalField(max_digits=9, decimal_places=3)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["cycle", "number"], name="result_run_unique")]

    def __str__(self) -> str:
        return f"{self.cycle_id}#{self.number}"


class UnitResult(models.Model):
    """A unit's result in one run. Points are integer thousandths, as the engine gives them."""

    run = models.ForeignKey(ResultRun, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey(CycleUnit, on_delete=models.CASCADE, related_name="results")
    # The unit's code in the run's facts: an org renamed later is still found in the run.
    code = models.CharField(max_length=40, default="")
    total = models.BigIntegerField()
    basic = models.BigIntegerField()
    bonus = models.BigIntegerField()
    band_grade = models.CharField(max_length=20)
    grade = models.CharField(max_length=20)
    rank = models.PositiveIntegerField()
    group_size = models.PositiveIntegerField()
    awards_eligible = models.BooleanField()
    pay = models.IntegerField(null=True)  # thousandths
    scores = models.JSONField()  # node code -> thousandths, every node
    steps = models.JSONField()  # what decided the grade: [{kind, grade, text, node}]
    outcomes = models.JSONField()
    actions = models.JSONField()
    withheld = models.JSONField()

    class Meta:
        ordering = ["rank", "unit__org__code"]
        constraints = [models.UniqueConstraint(fields=["run", "unit"], name="unit_result_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.total}"


class TargetLetter(models.Model):
    """The signed target responsibility letter (目标责任书) of a unit, as uploaded back."""

    unit = models.OneToOneField(CycleUnit, on_delete=models.CASCADE, related_name="letter")
    signed_file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    signed_on = models.DateField(_("签订日期"))
    uploaded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("目标责任书")
        verbose_name_plural = _("目标责任书")

    def __str__(self) -> str:
        return f"{self.unit}: {self.signed_on}"


from kaohe.cycles.models.appeals import Appeal, AppealStatus  # noqa: E402,F401
from kaohe.cycles.models.evidence import EvidenceFile, EvidenceVerdict  # noqa: E402,F401
from kaohe.cycles.models.rectification import RectificationItem, RectificationStatus  # noqa: E402,F401
from kaohe.cycles.models.scoring import AssessorEntry, AssessorPanel, PanelMember  # noqa: E402,F401
from kaohe.cycles.models.self_assessment import SelfAssessment, SelfScore  # noqa: E402,F401
