"""Facts computed from records: the `derive` codes a scheme's fact kinds may name.

An app that keeps records (ledgers, discipline cases, rectification) registers one function per
code. The function gets the assessed units (org nodes) and the span of the cycle and returns, for
every unit, the value in the engine's text form and the records it came from. The cycle never
knows how a ledger is kept; a ledger never knows how a point is scored.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kaohe.orgs.models import OrgUnit


@dataclass(frozen=True)
class Span:
    starts: datetime.date
    ends: datetime.date  # inclusive


@dataclass(frozen=True)
class Derived:
    value: str  # as the facts CSV writes it: "3", "87.5%", a JSON list for lists
    source: str  # the records it came from, in words a user can find them by


Deriver = Callable[[Sequence[OrgUnit], Span], dict[int, Derived]]  # org pk -> value

_DERIVERS: dict[str, tuple[Deriver, str]] = {}


def register(code: str, title: str) -> Callable[[Deriver], Deriver]:
    def wrap(fn: Deriver) -> Deriver:
        if code in _DERIVERS:
            raise ValueError(f"derive code {code} registered twice")
        _DERIVERS[code] = (fn, title)
        return fn

    return wrap


def known() -> dict[str, str]:
    """Every registered code with its title (what the records are)."""
    return {code: title for code, (_, title) in sorted(_DERIVERS.items())}


def derive(code: str, units: Sequence[OrgUnit], span: Span) -> dict[int, Derived]:
    fn, _ = _DERIVERS[code]
    return fn(units, span)
