"""Importing the org and people sheets: validate the whole file, then write it in one transaction.

Nothing is written unless every row is valid; the caller gets every error at once, each naming the
Excel row and the column. Rows are upserts: orgs keyed by 编码, people by 身份证号.

Audit: org rows go through create_org / update_org, so each created or changed org gets its own
audit row (orgs number in the thousands at most), plus one "org.import" summary row. People imports
can carry a whole province, so they write one "person.import" summary row with the counts.
"""

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.audit.actions import changed as changed_fields
from kaohe.audit.actions import record_many, snapshot
from kaohe.jobs import imports
from kaohe.orgs import xlsx
from kaohe.orgs.actions import PERSON_FIELDS, check_parent, close_org, create_org, name_pinyin, update_org
from kaohe.orgs.crypto import digest, encrypt, mask_id_number
from kaohe.orgs.models import OrgKind, OrgUnit, Person
from kaohe.orgs.queries import orgs_for_user, people_for_user
from kaohe.orgs.xlsx import ORG_COLUMNS, PEOPLE_COLUMNS, OrgRow, PersonRow, RowError, Sheet

ImportResult = imports.SheetImportResult


def _in_scope(roots: list[OrgUnit], org: OrgUnit) -> bool:
    return any(org.path.startswith(r.path) for r in roots)


def _action_errors(row: int, columns: tuple[xlsx.Column, ...], exc: Exception) -> list[RowError]:
    """An action's ValidationError or PermissionDenied as row errors (fields mapped to headers)."""
    headers = {c.field: c.header for c in columns}
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [
            RowError(row, headers.get(name, ""), message)
            for name, errors in exc.message_dict.items()
            for message in errors
        ]
    messages = exc.messages if isinstance(exc, ValidationError) else [str(exc) or _("无权在此组织下操作")]
    return [RowError(row, "", m) for m in messages]


# ---- orgs --------------------------------------------------------------------------------------


def import_orgs(actor, upload) -> ImportResult:
    """Create or update the orgs in the uploaded sheet, all or nothing, within the actor's scope."""
    if not has_cap(actor, Cap.EDIT_ORGS):
        raise PermissionDenied(_("无权维护组织"))
    return _all_or_nothing(actor, *xlsx.read_orgs(upload), _import_orgs, ORG_COLUMNS)


def _all_or_nothing(actor, sheet, errors, write, columns) -> ImportResult:
    """Write a read sheet in one transaction; any row error rolls it all back and is reported."""
    if sheet is None:
        return ImportResult(errors=errors)
    return imports.all_or_nothing(
        lambda: write(actor, sheet, errors),
        lambda errors: ImportResult(errors=xlsx.sort_errors(errors, columns)),
    )


# One message whether the parent is missing or hidden: a user must not learn what other
# enterprises' codes are by trying them.
_UNKNOWN_PARENT = gettext_lazy("上级编码“%(code)s”不存在，或不在您的管理范围内，也不在本文件中")


