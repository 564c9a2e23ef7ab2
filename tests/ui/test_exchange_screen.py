"""The Exchange screen (F5) driven through the main window: even, up (card, voucher and split) and
down (refund) exchanges, the like-for-like path counted like a return's, approvals at the desk and
through the queue, out-of-stock replacements refused, and the Sales screen's Ctrl+E."""

from __future__ import annotations

import io

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from desk.models import Approval, Exchange, ExchangeTender, Product, Return, Voucher, database
from desk.services import approvals, archive, credit
from desk.services.returns import DeskApproval
from desk.ui.dialogs.approve_at_desk import ApproveAtDeskDialog
from desk.ui.dialogs.print_preview import PrintPreviewDialog
from desk.ui.screens.exchange import ExchangeScreen
from desk.ui.screens.returns import DONE, EDIT, START, WAIT, CardReferenceDialog
from desk.ui.tables.return_lines_table import ReturnLinesModel
from tests.services.test_returns import MANAGER, add_team, make_product, make_sale
from tests.ui.test_return_screen import choose, scan, set_policy, when_modal


# ----------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def printed(monkeypatch):
    docs: list = []
    monkeypatch.setattr(PrintPreviewDialog, "show_document",
                        classmethod(lambda cls, ctx, parent, doc, note="": docs.append(doc) or False))
    return docs


@pytest.fixture
def card_reference(monkeypatch):
    asked: list[str] = []

    def ask(cls, parent, what):
        asked.append(what)
        return "RF-0042"

    monkeypatch.setattr(CardReferenceDialog, "ask", classmethod(ask))
    return asked


def _rename(product, name, size="", colour=""):
    with database.atomic():
        Product.update(name=name, size=size, colour=colour).where(Product.id == product.id).execute()
    return Product.get_by_id(product.id)


@pytest.fixture
def shop(sqlite_store):
    """Shirts in sizes and colours (one out of stock), a coat and socks; a sale of two blue M shirts by card."""
    store, _admin = sqlite_store
    clerk, clerk2, sup, mgr = add_team(store)
    m = _rename(make_product("SH-M", price=2000, stock=3), "Shirt, Blue, M", "M", "Blue")
    l = _rename(make_product("SH-L", price=2000, stock=2), "Shirt, Blue, L", "L", "Blue")
    r = _rename(make_product("SH-R", price=2000, stock=0), "Shirt, Red, M", "M", "Red")
    coat = _rename(make_product("COAT-1", price=5000, stock=1), "Rain coat")
    sock = _rename(make_product("SOCK-1", price=500, stock=10), "Wool socks")
    with database.atomic():
        Product.update(barcode="5012345678900").where(Product.id == coat.id).execute()
    sale = make_sale(store, "T1-0001", [("Shirt, Blue, M", 2, 2000, 0, "Clothing", m)])
    return dict(store=store, clerk=clerk, sup=sup, mgr=mgr, m=m, l=l, r=r, coat=coat, sock=sock, sale=sale)


def stock(p) -> int:
    return Product.get_by_id(p.id).stock_on_hand


def open_exchange(make_window, ctx, staff):
    ctx.staff = staff
    window = make_window(ctx)
    screen = window.open_screen("screen.exchange")
    assert isinstance(screen, ExchangeScreen)
    return window, screen


