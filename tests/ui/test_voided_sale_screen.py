"""A voided exchange's replacement sale on the Sales screen (red, struck, "Voided" and why, no
return) and out of the Today screen's figures."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from desk.services.exchanges import ExchangeRequest, ReplacementLine, create_exchange, void_exchange
from desk.ui import theme
from desk.ui.context import AppContext
from desk.ui.screens.sales import SalesScreen
from desk.ui.tables.sales_table import SalesTableModel
from tests.services.test_returns import add_team, make_product, make_request, make_sale


@pytest.fixture
def voided(sqlite_store, sqlite_url):
    store, admin = sqlite_store
    clerk, _clerk2, _sup, manager = add_team(store)
    m = make_product("SH-M", price=2000, stock=3)
    l = make_product("SH-L", price=2000, stock=2)
    sale = make_sale(store, "T-1", [("Shirt M", 2, 2000, 0, "Clothing", m)])
    kept = create_exchange(clerk, ExchangeRequest(returned=make_request(sale, {1: 1}).lines,
                                                  replacements=[ReplacementLine(l.id, 1)], sale_id=sale.id))
    x = create_exchange(clerk, ExchangeRequest(returned=make_request(sale, {1: 1}).lines,
                                               replacements=[ReplacementLine(l.id, 1)], sale_id=sale.id))
    void_exchange(manager, x.number, "customer kept the original")
    return AppContext(sqlite_url, staff=manager), x.number, kept.number


def test_the_sales_screen_shows_a_voided_sale_red_struck_with_why(qtbot, voided):
    ctx, number, kept = voided
    screen = SalesScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1200, 760)
    screen.show()
    assert screen.open_receipt(number)
    row = screen.model.row_of_sale(screen.detail.sale.id)
    receipt = screen.model.index(row, SalesTableModel.RECEIPT)
    total = screen.model.index(row, SalesTableModel.TOTAL)
    assert receipt.data() == number and total.data() == "Voided"
    assert receipt.data(SalesTableModel.RowRole).voided
    assert QColor(receipt.data(Qt.ItemDataRole.ForegroundRole)) == QColor(theme.REFUSED)
    assert QColor(total.data(Qt.ItemDataRole.ForegroundRole)) == QColor(theme.REFUSED)
    assert total.data(Qt.ItemDataRole.ToolTipRole).startswith("Voided: £20.00 no longer counts")
    detail = screen.detail
    assert detail.void_label.isVisible()
    text = detail.void_label.text()
    assert text.startswith("Voided ") and "by Maja Manager" in text and "customer kept the original" in text
    assert "cannot be returned" in text and detail.total_label.font().strikeOut()
    assert detail.source_label.text() == "Exchange at the desk"
    assert not screen.return_button.isEnabled() and not screen.gift_button.isEnabled()
    assert screen.reprint_button.isEnabled()
    assert screen.start_return() is False
    assert screen.message.text() == text
    screen.clear_search()  # the list: the voided sale among the others
    screen.grab().save("/tmp/desk-voided-sale.png")

    # the exchange that stands is shown as an ordinary sale
    assert screen.open_receipt(kept)
    assert not screen.detail.void_label.isVisible() and not screen.detail.total_label.font().strikeOut()
    assert screen.return_button.isEnabled()
    row = screen.model.row_of_sale(screen.detail.sale.id)
    assert screen.model.index(row, SalesTableModel.RECEIPT).data() == kept
    assert screen.model.index(row, SalesTableModel.TOTAL).data() == "£20.00"
    assert screen.model.index(row, SalesTableModel.TOTAL).data(Qt.ItemDataRole.ForegroundRole) is None


def test_the_today_screen_leaves_a_voided_sale_out(qtbot, voided):
    from desk.ui.screens.home import HomeScreen

    ctx, _number, _kept = voided
    home = HomeScreen(ctx)
    qtbot.addWidget(home)
    home.refresh()
    # the till's sale was yesterday; today: the exchange that stands, not the voided one
    assert home.today_count.text() == "1"
    assert home.today_total.text() == "£20.00"
    assert home.ledger_size.text() == "2 sales"


def test_the_return_screen_refuses_a_voided_sale_before_showing_it(qtbot, voided, messages):
    from desk.models import Sale
    from desk.ui.screens.returns import ReturnScreen

    ctx, number, kept = voided
    screen = ReturnScreen(ctx)
    qtbot.addWidget(screen)
    assert screen.start_from_sale(Sale.get(Sale.receipt_no == number).id) is False
    (title, text), = messages
    assert f"Sale {number} was voided on" in text and "customer kept the original" in text
    assert screen.start_from_sale(Sale.get(Sale.receipt_no == kept).id) is True
