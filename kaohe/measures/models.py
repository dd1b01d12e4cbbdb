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
