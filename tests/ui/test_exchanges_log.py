"""The exchange log (Shift+F5): lazy pages, filters (Enter searches, Esc clears), CSV export, the
exchange's detail with its linked return and sale, Reprint slip, and Void — a manager's own, or a
supervisor's with a manager's code and PIN typed at the desk."""

from __future__ import annotations

import csv
import datetime as dt
import types

import pytest
from PySide6.QtCore import Qt

from desk.models import Exchange, Product, database
from desk.services.exchanges import ExchangeQuery, ExchangeRequest, ReplacementLine, create_exchange, exchange_view
from desk.services.returns import DeskApproval
from desk.ui.dialogs.exchange_detail import ExchangeDetailDialog
from desk.ui.dialogs.manager_reason import ManagerReasonDialog, ReasonAnswer
from desk.ui.dialogs.print_preview import PrintPreviewDialog
from desk.ui.screens.exchanges_log import ExchangesLogScreen
from desk.ui.tables.exchanges_log_table import ExchangesLogTableModel
from tests.services.test_returns import MANAGER, add_team, make_product, make_request, make_sale


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def shop(ctx, sqlite_store):
    """Five exchanges today: four even (shirt M for L), one down to store credit (socks)."""
    st, _admin = sqlite_store
    clerk, _clerk2, sup, mgr = add_team(st)
    shirt_m = make_product("SH-M", price=2000, stock=10)
    shirt_l = make_product("SH-L", price=2000, stock=10)
    sock = make_product("SOCK", price=500, stock=10)
    with database.atomic():
        Product.update(name="Shirt, Blue, M").where(Product.id == shirt_m.id).execute()
        Product.update(name="Shirt, Blue, L").where(Product.id == shirt_l.id).execute()
        Product.update(name="Socks").where(Product.id == sock.id).execute()
    sale = make_sale(st, "T-1", [("Shirt, Blue, M", 5, 2000, 0, "Clothing", shirt_m)])
    made = []
    for i in range(5):
        down = i == 4
        r = make_request(sale, {1: 1})
        made.append(create_exchange(mgr if down else clerk, ExchangeRequest(
            returned=r.lines, replacements=[ReplacementLine((sock if down else shirt_l).id, 1)], sale_id=sale.id,
            refund_to="store_credit" if down else "original")))
    ctx.staff = mgr
    return types.SimpleNamespace(store=st, clerk=clerk, sup=sup, mgr=mgr, made=made, l=shirt_l, sock=sock, sale=sale)


@pytest.fixture
def log(qtbot, shop, ctx):
    screen = ExchangesLogScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    return screen


@pytest.fixture
def printed(monkeypatch):
    docs: list = []
    monkeypatch.setattr(PrintPreviewDialog, "show_document",
                        classmethod(lambda cls, ctx, parent, doc, note="": docs.append(doc) or True))
    return docs


@pytest.fixture
def answers(monkeypatch):
    """What the void dialog answers (a ReasonAnswer or None), and what it was asked."""
    queue: list = []
    asked: list[dict] = []

    def fake(cls, parent, **kw):
        asked.append(kw)
        return queue.pop(0) if queue else None

    monkeypatch.setattr(ManagerReasonDialog, "ask", classmethod(fake))
    return types.SimpleNamespace(queue=queue, asked=asked)


def numbers(screen):
    return [screen.model.row_at(i).number for i in range(screen.model.rowCount())]


def test_the_log_loads_a_page_at_a_time(log, shop, qtmodeltester):
    assert log.model.total_count == 5 and log.count_label.text() == "5 exchanges"
    assert numbers(log) == [x.number for x in reversed(shop.made)]  # newest first
    log.model.page_size = 2
    assert log.search()
    assert log.model.rowCount() == 2 and log.model.canFetchMore()
    log.model.fetchMore()
    log.model.fetchMore()
    assert numbers(log) == [x.number for x in reversed(shop.made)]
    assert not log.model.canFetchMore()
    alone = ExchangesLogTableModel(page_size=2)  # the tester on a model no view fetches for
    alone.set_query(ExchangeQuery())
    qtmodeltester.check(alone)
    assert alone.total_count == 5 and alone.rowCount() == 5
    m = log.model
    down = m.index(0, m.DIFFERENCE)
    assert m.data(down) == "−£15.00" and m.data(m.index(1, m.DIFFERENCE)) == "Even"
    assert m.data(m.index(0, m.ITEMS_IN)) == "Shirt, Blue, M" and m.data(m.index(0, m.ITEMS_OUT)) == "Socks"
    assert m.data(m.index(0, m.REASON)) == "Wrong size" and m.data(m.index(0, m.STATUS)) == "Done"


