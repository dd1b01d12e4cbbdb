"""Evidence (佐证材料): the files a unit uploads for a scoring item, and the assessors' verdicts.

Nothing is deleted: a unit withdraws an upload (it stays, marked), an assessor changes their own
verdict (the audit log keeps the earlier one). The scoring items and the status of their evidence
are computed here from the scheme, as plain functions the pages and tests share.
"""

import datetime
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaohe.engine.scheme import Node, Scheme
from kaohe.engine.validation import can_go_negative

# -- the scoring items of a scheme -----------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A scored leaf of a scheme (a 评分项), with what the evidence and self-assessment pages show."""

    code: str
    title: str
    area_code: str  # the first-level indicator (一级指标) it belongs to
    area: str
    trail: tuple[str, ...]  # titles between the area and the item (二级指标), often empty
    category: str  # basic / bonus
    points: int  # thousandths
    negative: bool  # may score below 0 (直接扣分): no lower bound, at most its points
    requirement: str
    scoring: str
    method: str  # 考核方式
    materials: tuple[str, ...]
    node: Node = field(compare=False, repr=False)

    @property
    def label(self) -> str:
        return "/".join((*self.trail, self.title)) if self.trail else self.title


def _may_go_negative(node: Node) -> bool:
    """A 直接扣分 item: its rule (or the item itself) has no floor, so it may score below 0."""
    return can_go_negative(node) or not node.floor


def scored_items(scheme: Scheme) -> list[Item]:
    """Every leaf that carries points, in table order; vetoes are conditions, not scored items."""
    items = []
    for place in scheme.walk():
        node = place.node
        if node.children or place.category == "veto" or node.veto is not None:
            continue
        area = place
        while area.parent is not None:
            area = area.parent
        items.append(
            Item(
                code=node.code,
                title=node.title,
                area_code=area.node.code,
                area=area.node.title,
                trail=place.path[1:-1],
                category=place.category,
                points=node.points,
                negative=_may_go_negative(node),
                requirement=node.requirement,
                scoring=node.scoring,
                method=node.evidence,
                materials=node.materials,
                node=node,
            )
        )
    return items


# -- the records ------------------------------------------------------------------------------------


class EvidenceFile(models.Model):
    """One uploaded file for one scoring item (and one of its required materials, or 其他材料)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(
        "cycles.CycleUnit", verbose_name=_("被考核单位"), on_delete=models.PROTECT, related_name="evidence"
    )
    node_code = models.CharField(_("评分项"), max_length=80)
    material = models.CharField(_("佐证材料"), max_length=200, blank=True)  # "" = 其他材料
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    withdrawn = models.BooleanField(_("已撤回"), default=False)
    withdrawn_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["unit", "node_code"], name="evidence_unit_node")]

    def __str__(self) -> str:
        return f"{self.node_code}: {self.material or _('其他材料')}"


class Verdict(models.TextChoices):
    PASS = "pass", _("合格")
    INSUFFICIENT = "insufficient", _("不充分")
    FAIL = "fail", _("不合格")


class EvidenceVerdict(models.Model):
    """An assessor's verdict on one file; one per assessor and file, changed in place until review."""

    evidence = models.ForeignKey(EvidenceFile, on_delete=models.PROTECT, related_name="verdicts")
    verdict = models.CharField(_("审核意见"), max_length=20, choices=Verdict.choices)
    comment = models.TextField(_("说明"), blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("考核员")
    )
    decided_at = models.DateTimeField(_("审核时间"), auto_now=True)

    class Meta:
        verbose_name = _("佐证材料审核意见")
        verbose_name_plural = _("佐证材料审核意见")
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "decided_by"],
                name="evidence_verdict_unique",
                violation_error_message=_("每位考核员对同一份材料只有一条审核意见"),
            ),
            models.CheckConstraint(
                condition=Q(verdict="pass") | ~Q(comment=""),
                name="evidence_verdict_comment",
                violation_error_message=_("认定为不充分或不合格的，须写明理由"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evidence_id}: {self.verdict}"


# -- the status of an item's evidence ---------------------------------------------------------------


class Status(models.TextChoices):
    MISSING = "missing", _("缺材料")
    UPLOADED = "uploaded", _("已上传，待审核")
    ACCEPTED = "accepted", _("审核合格")
    QUESTIONED = "questioned", _("审核有疑问")
    NOT_REQUIRED = "not_required", _("无需上传")


@dataclass(frozen=True)
class Upload:
    """A live (not withdrawn) upload as the status needs it: its material and its verdicts."""

    material: str
    verdicts: tuple[str, ...] = ()
    ref: Any = None  # the EvidenceFile, when the page shows it


def _status_of(uploads: list[Upload]) -> str:
    verdicts = [v for u in uploads for v in u.verdicts]
    if any(v != Verdict.PASS for v in verdicts):
        return Status.QUESTIONED
    if uploads and all(u.verdicts for u in uploads):
        return Status.ACCEPTED
    return Status.UPLOADED


@dataclass(frozen=True)
class MaterialState:
    name: str
    uploads: list[Upload]
    status: str

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)


