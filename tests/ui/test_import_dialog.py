"""The import dialog: choose a file, preview it (or its bad rows), import off the GUI thread, cancel."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtGui import QGuiApplication

from desk.models import Sale
from desk.services import sale_lookup
from desk.ui.context import AppContext
from desk.ui.dialogs.import_sales import ImportSalesDialog

HEADER = ("record,receipt,timestamp,till,cashier,line,sku,barcode,description,category,quantity,unit_price,"
          "line_discount,tax_rate,currency,order_discount,customer_name,customer_email,customer_phone,"
          "method,amount,card_brand,card_last4,reference")


def _line(receipt, when, line, sku, desc, qty, price, name="", email=""):
    order_discount = "0" if line == 1 else ""  # the receipt's first row carries it
    return f"line,{receipt},{when},T1,Tom,{line},{sku},,{desc},Home,{qty},{price},0,20,GBP,{order_discount},{name},{email},,,,,,"


def _tender(receipt, method, amount, brand="", last4="", ref=""):
    return f"tender,{receipt},,,,,,,,,,,,,,,,,,{method},{amount},{brand},{last4},{ref}"


GOOD = "\n".join([
    HEADER,
    _line("C-1001", "2026-10-03T14:22:05+01:00", 1, "MUG-1", "Mug", 2, "9.50", "Jane Doe", "jane@example.com"),
    _line("C-1001", "2026-10-03T14:22:05+01:00", 2, "VAS-1", "Vase", 1, "34.00", "Jane Doe", "jane@example.com"),
    _tender("C-1001", "card", "53.00", "Visa", "4242", "AUTH1"),
    _line("C-1002", "2026-10-04T10:00:00+01:00", 1, "MUG-1", "Mug", 1, "9.50"),
    _tender("C-1002", "cash", "9.50"),
]) + "\n"

BROKEN = "\n".join([
    HEADER,
    _line("C-2001", "2026-10-03T14:22:05+01:00", 1, "MUG-1", "Mug", "two", "9.50"),
    _line("C-2001", "2026-10-03T14:22:05+01:00", 2, "VAS-1", "Vase", 1, "thirty"),
    _tender("C-2001", "card", "53.00", "Visa", "4242", "AUTH1"),
]) + "\n"


@pytest.fixture
def ctx(sqlite_store, sqlite_url):
    pytest.importorskip("desk.services.sales_import")
    _shop, admin = sqlite_store
    return AppContext(sqlite_url, staff=admin)


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "till-export.csv"
    path.write_text(GOOD, encoding="utf-8")
    return str(path)


def _dialog(qtbot, ctx, path=None) -> ImportSalesDialog:
    dialog = ImportSalesDialog(ctx, None, path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.is_busy())
    return dialog


def test_preview_of_a_good_file_then_import(qtbot, ctx, good_file):
    dialog = _dialog(qtbot, ctx, good_file)
    figures = {k: v.text() for k, v in dialog.figure_labels.items()}
    assert figures["format"] == "Canonical CSV / JSON Lines"
    assert figures["sales"] == "2 (3 lines)"
    assert figures["new"] == "2"
    assert figures["total"] == "£62.50"
    assert dialog.import_button.isEnabled()
    assert Sale.select().count() == 0  # a preview writes nothing

    with qtbot.waitSignal(ctx.events.changed, check_params_cb=lambda kind: kind == "sales"):
        dialog.import_button.click()
    qtbot.waitUntil(lambda: not dialog.is_busy())
    assert dialog.outcome == "imported"
    assert dialog.status.text().startswith("Imported 2 sales (3 lines)")
    assert not dialog.import_button.isEnabled()
    assert dialog.cancel_button.text() == "Close"
    view = sale_lookup.find_receipt("C-1001")
    assert view is not None and view.total == 5300
    assert [t.label for t in view.tenders] == ["Visa •••• 4242"]


def test_choose_file_then_reimport_changes_nothing(qtbot, ctx, good_file, monkeypatch):
    monkeypatch.setattr(ImportSalesDialog, "choose_file", classmethod(lambda cls, parent: good_file))
    first = _dialog(qtbot, ctx)
    assert first.stack.currentIndex() == 0  # nothing chosen yet
    first.choose_button.click()
    qtbot.waitUntil(lambda: not first.is_busy())
    assert first.file_edit.text() == good_file
    first.import_button.click()
    qtbot.waitUntil(lambda: first.outcome == "imported")

    second = _dialog(qtbot, ctx, good_file)
    assert not second.import_button.isEnabled()
    assert "change nothing" in second.status.text() or "already in the ledger" in second.status.text()
    assert Sale.select().count() == 2


def test_run_without_a_file_opens_nothing(qtbot, ctx, monkeypatch):
    monkeypatch.setattr(ImportSalesDialog, "choose_file", classmethod(lambda cls, parent: None))
    assert ImportSalesDialog.run(ctx, None) is None


def test_broken_file_lists_every_bad_row_and_cannot_be_imported(qtbot, ctx, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text(BROKEN, encoding="utf-8")
    dialog = _dialog(qtbot, ctx, str(path))
    texts = dialog.error_texts()
    assert dialog.stack.currentIndex() == 2
    assert any(t.startswith("row 2, quantity") and "'two'" in t for t in texts), texts
    assert any(t.startswith("row 3, unit_price") and "'thirty'" in t for t in texts), texts
    assert dialog.errors_title.text().startswith(f"{len(texts)} rows of this file have a problem")
    assert not dialog.import_button.isEnabled()
    dialog.import_button.click()  # disabled: nothing happens
    assert not dialog.is_busy()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == "\n".join(texts)
    assert Sale.select().count() == 0


def test_unreadable_file_says_why(qtbot, ctx, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(GOOD.replace("Mug", "Müg").encode("latin-1"))
    dialog = _dialog(qtbot, ctx, str(path))
    assert dialog.stack.currentIndex() == 2
    assert dialog.error_texts() and "UTF-8" in " ".join(dialog.error_texts())
    assert not dialog.import_button.isEnabled()


def test_cancel_leaves_nothing(qtbot, ctx, good_file, monkeypatch):
    from desk.services import sales_import

    real = sales_import.import_file
    gate = threading.Event()

    def held(actor, path, fmt=None, *, progress=None, cancel=None):
        gate.wait(10)  # hold the worker until the test has pressed Cancel
        return real(actor, path, fmt, progress=progress, cancel=cancel)

    monkeypatch.setattr(sales_import, "import_file", held)
    dialog = _dialog(qtbot, ctx, good_file)
    dialog.import_button.click()
    assert dialog.is_busy() and dialog.cancel_button.text() == "Cancel"
    assert dialog.progress.isVisible()
    dialog.cancel_button.click()
    gate.set()
    qtbot.waitUntil(lambda: not dialog.is_busy())
    assert dialog.outcome == "cancelled"
    assert dialog.status.text() == "Cancelled; nothing was imported."
    assert dialog.isVisible()  # Cancel stopped the import; it did not close the dialog
    assert Sale.select().count() == 0
    assert dialog.import_button.isEnabled()  # may try again


DATA = __import__("pathlib").Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize("name", ["shopify_orders_good.csv", "square_item_sales_good.csv", "canonical_good.jsonl"])
def test_sample_files_preview_and_import(qtbot, ctx, name):
    from desk.services import sales_import

    path = DATA / name
    if not path.exists():
        pytest.skip(f"{name} is not in tests/data")
    expected = sales_import.preview(str(path))
    dialog = _dialog(qtbot, ctx, str(path))
    assert dialog.stack.currentIndex() == 1, dialog.error_texts()
    assert dialog.figure_labels["new"].text() == f"{expected.new_sales:,}"
    assert dialog.figure_labels["refunds"].text() == f"{expected.refunds:,}"
    dialog.import_button.click()
    qtbot.waitUntil(lambda: not dialog.is_busy())
    assert dialog.outcome == "imported", dialog.status.text()
    assert Sale.select().count() == expected.new_sales


@pytest.mark.parametrize("name", ["shopify_orders_broken.csv", "canonical_broken.csv", "square_item_sales_broken.csv"])
def test_sample_broken_files_list_every_bad_row(qtbot, ctx, name):
    import re

    path = DATA / name
    if not path.exists():
        pytest.skip(f"{name} is not in tests/data")
    dialog = _dialog(qtbot, ctx, str(path))
    texts = dialog.error_texts()
    assert len(texts) >= 2
    assert all(re.match(r"^row \d+, [^:]+: .+", t) for t in texts), texts
    assert not dialog.import_button.isEnabled()
    assert Sale.select().count() == 0


def test_picking_a_format_previews_again(qtbot, ctx, good_file):
    dialog = _dialog(qtbot, ctx, good_file)
    assert dialog.stack.currentIndex() == 1
    dialog.set_format("square")
    qtbot.waitUntil(lambda: not dialog.is_busy())
    assert dialog.stack.currentIndex() == 2
    assert dialog.errors_title.text() == "This file cannot be imported:"
    assert "Square" in dialog.error_texts()[0]
    assert not dialog.import_button.isEnabled()
    dialog.set_format(None)
    qtbot.waitUntil(lambda: not dialog.is_busy())
    assert dialog.stack.currentIndex() == 1 and dialog.import_button.isEnabled()


def test_progress_counts_sales_in_grouped_figures(qtbot, ctx, tmp_path):
    """The bar reads "1,000 of 1,200": never Qt's own "%v of %m" with ungrouped figures."""
    from bench.sales import write_canonical_csv

    path = tmp_path / "big.csv"
    write_canonical_csv(path, 1200)
    dialog = _dialog(qtbot, ctx, str(path))
    shown = []
    dialog.progress.valueChanged.connect(lambda _value: shown.append(dialog.progress.text()))
    dialog.import_button.click()
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=60000)
    assert dialog.outcome == "imported"
    counts = [text for text in shown if " of " in text]
    assert counts and all(text.endswith(" of 1,200") for text in counts), shown
    assert "1,000 of 1,200" in counts
