"""What changed between two versions of a measures document, node by node. Pure Python.

Nodes are followed by their stable `key`, not by their number: inserting an article renumbers all
that follow without changing them. A new version read from a Word file has no keys yet;
`match_keys` gives it the keys of the nodes it continues, and records splits and merges in
`origins`. `diff` then compares by key alone, so keys set by hand (an editor's choice) are honoured.
"""

import difflib
import functools
import warnings
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kaohe.measures.outline import RANK, Outline, OutlineNode

# A new node continues an old one when the SequenceMatcher ratio of their texts is above this.
SIMILAR = 0.5
# A split piece or a merged node must take at least this share of its text from the other side.
COVERED = 0.6
# Common runs shorter than this are chance (的, 党, 支部 recur everywhere), not carried-over text.
MIN_RUN = 3

ADDED, REMOVED, REWORDED, MOVED = "added", "removed", "reworded", "moved"
SPLIT, MERGED, RENUMBERED = "split", "merged", "renumbered"
KINDS = (ADDED, REMOVED, REWORDED, MOVED, SPLIT, MERGED, RENUMBERED)


@dataclass(frozen=True)
class Change:
    """One row of the comparison. Texts are the heading and the text joined by a line break.

    A node both reworded and moved is ONE row of kind "reworded" with `moved` set: the UI lists a
    clause once. `moved` is also set on rows of kind "moved". Renumbering shows in the labels of
    any row; kind "renumbered" is used only when nothing else changed.
    For "split" the old side is the node it was split from; for "merged" the new side is the node
    it was merged into. Parents are keys, "" at the top level.
    """

    kind: str
    key: str
    old_label: str = ""
    new_label: str = ""
    old_text: str = ""
    new_text: str = ""
    old_parent: str = ""
    new_parent: str = ""
    origins: tuple[str, ...] = ()
    moved: bool = False


@dataclass
class _Place:
    node: OutlineNode
    parent: OutlineNode | None
    index: int  # in document order

    @property
    def family(self) -> int:
        return RANK[self.node.level]


def _places(outline: Outline) -> list[_Place]:
    places: list[_Place] = []

    def visit(node: OutlineNode, parent: OutlineNode | None) -> None:
        places.append(_Place(node, parent, len(places)))
        for child in node.children:
            visit(child, node)

    for node in outline.nodes:
        visit(node, None)
    return places


def content(node: OutlineNode) -> str:
    """A node's own words: its heading and its text."""
    return "\n".join(part for part in (node.heading, node.text) if part)


def _compared_text(node: OutlineNode) -> str:
    # An article whose words are all in its clauses is known by them.
    return content(node) or "\n".join(content(n) for n in node.walk())


def _check_keys(places: Iterable[_Place], side: str) -> None:
    seen: set[str] = set()
    for place in places:
        key = place.node.key
        if not key:
            raise ValueError(f"the {side} version has a node without a key ({place.node.label})")
        if key in seen:
            raise ValueError(f"the {side} version uses the key '{key}' twice")
        seen.add(key)


# --- match_keys ----------------------------------------------------------------------------


