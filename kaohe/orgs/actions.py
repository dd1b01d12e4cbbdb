"""Writes to the org tree and the people in it. Each is one transaction with its audit row."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import changed, record, snapshot
from kaohe.orgs import id_numbers
from kaohe.orgs.crypto import decrypt, digest, encrypt
from kaohe.orgs.models import OrgKind, OrgUnit, Person, path_segment

ORG_FIELDS = [
    "code",
    "name",
    "short_name",
    "kind",
    "parent",
    "active_from",
    "active_to",
    "secretary",
    "sort_order",
]
PHONE = re.compile(r"1\d{10}")
PERSON_FIELDS = ["name", "org", "gender", "birth_date", "join_date", "status", "position", "left_on"]

# How deep each kind sits; a child must sit deeper than its parent (二级党委 may nest).
KIND_RANK = {
    OrgKind.COMMITTEE: 0,
    OrgKind.ENTERPRISE: 1,
    OrgKind.COMMITTEE_SUB: 2,
    OrgKind.GENERAL_BRANCH: 3,
    OrgKind.BRANCH: 4,
    OrgKind.GROUP: 5,
}


def check_parent(kind: str, parent: OrgUnit | None) -> None:
    """Raise a ValidationError naming the field when `kind` may not sit under `parent`."""
    if parent is None:
        if kind != OrgKind.COMMITTEE:
            raise ValidationError({"parent": _("只有工委可以没有上级组织")})
        return
    if kind == OrgKind.COMMITTEE:
        raise ValidationError({"kind": _("工委必须是最上级组织")})
    if kind == OrgKind.ENTERPRISE and parent.kind != OrgKind.COMMITTEE:
        raise ValidationError({"kind": _("企业党委必须直属工委")})
    nested_sub = kind == parent.kind == OrgKind.COMMITTEE_SUB
    if not nested_sub and KIND_RANK[OrgKind(kind)] <= KIND_RANK[OrgKind(parent.kind)]:
        raise ValidationError(
            {
                "kind": _("“%(child)s”不能设在“%(parent)s”之下")
                % {"child": OrgKind(kind).label, "parent": OrgKind(parent.kind).label}
            }
        )


def _require(actor, cap: str, org: OrgUnit | None) -> None:
    if actor is not None and not has_cap(actor, cap, org):
        raise PermissionDenied(_("无权在此组织下操作"))


def place(org: OrgUnit) -> None:
    """Set path, depth and enterprise from the (already saved) parent."""
    parent = org.parent
    org.path = (parent.path if parent else "") + path_segment(org.pk)
    org.depth = 0 if parent is None else parent.depth + 1
    if parent is None:
        org.enterprise = None
    elif parent.parent_id is None:
        org.enterprise = org  # a first-level unit under the committee is its own enterprise
    else:
        org.enterprise_id = parent.enterprise_id


@transaction.atomic
def create_org(
    actor,
    *,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None,
    active_from: datetime.date,
    short_name: str = "",
    secretary: str = "",
    active_to: datetime.date | None = None,
    sort_order: int = 0,
) -> OrgUnit:
    if parent is None:
        _require_root_creation(actor)
    else:
        _require(actor, Cap.EDIT_ORGS, parent)
    check_parent(kind, parent)
    if (
        parent is not None
        and parent.active_to is not None
        and (active_to is None or active_to > parent.active_to)
    ):
        raise ValidationError(
            {"parent": _("上级组织已于 %(day)s 撤销，不能在其下新建组织") % {"day": parent.active_to}}
        )
    org = OrgUnit(
        code=code.strip(),
        name=name.strip(),
        short_name=short_name,
        kind=kind,
        parent=parent,
        active_from=active_from,
        active_to=active_to,
        secretary=secretary,
        sort_order=sort_order,
    )
    org.full_clean(exclude=["path", "enterprise"])
    org.save()
    place(org)
    org.save(update_fields=["path", "depth", "enterprise"])
    record(actor, "org.create", org, new=snapshot(org, ORG_FIELDS))
    return org


def _require_root_creation(actor) -> None:
    # A new top committee is set up from the command line (actor None) only.
    if actor is not None:
        raise PermissionDenied(_("只能通过命令行创建最上级组织"))


@transaction.atomic
def update_org(actor, org: OrgUnit, **fields) -> OrgUnit:
    """Change attributes and, if `parent` changes, move the whole subtree (paths rewritten in one UPDATE)."""
    org = OrgUnit.objects.select_for_update().get(pk=org.pk)
    _require(actor, Cap.EDIT_ORGS, org)
    old = snapshot(org, ORG_FIELDS)
    unknown = set(fields) - set(ORG_FIELDS)
    if unknown:
        raise ValidationError({f: _("不能修改此字段") for f in unknown})
    if "active_to" in fields and fields["active_to"] != org.active_to:
        raise ValidationError(
            {"active_to": _("撤销组织请用“撤销”操作：其下级组织一并撤销，并可记录承继组织")}
        )
    new_parent = fields.pop("parent", org.parent)
    if new_parent is None and org.parent is not None:
        raise ValidationError({"parent": _("只有工委可以没有上级组织")})
    for name in ("code", "name"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    for name, value in fields.items():
        setattr(org, name, value)
    check_parent(org.kind, new_parent)
    if "kind" in fields:
        _check_children_fit(org)
    if new_parent != org.parent:
        _move(actor, org, new_parent)
    org.full_clean(exclude=["path", "enterprise"])
    org.save()
    before, after = changed(old, snapshot(org, ORG_FIELDS))
    if after:
        record(actor, "org.update", org, old=before, new=after)
    return org


def _check_children_fit(org: OrgUnit) -> None:
    """After a change of kind, every child must still be allowed under the node."""
    for child in OrgUnit.objects.filter(parent=org):
        try:
            check_parent(child.kind, org)
        except ValidationError:
            raise ValidationError(
                {
                    "kind": _("改为“%(kind)s”后，下级组织“%(child)s”（%(child_kind)s）不能设在其下")
                    % {
                        "kind": OrgKind(org.kind).label,
                        "child": child.name,
                        "child_kind": OrgKind(child.kind).label,
                    }
                }
            ) from None


def _move(actor, org: OrgUnit, new_parent: OrgUnit) -> None:
    if new_parent.path.startswith(org.path):
        raise ValidationError({"parent": _("不能把组织移到它自己的下级之下（会形成环）")})
    _require(actor, Cap.EDIT_ORGS, new_parent)
    if new_parent.active_to is not None and org.active_to is None:
        raise ValidationError({"parent": _("上级组织已撤销，不能移入")})
    old_path, old_depth, old_enterprise = org.path, org.depth, org.enterprise_id
    org.parent = new_parent
    place(org)
    # Descendants keep their relative position: swap the path prefix, shift the depth.
    OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=org.pk).update(
        path=Concat(Value(org.path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + (org.depth - old_depth),
    )
    if org.enterprise_id != old_enterprise:
        OrgUnit.objects.filter(path__startswith=org.path).exclude(pk=org.pk).update(
            enterprise=org.enterprise_id
        )


@transaction.atomic
def close_org(
    actor, org: OrgUnit, *, on: datetime.date, successors: tuple[OrgUnit, ...] | list[OrgUnit] = ()
) -> OrgUnit:
    """Close a node (and its open descendants) on a date; merges and splits name the successors."""
    org = OrgUnit.objects.select_for_update().get(pk=org.pk)
    _require(actor, Cap.EDIT_ORGS, org)
    if org.active_to is not None:
        raise ValidationError({"active_to": _("该组织已于 %(day)s 撤销") % {"day": org.active_to}})
    if on <= org.active_from:
        raise ValidationError({"active_to": _("撤销日期必须晚于成立日期")})
    for s in successors:
        if not s.is_active:
            raise ValidationError({"successors": _("承继组织“%(name)s”已撤销") % {"name": s.name}})
        if s.path.startswith(org.path):
            raise ValidationError(
                {"successors": _("承继组织不能是被撤销组织的下级：%(name)s") % {"name": s.name}}
            )
    open_below = OrgUnit.objects.filter(path__startswith=org.path, active_to__isnull=True, active_from__lt=on)
    closed = open_below.update(active_to=on)
    org.successors.set(successors)
    record(
        actor,
        "org.close",
        org,
        old={"active_to": None},
        new={"active_to": on, "closed_nodes": closed, "successors": [s.code for s in successors]},
    )
    org.refresh_from_db()
    return org


# ---- people ---------------------------------------------------------------------------------


def name_pinyin(name: str) -> str:
    return " ".join(lazy_pinyin(name)).lower()


@dataclass
class PersonSecrets:
    phone: str | None = None
    id_number: str | None = None


def _apply_secrets(person: Person, secrets: PersonSecrets) -> None:
    if secrets.phone is not None:
        phone = secrets.phone.strip()
        if phone and not PHONE.fullmatch(phone):
            raise ValidationError({"phone": _("手机号应为 11 位数字，以 1 开头")})
        person.phone_enc = encrypt(phone)
    if secrets.id_number is not None:
        number = secrets.id_number.strip().upper()
        if number and (problem := id_numbers.problem(number)):
            raise ValidationError({"id_number": problem})
        person.id_number_enc = encrypt(number)
        person.id_number_digest = digest(number)


def _check_org_open(org: OrgUnit) -> None:
    if org.active_to is not None:
        raise ValidationError(
            {
                "org": _("“%(name)s”已于 %(day)s 撤销，不能再加入人员")
                % {"name": org.name, "day": org.active_to}
            }
        )


def _check_id_unique(person: Person) -> None:
    if (
        person.id_number_digest
        and Person.objects.filter(id_number_digest=person.id_number_digest).exclude(pk=person.pk).exists()
    ):
        raise ValidationError({"id_number": _("身份证号已登记在另一人员名下")})


@transaction.atomic
def create_person(
    actor, *, org: OrgUnit, name: str, gender: str, phone: str = "", id_number: str = "", **fields
) -> Person:
    _require(actor, Cap.EDIT_PEOPLE, org)
    _check_org_open(org)
    person = Person(org=org, name=name.strip(), gender=gender, **fields)
    person.name_pinyin = name_pinyin(person.name)
    _apply_secrets(person, PersonSecrets(phone, id_number))
    person.full_clean(exclude=["id_number_digest"])
    _check_id_unique(person)
    person.save()
    # Personal numbers never enter the audit log in clear; a change is noted as such.
    record(actor, "person.create", person, new=snapshot(person, PERSON_FIELDS))
    return person


@transaction.atomic
def update_person(
    actor, person: Person, *, phone: str | None = None, id_number: str | None = None, **fields
) -> Person:
    person = Person.objects.select_for_update().select_related("org").get(pk=person.pk)
    _require(actor, Cap.EDIT_PEOPLE, person.org)
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({f: _("不能修改此字段") for f in unknown})
    if "org" in fields and fields["org"] != person.org:
        _require(actor, Cap.EDIT_PEOPLE, fields["org"])
        _check_org_open(fields["org"])
    old = snapshot(person, PERSON_FIELDS)
    old_secrets = (person.phone_enc, person.id_number_digest)
    for name, value in fields.items():
        setattr(person, name, value)
    person.name_pinyin = name_pinyin(person.name)
    _apply_secrets(person, PersonSecrets(phone, id_number))
    person.full_clean(exclude=["id_number_digest"])
    _check_id_unique(person)
    person.save()
    before, after = changed(old, snapshot(person, PERSON_FIELDS))
    if phone is not None and person.phone != decrypt(old_secrets[0]):
        before["phone"], after["phone"] = "***", "*** (changed)"
    if id_number is not None and person.id_number_digest != old_secrets[1]:
        before["id_number"], after["id_number"] = "***", "*** (changed)"
    if after:
        record(actor, "person.update", person, old=before, new=after)
    return person