class _OrgPlan:
    """The tree as it will be after the import: file rows over the orgs already stored."""

    def __init__(self, actor, sheet: Sheet[OrgRow], errors: list[RowError]):
        self.sheet, self.errors = sheet, errors
        self.roots = scope_roots(actor, Cap.EDIT_ORGS)
        # The whole table is small (a city's or province's party organisations); loading it once
        # makes parent look-ups, moves and cycle checks plain dictionary work.
        stored = list(OrgUnit.objects.all())
        self.stored = {o.code: o for o in stored}
        self.code_of = {o.pk: o.code for o in stored}
        self.rows = {r.code: r for r in sheet.rows if r.code and "code" not in r.bad}

    def error(self, row: OrgRow, name: str, message: str) -> None:
        self.errors.append(RowError(row.row, xlsx.column_of(ORG_COLUMNS, name), message))

    def stored_parent(self, code: str) -> str | None:
        org = self.stored[code]
        return self.code_of.get(org.parent_id) if org.parent_id else None

    def parent_of(self, code: str) -> str | None:
        """The parent's code in the final tree."""
        if code in self.rows:
            return self.rows[code].parent_code or None
        return self.stored_parent(code) if code in self.stored else None

    def kind_of(self, code: str) -> str:
        row = self.rows.get(code)
        if row is not None:
            return row.kind
        return self.stored[code].kind

    def check(self) -> None:
        for row in self.sheet.rows:
            self._check_row(row)
        self._check_children_of_changed_kinds()
        self._check_cycles()

    def _check_row(self, row: OrgRow) -> None:
        # A row whose own code is bad is still checked as far as it can be, to report everything.
        existing = self.stored.get(row.code) if "code" not in row.bad else None
        if existing is not None and not _in_scope(self.roots, existing):
            self.error(row, "code", _("编码“%(code)s”已被使用") % {"code": row.code})
            return
        if "parent" in row.bad:
            return
        parent = row.parent_code
        if parent and parent not in self.rows and parent not in self.stored:
            self.error(row, "parent", _UNKNOWN_PARENT % {"code": parent})
            return
        moved = existing is None or (parent or None) != self.stored_parent(row.code)
        if not parent and row.kind == OrgKind.COMMITTEE and existing is None:
            self.error(row, "parent", _("只能通过命令行创建最上级组织"))
            return
        if (
            moved
            and parent in self.stored
            and parent not in self.rows
            and not _in_scope(self.roots, self.stored[parent])
        ):
            self.error(row, "parent", _UNKNOWN_PARENT % {"code": parent})
            return
        if row.kind and (not parent or self.kind_of(parent)):
            try:
                check_parent(row.kind, OrgUnit(kind=self.kind_of(parent)) if parent else None)
            except ValidationError as exc:
                self.errors.extend(_action_errors(row.row, ORG_COLUMNS, exc))

    def _check_children_of_changed_kinds(self) -> None:
        """A stored child that stays put must still be allowed under its parent's new kind."""
        changed = {
            o.pk: self.rows[o.code]
            for o in self.stored.values()
            if o.code in self.rows and self.rows[o.code].kind and self.rows[o.code].kind != o.kind
        }
        if not changed:
            return
        for child in self.stored.values():
            if child.parent_id in changed and child.code not in self.rows:
                row = changed[child.parent_id]
                try:
                    check_parent(child.kind, OrgUnit(kind=row.kind))
                except ValidationError as exc:
                    for message in exc.messages:
                        self.error(
                            row,
                            "kind",
                            _("下级组织“%(code)s”：%(message)s") % {"code": child.code, "message": message},
                        )

    def _check_cycles(self) -> None:
        """Only file rows change parents, so every cycle passes through one; name its codes."""
        state: dict[str, int] = {}  # 1 on the current walk, 2 done
        for start in self.rows:
            walk: list[str] = []
            code: str | None = start
            while code is not None and code not in state:
                state[code] = 1
                walk.append(code)
                code = self.parent_of(code)
            if code is not None and state[code] == 1:
                cycle = walk[walk.index(code) :]
                text = " → ".join([*cycle, code])
                for member in cycle:
                    if member in self.rows:
                        self.error(
                            self.rows[member], "parent", _("上级关系形成环：%(cycle)s") % {"cycle": text}
                        )
            for c in walk:
                state[c] = 2

    def depth(self, code: str, memo: dict[str, int]) -> int:
        """Depth in the final tree (valid only once the tree is known to have no cycle)."""
        chain: list[str] = []
        c: str | None = code
        while c is not None and c not in memo:
            chain.append(c)
            c = self.parent_of(c)
        base = -1 if c is None else memo[c]
        for c in reversed(chain):
            base += 1
            memo[c] = base
        return memo[code]


def _import_orgs(actor, sheet: Sheet[OrgRow], errors: list[RowError]) -> ImportResult:
    plan = _OrgPlan(actor, sheet, errors)
    plan.check()
    if errors:
        raise imports.Rejected(errors)
    # Top-down in the final tree: each parent is in place before its children are created or moved
    # under it, so a move never passes through a temporary cycle.
    memo: dict[str, int] = {}
    rows = sorted(sheet.rows, key=lambda r: (plan.depth(r.code, memo), r.row))
    result = ImportResult()
    for row in rows:
        try:
            outcome = _write_org(actor, plan, row)
        except (ValidationError, PermissionDenied) as exc:
            # Validation above should make this unreachable; a concurrent change can still get here.
            raise imports.Rejected(_action_errors(row.row, ORG_COLUMNS, exc)) from exc
        result.add(outcome)
    _record_import(actor, "org.import", Cap.EDIT_ORGS, sheet, result)
    return result


