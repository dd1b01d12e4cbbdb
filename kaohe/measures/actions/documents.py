"""Writes to measures documents: create one from a file or a blank page, start the next draft from a
version, edit a draft's clauses (reword, add, delete, move, split, merge), attach the scoring
table, freeze a draft for consultation, publish the final version (which publishes its table).

A draft's clauses are rewritten whole after each edit (a document has a few hundred at most): the
edit is made on the outline, numbers are recomputed, and the rows replaced. Keys carry identity, so
nothing outside the draft points at its rows.
"""

import uuid
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import record
from kaohe.measures.actions import publish_scheme
from kaohe.measures.documents import content_digest, numbered, outline_of
from kaohe.measures.models import (
    Clause,
    DocumentKind,
    DocumentVersion,
    MeasuresDocument,
    SchemeVersion,
    VersionStatus,
)
from kaohe.measures.outline import HEADED, RANK, Outline, OutlineNode
from kaohe.orgs.models import OrgUnit


def _require(actor, owner: OrgUnit) -> None:
    if actor is not None and not has_cap(actor, Cap.MANAGE_SCHEMES, owner):
        raise PermissionDenied(_("无权维护该单位的考核办法"))


def _check_levels(outline: Outline) -> None:
    def walk(nodes: list[OutlineNode], rank: int, where: str) -> None:
        for node in nodes:
            if RANK[node.level] <= rank:
                raise ValidationError(
                    _("%(where)s下不能有“%(label)s”这一层级") % {"where": where, "label": node.label}
                )
            walk(node.children, RANK[node.level], node.label)

    walk(outline.nodes, -1, _("文件"))


def _store(version: DocumentVersion, outline: Outline) -> None:
    """Replace the version's clauses with the outline's nodes (numbered, keys kept or given)."""
    _check_levels(outline)
    numbered(outline)
    version.clauses.all().delete()
    position = 0
    layer: list[tuple[OutlineNode, Clause | None]] = [(node, None) for node in outline.nodes]
    while layer:  # parents are saved a layer before their children, so their ids exist
        rows = []
        for node, parent in layer:
            position += 1
            node.key = node.key or str(uuid.uuid4())
            rows.append(
                Clause(
                    version=version,
                    key=node.key,
                    parent=parent,
                    level=node.level,
                    number=node.number,
                    position=0,
                    heading=node.heading,
                    text=node.text,
                    origins=list(node.origins),
                )
            )
        saved = Clause.objects.bulk_create(rows)
        layer = [(child, row) for (node, _), row in zip(layer, saved, strict=True) for child in node.children]
    # Positions in document order (preorder), written once all rows exist.
    by_key = {str(c.key): c for c in version.clauses.all()}
    for index, node in enumerate(outline.walk(), start=1):
        by_key[node.key].position = index
    Clause.objects.bulk_update(by_key.values(), ["position"])
    version.title = outline.title
    version.preamble = outline.preamble
    version.save(update_fields=["title", "preamble"])


@transaction.atomic
def create_document(actor, owner: OrgUnit, title: str, kind: str, outline: Outline) -> DocumentVersion:
    """A new document with its first draft (version 1) holding `outline`."""
    _require(actor, owner)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("未知文种")})
    document = MeasuresDocument.objects.create(owner=owner, title=title, kind=kind, created_by=actor)
    version = DocumentVersion.objects.create(
        document=document, number=1, title=outline.title or title, created_by=actor
    )
    outline.title = outline.title or title
    _store(version, outline)
    record(
        actor, "measures.document.create", document, new={"title": title, "clauses": version.clauses.count()}
    )
    return version