def _runs(a: str, b: str) -> list[difflib.Match]:
    """The runs of text a and b have in common, of MIN_RUN characters or more."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [block for block in matcher.get_matching_blocks() if block.size >= MIN_RUN]


def _share_of(a: str, b: str) -> float:
    """How much of text a is found in text b."""
    return sum(run.size for run in _runs(a, b)) / len(a) if a else 0.0


def _covered(a: str, pieces: Iterable[str]) -> float:
    """How much of text a the pieces together reproduce."""
    if not a:
        return 0.0
    seen = [False] * len(a)
    for piece in pieces:
        for run in _runs(a, piece):
            seen[run.a : run.a + run.size] = [True] * run.size
    return sum(seen) / len(a)


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _family_positions(places: list[_Place]) -> dict[int, int]:
    """id(node) -> its position among the nodes of its family (the 5th article, the 2nd chapter)."""
    seen: dict[int, int] = defaultdict(int)
    positions = {}
    for place in places:
        positions[id(place.node)] = seen[place.family]
        seen[place.family] += 1
    return positions


class _Matching:
    """Pairs of (old place, new place), built pass by pass."""

    def __init__(self, old: list[_Place], new: list[_Place]) -> None:
        self.old, self.new = old, new
        self.text = {id(p.node): _compared_text(p.node) for p in old + new}
        self.old_of: dict[int, _Place] = {}  # id(new node) -> old place
        self.new_of: dict[int, _Place] = {}  # id(old node) -> new place
        self.split_from: dict[int, _Place] = {}  # id(new node) -> old place it was split off
        self.absorbed: dict[int, list[_Place]] = defaultdict(list)  # id(new node) -> merged olds

    def of(self, place: _Place) -> str:
        return self.text[id(place.node)]

    def pair(self, old: _Place, new: _Place) -> None:
        self.old_of[id(new.node)] = old
        self.new_of[id(old.node)] = new

    def free_old(self, family: int) -> list[_Place]:
        return [p for p in self.old if p.family == family and id(p.node) not in self.new_of]

    def free_new(self, family: int) -> list[_Place]:
        return [p for p in self.new if p.family == family and id(p.node) not in self.old_of]

    def parents_paired(self, old: _Place, new: _Place) -> bool:
        if old.parent is None or new.parent is None:
            return old.parent is new.parent
        partner = self.new_of.get(id(old.parent))
        return partner is not None and partner.node is new.parent

    def take_best(self, candidates: list[tuple[float, _Place, _Place]]) -> None:
        """Pair greedily, best first: higher ratio, then under paired parents, then nearer."""
        order = _family_positions(self.old) | _family_positions(self.new)

        def rank(candidate: tuple[float, _Place, _Place]) -> tuple[float, bool, int, int, int]:
            ratio, old, new = candidate
            distance = abs(order[id(old.node)] - order[id(new.node)])
            return (-ratio, not self.parents_paired(old, new), distance, old.index, new.index)

        for _, old, new in sorted(candidates, key=rank):
            if id(old.node) not in self.new_of and id(new.node) not in self.old_of:
                self.pair(old, new)

    def pair_family(self, family: int) -> None:
        olds, news = self.free_old(family), self.free_new(family)
        # Identical texts first: cheap, and most of a revision is unchanged.
        by_text: dict[str, list[_Place]] = defaultdict(list)
        for old in olds:
            by_text[self.of(old)].append(old)
        self.take_best([(1.0, old, new) for new in news for old in by_text.get(self.of(new), ())])
        olds, news = self.free_old(family), self.free_new(family)
        candidates = []
        for new in news:
            matcher = difflib.SequenceMatcher(None, autojunk=False)
            matcher.set_seq2(self.of(new))  # the costly side, prepared once per new node
            for old in olds:
                matcher.set_seq1(self.of(old))
                if matcher.real_quick_ratio() > SIMILAR and matcher.quick_ratio() > SIMILAR:
                    ratio = matcher.ratio()
                    if ratio > SIMILAR:
                        candidates.append((ratio, old, new))
        self.take_best(candidates)

    def find_splits(self, family: int) -> None:
        """An unpaired new node made mostly of one old node's text is a piece split off it."""
        pieces: dict[int, list[_Place]] = defaultdict(list)
        source: dict[int, _Place] = {}
        for new in self.free_new(family):
            best = self._best_source(new, [p for p in self.old if p.family == family])
            if best is not None:
                pieces[id(best.node)].append(new)
                source[id(best.node)] = best
        for old_id, found in pieces.items():
            old = source[old_id]
            heir = self.new_of.get(old_id)
            every_piece = found + ([heir] if heir else [])
            if len(every_piece) < 2 or _covered(self.of(old), map(self.of, every_piece)) < COVERED:
                continue
            if heir is None:  # cut in pieces too small to pass as its continuation: the best is
                heir = max(found, key=lambda new: (_ratio(self.of(old), self.of(new)), -new.index))
                self.pair(old, heir)
                found.remove(heir)
            for new in found:
                self.split_from[id(new.node)] = old

    def _best_source(self, new: _Place, olds: list[_Place]) -> _Place | None:
        shares = [(_share_of(self.of(new), self.of(old)), -old.index, old) for old in olds]
        best = max(shares, key=lambda s: (s[0], s[1]), default=None)
        return best[2] if best and best[0] >= COVERED else None

    def find_merges(self, family: int) -> None:
        """Unpaired old nodes whose text is mostly inside one new node were merged into it."""
        targets = [p for p in self.new if p.family == family and id(p.node) not in self.split_from]
        into: dict[int, list[_Place]] = defaultdict(list)
        target_of: dict[int, _Place] = {}
        for old in self.free_old(family):
            shares = [(_share_of(self.of(old), self.of(new)), -new.index, new) for new in targets]
            best = max(shares, key=lambda s: (s[0], s[1]), default=None)
            if best and best[0] >= COVERED:
                into[id(best[2].node)].append(old)
                target_of[id(best[2].node)] = best[2]
        for new_id, olds in into.items():
            new = target_of[new_id]
            if new_id not in self.old_of:
                if len(olds) < 2:
                    continue  # one old text inside a larger new one: not a merge, a new node
                heir = max(olds, key=lambda old: (_ratio(self.of(old), self.of(new)), -old.index))
                self.pair(heir, new)
                olds.remove(heir)
            self.absorbed[new_id].extend(olds)