def _write_org(actor, plan: _OrgPlan, row: OrgRow) -> str:
    fields = plan.sheet.fields
    # Fetched now: an earlier move in this import may have rewritten the parent's path.
    parent = OrgUnit.objects.get(code=row.parent_code) if row.parent_code else None
    existing = plan.stored.get(row.code)
    if existing is None:
        assert row.active_from is not None  # checked when read
        create_org(
            actor,
            code=row.code,
            name=row.name,
            kind=row.kind,
            parent=parent,
            active_from=row.active_from,
            short_name=row.short_name,
            secretary=row.secretary,
            active_to=row.active_to,
        )
        return "created"
    wanted: dict[str, object] = {"name": row.name, "kind": row.kind, "active_from": row.active_from}
    for name in ("short_name", "secretary", "active_to"):
        if name in fields:
            wanted[name] = getattr(row, name)
    changes = {k: v for k, v in wanted.items() if getattr(existing, k) != v}
    if (row.parent_code or None) != plan.stored_parent(row.code):
        changes["parent"] = parent
    if not changes:
        return "unchanged"
    # A closing date on an open org closes it the way the 撤销 button does, its subtree with it;
    # any other change of the date is refused by update_org, naming the column.
    closing = None
    if existing.active_to is None and row.active_to is not None and "active_to" in changes:
        del changes["active_to"]
        closing = row.active_to
    if changes:
        existing = update_org(actor, existing, **changes)
    if closing is not None:
        close_org(actor, existing, on=closing)
    return "updated"


def _record_import(actor, action: str, cap: str, sheet: Sheet, result: ImportResult) -> None:
    counts = {"rows": len(sheet.rows), **result.as_dict()}
    imports.record_import_summary(
        actor, action, cap=cap, target_type="orgs.import", file_name=sheet.file_name, counts=counts
    )


# ---- people ------------------------------------------------------------------------------------


def import_people(actor, upload) -> ImportResult:
    """Create or update the people in the uploaded sheet, all or nothing, within the actor's scope."""
    if not has_cap(actor, Cap.EDIT_PEOPLE):
        raise PermissionDenied(_("无权维护人员"))
    return _all_or_nothing(actor, *xlsx.read_people(upload), _import_people, PEOPLE_COLUMNS)


def _people_error(row: PersonRow, name: str, message: str) -> RowError:
    return RowError(row.row, xlsx.column_of(PEOPLE_COLUMNS, name), message)


def _match_people(
    actor, sheet: Sheet[PersonRow], orgs: dict[str, OrgUnit], errors: list[RowError]
) -> dict[int, Person]:
    """Row number → the stored person the row updates; rows not in the result create people."""
    editable = people_for_user(actor, Cap.EDIT_PEOPLE).select_related("org")
    roots = scope_roots(actor, Cap.EDIT_PEOPLE)
    matched: dict[int, Person] = {}

    full = {digest(r.id_number): r for r in sheet.rows if r.id_number and not r.id_masked}
    for chunk in imports.chunks(full):
        for person in Person.objects.filter(id_number_digest__in=chunk).select_related("org"):
            row = full[person.id_number_digest]
            if _in_scope(roots, person.org):
                matched[row.row] = person
            else:
                errors.append(
                    _people_error(row, "id_number", _("该身份证号已登记在您管理范围之外的人员名下"))
                )

    # A masked number (from an export) finds its person by name and the visible digits.
    masked = [r for r in sheet.rows if r.id_masked and r.name]
    candidates: dict[tuple[str, str], list[Person]] = defaultdict(list)
    for chunk in imports.chunks(r.name for r in masked):
        for person in editable.filter(name__in=chunk).exclude(id_number_digest=""):
            candidates[(person.name, mask_id_number(person.id_number))].append(person)
    for row in masked:
        found = candidates.get((row.name, row.id_number), [])
        if len(found) == 1:
            matched[row.row] = found[0]
        elif not found:
            errors.append(
                _people_error(
                    row,
                    "id_number",
                    _(
                        "身份证号是脱敏值，只能用来对应已有人员，但找不到姓名为“%(name)s”且号码相符的人员；"
                        "新增人员或修改姓名时请填写完整身份证号"
                    )
                    % {"name": row.name},
                )
            )
        else:
            errors.append(
                _people_error(
                    row,
                    "id_number",
                    _("有多名姓名为“%(name)s”且脱敏号码相同的人员，请填写完整身份证号") % {"name": row.name},
                )
            )

    # Without a number, a row is the same person as a stored one of that name in that org who has
    # none either, taken in order; so re-importing an export does not duplicate them.
    blank = [r for r in sheet.rows if not r.id_number and r.org_code in orgs and "id_number" not in r.bad]
    if blank:
        stored: dict[tuple[int, str], list[Person]] = defaultdict(list)
        for org_ids in imports.chunks(orgs[r.org_code].pk for r in blank):
            for person in editable.filter(org_id__in=org_ids, id_number_digest="").order_by("pk"):
                stored[(person.org_id, person.name)].append(person)
        for row in blank:
            queue = stored.get((orgs[row.org_code].pk, row.name))
            if queue:
                matched[row.row] = queue.pop(0)

    first_row: dict[int, int] = {}
    for row in sheet.rows:
        same = matched.get(row.row)
        if same is None:
            continue
        if same.pk in first_row:
            errors.append(
                _people_error(row, "id_number", _("与第 %(row)s 行是同一人员") % {"row": first_row[same.pk]})
            )
        else:
            first_row[same.pk] = row.row
    return matched


