"""Facts as arrays: one NumPy column per fact kind over all units of a cycle.

The fast evaluator reads these. A kind with one value per unit is one array (a matrix for a
checklist or a ballot); a kind whose value is a list (awards, discipline cases, findings) is laid
out as CSR: `offsets` (units + 1) and one array of entries, so that a million units with their
awards and cases are a handful of arrays, never a Python object per fact.

| type | column |
|---|---|
| count, figure | int64: the count; the figure in thousandths |
| rate | int64 millionths (87.5% -> 875_000) |
| flag | bool |
| judgment | int64: the index of the option in the kind's options |
| checklist | bool matrix units × options: the option is present |
| ballot | int64 matrix units × options: the votes |
| awards | Ragged: values = the award's level (option index) |
| cases | Ragged: values = the outcome (option index); keys = the (case, department) id |
| findings | Ragged: values = the points the assessor picked, in thousandths |
| a panel kind | PanelColumn: one of the above per assessor slot, and who each slot's assessor is |

Sources stay with the records (and the reference evaluator's explanations); columns hold values.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from kaohe.engine.errors import FactError
from kaohe.engine.exact_arrays import Array, composite_key, magnitude
from kaohe.engine.fact_kinds import LIST_TYPES, FactKind
from kaohe.engine.facts import Award, Case, Cell, Cycle, Finding, PanelValues, Unit, Value, assessor_order
from kaohe.engine.points import RATE_SCALE
from kaohe.engine.scheme import Scheme
from kaohe.engine.validation import check

MATRIX_TYPES = frozenset({"checklist", "ballot"})


@dataclass(frozen=True, eq=False)
class Ragged:
    """A list per unit: unit i's entries are values[offsets[i]:offsets[i + 1]]."""

    offsets: Array  # int64, units + 1, from 0, never decreasing, ending at len(values)
    values: Array  # int64, one per entry
    keys: Array | None = None  # cases: entries of a unit with the same key are one case, one department

    def lengths(self) -> Array:
        return np.diff(self.offsets)


@dataclass(frozen=True, eq=False)
class PanelColumn:
    """A panel kind: each assessor's values, one ordinary column per assessor slot.

    A unit's assessors fill its first slots in the labels' natural order (their indices into
    FactColumns.assessors increase along the row), -1 past its last one. Slot 0 always holds a
    value the rules can read: the first assessor's, or - for a unit without assessors (a row of
    -1) - the kind's default standing in for all of them. What a slot holds past a unit's last
    assessor is never read.
    """

    who: Array  # int64, units × slots
    slots: tuple["Array | Ragged", ...]  # one per slot


Column = Array | Ragged | PanelColumn


class NumberedCodes(Sequence[str]):
    """Unit codes U0000001 … made on demand, so a million units need no million strings."""

    def __init__(self, total: int, prefix: str = "U") -> None:
        self.total = total
        self.prefix = prefix
        self.width = len(str(total))

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.total))]
        if not -self.total <= index < self.total:
            raise IndexError(index)
        return f"{self.prefix}{(index % self.total) + 1:0{self.width}d}"

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(self.total))


