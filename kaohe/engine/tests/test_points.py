"""Exact points: thousandths in, thousandths out, and a clear error for anything inexact."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaohe.engine.errors import EngineError, PointsError
from kaohe.engine.points import (
    format_points,
    format_rate,
    parse_points,
    parse_rate,
    round_half_up,
)


@pytest.mark.parametrize(
    ("written", "thousandths"),
    [
        ("0.5", 500),
        ("1", 1000),
        ("−0.25", -250),  # the minus sign Word and Excel put in
        ("－1.5", -1500),
        (Decimal("3"), 3000),
        (Decimal("0.125"), 125),
        ("0.5000", 500),  # trailing zeros are still exact
        (7, 7000),
        (0.1, 100),  # a float is read as written, through its shortest repr
        (" 2.25 ", 2250),
        ("1e2", 100_000),
    ],
)
def test_it_reads_points_exactly(written, thousandths):
    assert parse_points(written) == thousandths


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("0.0001", "more than 3 decimals"),
        ("1.2345", "more than 3 decimals"),
        ("NaN", "NaN"),
        (float("nan"), "NaN"),
        (float("inf"), "finite"),
        ("-Infinity", "finite"),
        ("abc", "must be a number"),
        ("", "must be a number"),
        (True, "must be a number"),
        (None, "must be a number"),
        ("1e30", "too large"),
    ],
)
def test_it_refuses_inexact_points_with_a_clear_error(written, says):
    with pytest.raises(PointsError, match=says) as caught:
        parse_points(written)
    assert isinstance(caught.value, EngineError)
    assert isinstance(caught.value, ValueError)  # so pydantic reports it as a field error


@pytest.mark.parametrize(
    ("thousandths", "text"),
    [(500, "0.5"), (-250, "-0.25"), (3000, "3"), (1, "0.001"), (0, "0"), (-1, "-0.001")],
)
def test_it_writes_points_as_people_write_them(thousandths, text):
    assert format_points(thousandths) == text


@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_formatting_then_parsing_gives_the_same_points(thousandths):
    assert parse_points(format_points(thousandths)) == thousandths


def test_it_reads_rates_as_percent_or_fraction():
    assert parse_rate("90%") == parse_rate("0.9") == parse_rate(Decimal("0.9")) == 900_000
    assert parse_rate("12.5%") == 125_000
    assert format_rate(900_000) == "90%"
    assert format_rate(333_333) == "33.3333%"


@pytest.mark.parametrize(
    ("written", "says"), [("101%", "above 100%"), ("1.2", "above 100%"), ("-5%", "negative")]
)
def test_it_refuses_rates_outside_0_to_100_percent(written, says):
    with pytest.raises(PointsError, match=says):
        parse_rate(written)


def test_rounding_takes_halves_away_from_zero():
    assert round_half_up(5, 2) == 3
    assert round_half_up(-5, 2) == -3
    assert round_half_up(4, 3) == 1
    assert round_half_up(5, 3) == 2


@pytest.mark.parametrize(("written", "hint"), [("95", "(95%)"), ("87.5", "(87.5%)"), (95, "(95%)")])
def test_a_bare_rate_above_1_is_refused_with_a_hint_to_write_percent(written, hint):
    with pytest.raises(PointsError) as caught:
        parse_rate(written)
    assert "write a rate with %" in str(caught.value)
    assert hint in str(caught.value)


def test_a_bare_fraction_of_at_most_1_is_a_rate_as_documented():
    assert parse_rate("1") == 1_000_000
    assert parse_rate("0.95") == 950_000