def match_keys(old: Outline, new: Outline, *, new_key: Callable[[], str]) -> None:
    """Give every node of `new` (read from a file, keys empty) the key of the `old` node it
    continues, or a fresh one from new_key(); set origins for splits and merges.

    Keys and origins already on `new` are replaced. Families (chapter/part, section, article,
    clause, item) are paired outermost first so that a tie between equal texts goes to the node
    under the same parent.
    """
    old_places, new_places = _places(old), _places(new)
    _check_keys(old_places, "old")
    matching = _Matching(old_places, new_places)
    for family in sorted(set(RANK.values())):
        matching.pair_family(family)
        matching.find_splits(family)
        matching.find_merges(family)
    used = {place.node.key for place in old_places}
    for place in new_places:  # document order, so fresh keys come in reading order
        node = place.node
        partner = matching.old_of.get(id(node))
        if partner is not None:
            node.key = partner.node.key
        else:
            node.key = new_key()
            if not node.key or node.key in used:
                raise ValueError(f"new_key() gave '{node.key}', which is empty or already used")
            used.add(node.key)
        source = matching.split_from.get(id(node))
        merged = sorted(matching.absorbed.get(id(node), ()), key=lambda p: p.index)
        node.origins = ((source.node.key,) if source else ()) + tuple(p.node.key for p in merged)


# --- diff ----------------------------------------------------------------------------------


def _keyed(outline: Outline, side: str) -> dict[str, _Place]:
    places = _places(outline)
    _check_keys(places, side)
    return {place.node.key: place for place in places}


def _parent_key(place: _Place) -> str:
    return place.parent.key if place.parent is not None else ""


def _longest_increasing(values: list[int]) -> set[int]:
    """The values of one longest strictly increasing subsequence (patience sorting)."""
    tails: list[int] = []  # tails[k]: the smallest last value of an increasing run of k + 1
    tail_at: list[int] = []  # the position in values of that last value
    previous = [-1] * len(values)
    for position, value in enumerate(values):
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_at.append(position)
        else:
            tails[k] = value
            tail_at[k] = position
        previous[position] = tail_at[k - 1] if k else -1
    kept: set[int] = set()
    position = tail_at[-1] if tail_at else -1
    while position != -1:
        kept.add(values[position])
        position = previous[position]
    return kept


