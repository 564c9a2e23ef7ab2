"""Money: allocation by largest remainder, cumulative shares, minor units, formatting, parsing."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.money import allocate, cumulative_share, exponent, format_money, from_minor, parse_amount, to_minor

totals = st.integers(min_value=-10**9, max_value=10**9)
weight_lists = st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=30)


@given(totals, weight_lists)
def test_allocate_parts_sum_to_total_and_stay_within_one_of_the_exact_share(total, weights):
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    weight_sum = sum(weights) or len(weights)
    effective = weights if sum(weights) else [1] * len(weights)
    for part, w in zip(parts, effective):
        exact = Fraction(total * w, weight_sum)
        assert abs(part - exact) < 1


@given(totals, weight_lists)
def test_allocate_is_deterministic(total, weights):
    assert allocate(total, weights) == allocate(total, list(weights))


@given(st.integers(min_value=0, max_value=10**6), weight_lists)
def test_allocate_gives_nothing_to_a_zero_weight_when_others_weigh_something(total, weights):
    parts = allocate(total, weights)
    if sum(weights):
        assert all(p == 0 for p, w in zip(parts, weights) if w == 0)


@given(totals, weight_lists)
def test_allocate_splits_a_negative_total_as_the_negation_of_the_positive_split(total, weights):
    assert allocate(-total, weights) == [-p for p in allocate(total, weights)]


def test_allocate_examples():
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]  # ties go to the earlier weight
    assert allocate(10, [0, 0]) == [5, 5]  # all-zero weights split evenly
    assert allocate(7, [0, 5, 0]) == [0, 7, 0]
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]
    assert allocate(0, []) == []
    with pytest.raises(ValueError):
        allocate(5, [])
    with pytest.raises(ValueError):
        allocate(5, [1, -1])


@given(
    paid=st.integers(min_value=-10**7, max_value=10**7),
    data=st.data(),
)
def test_cumulative_share_one_at_a_time_equals_all_at_once(paid, data):
    sold = data.draw(st.integers(min_value=1, max_value=50))
    steps = data.draw(st.lists(st.integers(min_value=1, max_value=5), max_size=20))
    done = 0
    running = 0
    for k in steps:
        k = min(k, sold - done)
        if k == 0:
            break
        running += cumulative_share(paid, done, k, sold)
        done += k
        assert running == cumulative_share(paid, 0, done, sold)
    # Taking whatever is left gives exactly what the line paid in all.
    running += cumulative_share(paid, done, sold - done, sold)
    assert running == paid
    assert cumulative_share(paid, 0, sold, sold) == paid


def test_cumulative_share_example_and_refusals():
    # 3 units that paid 1000: 333 + 334 + 333 (round half up of 333.33, 666.67, 1000)
    assert [cumulative_share(1000, d, 1, 3) for d in range(3)] == [333, 334, 333]
    with pytest.raises(ValueError):
        cumulative_share(1000, 0, 1, 0)
    with pytest.raises(ValueError):
        cumulative_share(1000, 2, 2, 3)
    with pytest.raises(ValueError):
        cumulative_share(1000, -1, 1, 3)


@given(st.integers(min_value=-10**12, max_value=10**12), st.sampled_from(["GBP", "EUR", "JPY", "BHD", "USD"]))
def test_minor_units_round_trip(minor, currency):
    major = from_minor(minor, currency)
    assert isinstance(major, Decimal)
    assert major.as_tuple().exponent == -exponent(currency)
    assert to_minor(major, currency) == minor
    assert to_minor(str(major), currency) == minor


def test_to_minor_examples_and_refusals():
    assert to_minor("12.50", "GBP") == 1250
    assert to_minor(Decimal("12.5"), "GBP") == 1250
    assert to_minor(12, "GBP") == 1200
    assert to_minor("1250", "JPY") == 1250
    assert to_minor("1.234", "BHD") == 1234
    assert from_minor(1250, "GBP") == Decimal("12.50")
    assert str(from_minor(5, "GBP")) == "0.05"
    with pytest.raises(ValueError, match="more than 2 decimal places for GBP"):
        to_minor("12.505", "GBP")
    with pytest.raises(ValueError, match="more than 0 decimal places for JPY"):
        to_minor("12.5", "JPY")
    with pytest.raises(ValueError, match="not an amount"):
        to_minor("twelve", "GBP")
    with pytest.raises(ValueError, match="not an amount"):
        to_minor("NaN", "GBP")
    with pytest.raises(TypeError, match="float"):
        to_minor(12.5, "GBP")


def test_format_money_in_the_stores_locale():
    assert format_money(1250, "GBP", "en_GB") == "£12.50"
    assert format_money(-1250, "GBP", "en_GB") == "-£12.50"
    assert format_money(123450, "EUR", "de_DE") == "1.234,50\xa0€"
    assert format_money(1250, "JPY", "ja_JP") == "￥1,250"
    assert format_money(5, "GBP", "en_GB") == "£0.05"


def test_parse_amount_in_the_stores_locale():
    assert parse_amount("12.50", "GBP", "en_GB") == 1250
    assert parse_amount(" 1,234.50 ", "GBP", "en_GB") == 123450
    assert parse_amount("12", "GBP", "en_GB") == 1200
    assert parse_amount("1.234,50", "EUR", "de_DE") == 123450
    assert parse_amount("12,5", "EUR", "de_DE") == 1250
    assert parse_amount("1250", "JPY", "ja_JP") == 1250
    for bad in ["", "  ", "abc", "12.50.1"]:
        with pytest.raises(ValueError):
            parse_amount(bad, "GBP", "en_GB")
    with pytest.raises(ValueError, match="decimal places"):
        parse_amount("12.505", "GBP", "en_GB")


@pytest.mark.parametrize(
    "text, currency, locale",
    [
        ("12,50", "GBP", "en_GB"),  # a decimal comma in an en_GB store is not twelve hundred and fifty pounds
        ("12.50", "EUR", "de_DE"),  # a decimal point in a de_DE store is not twelve hundred and fifty euros
    ],
)
def test_parse_amount_refuses_a_separator_the_locale_does_not_use_that_way(text, currency, locale):
    with pytest.raises(ValueError, match=repr(text)):
        parse_amount(text, currency, locale)


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=10**9), st.sampled_from([("GBP", "en_GB"), ("EUR", "de_DE"), ("JPY", "ja_JP")]))
def test_parse_amount_reads_back_the_plain_number_format(minor, pair):
    from babel.numbers import format_decimal

    currency, locale = pair
    text = format_decimal(from_minor(minor, currency), locale=locale, decimal_quantization=False)
    assert parse_amount(text, currency, locale) == minor
