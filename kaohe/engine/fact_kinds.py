"""What a scheme says about the facts it reads: each fact kind's code, title and value type.

A fact kind is declared once in the scheme; rules name it by code. The value types are few and
fixed, so that a vectorised evaluator can hold each kind as one typed column over all units.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kaohe.engine.fields import Code

FactType = Literal[
    "count",  # a whole number ≥ 0: missed meetings, members short of dues, times 通报批评
    "rate",  # a share in [0, 100%]: attendance, completion
    "flag",  # yes / no: 未建立制度, 发生重大安全事故
    "judgment",  # one of the declared options: 好 / 较好 / 一般 / 较差
    "figure",  # an imported number with at most 3 decimals: platform deductions, business score
    "awards",  # a list of awards, each with a level among the options
    "cases",  # a list of discipline cases: case number, department, outcome among the options
    "findings",  # a list of assessor findings, each with the points the assessor picked
    "checklist",  # the options present: 议程, 决议, 记录
    "ballot",  # a tally of votes per option: 好 30, 较好 12, 一般 3, 差 0
]

TYPES_WITH_OPTIONS: frozenset[str] = frozenset({"judgment", "awards", "cases", "checklist", "ballot"})
LIST_TYPES: frozenset[str] = frozenset({"awards", "cases", "findings"})  # many rows may add up


class FactKind(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    title: str = Field(min_length=1)
    type: FactType
    options: tuple[str, ...] = ()
    # Used for a unit that has no fact of this kind; without it a missing fact is an error,
    # never a silent zero.
    default: Any = None
    source: str = ""  # where the facts come from: a ledger, the party platform, the 纪委
    # The record kind the web app computes this fact from (e.g. "ledger.party_lecture.count"). The
    # engine only carries it: a result stays reproducible from the facts alone.
    derive: str = Field(default="", pattern=r"^([a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*)?$")
    # 考核组逐人评分: each assessor of the scheme's panel gives their own value (a judgment, the
    # findings they picked points for); an item reading it is scored per assessor and averaged.
    panel: bool = False
