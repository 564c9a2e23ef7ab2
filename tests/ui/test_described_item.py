"""The item described in words with its price, shared by Take an order and the no-receipt return."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from desk.ui.widgets.described_item import read_described_item


def _read(qtbot, text: str, price: str):
    describe, price_edit = QLineEdit(text), QLineEdit(price)
    qtbot.addWidget(describe)
    qtbot.addWidget(price_edit)
    errors: list[str] = []
    return read_described_item(describe, price_edit, "GBP", "en_GB", errors.append), errors


def test_a_described_item_is_read_as_its_words_and_minor_units(qtbot):
    assert _read(qtbot, "  Blue vase, large ", "12.50") == (("Blue vase, large", 1250), [])


def test_each_wrong_field_is_named(qtbot):
    assert _read(qtbot, " ", "12.50") == (None, ["Describe the item: what it is."])
    item, errors = _read(qtbot, "Vase", "twelve")
    assert item is None and errors[0].startswith("Price: ")
    assert _read(qtbot, "Vase", "-1.00") == (None, ["Price: must be zero or more"])
