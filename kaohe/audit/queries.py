"""Reading the audit log: scoped browsing and chain verification."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Q, QuerySet

from kaohe.accounts.models import Cap
from kaohe.audit.models import GENESIS, AuditEntry, AuditHead


def entries_for_user(user) -> QuerySet[AuditEntry]:
    """Entries an audit admin may read: those about their subtree (all of them at the root)."""
    from kaohe.accounts.queries import scope_roots

    roots = scope_roots(user, Cap.VIEW_AUDIT)
    if not roots:
        return AuditEntry.objects.none()
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(org_path__startswith=root.path)
        if root.parent_id is None:
            q |= Q(org_path="")  # entries not tied to any org belong to the top
    return AuditEntry.objects.filter(q)


@dataclass
class ChainProblem:
    seq: int
    problem: str


def read_anchors(path: Path | None = None) -> list[tuple[int, str]]:
    path = path or settings.AUDIT_ANCHOR_FILE
    if not path.exists():
        return []
    anchors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].isdigit():
            anchors.append((int(parts[0]), parts[1]))
    return anchors


def verify_chain(
    batch: int = 5000, anchors: list[tuple[int, str]] | None = None
) -> tuple[int, list[ChainProblem]]:
    """Walk the chain in order; report edited rows, removed rows, a cut-off tail, and any anchor
    (a head recorded outside the database) that the chain no longer contains."""
    problems: list[ChainProblem] = []
    anchored = dict(read_anchors() if anchors is None else anchors)
    prev_hash, expected_seq, count = GENESIS, 1, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch):
        count += 1
        if entry.seq != expected_seq:
            problems.append(
                ChainProblem(expected_seq, f"记录 #{expected_seq}–#{entry.seq - 1} 缺失 (deleted)")
            )
        if entry.prev_hash != prev_hash:
            problems.append(ChainProblem(entry.seq, "前序哈希不符：前一条记录被删除或修改 (chain broken)"))
        if entry.compute_hash() != entry.hash:
            problems.append(ChainProblem(entry.seq, "内容与哈希不符：记录被修改 (row edited)"))
        if entry.seq in anchored and anchored.pop(entry.seq) != entry.hash:
            problems.append(ChainProblem(entry.seq, "与锚点记录不符：链在锚定后被改写 (differs from anchor)"))
        prev_hash, expected_seq = entry.hash, entry.seq + 1
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev_hash):
        problems.append(ChainProblem(head.seq, "链尾与链头不符：末尾记录被删除 (tail truncated)"))
    for seq in sorted(anchored):
        problems.append(
            ChainProblem(seq, "锚定过的记录已不存在：末尾被截断或链被重建 (anchored entry missing)")
        )
    return count, problems