def _next_number(document: MeasuresDocument) -> int:
    last = document.versions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def start_draft(actor, base: DocumentVersion, outline: Outline | None = None) -> DocumentVersion:
    """The next draft of the document: a copy of `base` (same keys), or `outline` read from a file
    whose clauses are matched to `base`'s so that their keys carry over."""
    document = MeasuresDocument.objects.select_for_update().get(pk=base.document_id)
    _require(actor, document.owner)
    if document.versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError(_("该文件已有一份草稿，请先完成或删除它"))
    previous = outline_of(base)
    if outline is None:
        outline = previous
        for node in outline.walk():
            node.origins = ()  # origins describe the step from base to this draft: none yet
    else:
        from kaohe.measures.clause_diff import match_keys

        match_keys(previous, outline, new_key=lambda: str(uuid.uuid4()))
    version = DocumentVersion.objects.create(
        document=document,
        number=_next_number(document),
        title=outline.title,
        based_on=base,
        scheme=base.scheme,
        created_by=actor,
    )
    _store(version, outline)
    record(actor, "measures.draft.start", version, new={"based_on": base.number, "number": version.number})
    return version


def _editable(actor, version: DocumentVersion) -> DocumentVersion:
    version = DocumentVersion.objects.select_for_update().select_related("document__owner").get(pk=version.pk)
    _require(actor, version.document.owner)
    if not version.editable:
        raise ValidationError(
            _("只有草稿可以修改；%(status)s不能再改") % {"status": version.get_status_display()}
        )
    return version


def _find(outline: Outline, key: str) -> tuple[list[OutlineNode], int, OutlineNode | None]:
    """The sibling list holding the node, its index there, and its parent."""

    def search(nodes: list[OutlineNode], parent: OutlineNode | None):
        for index, node in enumerate(nodes):
            if node.key == key:
                return nodes, index, parent
            found = search(node.children, node)
            if found:
                return found
        return None

    found = search(outline.nodes, None)
    if found is None:
        raise ValidationError(_("条款不存在（可能已被删除）"))
    return found


def _edit(actor, version: DocumentVersion, action: str, change: Callable[[Outline], dict]) -> DocumentVersion:
    version = _editable(actor, version)
    outline = outline_of(version)
    details = change(outline)
    _store(version, outline)
    record(actor, action, version, new=details)
    return version


def _clean(heading: str, text: str, level: str) -> tuple[str, str]:
    heading, text = heading.strip(), text.strip()
    if level in HEADED and not heading:
        raise ValidationError({"heading": _("章节须有标题")})
    if level not in HEADED and not text:
        raise ValidationError({"text": _("条款内容不能为空")})
    return heading, text


@transaction.atomic
def reword_clause(actor, version: DocumentVersion, key: str, heading: str, text: str) -> DocumentVersion:
    def change(outline: Outline) -> dict:
        siblings, index, _parent = _find(outline, key)
        node = siblings[index]
        old = {"heading": node.heading, "text": node.text}
        node.heading, node.text = _clean(heading, text, node.level)
        return {"key": key, "old": old, "heading": node.heading, "text": node.text}

    return _edit(actor, version, "measures.clause.reword", change)


@transaction.atomic
def add_clause(
    actor, version: DocumentVersion, level: str, heading: str, text: str, *, after: str = "", parent: str = ""
) -> DocumentVersion:
    """A new clause right after the clause `after` (as its sibling), or first under `parent`, or
    at the end of the document when neither is given."""
    if level not in RANK:
        raise ValidationError({"level": _("未知层级")})
    heading, text = _clean(heading, text, level)
    node = OutlineNode(level, 1, heading, text, key=str(uuid.uuid4()))

    def change(outline: Outline) -> dict:
        if after:
            siblings, index, _parent = _find(outline, after)
            siblings.insert(index + 1, node)
        elif parent:
            siblings, index, _parent = _find(outline, parent)
            siblings[index].children.insert(0, node)
        else:
            outline.nodes.append(node)
        return {"key": node.key, "level": level, "heading": heading, "text": text}

    return _edit(actor, version, "measures.clause.add", change)


@transaction.atomic
def delete_clause(actor, version: DocumentVersion, key: str) -> DocumentVersion:
    def change(outline: Outline) -> dict:
        siblings, index, _parent = _find(outline, key)
        node = siblings.pop(index)
        return {"key": key, "label": node.label, "heading": node.heading, "text": node.text}

    return _edit(actor, version, "measures.clause.delete", change)


