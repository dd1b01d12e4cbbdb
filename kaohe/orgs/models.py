"""The organisation tree and the people in it.

The tree is stored as a materialised path: each node's `path` is its ancestors' ids and its own,
so a whole subtree, at any depth, is one indexed prefix query.
"""

import re
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kaohe.orgs.crypto import decrypt, mask_id_number, mask_phone
from kaohe.orgs.text import text_problem

# Codes appear in URLs (/orgs/<code>/), so they avoid the path words the app itself uses.
RESERVED_CODES = frozenset({"new", "people", "import", "export.xlsx", "template.xlsx"})


def validate_org_code(code: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", code):
        raise ValidationError(_("编码只能由字母、数字和 - _ . 组成，并以字母或数字开头"))
    if code.lower() in RESERVED_CODES:
        raise ValidationError(_("“%(code)s”是系统保留字，不能用作编码") % {"code": code})


PATH_SEGMENT = 10  # digits per id in `path`; ten billion nodes is more than a country has


def path_segment(pk: int) -> str:
    return f"{pk:0{PATH_SEGMENT}d}."


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("工委 / 国资委党委")
    ENTERPRISE = "enterprise", _("企业党委")
    COMMITTEE_SUB = "sub_committee", _("二级党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


class OrgQuerySet(models.QuerySet["OrgUnit"]):
    def subtree_of(self, *nodes: "OrgUnit") -> "OrgQuerySet":
        """Every node under any of `nodes`, the nodes included: one query whatever the depth."""
        q = Q(pk__in=[])
        for node in nodes:
            q |= Q(path__startswith=node.path)
        return self.filter(q)

    def active_on(self, day) -> "OrgQuerySet":
        return self.filter(Q(active_from__lte=day), Q(active_to__isnull=True) | Q(active_to__gt=day))

    def active(self) -> "OrgQuerySet":
        return self.active_on(timezone.localdate())


class OrgUnit(models.Model):
    code = models.CharField(_("编码"), max_length=40, unique=True, validators=[validate_org_code])
    name = models.CharField(_("名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The first-level enterprise this node belongs to (itself for an enterprise; null for the committee).
    enterprise = models.ForeignKey(
        "self",
        verbose_name=_("所属企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    active_from = models.DateField(_("成立日期"))
    active_to = models.DateField(_("撤销日期"), null=True, blank=True)
    # Merges and splits: a closed node points to the nodes that took over its work.
    successors = models.ManyToManyField(
        "self", verbose_name=_("承继组织"), symmetrical=False, blank=True, related_name="predecessors"
    )
    secretary = models.CharField(_("书记"), max_length=40, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gt=models.F("active_from")),
                name="org_closes_after_it_opens",
                violation_error_message=_("撤销日期必须晚于成立日期"),
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | Q(kind="committee"),
                name="org_only_committee_is_root",
                violation_error_message=_("只有工委可以没有上级组织"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problems: dict[str, str] = {}
        if self.active_from and self.active_from > timezone.localdate():
            # A node that opens in the future would be missing from every tree until then.
            problems["active_from"] = gettext("成立日期不能晚于今天")
        for name in ("name", "short_name", "secretary"):
            if problem := text_problem(getattr(self, name)):
                problems[name] = problem
        if problems:
            raise ValidationError(problems)

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.active_from <= today and (self.active_to is None or self.active_to > today)

    def ancestor_ids(self) -> list[int]:
        return [int(s) for s in self.path.split(".") if s][:-1]


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class MemberStatus(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")
    STAFF = "staff", _("工作人员")


MIN_JOIN_AGE = 18  # 党章: a member must be at least eighteen when joining


def person_date_problems(birth_date, join_date, today) -> dict[str, str]:
    """Field → why the dates cannot be right. Shared by forms, the API and the xlsx importer."""
    problems: dict[str, str] = {}
    if birth_date and birth_date > today:
        problems["birth_date"] = gettext("出生日期不能晚于今天")
    if join_date and join_date > today:
        problems["join_date"] = gettext("入党日期不能晚于今天")
    elif join_date and birth_date and join_date < years_after(birth_date, MIN_JOIN_AGE):
        problems["join_date"] = gettext("入党时须年满十八岁：入党日期应不早于 %(day)s") % {
            "day": years_after(birth_date, MIN_JOIN_AGE).isoformat()
        }
    return problems


def years_after(day, years: int):
    """The same day `years` later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class PersonQuerySet(models.QuerySet["Person"]):
    def search(self, q: str) -> "PersonQuerySet":
        """By name, or by pinyin typed with or without spaces ("zhang wei", "zhangwei")."""
        compact = "".join(q.lower().split())
        return self.annotate(_pinyin=Replace("name_pinyin", Value(" "), Value(""))).filter(
            Q(name__icontains=q.strip()) | Q(_pinyin__contains=compact)
        )

    def in_subtree_of(self, *nodes: OrgUnit) -> "PersonQuerySet":
        q = Q(pk__in=[])
        for node in nodes:
            q |= Q(org__path__startswith=node.path)
        return self.filter(q)


class Person(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    org = models.ForeignKey(
        OrgUnit, verbose_name=_("所在组织"), on_delete=models.PROTECT, related_name="people"
    )
    name = models.CharField(_("姓名"), max_length=40)
    # Pinyin of the name so lists sort the way Chinese users expect.
    name_pinyin = models.CharField(max_length=160, db_index=True, editable=False, default="")
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    join_date = models.DateField(_("入党日期"), null=True, blank=True)
    status = models.CharField(
        _("人员类别"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.FULL
    )
    position = models.CharField(_("职务"), max_length=60, blank=True)
    phone_enc = models.TextField(blank=True, editable=False)
    id_number_enc = models.TextField(blank=True, editable=False)
    # Keyed hash of the ID number: finds duplicates without decrypting anything.
    id_number_digest = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    left_on = models.DateField(_("离开日期"), null=True, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name_pinyin", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=~Q(id_number_digest=""),
                name="person_unique_id_number",
                violation_error_message=_("身份证号已存在"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problems = person_date_problems(self.birth_date, self.join_date, timezone.localdate())
        for name in ("name", "position"):
            if problem := text_problem(getattr(self, name)):
                problems[name] = problem
        if problems:
            raise ValidationError(problems)

    @property
    def phone(self) -> str:
        return decrypt(self.phone_enc)

    @property
    def id_number(self) -> str:
        return decrypt(self.id_number_enc)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)
