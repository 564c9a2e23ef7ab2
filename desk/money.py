"""Money: integer minor units in storage, Decimal at the edges, allocation without losing a cent.

Nothing here ever touches a float. ``minor`` is an int of the currency's smallest unit
(pence, cents); amounts typed by people or read from files are parsed as Decimal.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Sequence

from babel.numbers import NumberFormatError, format_currency, get_currency_precision, parse_decimal

__all__ = [
    "exponent",
    "to_minor",
    "from_minor",
    "parse_amount",
    "format_money",
    "allocate",
    "round_half_up",
    "cumulative_share",
]


def exponent(currency: str) -> int:
    """Number of decimal places of ``currency`` (GBP 2, JPY 0, BHD 3)."""
    return int(get_currency_precision(currency.upper()))


def round_half_up(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def to_minor(amount: Decimal | int | str, currency: str) -> int:
    """Decimal major units to integer minor units. Refuses more decimals than the currency has."""
    if isinstance(amount, float):  # pragma: no cover - guard against misuse
        raise TypeError("money must not be a float")
    try:
        value = Decimal(str(amount).strip()) if not isinstance(amount, Decimal) else amount
    except InvalidOperation:
        raise ValueError(f"{amount!r} is not an amount") from None
    if not value.is_finite():
        raise ValueError(f"{amount!r} is not an amount")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount!r} has more than {exponent(currency)} decimal places for {currency}")
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """Integer minor units to a Decimal in major units, with the currency's places."""
    places = exponent(currency)
    return Decimal(int(minor)).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def parse_amount(text: str, currency: str, locale: str = "en_GB") -> int:
    """An amount typed by a person in the store's locale ("12.50", "1.234,50") to minor units."""
    cleaned = text.strip()
    if not cleaned:
        raise ValueError("an amount is required")
    try:
        # strict: "12,50" in an en_GB store is refused, not read as 1250 (grouping comma).
        value = parse_decimal(cleaned, locale=locale, strict=True)
    except NumberFormatError as exc:
        hint = f" Did you mean {exc.suggestions[0]}?" if getattr(exc, "suggestions", None) else ""
        raise ValueError(f"{text!r} is not an amount in this store's number format.{hint}") from None
    except Exception:
        raise ValueError(f"{text!r} is not an amount") from None
    return to_minor(value, currency)


def format_money(minor: int, currency: str, locale: str = "en_GB") -> str:
    """Minor units formatted in the store's locale: 1250 GBP en_GB -> '£12.50'."""
    return format_currency(from_minor(minor, currency), currency, locale=locale)


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` minor units in proportion to ``weights`` by largest remainder.

    The parts always add up to ``total`` exactly. Ties go to the earlier weight, so the
    result is deterministic. Negative totals are split as the negation of the positive split.
    """
    if not weights:
        if total:
            raise ValueError("cannot allocate a non-zero amount over nothing")
        return []
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    if total < 0:
        return [-part for part in allocate(-total, weights)]
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights = [1] * len(weights)
        weight_sum = len(weights)
    floors = []
    remainders = []
    for i, w in enumerate(weights):
        q, r = divmod(total * w, weight_sum)
        floors.append(q)
        remainders.append((-r, i))
    left = total - sum(floors)
    for _, i in sorted(remainders)[:left]:
        floors[i] += 1
    return floors


def cumulative_share(paid: int, done: int, more: int, sold: int) -> int:
    """What ``more`` units of a line of ``sold`` units that paid ``paid`` are worth,
    when ``done`` units were already taken out of it.

    round(paid * (done + more) / sold) - round(paid * done / sold): taking units one at a
    time adds up exactly to taking them all at once, and all ``sold`` units give ``paid``.
    """
    if sold <= 0:
        raise ValueError("sold must be positive")
    if done < 0 or more < 0 or done + more > sold:
        raise ValueError("quantities out of range")

    def part(units: int) -> int:
        return round_half_up(Decimal(paid) * units / sold)

    return part(done + more) - part(done)