def _import_people(actor, sheet: Sheet[PersonRow], errors: list[RowError]) -> ImportResult:
    orgs: dict[str, OrgUnit] = {}
    for chunk in imports.chunks(r.org_code for r in sheet.rows if r.org_code):
        orgs.update((o.code, o) for o in orgs_for_user(actor, Cap.EDIT_PEOPLE).filter(code__in=chunk))
    for row in sheet.rows:
        if row.org_code and "org" not in row.bad and row.org_code not in orgs:
            errors.append(
                _people_error(
                    row, "org", _("组织编码“%(code)s”不存在或不在您的管理范围内") % {"code": row.org_code}
                )
            )
    matched = _match_people(actor, sheet, orgs, errors)
    if errors:
        raise imports.Rejected(errors)

    result = ImportResult()
    fields = sheet.fields
    new: list[Person] = []
    changed: list[Person] = []
    changes: list[tuple[Person, dict | None, dict | None]] = []  # for the audit log
    touched: set[str] = set()
    for row in sheet.rows:
        person = matched.get(row.row)
        if person is None:
            person = Person(org=orgs[row.org_code])
            _fill_person(person, row, fields, orgs)
            person.phone_enc = encrypt(row.phone or "")
            person.id_number_enc, person.id_number_digest = encrypt(row.id_number), digest(row.id_number)
            new.append(person)
            continue
        before = snapshot(person, PERSON_FIELDS)
        names = _fill_person(person, row, fields, orgs)
        old, new_values = changed_fields(before, snapshot(person, PERSON_FIELDS))
        if row.phone is not None and row.phone != person.phone:
            person.phone_enc = encrypt(row.phone)
            names.add("phone_enc")
            old["phone"], new_values["phone"] = "***", "*** (changed)"  # never in clear in the log
        if names:
            touched |= names
            changed.append(person)
            changes.append((person, old, new_values))
        else:
            result.unchanged += 1
    try:
        Person.objects.bulk_create(new, batch_size=imports.CHUNK)
        if changed:
            Person.objects.bulk_update(changed, sorted(touched), batch_size=imports.CHUNK)
    except IntegrityError as exc:
        # Rows were checked against the database above; only a concurrent change gets here.
        raise imports.Rejected(
            [RowError(None, "", _("保存时与其他人的修改冲突，未导入任何数据；请重新上传"))]
        ) from exc
    result.created, result.updated = len(new), len(changed)
    # Every person created or changed gets an entry with old and new values, as a form edit would.
    record_many(actor, "person.create", [(p, None, snapshot(p, PERSON_FIELDS)) for p in new])
    record_many(actor, "person.update", changes)
    _record_import(actor, "person.import", Cap.EDIT_PEOPLE, sheet, result)
    return result


_PERSON_FIELDS = ("name", "gender", "status", "birth_date", "join_date", "position")


def _fill_person(
    person: Person, row: PersonRow, fields: frozenset[str], orgs: dict[str, OrgUnit]
) -> set[str]:
    """Copy the row's columns onto `person`; return the model fields that changed."""
    names: set[str] = set()
    for name in _PERSON_FIELDS:
        if name in fields and getattr(person, name) != getattr(row, name):
            setattr(person, name, getattr(row, name))
            names.add(name)
    if "name" in names:
        person.name_pinyin = name_pinyin(person.name)
        names.add("name_pinyin")
    org = orgs[row.org_code]
    if person.org_id != org.pk:
        person.org = org
        names.add("org")
    return names


# ---- as background jobs (kaohe.jobs) ------------------------------------------------------------


def _job_result(result: ImportResult) -> tuple[bool, dict]:
    return result.ok, {**result.as_dict(), **imports.job_errors(result.errors)}


def run_org_import(actor, job) -> tuple[bool, dict]:
    with imports.job_upload(job) as upload:
        return _job_result(import_orgs(actor, upload))


def run_people_import(actor, job) -> tuple[bool, dict]:
    with imports.job_upload(job) as upload:
        return _job_result(import_people(actor, upload))
