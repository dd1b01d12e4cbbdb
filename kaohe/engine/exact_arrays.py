"""Exact integer arithmetic on NumPy arrays: what points.py is to the reference evaluator.

The fast evaluator works in int64 thousandths. Before it multiplies, it works out from the
scheme's amounts and the facts' largest values how large the result can get; when that could
leave int64 (facts or amounts far beyond any real scoring table), the arrays become object arrays
of Python ints, slower but still exact. No float is ever used.
"""

from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]
# An array or a Python int: NumPy's stubs cannot follow arithmetic that mixes them, hence Any.
Int = Any

# Every int64 intermediate stays below this, so 2·n + d of a rounded division cannot overflow.
LIMIT = 2**61


def magnitude(values: Int) -> int:
    """The largest absolute value (0 for an empty array)."""
    if isinstance(values, int | np.integer):
        return abs(int(values))
    if values.size == 0:
        return 0
    if values.dtype == object:
        return max(abs(int(v)) for v in values.flat)
    return max(abs(int(values.max())), abs(int(values.min())))


def fits(bound: int) -> bool:
    return bound < LIMIT


def wide(values: Int) -> Int:
    """The same numbers as Python ints (an object array), for arithmetic beyond int64."""
    if isinstance(values, np.ndarray) and values.dtype != object:
        return values.astype(object)
    return values


def within(bound: int, *arrays: Int) -> list[Int]:
    """The arrays as they are when `bound` fits in int64, else as Python-int object arrays."""
    if fits(bound):
        return list(arrays)
    return [wide(a) for a in arrays]


def round_div(numerator: Int, denominator: Int) -> Int:
    """numerator / denominator rounded half away from zero (四舍五入), elementwise; denominator > 0.

    The same as points.round_half_up, by floor division: (2n + d) // 2d for n ≥ 0.
    """
    twice = 2 * denominator
    up = (2 * numerator + denominator) // twice
    if isinstance(numerator, np.ndarray) and numerator.dtype != object and numerator.size:
        if numerator.min() >= 0:
            return up
    elif isinstance(numerator, int) and numerator >= 0:
        return up
    down = -((denominator - 2 * numerator) // twice)  # -round(|n| / d) for n < 0
    return np.where(numerator < 0, down, up)


def round_div_nonnegative(numerator: Int, denominator: Int) -> Int:
    """round_div for a numerator known to be ≥ 0."""
    return (2 * numerator + denominator) // (2 * denominator)


def segment_sum(values: Array, offsets: Array) -> Array:
    """The sum of each segment values[offsets[i]:offsets[i + 1]]; 0 for an empty one.

    Differences of the running sum at the offsets: two sequential passes, no branch per segment.
    """
    running = np.zeros(len(values) + 1, dtype=values.dtype if values.dtype == object else np.int64)
    np.cumsum(values, out=running[1:])
    at = running[offsets]
    return at[1:] - at[:-1]


def segment_max(values: Array, offsets: Array, empty: int = 0) -> Array:
    """The largest value of each segment; `empty` for a segment without entries."""
    if not values.size:
        return np.full(len(offsets) - 1, empty, dtype=np.int64)
    # np.maximum.reduceat gives values[start] for an empty segment (replaced below) and needs every
    # start inside the array: one more entry, the smallest value, which changes no maximum.
    padded = np.append(values, values.min())
    largest = np.maximum.reduceat(padded, offsets[:-1])
    return np.where(offsets[1:] > offsets[:-1], largest, empty)


def dense_ids(values: Array) -> Array:
    """Each value's place among the distinct values, smallest 0: the same order in int64."""
    _, inverse = np.unique(values, return_inverse=True)
    return inverse.astype(np.int64)


def composite_key(keys: list[Array]) -> Array:
    """One int64 per row that orders the rows as the tuple of `keys` does (first key first).

    Keys are folded into a single int when their spans allow, which sorts far faster than
    np.lexsort; a key whose values are Python ints is first replaced by its dense ids.
    """
    folded: Array | None = None
    for key in keys:
        if key.dtype == object:
            key = dense_ids(key)
        key = key.astype(np.int64, copy=False)
        low = int(key.min()) if key.size else 0
        span = (int(key.max()) - low + 1) if key.size else 1
        shifted = key - low
        if folded is None:
            folded = shifted
            continue
        top = int(folded.max()) + 1 if folded.size else 1
        if top * span >= LIMIT:  # n rows have at most n distinct values: n × n fits
            folded, shifted = dense_ids(folded), dense_ids(shifted)
            top, span = int(folded.max()) + 1, int(shifted.max()) + 1
        folded = folded * span + shifted
    assert folded is not None
    return folded
