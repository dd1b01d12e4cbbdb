"""台账: the meetings, dues and 三重一大 decisions that branches and committees record, and from
which facts are derived (derive.py) and duties judged (duties.py)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaohe.ledgers.recruitment import STEP_CHOICES, step_label
from kaohe.orgs.models import MemberStatus, OrgKind, OrgUnit, Person


class MeetingKind(models.TextChoices):
    BRANCH_ASSEMBLY = "branch_assembly", _("支部党员大会")
    COMMITTEE_MEETING = "committee_meeting", _("支委会")
    GROUP_MEETING = "group_meeting", _("党小组会")
    PARTY_LECTURE = "party_lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    LIFE_MEETING = "life_meeting", _("组织生活会")
    MEMBER_REVIEW = "member_review", _("民主评议党员")
    FIRST_TOPIC = "first_topic", _("第一议题学习")


# 三会一课 and 主题党日: the meetings whose attendance is measured (ledger.attendance.rate).
ATTENDANCE_KINDS = (
    MeetingKind.BRANCH_ASSEMBLY,
    MeetingKind.COMMITTEE_MEETING,
    MeetingKind.GROUP_MEETING,
    MeetingKind.PARTY_LECTURE,
    MeetingKind.THEME_DAY,
)

_BRANCH_LEVEL = frozenset({OrgKind.BRANCH, OrgKind.GENERAL_BRANCH})
# Where each kind of meeting is held: a 支部党员大会 is a branch's (or a 党总支's) meeting, a 党小组会
# a party group's (or a branch's, for a branch without groups); 党课 and 第一议题 happen at any level.
MEETING_ORG_KINDS: dict[str, frozenset[str]] = {
    MeetingKind.BRANCH_ASSEMBLY: _BRANCH_LEVEL,
    MeetingKind.COMMITTEE_MEETING: _BRANCH_LEVEL,
    MeetingKind.GROUP_MEETING: frozenset({OrgKind.GROUP, OrgKind.BRANCH}),
    MeetingKind.PARTY_LECTURE: frozenset(OrgKind.values),
    MeetingKind.THEME_DAY: _BRANCH_LEVEL | {OrgKind.GROUP},
    MeetingKind.LIFE_MEETING: _BRANCH_LEVEL,
    MeetingKind.MEMBER_REVIEW: _BRANCH_LEVEL,
    MeetingKind.FIRST_TOPIC: frozenset(OrgKind.values),
}

# Who pays dues: full and probationary members; staff (工作人员) do not.
DUES_STATUSES = (MemberStatus.FULL, MemberStatus.PROBATIONARY)


class Meeting(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    org = models.ForeignKey(
        OrgUnit, verbose_name=_("组织"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField(_("日期"))
    title = models.CharField(_("主题"), max_length=200)
    agenda = models.TextField(_("议程"), blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    expected = models.PositiveIntegerField(_("应到人数"))
    present = models.PositiveIntegerField(_("实到人数"))
    attendees = models.ManyToManyField(
        Person, verbose_name=_("出席人员"), blank=True, related_name="meetings_attended"
    )
    # When the meeting was entered, not when it was held: late uploads are counted from it.
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("会议记录")
        verbose_name_plural = _("会议记录")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["org", "kind", "held_on"], name="meeting_org_kind_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(present__lte=F("expected")),
                name="meeting_present_within_expected",
                violation_error_message=_("实到人数不能多于应到人数"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()} {self.title}"


class DuesRecord(models.Model):
    """One member's dues for one month. Amounts in yuan with two decimals (exact)."""

    person = models.ForeignKey(Person, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="dues")
    month = models.DateField(_("月份"))  # the month's first day
    due = models.DecimalField(_("应缴金额"), max_digits=10, decimal_places=2)
    paid = models.DecimalField(_("实缴金额"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("缴纳日期"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("党费记录")
        verbose_name_plural = _("党费记录")
        ordering = ["-month", "person__name_pinyin"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "month"],
                name="dues_one_record_per_month",
                violation_error_message=_("该党员该月已有党费记录"),
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="dues_month_is_first_day",
                violation_error_message=_("月份须记为当月 1 日"),
            ),
            models.CheckConstraint(
                condition=Q(due__gte=0) & Q(paid__gte=0),
                name="dues_amounts_not_negative",
                violation_error_message=_("金额不能为负数"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.month:%Y-%m}"

    @property
    def in_full(self) -> bool:
        return self.paid >= self.due


class DecisionCategory(models.TextChoices):
    MAJOR_DECISION = "major_decision", _("重大决策")
    APPOINTMENT = "appointment", _("重要人事任免")
    PROJECT = "project", _("重大项目安排")
    FUNDS = "funds", _("大额资金运作")


# The steps of a 三重一大 decision: (field, option). The options are the scheme's checklist values
# (kaohe/engine/default_scheme.yaml, fact decision_steps), so they stay in Chinese in every language.
DECISION_STEPS = (
    ("pre_studied", "党委前置研究"),
    ("collective", "集体决策"),
    ("minuted", "会议记录"),
    ("followed_up", "执行跟踪"),
)


class Decision(models.Model):
    """A 三重一大 matter and which steps of the required procedure it went through."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    org = models.ForeignKey(
        OrgUnit, verbose_name=_("组织"), on_delete=models.PROTECT, related_name="decisions"
    )
    title = models.CharField(_("事项"), max_length=200)
    category = models.CharField(_("类别"), max_length=20, choices=DecisionCategory.choices)
    decided_on = models.DateField(_("决策日期"))
    pre_studied = models.BooleanField(_("党委前置研究"), default=False)
    collective = models.BooleanField(_("集体决策"), default=False)
    minuted = models.BooleanField(_("会议记录"), default=False)
    followed_up = models.BooleanField(_("执行跟踪"), default=False)
    notes = models.TextField(_("备注"), blank=True)
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("三重一大决策事项")
        verbose_name_plural = _("三重一大决策事项")
        ordering = ["-decided_on", "-pk"]
        indexes = [models.Index(fields=["org", "decided_on"], name="decision_org_day")]

    def __str__(self) -> str:
        return self.title

    @property
    def steps(self) -> list[str]:
        return [option for name, option in DECISION_STEPS if getattr(self, name)]


# ---- 发展党员 (recruitment) ---------------------------------------------------------------------


class RecruitmentCase(models.Model):
    """One person's way into the party, kept by the branch that develops them. The dates of its 25
    steps are RecruitmentStep rows; the rules they must keep are in recruitment.py."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    org = models.ForeignKey(
        OrgUnit, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="recruitment_cases"
    )
    candidate_name = models.CharField(_("姓名"), max_length=40)
    # Optional: an applicant is often nobody's record yet; once they are, the case points to them.
    person = models.ForeignKey(
        Person,
        verbose_name=_("对应人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recruitment_cases",
    )
    started_on = models.DateField(_("开始日期"))  # no step is dated before it
    # Not admitted, moved away, gave up: no deadline runs on after this day.
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    end_note = models.CharField(_("终止原因"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("发展党员档案")
        verbose_name_plural = _("发展党员档案")
        ordering = ["-started_on", "-pk"]
        indexes = [models.Index(fields=["org", "started_on"], name="recruitment_org_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="recruitment_ends_after_it_starts",
                violation_error_message=_("终止日期不能早于开始日期"),
            )
        ]

    def __str__(self) -> str:
        return self.candidate_name


class RecruitmentStep(models.Model):
    """The day one of the 25 steps was done for a case, with a note (a 会议记录 number, a reason)."""

    case = models.ForeignKey(RecruitmentCase, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("环节"), max_length=30, choices=STEP_CHOICES)
    done_on = models.DateField(_("完成日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("发展党员环节")
        verbose_name_plural = _("发展党员环节")
        ordering = ["case", "done_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step"],
                name="recruitment_one_date_per_step",
                violation_error_message=_("该环节已有记录"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {step_label(self.step)}"


# ---- meeting attachments ------------------------------------------------------------------------


class AttachmentQuerySet(models.QuerySet["MeetingAttachment"]):
    def live(self) -> "AttachmentQuerySet":
        return self.filter(withdrawn=False)


class AttachmentManager(models.Manager["MeetingAttachment"]):
    # The meeting page lists `meeting.attachments.live`: names and uploaders in the same query.
    def get_queryset(self) -> AttachmentQuerySet:
        return AttachmentQuerySet(self.model, using=self._db).select_related("file", "uploaded_by")

    def live(self) -> AttachmentQuerySet:
        return self.get_queryset().live()


class MeetingAttachment(models.Model):
    """A file kept with a meeting: the minutes' scan, photos, the sign-in sheet. Withdrawing hides it
    from the meeting; the stored file and the audit rows stay."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # accounts are disabled, not deleted
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    withdrawn = models.BooleanField(_("已撤回"), default=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = AttachmentManager()

    class Meta:
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.file.original_name
