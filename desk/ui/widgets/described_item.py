"""An item described in words with its price, as typed in a dialog's two fields (an order's
free-text line, a no-receipt return's item): read once, the wrong field named and focused."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLineEdit

from desk.money import parse_amount


def read_described_item(describe_edit: QLineEdit, price_edit: QLineEdit, currency: str, locale: str,
                        show_error: Callable[[str], None]) -> tuple[str, int] | None:
    """(description, price in minor units), or None after ``show_error`` named what is wrong."""
    text = describe_edit.text().strip()
    if not text:
        show_error("Describe the item: what it is.")
        describe_edit.setFocus()
        return None
    try:
        price = parse_amount(price_edit.text(), currency, locale)
    except ValueError as exc:
        show_error(f"Price: {exc}")
        price_edit.setFocus()
        return None
    if price < 0:
        show_error("Price: must be zero or more")
        price_edit.setFocus()
        return None
    return text, price