def test_filters_enter_searches_and_esc_clears(log, shop, qtbot):
    with qtbot.waitActive(log):
        log.show()
        log.activateWindow()
    log.product_edit.setFocus()
    qtbot.keyClicks(log.product_edit, "sock")
    qtbot.keyClick(log.product_edit, Qt.Key.Key_Return)
    assert numbers(log) == [shop.made[4].number]
    qtbot.keyClick(log.product_edit, Qt.Key.Key_Escape)
    assert log.product_edit.text() == "" and log.model.total_count == 5

    log.clerk_combo.setEditText(shop.clerk.code)
    assert log.search() and log.model.total_count == 4
    log.clear_filters()
    log.reason_combo.setCurrentIndex(log.reason_combo.findData("defective"))
    assert log.search() and log.model.total_count == 0

    log.clear_filters()
    log.from_edit.setText("31/02/2026")
    assert not log.search()
    assert log.message.isVisible() and log.message.text().startswith("From:")


def test_export_csv_writes_what_matches(log, shop, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "exchanges"
    monkeypatch.setattr(ExchangesLogScreen, "choose_export_path", classmethod(lambda cls, parent, suggested: str(target)))
    log.product_edit.setText("shirt, blue, l")
    assert log.export_csv()
    qtbot.waitUntil(lambda: not log.exporting, timeout=20000)
    path = tmp_path / "exchanges.csv"
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    assert [r["number"] for r in rows] == [x.number for x in reversed(shop.made[:4])]
    assert rows[0]["items_out"] == "Shirt, Blue, L" and rows[0]["difference"] == "0.00"
    assert log.message.text() == f"Exported 4 exchanges to {path}."
    assert not (tmp_path / "exchanges.csv.part").exists()


def test_detail_shows_both_halves_and_opens_the_linked_return(log, shop, qtbot, monkeypatch):
    from desk.ui.dialogs.return_detail import ReturnDetailDialog

    down = shop.made[4]
    dialog = ExchangeDetailDialog(log.ctx, exchange_view(down.number), log)
    qtbot.addWidget(dialog)
    assert dialog.in_table.item(0, 0).text() == "Shirt, Blue, M" and dialog.out_table.item(0, 0).text() == "Socks"
    assert dialog.tenders_table.item(0, 0).text() == "Refunded: Store credit"
    assert dialog.tenders_table.item(0, 3).text() == down.voucher_codes[0]
    assert "£15.00 refunded" in dialog.totals_label.text()
    assert dialog.return_button.text() == f"Return {down.return_number}"
    opened: list = []
    monkeypatch.setattr(ReturnDetailDialog, "show_return", classmethod(lambda cls, ctx, parent, number: opened.append(number)))
    dialog.return_button.click()
    assert opened == [down.return_number]
    dialog.sale_button.click()
    assert dialog.open_sale == down.number  # the replacement sale's receipt is the exchange's number


def test_the_sale_opens_in_sales(make_window, shop, ctx, qtbot, monkeypatch):
    window = make_window(ctx)
    assert window.show_screen("screen.exchanges_log")
    log = window.current_screen()
    number = log.model.row_at(0).number
    monkeypatch.setattr(ExchangeDetailDialog, "show_exchange",
                        classmethod(lambda cls, c, parent, n: types.SimpleNamespace(voided=False, open_sale=n)))
    qtbot.keyClick(log.table, Qt.Key.Key_Return)
    assert window.current_screen_name() == "screen.sales"
    assert window.current_screen().detail.sale.receipt == number


def test_reprint_slip(log, shop, qtbot, printed):
    dialog = ExchangeDetailDialog(log.ctx, exchange_view(shop.made[0].number), log)
    qtbot.addWidget(dialog)
    assert dialog.reprint()
    assert [(d.kind, d.number) for d in printed] == [("exchange", shop.made[0].number)]


def test_a_manager_voids_with_a_reason(log, shop, qtbot, answers):
    target = shop.made[0].number
    dialog = ExchangeDetailDialog(log.ctx, exchange_view(target), log)
    qtbot.addWidget(dialog)
    assert dialog.void_button.isVisibleTo(dialog)
    assert not dialog.void()  # backed out
    answers.queue.append(ReasonAnswer("customer changed their mind"))
    assert dialog.void()
    assert answers.asked[-1]["need_manager"] is False
    assert Exchange.get(Exchange.number == target).status == "voided"
    assert dialog.status_label.text() == "VOIDED" and "customer changed their mind" in dialog.void_label.text()
    assert not dialog.void_button.isVisibleTo(dialog)
    log.refresh()
    m = log.model
    row = log.model.row_of(target)
    assert m.data(m.index(row, m.STATUS)) == "Voided"
    assert m.data(m.index(row, m.DIFFERENCE), Qt.ItemDataRole.FontRole).strikeOut()
    assert m.data(m.index(row, m.DIFFERENCE), Qt.ItemDataRole.ToolTipRole).startswith("Voided")
    log.status_combo.setCurrentIndex(log.status_combo.findData("voided"))
    assert log.search() and numbers(log) == [target]


def test_a_supervisor_voids_with_a_managers_pin(log, shop, qtbot, answers, messages):
    log.ctx.staff = shop.sup
    target = shop.made[1].number
    dialog = ExchangeDetailDialog(log.ctx, exchange_view(target), log)
    qtbot.addWidget(dialog)
    assert dialog.void_button.isVisibleTo(dialog)
    answers.queue.append(ReasonAnswer("wrong size picked", DeskApproval(MANAGER[0], "999999", "wrong size picked")))
    assert not dialog.void()
    assert messages and messages[-1][0] == "Cannot sign in"
    assert "Not voided" in dialog.message.text()
    assert answers.asked[-1]["need_manager"] is True
    answers.queue.append(ReasonAnswer("wrong size picked", DeskApproval(MANAGER[0], MANAGER[1], "wrong size picked")))
    assert dialog.void()
    view = exchange_view(target)
    assert (view.status, view.voided_by_name) == ("voided", shop.mgr.name)


def test_the_reason_dialog_needs_a_reason_and_the_managers_pin(qtbot):
    dialog = ManagerReasonDialog(None, title="Void", heading="Void?", effects=["x"], confirm="Void", need_manager=True)
    qtbot.addWidget(dialog)
    assert not dialog.confirm() and dialog.error.text().startswith("Reason")
    dialog.reason_edit.setText("mistake")
    assert not dialog.confirm() and dialog.error.text().startswith("Manager's code")
    dialog.code_edit.setText("300")
    dialog.pin_edit.setText("12")
    assert not dialog.confirm() and dialog.error.text().startswith("Manager's PIN")
    dialog.pin_edit.setText("731846")
    assert dialog.confirm()
    assert dialog.answer == ReasonAnswer("mistake", DeskApproval("300", "731846", "mistake"))


def test_the_date_is_written_short_as_the_returns_log_writes_it(log, shop, clock_at):
    """The Date column reads as the returns log's does ("Today 10:43", a weekday this week, else
    the day and month) through the same helper, sized from its sample; the tip has the full date."""
    from desk import clock
    from desk.ui.tables.paged import ColumnFit
    from desk.ui.tables.sales_table import compact_time_sample

    m = log.model
    made = m.row_at(0).created_at
    local = clock.to_local(made)
    cell = m.index(0, m.DATE)
    clock_at(made)
    assert m.data(cell) == f"Today {local:%H:%M}"
    clock_at(made + dt.timedelta(days=2))
    assert m.data(cell) == f"{local:%a %H:%M}"
    clock_at(made + dt.timedelta(days=10))
    assert m.data(cell) == f"{local.day} {local:%b %H:%M}"
    assert f"{local.day} {local:%B %Y}" in m.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert m.column_sample(m.DATE) == compact_time_sample("en_GB", past=True)
    fit = log.table.findChild(ColumnFit)
    assert log.table.columnWidth(m.DATE) == fit.minimum(m.DATE)
    assert log.table.columnWidth(m.DATE) < log.table.fontMetrics().horizontalAdvance("23/11/2026, 18:25")
