"""The Vouchers screen (Ctrl+F5): the list a page at a time with its filters, the ledger, a voucher
scanned at F2 opening here, Redeem… (part of it; more than the balance refused naming the
balance), Print voucher, Cancel voucher… (a manager, or a manager's PIN at the desk) and expiry
written when the screen opens."""

from __future__ import annotations

import datetime as dt
import types

import pytest
from PySide6.QtCore import Qt

from desk.models import VoucherEntry, database
from desk.services import credit, settings
from desk.services.credit import VoucherQuery
from desk.services.returns import DeskApproval
from desk.ui.dialogs.manager_reason import ManagerReasonDialog, ReasonAnswer
from desk.ui.dialogs.print_preview import PrintPreviewDialog
from desk.ui.dialogs.redeem_voucher import RedeemVoucherDialog
from desk.ui.screens.vouchers import VouchersScreen
from desk.ui.tables.vouchers_table import VouchersTableModel
from tests.services.test_returns import MANAGER, add_team


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def shop(ctx, sqlite_store):
    st, admin = sqlite_store
    clerk, _clerk2, sup, mgr = add_team(st)

    def issue(amount, name="Ann Lee"):
        with database.atomic():
            return credit.issue_voucher(st, amount, clerk, customer_name=name, reference="goodwill").code

    codes = [issue(1000 * (i + 1), "Ann Lee" if i % 2 else "Bo Berg") for i in range(5)]
    ctx.staff = clerk
    return types.SimpleNamespace(store=st, admin=admin, clerk=clerk, sup=sup, mgr=mgr, codes=codes, issue=issue)


@pytest.fixture
def screen(qtbot, shop, ctx):
    s = VouchersScreen(ctx)
    qtbot.addWidget(s)
    s.resize(1280, 800)
    return s


@pytest.fixture
def redeem_answers(monkeypatch):
    queue: list = []
    monkeypatch.setattr(RedeemVoucherDialog, "ask",
                        classmethod(lambda cls, parent, view, locale="en_GB": queue.pop(0) if queue else None))
    return queue


@pytest.fixture
def reason_answers(monkeypatch):
    queue: list = []
    asked: list = []
    monkeypatch.setattr(ManagerReasonDialog, "ask",
                        classmethod(lambda cls, parent, **kw: asked.append(kw) or (queue.pop(0) if queue else None)))
    return types.SimpleNamespace(queue=queue, asked=asked)


def codes(s):
    return [s.model.row_at(i).code for i in range(s.model.rowCount())]


def test_the_list_loads_a_page_at_a_time_and_filters(screen, shop, qtbot, qtmodeltester):
    assert screen.model.total_count == 5 and screen.count_label.text() == "5 vouchers"
    assert codes(screen) == shop.codes[::-1]
    screen.model.page_size = 2
    assert screen.search()
    assert screen.model.rowCount() == 2 and screen.model.canFetchMore()
    while screen.model.canFetchMore():
        screen.model.fetchMore()
    assert codes(screen) == shop.codes[::-1]
    alone = VouchersTableModel(page_size=2)  # the tester on a model no view fetches for
    alone.set_query(VoucherQuery())
    qtmodeltester.check(alone)  # it fetches the further pages itself
    assert alone.total_count == 5 and alone.rowCount() == 5
    m = screen.model
    assert [m.data(m.index(0, c)) for c in (m.SOURCE, m.CUSTOMER, m.AMOUNT, m.BALANCE, m.EXPIRES, m.STATUS)] == [
        "Goodwill", "Bo Berg", "£50.00", "£50.00", "Never", "Active"]

    with qtbot.waitActive(screen):
        screen.show()
        screen.activateWindow()
    screen.text_edit.setFocus()
    qtbot.keyClicks(screen.text_edit, "ann lee")
    qtbot.keyClick(screen.text_edit, Qt.Key.Key_Return)
    assert codes(screen) == [shop.codes[3], shop.codes[1]]
    qtbot.keyClick(screen.text_edit, Qt.Key.Key_Escape)
    assert screen.text_edit.text() == "" and screen.model.total_count == 5

    credit.redeem(shop.clerk, shop.codes[0], 1000)
    screen.status_combo.setCurrentIndex(screen.status_combo.findData("spent"))
    assert screen.search() and codes(screen) == [shop.codes[0]]
    screen.status_combo.setCurrentIndex(screen.status_combo.findData("active"))
    assert screen.search() and screen.model.total_count == 4
    screen.clear_filters()
    screen.source_combo.setCurrentIndex(screen.source_combo.findData("exchange"))
    assert screen.search() and screen.model.total_count == 0
    assert not screen.redeem_button.isEnabled() and screen.view is None


