"""A consultation round on a frozen draft (征求意见稿): who was asked, what they said (in writing or
at a symposium), how each suggestion was sorted and answered, and what in the next version it
changed. Suggestions are data: each points at a clause of the draft, an indicator of its scoring
table, or the draft in general."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundStatus(models.TextChoices):
    OPEN = "open", _("征求中")
    CLOSED = "closed", _("已截止")  # no more comments; sorting and answering go on
    CONCLUDED = "concluded", _("已办结")  # the final version is published


class Round(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    draft = models.ForeignKey(
        "measures.DocumentVersion",
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name=_("征求意见稿"),
    )
    organiser = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="consultation_rounds",
        verbose_name=_("组织单位"),
    )
    title = models.CharField(_("名称"), max_length=200)
    instructions = models.TextField(_("说明"), blank=True)
    deadline = models.DateTimeField(_("截止时间"))
    closed_at = models.DateTimeField(_("实际截止时间"), null=True, blank=True)  # closed by hand, maybe early
    status = models.CharField(_("状态"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    final = models.ForeignKey(
        "measures.DocumentVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="concluded_rounds",
        verbose_name=_("正式稿"),
    )
    package_digest = models.CharField(max_length=64, blank=True)  # SHA-256 of the publication package
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    """A person asked for comments, speaking for an organisation. Anonymity hides them from the
    other participants only; the organiser always knows who said what."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="consultations")
    org = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    anonymous = models.BooleanField(_("对其他参与人匿名"), default=False)
    invited_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)  # the first comment, or "no comment"
    no_comment = models.BooleanField(_("无意见"), default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["round", "org__path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "user"],
                name="participant_once_per_round",
                violation_error_message=_("此人已在参与人名单中"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.round_id}"


class Topic(models.Model):
    """A heading the suggestions are sorted under (产业建设, 基层党建, 考核指标 ...); `words` seed the
    automatic suggestion of a topic for a new comment."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(_("议题"), max_length=60)
    words = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["round", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "name"], name="topic_name_unique_in_round")]

    def __str__(self) -> str:
        return self.name


class Symposium(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="symposia")
    title = models.CharField(_("会议名称"), max_length=200)
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=120)
    chair = models.CharField(_("主持人"), max_length=60)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "held_on", "id"]

    def __str__(self) -> str:
        return self.title


class Attendee(models.Model):
    symposium = models.ForeignKey(Symposium, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("姓名"), max_length=60)
    org = models.ForeignKey("orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    org_name = models.CharField(_("单位"), max_length=200)  # as said at the meeting, kept if the org moves
    role = models.CharField(_("职务"), max_length=80, blank=True)
    speaking_order = models.PositiveSmallIntegerField(_("发言顺序"), null=True, blank=True)

    class Meta:
        ordering = ["symposium", "speaking_order", "id"]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    WRITTEN = "written", _("书面意见")
    SYMPOSIUM = "symposium", _("座谈会")


class Disposition(models.TextChoices):
    PENDING = "", _("待处理")
    ADOPTED = "adopted", _("采纳")
    PARTLY = "partly", _("部分采纳")
    REJECTED = "rejected", _("不采纳")
    COVERED = "covered", _("已有规定")


class SuggestionGroup(models.Model):
    """Near-duplicate suggestions confirmed by a person: one shared answer, each suggestion keeping
    its own entry in the register."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="groups")
    title = models.CharField(_("归并事项"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["round", "id"]

    def __str__(self) -> str:
        return self.title


class Suggestion(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="suggestions")
    number = models.PositiveIntegerField(_("序号"))
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="suggestions"
    )
    attendee = models.ForeignKey(
        Attendee, null=True, blank=True, on_delete=models.PROTECT, related_name="suggestions"
    )
    # What it is about: a clause of the draft (kept even after the clause is gone from later
    # versions), an indicator of the draft's scoring table by its code, or neither (general).
    clause = models.ForeignKey(
        "measures.Clause", null=True, blank=True, on_delete=models.PROTECT, related_name="suggestions"
    )
    indicator = models.CharField(_("指标编码"), max_length=40, blank=True)
    text = models.TextField(_("意见建议"))
    proposed = models.TextField(_("建议修改为"), blank=True)
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )
    group = models.ForeignKey(
        SuggestionGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )
    disposition = models.CharField(
        _("处理意见"), max_length=12, choices=Disposition.choices, default=Disposition.PENDING, blank=True
    )
    reason = models.TextField(_("理由"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revision = models.PositiveIntegerField(default=0)  # a stale answer form is refused by this
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="suggestion_number_unique_in_round"),
            models.CheckConstraint(
                condition=(
                    models.Q(channel="written", participant__isnull=False, attendee__isnull=True)
                    | models.Q(channel="symposium", attendee__isnull=False, participant__isnull=True)
                ),
                name="suggestion_has_its_source",
                violation_error_message=_("书面意见须有参与人，座谈会意见须有发言人"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:30]}"


class SuggestionLink(models.Model):
    """A suggestion answered by a change in a later version: a clause (by its stable key) or an
    indicator of that version's scoring table."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="links")
    version = models.ForeignKey("measures.DocumentVersion", on_delete=models.CASCADE, related_name="+")
    clause_key = models.UUIDField(null=True, blank=True)
    indicator = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "version", "clause_key", "indicator"], name="suggestion_link_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(clause_key__isnull=False) | ~models.Q(indicator=""),
                name="suggestion_link_names_a_change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id} → {self.clause_key or self.indicator}"
