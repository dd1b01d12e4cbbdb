"""Exact numbers: points as integer thousandths, rates as integer millionths.

Every amount the engine compares or adds is an int, so a total of exactly 90 is "≥ 90" and no
float ever decides a grade. Input is read exactly from text, int or Decimal; a float is read
through its shortest repr (what the writer typed), never through its binary value.
"""

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from kaohe.engine.errors import PointsError

SCALE = 1000  # points are stored as thousandths of a point
RATE_SCALE = 1_000_000  # rates (0..1) are stored as millionths: 87.5% -> 875_000
_MAX_DIGITS_BEFORE_POINT = 15  # refuses absurd magnitudes before any big-int work

_MINUS_SIGNS = ("\u2212", "\uff0d", "\u2013")  # − － – as people type them in Word and Excel


def _to_decimal(value: object, what: str) -> Decimal:
    if isinstance(value, bool):
        raise PointsError(f"{what} must be a number, got {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as this float: 0.1 -> '0.1', nan -> 'nan'.
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace("\uff0e", ".")
        for sign in _MINUS_SIGNS:
            text = text.replace(sign, "-")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise PointsError(f"{what} must be a number, got {value!r}") from None
    raise PointsError(f"{what} must be a number, got {type(value).__name__} {value!r}")


def _show(value: object) -> str:
    """A number as written (0.5555), text quoted ('abc') so blanks and odd characters show."""
    return str(value) if isinstance(value, Decimal | int | float) else repr(value)


def _scaled(number: Decimal, places: int, what: str, shown: object) -> int:
    """`number` × 10**places as an exact int, or a PointsError saying why it cannot be."""
    if number.is_nan():
        raise PointsError(f"{what} must be a number, got NaN")
    if number.is_infinite():
        raise PointsError(f"{what} must be finite, got {_show(shown)}")
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite numbers have an int exponent
    mantissa = int("".join(map(str, digits)) or "0")
    if mantissa == 0:
        return 0
    if number.adjusted() >= _MAX_DIGITS_BEFORE_POINT:
        raise PointsError(f"{what} is too large: {_show(shown)}")
    shift = exponent + places
    if shift >= 0:
        result = mantissa * 10**shift
    else:
        if -shift > len(digits) or mantissa % 10**-shift:
            raise PointsError(f"{what} has more than {places} decimals: {_show(shown)}")
        result = mantissa // 10**-shift
    return -result if sign else result


def parse_thousandths(value: object, what: str = "points") -> int:
    """'0.5' -> 500, '−0.25' -> -250, Decimal('3') -> 3000; more than 3 decimals is an error."""
    return _scaled(_to_decimal(value, what), 3, what, value)


def parse_points(value: object) -> int:
    return parse_thousandths(value, "points")


def format_thousandths(amount: int) -> str:
    """500 -> '0.5', -250 -> '-0.25', 3000 -> '3': the shortest exact decimal."""
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), SCALE)
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:03d}".rstrip("0")


format_points = format_thousandths


def thousandths_decimal(amount: int) -> Decimal:
    """The exact Decimal of a thousandths amount, written as people write it (Decimal('0.5'))."""
    return Decimal(format_thousandths(amount))


def parse_rate(value: object, what: str = "rate") -> int:
    """'90%' or '0.9' or Decimal('0.9') -> 900_000; a rate lies in [0, 100%].

    A rate is written with a percent sign, or as a bare fraction of at most 1 ('1' is 100%,
    '0.95' is 95%). A bare number above 1 ('95') is refused with the hint to write '95%'.
    """
    percent = isinstance(value, str) and value.strip().endswith(("%", "\uff05"))
    if percent:
        assert isinstance(value, str)
        number = _to_decimal(value.strip()[:-1], what)
        millionths = _scaled(number, 4, what, value)
    else:
        number = _to_decimal(value, what)
        millionths = _scaled(number, 6, what, value)
    if millionths < 0:
        raise PointsError(f"{what} cannot be negative: {_show(value)}")
    if millionths > RATE_SCALE and not percent and number <= 100:
        shown = value.strip() if isinstance(value, str) else _show(value)
        fraction = format(number.scaleb(-2).normalize(), "f")
        raise PointsError(
            f"{what} cannot be above 100%: {_show(value)}; write a rate with % ({shown}%) "
            f"or as a fraction of at most 1 ({fraction})"
        )
    if millionths > RATE_SCALE:
        raise PointsError(f"{what} cannot be above 100%: {_show(value)}")
    return millionths


def format_rate(millionths: int) -> str:
    """900_000 -> '90%', 333_333 -> '33.3333%'."""
    whole, frac = divmod(millionths, RATE_SCALE // 100)
    if not frac:
        return f"{whole}%"
    return f"{whole}.{frac:04d}".rstrip("0") + "%"


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to an int, halves away from zero (四舍五入)."""
    if denominator == 0:
        raise ZeroDivisionError("round_half_up by zero")
    negative = (numerator < 0) != (denominator < 0)
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    if 2 * remainder >= abs(denominator):
        quotient += 1
    return -quotient if negative else quotient


def round_fraction(value: Fraction) -> int:
    return round_half_up(value.numerator, value.denominator)