def test_scan_a_voucher_redeem_part_then_more_than_the_balance_is_refused(make_window, shop, ctx, qtbot,
                                                                          redeem_answers, messages):
    code = shop.codes[2]  # £30.00
    window = make_window(ctx)
    window.show_screen("screen.home")
    qtbot.keyClick(window.nav, Qt.Key.Key_F2)
    qtbot.keyClicks(window.scan_edit, code.lower())
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_Return)
    assert window.current_screen_name() == "screen.vouchers"
    screen = window.current_screen()
    assert screen.view.code == code
    assert screen.balance_label.text() == "£30.00" and screen.left_label.text() == "left of £30.00 issued"
    assert window.scan_message.text() == f"Voucher {code}: £30.00 left of £30.00."

    redeem_answers.append((1250, "till T9-0042"))
    qtbot.keyClick(screen.text_edit, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert screen.balance_label.text() == "£17.50"
    assert screen.message.text() == f"Redeemed £12.50 from {code}: £17.50 left."
    ledger = [[screen.ledger.item(r, c).text() for c in range(5)] for r in range(screen.ledger.rowCount())]
    assert [row[1:4] for row in ledger] == [["Issued", "£30.00", "goodwill"], ["Redeemed", "-£12.50", "till T9-0042"]]
    assert ledger[1][4] == shop.clerk.name
    m = screen.model
    assert m.data(m.index(m.row_of(code), m.BALANCE)) == "£17.50"

    redeem_answers.append((2000, "too much"))
    assert not screen.redeem()
    assert messages[-1][1] == f"Amount: voucher {code} has only £17.50 left"
    assert "has only £17.50 left" in screen.message.text()
    assert credit.voucher_view(code).balance == 1750
    assert VoucherEntry.select().where(VoucherEntry.kind == "redeem").count() == 1


def test_the_redeem_dialog_reads_the_amount_in_the_stores_format(qtbot, shop):
    view = credit.voucher_view(shop.codes[0])
    dialog = RedeemVoucherDialog(view)
    qtbot.addWidget(dialog)
    dialog.amount_edit.setText("12,50")
    assert not dialog.confirm() and dialog.error.text().startswith("Amount:")
    dialog.amount_edit.setText("7.25")
    dialog.reference_edit.setText(" T1 ")
    assert dialog.confirm() and dialog.result_value == (725, "T1")


def test_print_voucher(screen, shop, monkeypatch):
    docs: list = []
    monkeypatch.setattr(PrintPreviewDialog, "show_document",
                        classmethod(lambda cls, ctx, parent, doc, note="": docs.append(doc) or True))
    assert screen.open_voucher(shop.codes[1])
    assert screen.print_voucher()
    assert [(d.kind, d.number) for d in docs] == [("voucher", shop.codes[1])]


def test_cancel_by_a_clerk_needs_a_managers_pin(screen, shop, reason_answers, messages):
    code = shop.codes[4]
    assert screen.open_voucher(code)
    assert screen.cancel_button.isEnabled()
    assert not screen.cancel_voucher()  # backed out
    assert reason_answers.asked[-1]["need_manager"] is True
    reason_answers.queue.append(ReasonAnswer("lost", DeskApproval(MANAGER[0], "000000", "lost")))
    assert not screen.cancel_voucher()
    assert messages[-1][0] == "Cannot sign in" and credit.voucher_view(code).status == "active"
    reason_answers.queue.append(ReasonAnswer("customer lost it", DeskApproval(MANAGER[0], MANAGER[1], "customer lost it")))
    assert screen.cancel_voucher()
    assert screen.status_label.text() == "Cancelled" and screen.balance_label.text() == "£0.00"
    last = screen.ledger.rowCount() - 1
    assert [screen.ledger.item(last, c).text() for c in (1, 2, 3, 4)] == ["Cancelled", "-£50.00", "customer lost it",
                                                                         shop.mgr.name]
    assert not screen.redeem_button.isEnabled() and not screen.cancel_button.isEnabled()


def test_a_manager_cancels_without_a_pin(screen, shop, ctx, reason_answers):
    ctx.staff = shop.mgr
    assert screen.open_voucher(shop.codes[0])
    reason_answers.queue.append(ReasonAnswer("issued in error"))
    assert screen.cancel_voucher()
    assert reason_answers.asked[-1]["need_manager"] is False
    assert credit.voucher_view(shop.codes[0]).status == "cancelled"


def test_opening_the_screen_writes_the_expiry_of_lapsed_vouchers(screen, shop, clock_at):
    settings.update(shop.admin, {"voucher_expiry_days": 30})
    clock_at(dt.datetime.utcnow() + dt.timedelta(days=45))
    screen.activated()
    assert screen.model.total_count == 5
    screen.status_combo.setCurrentIndex(screen.status_combo.findData("expired"))
    assert screen.search() and screen.model.total_count == 5
    assert screen.open_voucher(shop.codes[0])
    assert [screen.ledger.item(r, 1).text() for r in range(screen.ledger.rowCount())] == ["Issued", "Expired"]
    assert screen.status_label.text() == "Expired" and not screen.redeem_button.isEnabled()