@transaction.atomic
def move_clause(
    actor, version: DocumentVersion, key: str, *, after: str = "", into: str = ""
) -> DocumentVersion:
    """Move a clause (with what it holds) right after another clause, or first under another."""
    if not after and not into:
        raise ValidationError({"after": _("请选择移动到的位置")})

    def change(outline: Outline) -> dict:
        siblings, index, _parent = _find(outline, key)
        node = siblings[index]
        target = after or into
        if target == key or any(n.key == target for n in node.walk()):
            raise ValidationError({"after": _("不能移动到自身或其下级之后")})
        siblings.pop(index)
        if after:
            to, at, _p = _find(outline, after)
            to.insert(at + 1, node)
        else:
            to, at, _p = _find(outline, into)
            to[at].children.insert(0, node)
        return {"key": key, "after": after, "into": into}

    return _edit(actor, version, "measures.clause.move", change)


@transaction.atomic
def split_clause(actor, version: DocumentVersion, key: str, first: str, second: str) -> DocumentVersion:
    """Two clauses where there was one: the first keeps the key, the second names it as origin."""
    if not first.strip() or not second.strip():
        raise ValidationError({"second": _("拆分后的两部分都不能为空")})

    def change(outline: Outline) -> dict:
        siblings, index, _parent = _find(outline, key)
        node = siblings[index]
        node.text = first.strip()
        twin = OutlineNode(node.level, 1, "", second.strip(), key=str(uuid.uuid4()), origins=(key,))
        siblings.insert(index + 1, twin)
        return {"key": key, "new": twin.key}

    return _edit(actor, version, "measures.clause.split", change)


@transaction.atomic
def merge_with_next(actor, version: DocumentVersion, key: str) -> DocumentVersion:
    """The clause and its next sibling become one: texts joined, the second's key kept as origin."""

    def change(outline: Outline) -> dict:
        siblings, index, _parent = _find(outline, key)
        if index + 1 >= len(siblings):
            raise ValidationError(_("这是本层级最后一项，没有可合并的下一项"))
        node, following = siblings[index], siblings.pop(index + 1)
        node.text = "\n".join(t for t in (node.text, following.text) if t)
        node.children.extend(following.children)
        node.origins = tuple(dict.fromkeys([*node.origins, following.key, *following.origins]))
        return {"key": key, "merged": following.key}

    return _edit(actor, version, "measures.clause.merge", change)


@transaction.atomic
def attach_scheme(actor, version: DocumentVersion, scheme: SchemeVersion | None) -> DocumentVersion:
    version = _editable(actor, version)
    if scheme is not None and scheme.owner_id != version.document.owner_id:
        raise ValidationError({"scheme": _("附件评分细则须是本单位的方案")})
    old = version.scheme_id
    version.scheme = scheme
    version.save(update_fields=["scheme"])
    record(actor, "measures.draft.scheme", version, old={"scheme": old}, new={"scheme": scheme and scheme.pk})
    return version


def _freeze(version: DocumentVersion, status: str) -> None:
    version.status = status
    version.digest = content_digest(outline_of(version))
    version.frozen_at = timezone.now()
    version.save(update_fields=["status", "digest", "frozen_at"])


@transaction.atomic
def freeze_for_consultation(actor, version: DocumentVersion) -> DocumentVersion:
    """The draft becomes the 征求意见稿: its text no longer changes, so comments can point at it."""
    version = _editable(actor, version)
    if not version.clauses.exists():
        raise ValidationError(_("文件没有任何条款"))
    _freeze(version, VersionStatus.CONSULTING)
    record(actor, "measures.draft.freeze", version, new={"digest": version.digest})
    return version


@transaction.atomic
def publish_final(actor, version: DocumentVersion) -> DocumentVersion:
    """The final version: frozen, and its scoring table published so cycles may use it."""
    version = _editable(actor, version)
    if not version.clauses.exists():
        raise ValidationError(_("文件没有任何条款"))
    if version.scheme is not None and not version.scheme.is_published:
        publish_scheme(actor, version.scheme)
    _freeze(version, VersionStatus.FINAL)
    record(
        actor, "measures.final.publish", version, new={"digest": version.digest, "scheme": version.scheme_id}
    )
    return version
