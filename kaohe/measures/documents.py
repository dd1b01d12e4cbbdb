"""Reading measures documents: a version's clauses as an Outline (and back), and who may see which.

A committee's staff see every version of their subtree's documents; the units below see the
final (published) versions of the committees above them; a draft sent for comments is shown to
its participants through their round, not here. Anything else is a 404.
"""

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import pgettext_lazy

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.measures.models import Clause, DocumentVersion, MeasuresDocument, VersionStatus
from kaohe.measures.outline import ARTICLE, CHAPTER, PART, SECTION, Outline, OutlineNode, label
from kaohe.orgs.models import OrgUnit


def outline_of(version: DocumentVersion, clauses=None) -> Outline:
    """The version's clauses as a tree, keys and origins included."""
    rows = list(clauses if clauses is not None else version.clauses.order_by("position"))
    nodes: dict[int, OutlineNode] = {}
    outline = Outline(version.title, version.preamble)
    for row in rows:
        node = OutlineNode(
            row.level, row.number, row.heading, row.text, key=str(row.key), origins=tuple(row.origins)
        )
        nodes[row.pk] = node
        siblings = nodes[row.parent_id].children if row.parent_id else outline.nodes
        siblings.append(node)
    return outline


def clause_rows(version: DocumentVersion) -> list[dict]:
    """The clauses in document order with their depth, as the pages lay the text out."""
    depth: dict[int, int] = {}
    rows = []
    for clause in version.clauses.order_by("position"):
        depth[clause.pk] = depth[clause.parent_id] + 1 if clause.parent_id else 0
        rows.append({"clause": clause, "depth": depth[clause.pk]})
    return rows


def full_labels(version: DocumentVersion) -> dict[int, str]:
    """Each clause's label as people cite it: an article by itself (articles are numbered through
    the document), a clause or item with the article above it (第十条（一）4.); one query."""
    rows = list(version.clauses.values_list("pk", "parent_id", "level", "number"))
    by_pk = {pk: (parent, level, number) for pk, parent, level, number in rows}
    out: dict[int, str] = {}
    for pk, (parent, level, number) in by_pk.items():
        parts = [label(level, number)]
        while level not in (ARTICLE, PART, CHAPTER, SECTION) and parent is not None:
            parent, level, number = by_pk[parent]
            parts.append(label(level, number))
        out[pk] = "".join(reversed(parts))
    return out


def change_rows(old: DocumentVersion, new: DocumentVersion) -> list[dict]:
    """The clause-level diff of two versions, each change with the labels people cite."""
    from kaohe.measures.clause_diff import diff

    def by_key(version: DocumentVersion) -> dict[str, str]:
        labels = full_labels(version)
        return {str(key): labels[pk] for pk, key in version.clauses.values_list("pk", "key")}

    before, after = by_key(old), by_key(new)
    return [
        {
            "change": c,
            "old_label": before.get(c.key, c.old_label) if c.old_label else "",
            "new_label": after.get(c.key, c.new_label) if c.new_label else "",
        }
        for c in diff(outline_of(old), outline_of(new))
    ]


def numbered(outline: Outline) -> Outline:
    """Numbers as they must read after an edit: articles 1..n through the document, every other
    level 1..n under its parent."""
    articles = 0

    def renumber(nodes: list[OutlineNode]) -> None:
        nonlocal articles
        counts: dict[str, int] = {}
        for node in nodes:
            if node.level == ARTICLE:
                articles += 1
                node.number = articles
            else:
                counts[node.level] = counts.get(node.level, 0) + 1
                node.number = counts[node.level]
            renumber(node.children)

    renumber(outline.nodes)
    return outline


def content_digest(outline: Outline) -> str:
    """SHA-256 of the text as published: title, preamble, and each node's label, heading and text."""
    body = {
        "title": outline.title,
        "preamble": outline.preamble,
        "nodes": [[n.key, n.label, n.heading, n.text] for n in outline.walk()],
    }
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


# The kinds of clause_diff's changes as the pages, registers and packages name them.
CHANGE_LABELS = {
    "added": pgettext_lazy("change", "新增"),
    "removed": pgettext_lazy("change", "删除"),
    "reworded": pgettext_lazy("change", "修改"),
    "changed": pgettext_lazy("change", "修改"),  # an indicator of the scoring table
    "moved": pgettext_lazy("change", "移动"),
    "split": pgettext_lazy("change", "拆分"),
    "merged": pgettext_lazy("change", "合并"),
    "renumbered": pgettext_lazy("change", "编号变化"),
}


def change_label(kind: str) -> str:
    return str(CHANGE_LABELS.get(kind, kind))


# A scoring-table node's fields as the published table names its columns.
FIELD_LABELS = {
    "title": pgettext_lazy("indicator", "名称"),
    "points": pgettext_lazy("indicator", "分值"),
    "category": pgettext_lazy("indicator", "类别"),
    "requirement": pgettext_lazy("indicator", "考核要求"),
    "scoring": pgettext_lazy("indicator", "评分细则"),
    "evidence": pgettext_lazy("indicator", "考核方式"),
    "materials": pgettext_lazy("indicator", "佐证材料"),
    "department": pgettext_lazy("indicator", "考核部门"),
    "clause": pgettext_lazy("indicator", "条款"),
    "weight": pgettext_lazy("indicator", "权重"),
    "compose": pgettext_lazy("indicator", "计分方式"),
    "floor": pgettext_lazy("indicator", "不低于零"),
    "rule": pgettext_lazy("indicator", "计分规则"),
    "veto": pgettext_lazy("indicator", "否决"),
}


def field_labels(fields) -> str:
    return "、".join(str(FIELD_LABELS.get(f, f)) for f in fields)


# -- access ---------------------------------------------------------------------------------------


def documents_for_user(user) -> QuerySet[MeasuresDocument]:
    roots = scope_roots(user, Cap.VIEW_CYCLES)
    if not roots:
        return MeasuresDocument.objects.none()
    inside = OrgUnit.objects.subtree_of(*roots)
    above = {pk for root in roots for pk in root.ancestor_ids()}
    return (
        MeasuresDocument.objects.filter(
            Q(owner__in=inside) | Q(owner__in=above, versions__status=VersionStatus.FINAL)
        )
        .distinct()
        .select_related("owner")
    )


def versions_for_user(user) -> QuerySet[DocumentVersion]:
    roots = scope_roots(user, Cap.VIEW_CYCLES)
    if not roots:
        return DocumentVersion.objects.none()
    inside = OrgUnit.objects.subtree_of(*roots)
    above = {pk for root in roots for pk in root.ancestor_ids()}
    return DocumentVersion.objects.filter(
        Q(document__owner__in=inside) | Q(document__owner__in=above, status=VersionStatus.FINAL)
    ).select_related("document__owner", "scheme")


def get_version_for_user(user, public_id, *, write: bool = False) -> DocumentVersion:
    version = versions_for_user(user).filter(public_id=public_id).first()
    if version is None:
        raise Http404("no such document version")
    if write and not has_cap(user, Cap.MANAGE_SCHEMES, version.document.owner):
        raise PermissionDenied("read-only")
    return version


def get_clause_for_user(user, version: DocumentVersion, key) -> Clause:
    clause = version.clauses.filter(key=key).first()
    if clause is None:
        raise Http404("no such clause")
    return clause
