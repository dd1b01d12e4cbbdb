"""Self-assessment (自查自评): a unit scores itself item by item, explains what it did not earn, and
submits with a declaration; the organiser may return it. Scores are integer thousandths."""

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kaohe.cycles.models.evidence import Item
from kaohe.engine.points import RATE_SCALE, format_thousandths, round_fraction
from kaohe.engine.scheme import Node, Scheme

DECLARATION = _("本单位对自评分数及佐证材料的真实性、完整性负责")


class SelfStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")


class SelfAssessment(models.Model):
    """A unit's self-assessment as a whole: its state, the declaration, who submitted or returned it."""

    unit = models.OneToOneField("cycles.CycleUnit", on_delete=models.PROTECT, related_name="self_assessment")
    status = models.CharField(_("状态"), max_length=20, choices=SelfStatus.choices, default=SelfStatus.DRAFT)
    declaration_accepted = models.BooleanField(_("已承诺"), default=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_reason = models.TextField(_("退回原因"), blank=True)
    returned_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("自查自评")
        verbose_name_plural = _("自查自评")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.status}"

    @property
    def locked(self) -> bool:
        return self.status == SelfStatus.SUBMITTED


class SelfScore(models.Model):
    """The unit's own score of one scoring item, with its explanation (说明)."""

    unit = models.ForeignKey("cycles.CycleUnit", on_delete=models.PROTECT, related_name="self_scores")
    node_code = models.CharField(_("评分项"), max_length=80)
    score = models.BigIntegerField(_("自评分"))  # thousandths
    explanation = models.TextField(_("说明"), blank=True)
    updated_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("自评分")
        verbose_name_plural = _("自评分")
        ordering = ["unit", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "node_code"],
                name="self_score_unique",
                violation_error_message=_("该单位已有此项自评分"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.node_code}={self.score}"


# -- the rules on scores, as plain functions -----------------------------------------------------------


def score_problem(item: Item, score: int) -> str | None:
    """Why `score` cannot be the self-score of `item` (“党课”自评分不能超过 2 分), or None."""
    if score > item.points:
        if item.points == 0 and item.negative:
            return gettext("“%(item)s”是直接扣分项，自评分不能大于 0") % {"item": item.title}
        return gettext("“%(item)s”自评分不能超过 %(points)s 分") % {
            "item": item.title,
            "points": format_thousandths(item.points),
        }
    if score < 0 and not item.negative:
        return gettext("“%(item)s”自评分不能为负数") % {"item": item.title}
    return None


def needs_explanation(item: Item, score: int) -> bool:
    """Below full points, the unit says why (for a 直接扣分 item: any deduction)."""
    return score < item.points


@dataclass(frozen=True)
class Totals:
    basic: int  # the basic items, without the 直接扣分 sections
    bonus: int
    deductions: int  # 直接扣分 (≤ 0)
    total: int


def _is_deduction_section(node: Node) -> bool:
    return node.points == 0 and not node.floor


def roll_up(scheme: Scheme, leaf_scores: Mapping[str, int]) -> dict[str, int]:
    """Every node's score from its leaves' scores, composed as the engine composes them (a sum
    capped at the node's points and floored at 0 unless `floor` is off; weighted and product
    parts folded with one rounding). A leaf without a score counts 0."""
    scores: dict[str, int] = {}

    def visit(node: Node) -> int:
        if not node.children:
            score = leaf_scores.get(node.code, 0)
        else:
            parts = [(child, visit(child)) for child in node.children]
            if node.compose == "weighted":
                exact = sum(
                    (
                        Fraction(node.points * (c.weight or 0), RATE_SCALE) * Fraction(s, c.points)
                        for c, s in parts
                        if c.points
                    ),
                    Fraction(0),
                )
                score = round_fraction(exact)
            elif node.compose == "product":
                exact = Fraction(node.points)
                for c, s in parts:
                    exact *= Fraction(max(s, 0), c.points) if c.points else 0
                score = round_fraction(exact)
            else:
                score = min(sum(s for _, s in parts), node.points)
            if node.floor:
                score = max(score, 0)
        scores[node.code] = score
        return score

    for node in scheme.nodes:
        if (node.category or "basic") != "veto":
            visit(node)
    return scores


def totals(scheme: Scheme, leaf_scores: Mapping[str, int]) -> Totals:
    """Basic, bonus, 直接扣分 and the total, as exact sums of thousandths."""
    scores = roll_up(scheme, leaf_scores)
    basic = bonus = deductions = 0
    for node in scheme.nodes:
        category = node.category or "basic"
        if category == "bonus":
            bonus += scores[node.code]
        elif category == "basic" and _is_deduction_section(node):
            deductions += scores[node.code]
        elif category == "basic":
            basic += scores[node.code]
    return Totals(basic, bonus, deductions, basic + bonus + deductions)
