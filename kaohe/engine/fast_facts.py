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

Sources stay with the records (and the reference evaluator's explanations); columns hold values.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from kaohe.engine.errors import FactError
from kaohe.engine.exact_arrays import Array, composite_key, magnitude
from kaohe.engine.fact_kinds import LIST_TYPES, FactKind
from kaohe.engine.facts import Award, Case, Cell, Cycle, Finding, Unit, Value
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


Column = Array | Ragged


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
    """The units of a cycle (codes, peer groups) and one column per fact kind."""

    def __init__(
        self,
        kinds: Iterable[FactKind],
        columns: Mapping[str, Column],
        *,
        units: Sequence[str],
        group: Array | None = None,
        groups: Sequence[str] = ("",),
        names: Sequence[str] | None = None,
    ) -> None:
        self.kinds = {kind.code: kind for kind in kinds}
        self.units = units
        self.size = len(units)
        self.names = names
        self.groups = tuple(groups)
        if len(set(self.groups)) != len(self.groups):
            raise FactError(["groups: each peer group is named once"])
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
            self.columns[code] = _checked(kind, column, self.size)
        self._cache: dict[tuple[str, str], Any] = {}

    # -- reading ---------------------------------------------------------------------------------

    def column(self, code: str) -> Column:
        return self.columns[code]

    def dense(self, code: str) -> Array:
        column = self.columns[code]
        assert not isinstance(column, Ragged), code
        return column

    def ragged(self, code: str) -> Ragged:
        column = self.columns[code]
        assert isinstance(column, Ragged), code
        return column

    def _cached(self, what: str, code: str, make: Any) -> Any:
        key = (what, code)
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def count(self, code: str) -> Array:
        """A count, or the number of entries of a list kind."""
        column = self.columns[code]
        return column.lengths() if isinstance(column, Ragged) else column

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
            if isinstance(column, Ragged):
                lengths = column.lengths()[rows]
                offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
                index = np.repeat(column.offsets[rows] - offsets[:-1], lengths) + np.arange(offsets[-1])
                keys = None if column.keys is None else column.keys[index]
                columns[code] = Ragged(offsets, column.values[index], keys)
            else:
                columns[code] = column[rows]
        return FactColumns(
            self.kinds.values(),
            columns,
            units=[self.units[int(i)] for i in rows],
            group=self.group[rows],
            groups=self.groups,
            names=None if self.names is None else [self.names[int(i)] for i in rows],
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
            for row, unit in enumerate(units):
                cells[unit.code] = Cell(_value(kind, column, row), (f"列/{code}",))
            columns[code] = cells
        return Cycle(units, columns)


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
        ragged = self.whole.ragged(code)
        offsets = ragged.offsets[self.start : self.stop + 1]
        first, last = int(offsets[0]), int(offsets[-1])
        keys = None if ragged.keys is None else ragged.keys[first:last]
        return Ragged(offsets - first, ragged.values[first:last], keys)

    def count(self, code: str) -> Array:
        """A count, or the number of entries of a list kind."""
        column = self.whole.columns[code]
        if isinstance(column, Ragged):
            offsets = column.offsets
            return self._cached("count", code, lambda: np.diff(offsets[self.start : self.stop + 1]))  # type: ignore[no-any-return]
        return column[self.start : self.stop]

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


def _value(kind: FactKind, column: Column, row: int) -> Value:
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
    columns = {code: _column(kinds[code], [cell.value for cell in cycle.column(code)]) for code in reads}
    return FactColumns(
        [kinds[code] for code in reads],
        columns,
        units=[u.code for u in cycle.units],
        group=group,
        groups=list(groups) or [""],
        names=[u.name for u in cycle.units],
    )


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


def _checked(kind: FactKind, column: Column, size: int) -> Column:
    """The column in the engine's dtypes, or a FactError naming the kind, the problem and a row."""
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
    if isinstance(column, Ragged):
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
