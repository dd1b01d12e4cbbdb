"""Scoring schemes (评分细则) as stored versions. A published version never changes."""

import hashlib
import uuid
from functools import cached_property, lru_cache

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaohe.engine.scheme import Scheme
from kaohe.engine.text_form import load_scheme


@lru_cache(maxsize=16)
def _parsed(digest: str, text: str) -> Scheme:
    # Keyed by content: a published version never changes, and every page of a cycle reads it.
    return load_scheme(text)


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SchemeVersion(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("制定单位"), on_delete=models.PROTECT, related_name="schemes"
    )
    code = models.CharField(_("方案编码"), max_length=80)
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    text = models.TextField(_("方案文本（YAML）"), editable=False)  # the canonical form, as dumped
    digest = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评分细则版本")
        verbose_name_plural = _("评分细则版本")
        ordering = ["-year", "code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "code", "version"],
                name="scheme_version_unique",
                violation_error_message=_("该单位已有同一编码和版本的评分细则"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"

    def save(self, *args, **kwargs) -> None:
        # A published version is what results are pinned to: its text may never change again.
        if self.pk is not None:
            stored = SchemeVersion.objects.filter(pk=self.pk).values_list("status", "digest").first()
            if stored and stored[0] == SchemeStatus.PUBLISHED and stored[1] != text_digest(self.text):
                raise ValidationError(_("已发布的评分细则不能修改"))
        self.digest = text_digest(self.text)
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == SchemeStatus.PUBLISHED

    @cached_property
    def scheme(self) -> Scheme:
        return _parsed(self.digest, self.text)


# -- measures documents (办法 / 意见): versions of numbered clauses -----------------------------------


class DocumentKind(models.TextChoices):
    MEASURES = "measures", _("办法")
    OPINION = "opinion", _("意见")
    RULES = "rules", _("细则")


class MeasuresDocument(models.Model):
    """A document as it goes through drafts: its versions carry the text."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("制定单位"), on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(_("文件名称"), max_length=200)
    kind = models.CharField(
        _("文种"), max_length=12, choices=DocumentKind.choices, default=DocumentKind.MEASURES
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("考核办法文件")
        verbose_name_plural = _("考核办法文件")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")  # the only state in which clauses change
    CONSULTING = "consulting", _("征求意见稿")  # frozen: comments point at its clauses
    FINAL = "final", _("正式发布")


class DocumentVersion(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(MeasuresDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=200)
    preamble = models.TextField(_("题注与引言"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("基于版本")
    )
    scheme = models.ForeignKey(
        SchemeVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("附件：评分细则"),
    )
    digest = models.CharField(max_length=64, blank=True, editable=False)  # of the frozen text
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    frozen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("文件版本")
        verbose_name_plural = _("文件版本")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"],
                name="document_version_unique",
                violation_error_message=_("该文件已有同一版本号"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.number}稿）"

    @property
    def editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class ClauseLevel(models.TextChoices):
    PART = "part", _("部分")
    CHAPTER = "chapter", _("章")
    SECTION = "section", _("节")
    ARTICLE = "article", _("条")
    CLAUSE = "clause", _("款")
    ITEM = "item", _("项")


class Clause(models.Model):
    """A numbered node of one version. `key` is the clause's identity across versions: it survives
    renumbering, moves and rewording; a split or merge names the keys it came from in `origins`."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="clauses")
    key = models.UUIDField(default=uuid.uuid4)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    level = models.CharField(_("层级"), max_length=10, choices=ClauseLevel.choices)
    number = models.PositiveIntegerField(_("序号"))
    position = models.PositiveIntegerField()  # order in the whole document
    heading = models.CharField(_("标题"), max_length=200, blank=True)
    text = models.TextField(_("内容"), blank=True)
    origins = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="clause_key_unique_in_version"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.heading or self.text[:20]}"

    @property
    def label(self) -> str:
        from kaohe.measures.outline import label

        return label(self.level, self.number)