class FactColumns:
    """The units of a cycle (codes, peer groups), one column per fact kind, and the labels of the
    assessors who gave the values of panel kinds."""

    def __init__(
        self,
        kinds: Iterable[FactKind],
        columns: Mapping[str, Column],
        *,
        units: Sequence[str],
        group: Array | None = None,
        groups: Sequence[str] = ("",),
        names: Sequence[str] | None = None,
        assessors: Sequence[str] = (),
    ) -> None:
        self.kinds = {kind.code: kind for kind in kinds}
        self.units = units
        self.size = len(units)
        self.names = names
        self.groups = tuple(groups)
        # the assessors' labels of every panel kind, in their natural order (PanelColumn.who)
        self.assessors = tuple(assessors)
        if len(set(self.groups)) != len(self.groups):
            raise FactError(["groups: each peer group is named once"])
        if list(self.assessors) != sorted(set(self.assessors), key=assessor_order):
            raise FactError(
                ["assessors: each assessor once, in the labels' natural order (考核员2 before 考核员10)"]
            )
        self.group = (
            np.zeros(self.size, dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
        )
        if self.group.shape != (self.size,) or (
            self.size and not (self.group.min() >= 0 and self.group.max() < len(self.groups))
        ):
            raise FactError([f"groups: one group number per unit, each below {len(self.groups)}"])
        self.columns: dict[str, Column] = {}
        for code, column in columns.items():
            kind = self.kinds.get(code)
            if kind is None:
                raise FactError([f"kind {code}: not a declared fact kind"])
            self.columns[code] = _checked(kind, column, self.size, len(self.assessors))
        self._cache: dict[tuple[str, str], Any] = {}

    # -- reading ---------------------------------------------------------------------------------

    def column(self, code: str) -> Column:
        return self.columns[code]

    def dense(self, code: str) -> Array:
        column = self.columns[code]
        assert isinstance(column, np.ndarray), code
        return column

    def ragged(self, code: str) -> Ragged:
        column = self.columns[code]
        assert isinstance(column, Ragged), code
        return column

    def panel(self, code: str) -> PanelColumn:
        column = self.columns[code]
        assert isinstance(column, PanelColumn), code
        return column

    def _cached(self, what: str, code: str, make: Any) -> Any:
        key = (what, code)
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def count(self, code: str) -> Array:
        """A count, or the number of entries of a list kind."""
        column = self.columns[code]
        return column.lengths() if isinstance(column, Ragged) else self.dense(code)

    def best_by_group(self, code: str) -> Array:
        """The highest value of a figure in each peer group, worked out once for all units."""

        def make() -> Array:
            best = np.full(len(self.groups), np.iinfo(np.int64).min, dtype=np.int64)
            np.maximum.at(best, self.group, self.dense(code))
            return best

        return self._cached("best", code, make)  # type: ignore[no-any-return]

    def block(self, start: int, stop: int) -> "FactBlock":
        return FactBlock(self, start, stop)

    # -- subsets and the reference's form ----------------------------------------------------------

    def take(self, rows: Array) -> "FactColumns":
        """The units at `rows` (in that order) with their facts."""
        rows = np.asarray(rows, dtype=np.int64)
        columns: dict[str, Column] = {}
        for code, column in self.columns.items():
            if isinstance(column, PanelColumn):
                columns[code] = PanelColumn(column.who[rows], tuple(_take(s, rows) for s in column.slots))
            else:
                columns[code] = _take(column, rows)
        return FactColumns(
            self.kinds.values(),
            columns,
            units=[self.units[int(i)] for i in rows],
            group=self.group[rows],
            groups=self.groups,
            names=None if self.names is None else [self.names[int(i)] for i in rows],
            assessors=self.assessors,
        )

    def unit(self, row: int) -> Unit:
        name = self.names[row] if self.names is not None else ""
        return Unit(self.units[row], name, self.groups[int(self.group[row])])

    def to_cycle(self) -> Cycle:
        """The same facts as the reference evaluator reads them (one Python object per fact:
        for tests and samples, not for a million units)."""
        units = [self.unit(row) for row in range(self.size)]
        columns: dict[str, dict[str, Cell]] = {}
        for code, column in self.columns.items():
            kind = self.kinds[code]
            cells: dict[str, Cell] = {}
            source = (f"列/{code}",)
            for row, unit in enumerate(units):
                if isinstance(column, PanelColumn):
                    given = [(j, int(a)) for j, a in enumerate(column.who[row]) if a >= 0]
                    value: Value = (
                        PanelValues.of(
                            (self.assessors[a], _value(kind, column.slots[j], row), source) for j, a in given
                        )
                        if given
                        else _value(kind, column.slots[0], row)  # the default standing in
                    )
                else:
                    value = _value(kind, column, row)
                cells[unit.code] = Cell(value, source)
            columns[code] = cells
        return Cycle(units, columns)


def _take(column: Array | Ragged, rows: Array) -> Array | Ragged:
    if isinstance(column, Ragged):
        lengths = column.lengths()[rows]
        offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        index = np.repeat(column.offsets[rows] - offsets[:-1], lengths) + np.arange(offsets[-1])
        keys = None if column.keys is None else column.keys[index]
        return Ragged(offsets, column.values[index], keys)
    return column[rows]


def _slice(ragged: Ragged, start: int, stop: int) -> Ragged:
    offsets = ragged.offsets[start : stop + 1]
    first, last = int(offsets[0]), int(offsets[-1])
    keys = None if ragged.keys is None else ragged.keys[first:last]
    return Ragged(offsets - first, ragged.values[first:last], keys)


class FactBlock:
    """Units start..stop of a FactColumns, as the evaluator reads them: the columns sliced (views,
    no copies) and what is derived from them (list lengths, ballot totals, case groups, bounds)
    made for these units only; only a peer group's best value is worked out over all units.
    Scoring block by block keeps the intermediate arrays in the processor's cache instead of
    streaming each through memory, and a block's bounds decide whether its arithmetic fits int64.
    """

    def __init__(self, facts: FactColumns, start: int, stop: int) -> None:
        self.whole = facts
        self.kinds = facts.kinds
        self.start = start
        self.stop = stop
        self.size = stop - start
        self._cache: dict[tuple[str, str], Any] = {}

    def _cached(self, what: str, code: str, make: Any) -> Any:
        key = (what, code)
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def dense(self, code: str) -> Array:
        return self.whole.dense(code)[self.start : self.stop]

    def ragged(self, code: str) -> Ragged:
        return _slice(self.whole.ragged(code), self.start, self.stop)

    def count(self, code: str) -> Array:
        """A count, or the number of entries of a list kind."""
        column = self.whole.columns[code]
        if isinstance(column, Ragged):
            offsets = column.offsets
            return self._cached("count", code, lambda: np.diff(offsets[self.start : self.stop + 1]))  # type: ignore[no-any-return]
        return self.whole.dense(code)[self.start : self.stop]

    def entry_units(self, code: str) -> Array:
        """For each entry of a list kind, its unit's row in the block."""
        return np.repeat(np.arange(self.size, dtype=np.int64), self.count(code))

    def bound(self, code: str) -> int:
        """The largest absolute value of a count (or list length), rate or figure here."""
        kind = self.kinds[code].type
        if kind == "rate":
            return RATE_SCALE  # rates are checked to lie within [0, 100%]
        if kind == "figure":
            return self._cached("bound", code, lambda: magnitude(self.dense(code)))  # type: ignore[no-any-return]
        count = self.count(code)  # ≥ 0: checked
        return self._cached("bound", code, lambda: int(count.max()) if count.size else 0)  # type: ignore[no-any-return]

    def entries_bound(self, code: str) -> int:
        """The largest absolute value among the entries of a list kind here."""
        return self._cached("entries", code, lambda: magnitude(self.ragged(code).values))  # type: ignore[no-any-return]

    def ballot_votes(self, code: str) -> Array:
        def make() -> Array:
            tally = self.dense(code)
            votes = tally[:, 0].copy()
            for option in range(1, tally.shape[1]):  # option by option: far faster than sum(axis=1)
                votes += tally[:, option]
            return votes

        return self._cached("votes", code, make)  # type: ignore[no-any-return]

    def votes_bound(self, code: str) -> int:
        """The most votes a ballot here holds."""
        return self._cached("votes_bound", code, lambda: magnitude(self.ballot_votes(code)))  # type: ignore[no-any-return]

    def case_groups(self, code: str) -> tuple[Array | None, Array, Array]:
        return case_groups(self.ragged(code))

    def best_in_group(self, code: str) -> Array:
        """For each unit, the highest value of the figure among its peer group."""
        return self.whole.best_by_group(code)[self.whole.group[self.start : self.stop]]

    # -- panel kinds -------------------------------------------------------------------------------

    def panel_who(self, code: str) -> Array:
        """Each slot's assessor (an index into FactColumns.assessors), -1 past a unit's last."""
        return self.whole.panel(code).who[self.start : self.stop]

    def panel_counts(self, code: str) -> Array:
        """How many assessors gave a value of a panel kind, per unit (0: its default stands in)."""

        def make() -> Array:
            who = self.panel_who(code)
            counts = (who[:, 0] >= 0).astype(np.int64)
            for slot in range(1, who.shape[1]):  # slot by slot: faster than a sum along short rows
                counts += who[:, slot] >= 0
            return counts

        return self._cached("panel_counts", code, make)

    def slot(self, slot: int) -> "SlotBlock":
        return self._cached("slot", str(slot), lambda: SlotBlock(self, slot))


class SlotBlock(FactBlock):
    """A block's facts as the assessors in one slot gave them: each panel kind shows that slot's
    values, and slot 0's where a unit has no assessor in the slot (its default standing in, or a
    value the combination of the slots leaves out); the other kinds are the block's own, with what
    was derived from them shared with the block."""

    def __init__(self, block: FactBlock, slot: int) -> None:
        super().__init__(block.whole, block.start, block.stop)
        self.block = block
        self.slot_number = slot

    def _panel_kind(self, code: str) -> bool:
        return isinstance(self.whole.columns[code], PanelColumn)

    def _cached(self, what: str, code: str, make: Any) -> Any:
        if what != "slot" and not self._panel_kind(code):
            return self.block._cached(what, code, make)
        return super()._cached(what, code, make)

    def slot(self, slot: int) -> "SlotBlock":
        return self.block.slot(slot)

    def dense(self, code: str) -> Array:
        if not self._panel_kind(code):
            return super().dense(code)
        return self._cached("dense", code, lambda: self._dense_view(code))

    def ragged(self, code: str) -> Ragged:
        if not self._panel_kind(code):
            return super().ragged(code)
        return self._cached("ragged", code, lambda: self._ragged_view(code))

    def count(self, code: str) -> Array:
        if not self._panel_kind(code):
            return super().count(code)
        if self.kinds[code].type in LIST_TYPES:
            return self._cached("count", code, lambda: self.ragged(code).lengths())
        return self.dense(code)

    def _present(self, column: PanelColumn) -> Array | None:
        """Which units have an assessor in this slot; None when slot 0 is read for all of them."""
        if self.slot_number == 0 or self.slot_number >= len(column.slots):
            return None
        return column.who[self.start : self.stop, self.slot_number] >= 0

    def _dense_view(self, code: str) -> Array:
        column = self.whole.panel(code)
        first, own = column.slots[0], column.slots[min(self.slot_number, len(column.slots) - 1)]
        assert isinstance(first, np.ndarray) and isinstance(own, np.ndarray)
        present = self._present(column)
        if present is None:
            return first[self.start : self.stop]
        own = own[self.start : self.stop]
        first = first[self.start : self.stop]
        return np.where(present if own.ndim == 1 else present[:, None], own, first)

    def _ragged_view(self, code: str) -> Ragged:
        column = self.whole.panel(code)
        first = column.slots[0]
        assert isinstance(first, Ragged)
        first = _slice(first, self.start, self.stop)
        present = self._present(column)
        if present is None:
            return first
        own = column.slots[self.slot_number]
        assert isinstance(own, Ragged)
        own = _slice(own, self.start, self.stop)
        lengths = np.where(present, own.lengths(), first.lengths())
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        starts = np.where(present, own.offsets[:-1] + len(first.values), first.offsets[:-1])
        index = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
        values = np.concatenate((first.values, own.values))[index]
        keys = None
        if first.keys is not None and own.keys is not None:
            # the two slots' case ids may mean different cases, but a unit's entries come from one slot
            keys = np.concatenate((first.keys, own.keys))[index]
        return Ragged(offsets, values, keys)


def case_groups(cases: Ragged) -> tuple[Array | None, Array, Array]:
    """The entries of a cases column grouped by unit and (case, department): an order of the
    entries that puts each group together (None when they already are), where each group starts
    in that order, and each unit's groups as offsets into the groups."""
    assert cases.keys is not None
    keys = cases.keys
    offsets = cases.offsets
    unit_start = np.zeros(len(keys) + 1, dtype=bool)
    unit_start[offsets] = True  # the first entry of each unit (and the end)
    unit_start = unit_start[:-1]
    order: Array | None = None
    if np.any(~unit_start[1:] & (keys[1:] < keys[:-1])):  # keys out of order within a unit: sort
        units = np.repeat(np.arange(len(offsets) - 1, dtype=np.int64), cases.lengths())
        order = np.argsort(composite_key([units, keys]), kind="stable")
        keys = keys[order]
    new_group = unit_start.copy()
    new_group[1:] |= keys[1:] != keys[:-1]
    groups_before = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(new_group, out=groups_before[1:])
    return order, np.flatnonzero(new_group), groups_before[offsets]


def _value(kind: FactKind, column: Array | Ragged, row: int) -> Value:
    options = kind.options
    if isinstance(column, Ragged):
        start, end = int(column.offsets[row]), int(column.offsets[row + 1])
        values = [int(v) for v in column.values[start:end]]
        if kind.type == "awards":
            return tuple(Award(options[v]) for v in values)
        if kind.type == "cases":
            assert column.keys is not None
            keys = [int(k) for k in column.keys[start:end]]
            return tuple(Case(f"案{k}", "纪委", options[v]) for k, v in zip(keys, values, strict=True))
        return tuple(Finding(f"{j + 1}", v) for j, v in enumerate(values))
    if kind.type == "flag":
        return bool(column[row])
    if kind.type == "judgment":
        return options[int(column[row])]
    if kind.type == "checklist":
        return frozenset(o for o, present in zip(options, column[row], strict=True) if present)
    if kind.type == "ballot":
        return {o: int(v) for o, v in zip(options, column[row], strict=True)}
    return int(column[row])


def columns_from_cycle(scheme: Scheme, cycle: Cycle) -> FactColumns:
    """The columns the scheme reads, from a cycle built by facts.build_cycle."""
    check(scheme)
    kinds = scheme.fact_kinds()
    reads = list(scheme.reads())
    missing = [
        f"unit {unit.code}, kind {code}: no fact (was the cycle built for another scheme?)"
        for code in reads
        for unit in cycle.units
        if unit.code not in cycle.columns.get(code, {})
    ]
    if missing:
        raise FactError(missing)
    groups: dict[str, int] = {}
    group = np.array([groups.setdefault(u.group, len(groups)) for u in cycle.units], dtype=np.int64)
    values = {code: [cell.value for cell in cycle.column(code)] for code in reads}
    assessors = sorted(
        {a for v in values.values() for p in v if isinstance(p, PanelValues) for a in p.assessors()},
        key=assessor_order,
    )
    number = {a: n for n, a in enumerate(assessors)}
    columns = {
        code: _panel_column(kinds[code], values[code], number)
        if kinds[code].panel
        else _column(kinds[code], values[code])
        for code in reads
    }
    return FactColumns(
        [kinds[code] for code in reads],
        columns,
        units=[u.code for u in cycle.units],
        group=group,
        groups=list(groups) or [""],
        names=[u.name for u in cycle.units],
        assessors=assessors,
    )


def _panel_column(kind: FactKind, values: list[Any], number: dict[str, int]) -> PanelColumn:
    """Each assessor's values slot by slot; past a unit's last assessor, its slot-0 value (never read)."""
    width = max((len(v.values) for v in values if isinstance(v, PanelValues)), default=1)
    who = np.full((len(values), width), -1, dtype=np.int64)
    slots = []
    for j in range(width):
        slot = []
        for row, value in enumerate(values):
            if not isinstance(value, PanelValues):
                slot.append(value)  # the default, standing in for every assessor
            elif j < len(value.values):
                assessor, own = value.values[j]
                who[row, j] = number[assessor]
                slot.append(own)
            else:
                slot.append(value.values[0][1])
        column = _column(kind, slot)
        assert not isinstance(column, PanelColumn)
        slots.append(column)
    return PanelColumn(who, tuple(slots))


def _column(kind: FactKind, values: list[Any]) -> Column:
    index = {option: number for number, option in enumerate(kind.options)}
    if kind.type in LIST_TYPES:
        lengths = [len(v) for v in values]
        offsets = np.concatenate(([0], np.cumsum(lengths, dtype=np.int64))).astype(np.int64)
        entries = [e for v in values for e in v]
        if kind.type == "awards":
            return Ragged(offsets, np.array([index[a.level] for a in entries], dtype=np.int64))
        if kind.type == "findings":
            return Ragged(offsets, np.array([f.points for f in entries], dtype=np.int64))
        ids: dict[tuple[str, str], int] = {}
        keys = np.array([ids.setdefault((c.case, c.department), len(ids)) for c in entries], dtype=np.int64)
        return Ragged(offsets, np.array([index[c.outcome] for c in entries], dtype=np.int64), keys)
    if kind.type == "flag":
        return np.array(values, dtype=bool)
    if kind.type == "judgment":
        return np.array([index[v] for v in values], dtype=np.int64)
    if kind.type == "checklist":
        return np.array([[o in v for o in kind.options] for v in values], dtype=bool).reshape(
            len(values), len(kind.options)
        )
    if kind.type == "ballot":
        return np.array([[v[o] for o in kind.options] for v in values], dtype=np.int64).reshape(
            len(values), len(kind.options)
        )
    return np.array(values, dtype=np.int64)


# -- checking columns given as arrays --------------------------------------------------------------


def _bad(kind: FactKind, message: str, rows: Array | None = None) -> FactError:
    where = f", first at unit row {int(np.flatnonzero(rows)[0])}" if rows is not None else ""
    return FactError([f"kind {kind.code} ({kind.type}): {message}{where}"])


def _checked(kind: FactKind, column: Column, size: int, assessors: int) -> Column:
    """The column in the engine's dtypes, or a FactError naming the kind, the problem and a row."""
    if isinstance(column, PanelColumn) != kind.panel:
        need = "one column per assessor slot (PanelColumn)" if kind.panel else "not one per assessor"
        raise _bad(kind, f"{'a' if kind.panel else 'not a'} panel kind: {need}")
    if not isinstance(column, PanelColumn):
        return _checked_plain(kind, column, size)
    who = np.asarray(column.who)
    if who.dtype.kind not in "iu" or who.ndim != 2 or who.shape[0] != size:
        raise _bad(kind, f"who must be integers, one row of slots per unit; got {who.dtype} {who.shape}")
    who = who.astype(np.int64, copy=False)
    if who.shape[1] < 1 or who.shape[1] != len(column.slots):
        raise _bad(kind, f"{who.shape[1]} slots in who for {len(column.slots)} columns; at least one")
    if np.any((who < -1) | (who >= assessors)):
        raise _bad(
            kind, f"an assessor beyond the {assessors} labels", ((who < -1) | (who >= assessors)).any(axis=1)
        )
    present = who >= 0
    gaps = present[:, 1:] & ~present[:, :-1]
    if np.any(gaps):
        raise _bad(kind, "a unit's assessors fill its first slots, without gaps", gaps.any(axis=1))
    disorder = present[:, 1:] & (who[:, 1:] <= who[:, :-1])
    if np.any(disorder):
        raise _bad(kind, "a unit's assessors in the labels' order, each once", disorder.any(axis=1))
    slots = tuple(_checked_plain(kind, slot, size) for slot in column.slots)
    return PanelColumn(np.asfortranarray(who), slots)  # slot by slot, each slot's column contiguous


def _checked_plain(kind: FactKind, column: Column, size: int) -> Array | Ragged:
    options = len(kind.options)
    if kind.type in LIST_TYPES:
        if not isinstance(column, Ragged):
            raise _bad(kind, "a list kind needs offsets and entries (Ragged)")
        offsets = np.asarray(column.offsets, dtype=np.int64)
        values = np.asarray(column.values, dtype=np.int64)
        if offsets.shape != (size + 1,) or offsets[0] != 0 or offsets[-1] != len(values):
            raise _bad(kind, f"offsets must run from 0 to the {len(values)} entries over {size} units")
        if np.any(offsets[1:] < offsets[:-1]):
            raise _bad(kind, "offsets go down", offsets[1:] < offsets[:-1])
        keys = None
        if kind.type == "cases":
            if column.keys is None or len(column.keys) != len(values):
                raise _bad(kind, "cases need one (case, department) key per entry")
            keys = np.asarray(column.keys, dtype=np.int64)
        entry_bad = values < 0 if kind.type == "findings" else (values < 0) | (values >= options)
        if np.any(entry_bad):
            units = np.zeros(size, dtype=bool)
            units[np.repeat(np.arange(size), np.diff(offsets))[entry_bad]] = True
            what = "a finding's points cannot be negative" if kind.type == "findings" else "an unknown option"
            raise _bad(kind, what, units)
        return Ragged(offsets, values, keys)
    if isinstance(column, Ragged | PanelColumn):
        raise _bad(kind, "one value per unit, not a list")
    array = np.asarray(column)
    shape = (size, options) if kind.type in MATRIX_TYPES else (size,)
    if array.shape != shape:
        raise _bad(kind, f"shape {array.shape}, expected {shape}")
    if kind.type in ("flag", "checklist"):
        if array.dtype != bool:
            raise _bad(kind, f"expected booleans, got {array.dtype}")
        return array
    if array.dtype.kind not in "iu":
        raise _bad(kind, f"expected integers, got {array.dtype}")
    array = array.astype(np.int64, copy=False)
    if kind.type in ("count", "ballot") and np.any(array < 0):
        negative = array < 0
        raise _bad(
            kind, "a count cannot be negative", negative.any(axis=1) if negative.ndim == 2 else negative
        )
    if kind.type == "rate" and np.any((array < 0) | (array > RATE_SCALE)):
        raise _bad(kind, "a rate lies in [0, 100%]", (array < 0) | (array > RATE_SCALE))
    if kind.type == "judgment" and np.any((array < 0) | (array >= options)):
        raise _bad(kind, "an unknown option", (array < 0) | (array >= options))
    if kind.type == "ballot" and np.any(array.sum(axis=1) == 0):
        raise _bad(kind, "a ballot with no votes", array.sum(axis=1) == 0)
    return array
