"""Pydantic field types for exact amounts and stable codes.

Inputs are read as people write them (0.5, "−0.25", "90%"); the model holds ints (thousandths of
a point, millionths of a rate) and writes them back as they were written.
"""

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer, Strict

from kaohe.engine.points import (
    format_rate,
    parse_points,
    parse_rate,
    parse_thousandths,
    thousandths_decimal,
)

# A code is what survives renumbering and retitling: letters (Chinese included), digits, . _ -
Code = Annotated[str, Field(pattern=r"^[\w.\-]+$", min_length=1, max_length=80)]

Points = Annotated[
    int,
    BeforeValidator(parse_points),
    PlainSerializer(thousandths_decimal, return_type=Decimal),
]

# A multiplier such as 10 (平台扣分按10倍) or 1.05 (a pay coefficient): exact to 3 decimals.
Factor = Annotated[
    int,
    BeforeValidator(lambda value: parse_thousandths(value, "factor")),
    PlainSerializer(thousandths_decimal, return_type=Decimal),
]

Rate = Annotated[int, BeforeValidator(parse_rate), PlainSerializer(format_rate, return_type=str)]

Count = Annotated[int, Strict(), Field(ge=0)]
PositiveCount = Annotated[int, Strict(), Field(ge=1)]

# An imported number (a platform's deduction, a business score, a completion value).
Figure = Annotated[
    int,
    BeforeValidator(lambda value: parse_thousandths(value, "figure")),
    PlainSerializer(thousandths_decimal, return_type=Decimal),
]