def _moved(old: dict[str, _Place], new: dict[str, _Place]) -> set[str]:
    """Keys whose parent changed, or whose place among siblings that stayed together changed.

    Order is compared among siblings, not over the whole document: when a chapter moves, the
    chapter moved, not each of its articles.
    """
    moved = set()
    siblings: dict[str, list[str]] = defaultdict(list)  # parent key -> common children, new order
    for key, place in new.items():
        if key not in old:
            continue
        if _parent_key(place) != _parent_key(old[key]):
            moved.add(key)
        else:
            siblings[_parent_key(place)].append(key)
    for keys in siblings.values():
        # Among the same siblings, the longest common subsequence of the two orders is the
        # longest run of old positions that increases in the new order.
        old_positions = [old[key].index for key in keys]
        stayed = _longest_increasing(old_positions)
        moved.update(key for key in keys if old[key].index not in stayed)
    return moved


def diff(old: Outline, new: Outline) -> list[Change]:
    """The changes from old to new, in the new document's order; what is gone comes after the
    last node before it that is still there."""
    old_keyed, new_keyed = _keyed(old, "old"), _keyed(new, "new")
    moved = _moved(old_keyed, new_keyed)
    merged_into: dict[str, _Place] = {}
    for place in new_keyed.values():
        for origin in place.node.origins:
            if origin not in new_keyed:
                merged_into.setdefault(origin, place)

    rows: list[tuple[tuple[int, int, int], Change]] = []
    for key, place in new_keyed.items():
        node = place.node
        before = old_keyed.get(key)
        kind = None
        if before is None:
            # Split off a node that is still there; origins that are gone were merged into it.
            sources = [origin for origin in node.origins if origin in old_keyed and origin in new_keyed]
            before = old_keyed[sources[0]] if sources else None
            kind = SPLIT if sources else ADDED
        elif (node.heading, node.text) != (before.node.heading, before.node.text):
            kind = REWORDED
        elif key in moved:
            kind = MOVED
        elif node.label != before.node.label:
            kind = RENUMBERED
        if kind is None:
            continue
        rows.append(
            (
                (place.index, 0, 0),
                Change(
                    kind=kind,
                    key=key,
                    old_label=before.node.label if before else "",
                    new_label=node.label,
                    old_text=content(before.node) if before else "",
                    new_text=content(node),
                    old_parent=_parent_key(before) if before else "",
                    new_parent=_parent_key(place),
                    origins=node.origins,
                    moved=key in moved,
                ),
            )
        )

    anchor = -1  # the new position of the last old node, so far, that is still there
    for key, place in old_keyed.items():
        if key in new_keyed:
            anchor = new_keyed[key].index
            continue
        into = merged_into.get(key)
        rows.append(
            (
                (anchor, 1, place.index),
                Change(
                    kind=MERGED if into else REMOVED,
                    key=key,
                    old_label=place.node.label,
                    new_label=into.node.label if into else "",
                    old_text=content(place.node),
                    new_text=content(into.node) if into else "",
                    old_parent=_parent_key(place),
                    new_parent=_parent_key(into) if into else "",
                ),
            )
        )
    return [change for _, change in sorted(rows, key=lambda row: row[0])]


# --- inline diff ---------------------------------------------------------------------------


@functools.cache
def _jieba() -> Any:
    """jieba, initialised once (its dictionary takes a moment to load; it logs to stderr)."""
    with warnings.catch_warnings():
        # jieba 0.42 has regexes with invalid escapes that Python 3.12 warns about on import.
        warnings.simplefilter("ignore", SyntaxWarning)
        import jieba
    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


def inline_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(op, text) pieces with op in "same", "del", "ins", compared word by word (jieba), so that
    the marks fall on whole words: 每年4次 → 每季度1次 is del 每年, ins 每季度, same 1次 …"""
    jieba = _jieba()
    old_words, new_words = list(jieba.cut(old)), list(jieba.cut(new))
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    pieces: list[tuple[str, str]] = []

    def add(op: str, words: list[str]) -> None:
        text = "".join(words)
        if not text:
            return
        if pieces and pieces[-1][0] == op:
            pieces[-1] = (op, pieces[-1][1] + text)
        else:
            pieces.append((op, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("same", old_words[i1:i2])
        else:  # replace, delete, insert: what went, then what came
            add("del", old_words[i1:i2])
            add("ins", new_words[j1:j2])
    return pieces