def find(screen, qtbot, text: str) -> None:
    """Ctrl+F, type, Enter in the product search."""
    qtbot.keyClick(screen.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert screen.find_edit.hasFocus()
    qtbot.keyClicks(screen.find_edit, text)
    qtbot.keyClick(screen.find_edit, Qt.Key.Key_Return)


# ----------------------------------------------------------------------------- even


def test_even_exchange_another_size_from_the_variants(make_window, ctx, shop, qtbot, printed):
    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    assert screen.pages.currentIndex() == START
    scan(window, qtbot, "T1-0001")
    assert window.current_screen_name() == "screen.exchange"
    assert screen.pages.currentIndex() == EDIT
    assert screen.heading.text() == "Exchange · receipt T1-0001"
    # The returned line's shirt in every size and colour, in stock first.
    assert screen.candidates_title.text() == "Shirt in every size and colour · Enter adds one"
    assert [r[:4] for r in screen.candidate_texts()] == [["Blue, L", "SH-L", "£20.00", "2"],
                                                         ["Blue, M", "SH-M", "£20.00", "3"],
                                                         ["Red, M", "SH-R", "£20.00", "0"]]
    choose(screen, qtbot, 0, "W")
    assert screen.returned_label.text() == "£20.00"
    assert screen.difference_text() == "—"
    assert not screen.confirm_button.isEnabled()

    screen.candidates_table.setFocus()
    qtbot.keyClick(screen.candidates_table, Qt.Key.Key_Return)  # Enter adds the large one
    assert [r[:3] for r in screen.replacement_texts()] == [["Shirt, Blue, L", "SH-L", "1"]]
    assert screen.pages.currentIndex() == EDIT  # Enter on the list added; it did not confirm
    assert screen.replacement_label.text() == "£20.00"
    assert screen.difference_text() == "Even exchange"
    assert screen.confirm_button.text() == "Exchange (even)"

    qtbot.keyClick(screen.reason_combo, Qt.Key.Key_Return)
    ex = Exchange.get()
    assert (ex.difference, ex.returned_value, ex.replacement_total) == (0, 2000, 2000)
    assert stock(shop["m"]) == 4 and stock(shop["l"]) == 1
    assert screen.pages.currentIndex() == DONE
    assert screen.done_number.text() == ex.number
    assert "Came back:\n  1 × Shirt, Blue, M — £20.00\nWent out:\n  1 × Shirt, Blue, L — £20.00" == screen.done_items.text()
    assert screen.done_tenders.text() == "Even exchange: nothing paid, nothing refunded"
    assert [(d.kind, d.number) for d in printed] == [("exchange", ex.number)]
    assert [r.number for r in archive.search_archive(kind="exchange")] == [ex.number]

    qtbot.mouseClick(screen.reprint_button, Qt.MouseButton.LeftButton)
    assert [d.kind for d in printed] == ["exchange", "exchange"]
    qtbot.keyClick(screen.next_button, Qt.Key.Key_Return)  # New exchange
    assert screen.pages.currentIndex() == START and screen.replacement_texts() == []


# ----------------------------------------------------------------------------- up


def test_up_exchange_paid_by_card(make_window, ctx, shop, qtbot, printed):
    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    scan(window, qtbot, "T1-0001")
    choose(screen, qtbot, 0, "C")
    find(screen, qtbot, "wool")
    assert [r[:2] for r in screen.candidate_texts()] == [["Wool socks", "SOCK-1"]]
    qtbot.keyClick(screen.find_edit, Qt.Key.Key_Escape)  # Esc clears the search; the exchange stays
    assert screen.pages.currentIndex() == EDIT and screen.find_edit.text() == ""
    assert [r[1] for r in screen.candidate_texts()] == ["SH-L", "SH-M", "SH-R"]
    find(screen, qtbot, "rain")
    assert [r[:4] for r in screen.candidate_texts()] == [["Rain coat", "COAT-1", "£50.00", "1"]]
    assert screen.candidates_table.hasFocus()
    qtbot.keyClick(screen.candidates_table, Qt.Key.Key_Return)
    assert screen.difference_text() == "Customer pays £30.00"
    assert screen.settle.currentIndex() == 0
    assert screen.payments_label.text() == "Still to pay: £30.00"

    screen.pay_method.setCurrentIndex(screen.pay_method.findData("card"))
    assert screen.card_last4.isVisible() and not screen.voucher_edit.isVisible()
    qtbot.keyClicks(screen.card_last4, "12")
    qtbot.keyClick(screen.card_last4, Qt.Key.Key_Return)  # not enough: nothing is written
    assert Exchange.select().count() == 0
    assert screen.problem.text() == "Card's last 4: type the last four digits of the card"
    qtbot.keyClicks(screen.card_last4, "34")
    qtbot.keyClicks(screen.pay_reference, "AUTH-77")
    qtbot.keyClick(screen.pay_reference, Qt.Key.Key_Return)
    ex = Exchange.get()
    assert ex.difference == 3000
    assert stock(shop["coat"]) == 0
    assert "Customer paid £30.00:\nCard •••• 1234: £30.00 (ref. AUTH-77)" == screen.done_tenders.text()
    assert [d.kind for d in printed] == ["exchange"]


def test_up_exchange_a_voucher_pays_part_and_cash_the_rest(make_window, ctx, shop, qtbot, printed):
    with database.atomic():
        code = credit.issue_voucher(shop["store"], 1200, shop["clerk"], reference="goodwill").code
    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    scan(window, qtbot, "T1-0001")
    choose(screen, qtbot, 0, "C")
    scan(window, qtbot, "5012345678900")  # the coat's barcode in the scan field: it goes out
    assert [r[:3] for r in screen.replacement_texts()] == [["Rain coat", "COAT-1", "1"]]
    assert screen.difference_text() == "Customer pays £30.00"

    screen.pay_method.setCurrentIndex(screen.pay_method.findData("store_credit"))
    qtbot.keyClicks(screen.voucher_edit, code)
    assert screen.voucher_balance.text() == "Balance £12.00: £12.00 can be taken now."
    qtbot.keyClick(screen.voucher_edit, Qt.Key.Key_Return)  # the voucher's £12 is taken; £18 still to pay
    assert Exchange.select().count() == 0
    assert screen.payments_label.text() == f"Store credit: £12.00 · {code}\nStill to pay: £18.00"
    assert screen.problem.text() == "Still to pay £18.00: choose how the customer pays the rest."
    assert screen.pay_method.currentData() == "cash"
    assert screen.confirm_button.text() == "Take £18.00"
    qtbot.keyClick(screen.pay_method, Qt.Key.Key_Return)  # cash for the rest
    ex = Exchange.get()
    assert credit.voucher_view(code).balance == 0
    assert [(t.method, t.amount) for t in ExchangeTender.select().where(ExchangeTender.exchange == ex).order_by(ExchangeTender.seq)] \
        == [("store_credit", 1200), ("cash", 1800)]
    assert "Store credit: £12.00 · voucher " + code in screen.done_tenders.text()
    assert "Cash: £18.00" in screen.done_tenders.text()


# ----------------------------------------------------------------------------- down


def test_down_exchange_refunds_the_difference_to_the_card(make_window, ctx, shop, qtbot, printed, card_reference):
    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    scan(window, qtbot, "T1-0001")
    choose(screen, qtbot, 0, "C")
    find(screen, qtbot, "SOCK-1")  # an exact SKU goes out at once
    assert [r[:3] for r in screen.replacement_texts()] == [["Wool socks", "SOCK-1", "1"]]
    assert screen.find_edit.text() == ""
    screen.out_table.setFocus()
    qtbot.keyClick(screen.out_table, Qt.Key.Key_Plus)
    assert screen.replacement_texts()[0][2] == "2"
    assert screen.difference_text() == "Refund £10.00"
    assert screen.settle.currentIndex() == 1
    assert screen.refund_plan.text() == "£10.00 to Visa •••• 4242"
    assert [screen.refund_to_combo.itemData(i) for i in range(screen.refund_to_combo.count())] == ["original", "store_credit"]
    assert screen.confirm_button.text() == "Refund £10.00"
    qtbot.keyClick(screen.out_table, Qt.Key.Key_Return)
    assert card_reference == ["£10.00 to Visa •••• 4242"]
    ex = Exchange.get()
    assert ex.difference == -1000
    assert screen.done_tenders.text() == "Refunded £10.00:\nVisa •••• 4242: £10.00 (ref. RF-0042)"
    assert stock(shop["sock"]) == 8


def test_down_exchange_as_store_credit_prints_the_voucher(make_window, ctx, shop, qtbot, printed, card_reference):
    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    scan(window, qtbot, "T1-0001")
    choose(screen, qtbot, 0, "C")
    find(screen, qtbot, "SOCK-1")
    assert screen.set_refund_to("store_credit")
    assert screen.refund_plan.text() == "£15.00 to Store credit"
    assert screen.confirm()
    voucher = Voucher.get()
    assert voucher.amount == 1500 and card_reference == []
    assert screen.done_voucher.text() == f"Store credit voucher: {voucher.code}"
    assert [(d.kind, d.number) for d in printed] == [("exchange", Exchange.get().number), ("voucher", voucher.code)]


# ----------------------------------------------------------------------------- stock


def test_an_out_of_stock_replacement_is_refused_with_a_clear_message(make_window, ctx, shop, qtbot, printed):
    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    scan(window, qtbot, "T1-0001")
    choose(screen, qtbot, 0, "W")
    red = [r[1] for r in screen.candidate_texts()].index("SH-R")
    screen.candidates_table.setCurrentCell(red, 0)
    qtbot.keyClick(screen.candidates_table, Qt.Key.Key_Return)
    assert screen.problem.text() == "Not enough stock: Shirt, Red, M (SH-R): only 0 in stock, 1 wanted."
    assert not screen.confirm_button.isEnabled() and screen.confirm_button.text() == "Not enough stock"
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    assert Exchange.select().count() == 0 and printed == []
    # Take it off (Delete) and choose one in stock instead.
    screen.out_table.setFocus()
    qtbot.keyClick(screen.out_table, Qt.Key.Key_Delete)
    assert screen.replacement_texts() == [] and not screen.problem.isVisible()


# ----------------------------------------------------------------------------- approvals


def test_needs_approval_approved_at_the_desk(make_window, ctx, shop, qtbot, printed, monkeypatch):
    set_policy(shop["mgr"], approval_above=1000)
    asked = []
    monkeypatch.setattr(ApproveAtDeskDialog, "ask", classmethod(
        lambda cls, parent, reasons, override=False: asked.append(reasons) or DeskApproval(MANAGER[0], MANAGER[1], "Fine")))
    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    scan(window, qtbot, "T1-0001")
    choose(screen, qtbot, 0, "W")
    qtbot.keyClick(screen.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # the same shirt again
    assert screen.banner.state == "needs_approval"
    assert screen.confirm_button.text() == "Approve at the desk…" and screen.queue_button.isVisible()
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    assert asked == [["a refund of £20.00 is over £10.00 and needs a manager's approval"]]
    ex = Exchange.get()
    assert Return.get_by_id(ex.ret_id).approved_by_id == shop["mgr"].id
    assert screen.pages.currentIndex() == DONE


def test_needs_approval_through_the_queue(make_window, ctx, shop, qtbot, printed):
    set_policy(shop["mgr"], approval_above=1000)
    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    scan(window, qtbot, "T1-0001")
    choose(screen, qtbot, 0, "W")
    assert screen.same_item_again()
    qtbot.mouseClick(screen.queue_button, Qt.MouseButton.LeftButton)
    assert screen.pages.currentIndex() == WAIT
    assert screen.poll_approval() == "pending"
    pending = approvals.pending_approvals(shop["mgr"])
    approvals.decide(shop["mgr"], pending[0].id, True, "Faulty, swap it")
    assert screen.poll_approval() == "approved"
    ex = Exchange.get()
    assert Return.get_by_id(ex.ret_id).approval_id == pending[0].id
    assert Approval.get_by_id(pending[0].id).status == "used"
    assert screen.pages.currentIndex() == DONE and [d.kind for d in printed] == ["exchange"]


# ----------------------------------------------------------------------------- ways in


def test_ctrl_e_on_the_sales_screen_starts_the_exchange(make_window, ctx, shop, qtbot):
    ctx.staff = shop["clerk"]
    window = make_window(ctx)
    window.show_screen("screen.home")
    scan(window, qtbot, "T1-0001")
    assert window.current_screen_name() == "screen.sales"
    sales = window.current_screen()
    qtbot.keyClick(sales.receipt_edit, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.current_screen_name() == "screen.exchange"
    screen = window.current_screen()
    assert screen.heading.text() == "Exchange · receipt T1-0001"


def test_f5_opens_the_exchange_screen_and_an_exchange_number_shows_it(make_window, ctx, shop, qtbot, printed):
    ctx.staff = shop["clerk"]
    window = make_window(ctx)
    qtbot.keyClick(window.nav, Qt.Key.Key_F5)
    assert window.current_screen_name() == "screen.exchange"
    screen = window.current_screen()
    assert window.scan_edit.hasFocus()
    scan(window, qtbot, "T1-0001")
    choose(screen, qtbot, 0, "W")
    assert screen.same_item_again() and screen.confirm()
    number = Exchange.get().number
    qtbot.keyClick(screen.next_button, Qt.Key.Key_Escape)
    scan(window, qtbot, number.lower())
    assert screen.pages.currentIndex() == DONE
    assert screen.done_heading.text() == f"Exchange {number}"


# ----------------------------------------------------------------------------- speed


def test_like_for_like_takes_fewer_actions_than_a_return(make_window, ctx, shop, qtbot, monkeypatch, tmp_path):
    """Scan, same item again, reason, confirm, print: five (a return with a receipt takes six)."""
    from pypdf import PdfReader

    pdf_path = tmp_path / "slip.pdf"
    monkeypatch.setattr(PrintPreviewDialog, "printers", staticmethod(lambda: ["Desk PDF"]))

    def to_pdf(cls, parent, printer):
        from PySide6.QtPrintSupport import QPrinter

        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(pdf_path))
        return True

    monkeypatch.setattr(PrintPreviewDialog, "choose_printer", classmethod(to_pdf))
    ctx.staff = shop["clerk"]
    window = make_window(ctx)
    qtbot.keyClick(window.nav, Qt.Key.Key_F5)
    screen = window.current_screen()
    actions: list[str] = []

    # 1. scan the receipt
    actions.append("scan")
    qtbot.keyClicks(QApplication.focusWidget(), "T1-0001")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert screen.pages.currentIndex() == EDIT
    # 2. same item again: the line comes back once and the same shirt goes out
    actions.append("same item again")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert screen.model.rows[0].quantity == 1
    assert [r[:3] for r in screen.replacement_texts()] == [["Shirt, Blue, M", "SH-M", "1"]]
    # 3. the reason (the reason list has the focus)
    actions.append("reason")
    assert screen.reason_combo.hasFocus()
    qtbot.keyClicks(QApplication.focusWidget(), "D")
    assert screen.banner.state == "allowed" and screen.difference_text() == "Even exchange"

    def print_it(dialog):
        actions.append("print")
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
        QTimer.singleShot(0, dialog.reject)

    when_modal(PrintPreviewDialog, print_it, tries=1000)
    # 4. confirm
    actions.append("confirm")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)

    assert actions == ["scan", "same item again", "reason", "confirm", "print"]
    assert len(actions) <= 6  # a receipted return's count (tests/ui/test_return_screen.py)
    ex = Exchange.get()
    assert screen.done_number.text() == ex.number
    assert stock(shop["m"]) == 3  # one back (faulty: still back to stock as chosen), one out
    from pypdf import PdfReader as Reader

    slip = archive.search_archive(kind="exchange")[0]
    text = "".join(page.extract_text() for page in Reader(io.BytesIO(archive.archived_pdf(slip.id))).pages)
    assert ex.number in text and "Shirt, Blue, M" in text
    assert len(PdfReader(str(pdf_path)).pages) >= 1


def test_an_up_exchange_approved_from_the_queue_is_paid_after_the_approval(make_window, ctx, shop, qtbot, printed):
    set_policy(shop["mgr"], approval_above=1000)
    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    scan(window, qtbot, "T1-0001")
    choose(screen, qtbot, 0, "C")
    find(screen, qtbot, "COAT-1")
    assert screen.difference_text() == "Customer pays £30.00"
    assert screen.send_to_manager()
    assert screen.pages.currentIndex() == WAIT and screen.payments == []
    approvals.decide(shop["mgr"], approvals.pending_approvals(shop["mgr"])[0].id, True, "Fine")
    assert screen.poll_approval() == "approved"
    assert Exchange.select().count() == 0  # the customer has not paid yet
    assert screen.pages.currentIndex() == EDIT
    assert screen.problem.text() == "Approved. Take £30.00 from the customer, then Enter."
    assert screen.confirm_button.text() == "Take £30.00"
    qtbot.keyClick(screen.pay_method, Qt.Key.Key_Return)  # cash
    ex = Exchange.get()
    assert Return.get_by_id(ex.ret_id).approval_id is not None
    assert screen.done_tenders.text() == "Customer paid £30.00:\nCash: £30.00"


def test_a_gift_receipt_exchange_refunds_the_difference_as_store_credit(make_window, ctx, shop, qtbot, printed):
    from desk.services import documents

    gift = documents.gift_receipt(shop["clerk"], "T1-0001")
    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    scan(window, qtbot, gift.code)
    assert window.current_screen_name() == "screen.exchange"
    assert screen.kind == "gift" and screen.heading.text() == f"Gift exchange · {gift.code}"
    choose(screen, qtbot, 0, "C")
    find(screen, qtbot, "SOCK-1")
    assert [screen.refund_to_combo.itemData(i) for i in range(screen.refund_to_combo.count())] == ["store_credit"]
    assert screen.refund_plan.text() == "£15.00 to Store credit"
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    voucher = Voucher.get()
    assert voucher.amount == 1500
    assert [d.kind for d in printed] == ["exchange", "voucher"]


def test_no_receipt_exchange_same_item_again(make_window, ctx, shop, qtbot, printed, monkeypatch):
    from desk.ui.dialogs.no_receipt_return import NoReceiptDialog, NoReceiptItem, NoReceiptStart

    answer = NoReceiptStart("unverified", "Nia Jones", "07700 900123", "",
                            [NoReceiptItem("Shirt, Blue, M", 2000, 1, shop["m"].id, "SH-M")])
    monkeypatch.setattr(NoReceiptDialog, "ask", classmethod(lambda cls, parent, c: answer))
    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert screen.kind == "unverified" and screen.heading.text() == "Exchange without a receipt"
    assert [r[1] for r in screen.candidate_texts()] == ["SH-L", "SH-M", "SH-R"]  # its variants, from the catalogue
    screen.reason_combo.setCurrentIndex(screen.reason_combo.findData("defective"))
    assert screen.same_item_again()
    assert screen.difference_text() == "Even exchange"
    assert screen.confirm()
    ex = Exchange.get()
    assert ex.customer_name == "Nia Jones" and ex.difference == 0
    assert Return.get_by_id(ex.ret_id).kind == "unverified"


# ----------------------------------------------------------------------------- order it instead


def test_an_out_of_stock_replacement_is_ordered_for_the_customer_instead(make_window, ctx, shop, qtbot, printed):
    from desk.models import OrderTender, SpecialOrder
    from desk.ui.dialogs.order_instead import OrderInsteadDialog

    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    scan(window, qtbot, "T1-0001")
    choose(screen, qtbot, 0, "W")
    assert not screen.order_button.isVisible()
    red = [r[1] for r in screen.candidate_texts()].index("SH-R")
    screen.candidates_table.setCurrentCell(red, 0)
    qtbot.keyClick(screen.candidates_table, Qt.Key.Key_Return)
    assert screen.problem.text().startswith("Not enough stock: Shirt, Red, M")
    assert screen.order_button.isVisible() and screen.order_button.text() == "Order it for the customer… (Ctrl+O)"
    m_before = stock(shop["m"])

    seen = {}

    def fill(dialog: OrderInsteadDialog):
        seen["items"] = dialog.items_label.text()
        seen["summary"] = dialog.summary_label.text()
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # the customer is not known yet: Enter says what is missing
        seen["error"] = dialog.error.text()
        qtbot.keyClicks(dialog.name_edit, "Ann Example")
        qtbot.keyClicks(dialog.phone_edit, "07700 900123")
        qtbot.keyClicks(dialog.supplier_edit, "Shirt Co")
        qtbot.keyClick(dialog.supplier_edit, Qt.Key.Key_Return)

    when_modal(OrderInsteadDialog, fill)
    qtbot.keyClick(screen.table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert seen["items"] == "1 × Shirt, Red, M — £20.00"
    assert seen["summary"] == "What comes back, £20.00, is the deposit: the order is paid in full."
    assert seen["error"].startswith("Customer name")

    order = SpecialOrder.get()
    assert (order.customer_name, order.customer_phone, order.supplier, order.status) == \
        ("Ann Example", "07700 900123", "Shirt Co", "requested")
    deposit = OrderTender.get(OrderTender.order == order)
    assert (deposit.kind, deposit.method, deposit.amount) == ("deposit", "exchange", 2000)  # the returned value
    assert Exchange.select().count() == 0 and Return.select().count() == 1
    assert stock(shop["r"]) == 0  # the missing item is ordered, not taken from stock
    assert stock(shop["m"]) == m_before + 1  # the returned shirt went back to stock
    assert screen.pages.currentIndex() == DONE
    assert screen.done_heading.text() == "Ordered for the customer"
    assert screen.done_number.text() == order.number
    assert "1 × Shirt, Red, M — £20.00" in screen.done_items.text()
    assert screen.done_tenders.text() == "Paid in full\nFor Ann Example"
    assert [(d.kind, d.number) for d in printed] == [("order", order.number)]
    qtbot.mouseClick(screen.reprint_button, Qt.MouseButton.LeftButton)
    assert [d.kind for d in printed] == ["order", "order"]


def test_a_voucher_scanned_in_f2_pays_when_store_credit_is_chosen(make_window, ctx, shop, qtbot, printed):
    with database.atomic():
        code = credit.issue_voucher(shop["store"], 1200, shop["clerk"], reference="goodwill").code
    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    scan(window, qtbot, "T1-0001")
    choose(screen, qtbot, 0, "C")
    scan(window, qtbot, "5012345678900")
    assert screen.difference_text() == "Customer pays £30.00"
    screen.pay_method.setCurrentIndex(screen.pay_method.findData("store_credit"))
    scan(window, qtbot, code)  # F2 and the voucher: the pay panel takes it, the Vouchers screen stays shut
    assert window.current_screen_name() == "screen.exchange"
    assert screen.payments_label.text() == f"Store credit: £12.00 · {code}\nStill to pay: £18.00"
    assert screen.pay_method.currentData() == "cash" and screen.voucher_edit.text() == ""
    qtbot.keyClick(screen.pay_method, Qt.Key.Key_Return)  # cash for the rest
    assert credit.voucher_view(code).balance == 0
    assert [(t.method, t.amount) for t in ExchangeTender.select().order_by(ExchangeTender.seq)] \
        == [("store_credit", 1200), ("cash", 1800)]


def test_a_voucher_scanned_while_paying_cash_opens_the_vouchers_screen(make_window, ctx, shop, qtbot, printed):
    with database.atomic():
        code = credit.issue_voucher(shop["store"], 1200, shop["clerk"], reference="goodwill").code
    window, screen = open_exchange(make_window, ctx, shop["sup"])
    scan(window, qtbot, "T1-0001")
    choose(screen, qtbot, 0, "C")
    scan(window, qtbot, "5012345678900")
    assert screen.pay_method.currentData() == "cash"
    scan(window, qtbot, code)
    assert window.current_screen_name() == "screen.vouchers"
    assert screen.payments == []


def test_only_the_missing_item_is_ordered_and_the_rest_goes_out_now(make_window, ctx, shop, qtbot, printed):
    from desk.models import OrderTender, SpecialOrder, SpecialOrderLine
    from desk.ui.dialogs.order_instead import OrderInsteadDialog

    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    scan(window, qtbot, "T1-0001")
    choose(screen, qtbot, 0, "W")
    screen.add_replacement(shop["sock"].id, "SOCK-1", "Wool socks")  # in stock
    screen.add_replacement(shop["r"].id, "SH-R", "Shirt, Red, M")  # none on the shelf
    assert screen.problem.text().startswith("Not enough stock: Shirt, Red, M")
    seen = {}

    def fill(dialog: OrderInsteadDialog):
        seen["out"] = dialog.out_label.text()
        seen["items"] = dialog.items_label.text()
        seen["summary"] = dialog.summary_label.text()
        seen["pay_now"] = dialog.split.isVisibleTo(dialog)
        qtbot.keyClicks(dialog.name_edit, "Ann Example")
        qtbot.keyClicks(dialog.phone_edit, "07700 900123")
        qtbot.keyClicks(dialog.supplier_edit, "Shirt Co")
        qtbot.keyClick(dialog.supplier_edit, Qt.Key.Key_Return)

    when_modal(OrderInsteadDialog, fill)
    qtbot.keyClick(screen.table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert seen["out"] == "1 × Wool socks — £5.00"
    assert seen["items"] == "1 × Shirt, Red, M — £20.00"
    assert seen["summary"] == ("What comes back, £20.00, pays for what goes out now (£5.00); the £15.00 left is the "
                               "order's deposit; £5.00 is paid when the customer collects.")
    assert seen["pay_now"] is False
    order = SpecialOrder.get()
    assert [l.description for l in SpecialOrderLine.select()] == ["Shirt, Red, M"]
    assert [(t.method, t.amount) for t in OrderTender.select()] == [("exchange", 1500)]
    ex = Exchange.get()
    assert (ex.returned_value, ex.replacement_total, ex.difference) == (2000, 500, -1500)
    assert [(t.method, t.amount, t.reference) for t in ExchangeTender.select()] == [("special_order", 1500, order.number)]
    assert stock(shop["sock"]) == 9 and stock(shop["r"]) == 0
    assert "Went out now on exchange " + ex.number in screen.done_items.text()
    assert [(d.kind, d.number) for d in printed] == [("order", order.number), ("exchange", ex.number)]


def test_what_goes_out_now_costing_more_is_paid_in_the_order_dialog_split(make_window, ctx, shop, qtbot, printed):
    from desk.models import OrderTender, SpecialOrder
    from desk.ui.dialogs.order_instead import OrderInsteadDialog

    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    scan(window, qtbot, "T1-0001")
    choose(screen, qtbot, 0, "W")
    screen.add_replacement(shop["coat"].id, "COAT-1", "Rain coat")  # 50.00, in stock
    screen.add_replacement(shop["r"].id, "SH-R", "Shirt, Red, M")  # 20.00, ordered: deposit 4.00
    seen = {}

    def fill(dialog: OrderInsteadDialog):
        seen["pay_now"] = dialog.findChild(type(dialog.summary_label), "orderInsteadPayNow").text()
        assert dialog.split.edit.amount_edit.text() == "34.00"
        dialog.split.edit.amount_edit.setText("20.00")
        assert dialog.split.add_clicked()
        dialog.split.edit.set_method("card")
        dialog.split.edit.last4_edit.setText("4242")
        dialog.split.edit.reference_edit.setText("AUTH-5")
        qtbot.keyClicks(dialog.name_edit, "Ann Example")
        qtbot.keyClicks(dialog.phone_edit, "07700 900123")
        qtbot.keyClick(dialog.phone_edit, Qt.Key.Key_Return)

    when_modal(OrderInsteadDialog, fill)
    qtbot.keyClick(screen.table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert seen["pay_now"] == "The customer pays now: £30.00 for what goes out now and a deposit of at least £4.00"
    assert [(t.method, t.amount) for t in ExchangeTender.select().order_by(ExchangeTender.seq)] == [
        ("cash", 2000), ("card", 1000)]
    assert [(t.method, t.amount) for t in OrderTender.select().where(OrderTender.order == SpecialOrder.get())] == [
        ("card", 400)]
    assert stock(shop["coat"]) == 0


def test_the_clerk_ticks_an_in_stock_item_to_order_the_set_together(make_window, ctx, shop, qtbot, printed):
    from desk.models import OrderTender, SpecialOrder, SpecialOrderLine
    from desk.ui.dialogs.order_instead import OrderInsteadDialog

    window, screen = open_exchange(make_window, ctx, shop["clerk"])
    scan(window, qtbot, "T1-0001")
    choose(screen, qtbot, 0, "W")
    screen.add_replacement(shop["sock"].id, "SOCK-1", "Wool socks")  # in stock
    screen.add_replacement(shop["r"].id, "SH-R", "Shirt, Red, M")  # none on the shelf
    seen = {}

    def fill(dialog: OrderInsteadDialog):
        choice = dialog.choice
        seen["default"] = dialog.chosen()  # the automatic split: socks go out, the shirt is ordered
        choice.setFocus()
        choice.setCurrentRow(1)
        qtbot.keyClick(choice, Qt.Key.Key_Space)  # the shirt can't go out now
        seen["refused"] = dialog.error.text()
        seen["still"] = dialog.chosen()
        choice.setCurrentRow(0)
        qtbot.keyClick(choice, Qt.Key.Key_Space)  # order the socks too
        seen["chosen"] = dialog.chosen()
        seen["out_shown"] = dialog.out_label.isVisibleTo(dialog)
        seen["items"] = dialog.items_label.text()
        seen["summary"] = dialog.summary_label.text()
        qtbot.keyClicks(dialog.name_edit, "Ann Example")
        qtbot.keyClicks(dialog.phone_edit, "07700 900123")
        choice.setFocus()
        qtbot.keyClick(choice, Qt.Key.Key_Return)  # Enter takes the order from the list too

    when_modal(OrderInsteadDialog, fill)
    qtbot.keyClick(screen.table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert seen["default"] == [False, True]
    assert seen["refused"].startswith("Shirt, Red, M (SH-R) can't go out now: only 0 in stock")
    assert seen["still"] == [False, True] and seen["chosen"] == [True, True] and seen["out_shown"] is False
    assert seen["items"] == "1 × Wool socks — £5.00\n1 × Shirt, Red, M — £20.00"
    assert seen["summary"] == ("What comes back, £20.00, is the deposit; £5.00 is paid when the customer collects.")
    order = SpecialOrder.get()
    assert [l.description for l in SpecialOrderLine.select().order_by(SpecialOrderLine.id)] == ["Wool socks", "Shirt, Red, M"]
    assert [(t.method, t.amount) for t in OrderTender.select().where(OrderTender.order == order)] == [("exchange", 2000)]
    assert Exchange.select().count() == 0 and stock(shop["sock"]) == 10  # nothing went out
