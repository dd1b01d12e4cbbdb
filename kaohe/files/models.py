"""Uploaded files (evidence, signed target letters, meeting attachments), stored by content.

A row records one upload: who, when, under what name. The bytes live once per content in a blob
named by their SHA-256 (see storage.py), so the same scan uploaded by ten branches is stored once.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_NAME_LENGTH = 200


class FileKind(models.TextChoices):
    PDF = "pdf", _("PDF")
    IMAGE = "image", _("图片")
    WORD = "word", _("Word 文档")
    EXCEL = "excel", _("Excel 表格")
    POWERPOINT = "powerpoint", _("PowerPoint 演示文稿")
    OFD = "ofd", _("OFD 版式文件")
    TEXT = "text", _("文本文件")


class StoredFile(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    # What the bytes are, as sniffed; what the browser claimed is never kept.
    content_type = models.CharField(_("内容类型"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=FileKind.choices)
    original_name = models.CharField(_("文件名"), max_length=MAX_NAME_LENGTH)
    # Null for files stored by the system itself (a job, a command).
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # evidence keeps its uploader; accounts are disabled, not deleted
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("文件")
        verbose_name_plural = _("文件")
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="files_storedfile_not_empty"),
        ]

    def __str__(self) -> str:
        return self.original_name