@dataclass(frozen=True)
class ItemState:
    materials: list[MaterialState]  # the required ones, in the scheme's order
    others: list[Upload]  # 其他材料, and files for a material the scheme no longer names
    status: str
    complete: bool  # every required material has at least one live upload
    overdue: bool  # the upload window has closed and a required material is missing
    due: datetime.date | None  # while still missing, the last day to upload

    @property
    def required(self) -> int:
        return len(self.materials)

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def uploads(self) -> Iterator[Upload]:
        for m in self.materials:
            yield from m.uploads
        yield from self.others


def item_state(
    materials: tuple[str, ...],
    uploads: Iterable[Upload],
    *,
    closes: datetime.date | None,
    today: datetime.date,
) -> ItemState:
    """The evidence status of one item of one unit.

    missing: a required material has no upload; questioned: some verdict is 不充分 or 不合格;
    accepted: every upload has verdicts and all are 合格; uploaded: otherwise. After the window
    closes (`closes` is its last day) an item still missing a material is overdue.
    """
    by_material: dict[str, list[Upload]] = {name: [] for name in materials}
    others: list[Upload] = []
    for upload in uploads:
        by_material.get(upload.material, others).append(upload)
    states = [
        MaterialState(name, files, _status_of(files) if files else Status.MISSING)
        for name, files in by_material.items()
    ]
    complete = all(s.uploads for s in states)
    every = [u for s in states for u in s.uploads] + others
    status: str
    if not complete:
        status = Status.MISSING
    elif not every:
        status = Status.NOT_REQUIRED
    else:
        status = _status_of(every)
    closed = closes is not None and today > closes
    return ItemState(
        materials=states,
        others=others,
        status=status,
        complete=complete,
        overdue=closed and not complete,
        due=closes if not complete and not closed else None,
    )


# -- reading them back ------------------------------------------------------------------------------


def live_uploads(units) -> dict[tuple[int, str], list[Upload]]:
    """(unit id, item code) → the live uploads with their verdicts: two queries for any number of
    units (`units` may be a queryset or a list)."""
    files = EvidenceFile.objects.filter(unit__in=units, withdrawn=False)
    verdicts: dict[int, list[str]] = {}
    for evidence_id, verdict in EvidenceVerdict.objects.filter(evidence__in=files).values_list(
        "evidence_id", "verdict"
    ):
        verdicts.setdefault(evidence_id, []).append(verdict)
    out: dict[tuple[int, str], list[Upload]] = {}
    for pk, unit_id, code, material in files.values_list("pk", "unit_id", "node_code", "material"):
        out.setdefault((unit_id, code), []).append(Upload(material, tuple(verdicts.get(pk, ()))))
    return out


def evidence_states(
    items: Iterable[Item], units, *, closes: datetime.date | None, today: datetime.date
) -> dict[tuple[int, str], ItemState]:
    """(unit id, item code) → the item's evidence state, for every unit and item."""
    uploads = live_uploads(units)
    return {
        (unit.pk, item.code): item_state(
            item.materials, uploads.get((unit.pk, item.code), ()), closes=closes, today=today
        )
        for unit in units
        for item in items
    }
