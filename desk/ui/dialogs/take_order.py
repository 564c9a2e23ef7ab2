"""Take a special order (Ctrl+N on the Orders board): the customer (found or new, and how they
want to hear), the items (from the catalogue with their stock on hand, or described with their
supplier and supplier code), quantity and agreed price, the supplier and the expected date, and
the deposit (the Settings percentage, or more) paid by any tender, split across several if the
customer wants (Add payment, Ctrl+P). Enter takes the order.

``TakeOrderDialog.take(parent, ctx)`` returns the ``OrderView`` written, or None (tests replace
it or drive the dialog). The service prices the order and checks the deposit again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError, InvalidInput
from desk.money import format_money, parse_amount
from desk.services import customers, orders
from desk.services.orders import OrderLineInput, OrderPreview, OrderRequest, OrderView
from desk.services.orders_ui_support import OrderProductChoice, find_products_for_order
from desk.services.store import current_store
from desk.ui.context import AppContext
from desk.ui.messages import describe
from desk.ui.widgets.described_item import read_described_item
from desk.ui.widgets.tender_edit import SplitTenders, amount_text

CONTACT_LABELS = {"phone": "Phone them", "email": "Email them", "sms": "Text them (SMS)"}


@dataclass
class _Line:
    quantity: int = 1
    product_id: int | None = None
    description: str = ""
    sku: str = ""
    supplier: str = ""
    supplier_code: str = ""
    unit_price: int | None = None  # agreed; None = the catalogue's price
    stock: int | None = None


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "muted")
    return label


def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "subheading")
    return label


class TakeOrderDialog(QDialog):
    C_ITEM, C_SUPPLIER, C_STOCK, C_QTY, C_PRICE, C_TOTAL = range(6)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("takeOrderDialog")
        self.setWindowTitle("Take a special order")
        self.setModal(True)
        store = current_store()
        self.currency = store.currency if store else "GBP"
        self.locale = store.locale if store else "en_GB"
        self.customer_id: int | None = None
        self.customer_rows: list[customers.CustomerRow] = []
        self.found: list[OrderProductChoice] = []
        self.lines: list[_Line] = []
        self.preview: OrderPreview | None = None
        self.deposit_touched = False
        self.result_view: OrderView | None = None
        self._filling = False

        heading = QLabel("Take a special order")
        heading.setProperty("role", "heading")

        # -- customer ------------------------------------------------------------------------
        self.customer_search = QLineEdit()
        self.customer_search.setObjectName("customerSearch")
        self.customer_search.setPlaceholderText("Find: name, phone or email, then Enter")
        self.customer_search.returnPressed.connect(self.search_customers)
        self.customer_results = QListWidget()
        self.customer_results.setObjectName("customerResults")
        self.customer_results.setFixedHeight(92)
        self.customer_results.itemActivated.connect(lambda _i: self.choose_customer())
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("orderCustomerName")
        self.name_edit.setPlaceholderText("Customer's name")
        self.phone_edit = QLineEdit()
        self.phone_edit.setObjectName("orderCustomerPhone")
        self.phone_edit.setPlaceholderText("Phone")
        self.email_edit = QLineEdit()
        self.email_edit.setObjectName("orderCustomerEmail")
        self.email_edit.setPlaceholderText("name@example.com")
        for edit in (self.name_edit, self.phone_edit, self.email_edit):
            edit.textEdited.connect(self._customer_typed)
        self.contact_combo = QComboBox()
        self.contact_combo.setObjectName("contactVia")
        for code in orders.CONTACT_VIA:
            self.contact_combo.addItem(CONTACT_LABELS.get(code, code), code)
        self.customer_note = _muted("New customer")
        self.customer_note.setObjectName("customerNote")
        cust = QGridLayout()
        cust.setHorizontalSpacing(10)
        cust.setVerticalSpacing(4)
        cust.addWidget(_muted("Find a customer"), 0, 0)
        cust.addWidget(self.customer_search, 1, 0)
        cust.addWidget(self.customer_results, 2, 0, 3, 1)
        for col, (title, w) in enumerate((("Name", self.name_edit), ("Phone", self.phone_edit), ("Email", self.email_edit)), 1):
            cust.addWidget(_muted(title), 0, col)
            cust.addWidget(w, 1, col)
        cust.addWidget(_muted("How they want to hear"), 2, 1)
        cust.addWidget(self.contact_combo, 3, 1)
        cust.addWidget(self.customer_note, 3, 2, 1, 2)
        cust.setColumnStretch(0, 3)
        cust.setColumnStretch(1, 3)
        cust.setColumnStretch(2, 2)
        cust.setColumnStretch(3, 3)

        # -- items -----------------------------------------------------------------------------
        self.product_search = QLineEdit()
        self.product_search.setObjectName("orderProductSearch")
        self.product_search.setPlaceholderText("Scan a barcode, or type a SKU or a name, then Enter")
        self.product_search.returnPressed.connect(self.search_products)
        self.product_results = QListWidget()
        self.product_results.setObjectName("orderProductResults")
        self.product_results.setFixedHeight(74)
        self.product_results.hide()  # shown while a search has several answers
        self.product_results.itemActivated.connect(lambda _i: self.add_found())
        self.describe_edit = QLineEdit()
        self.describe_edit.setObjectName("orderDescribe")
        self.describe_edit.setPlaceholderText("What it is, e.g. Oak side table, walnut")
        self.line_supplier_edit = QLineEdit()
        self.line_supplier_edit.setObjectName("orderLineSupplier")
        self.line_supplier_edit.setPlaceholderText("Supplier")
        self.supplier_code_edit = QLineEdit()
        self.supplier_code_edit.setObjectName("orderSupplierCode")
        self.supplier_code_edit.setPlaceholderText("Supplier's code")
        self.price_edit = QLineEdit()
        self.price_edit.setObjectName("orderDescribePrice")
        self.price_edit.setPlaceholderText("Price, e.g. 120.00")
        self.price_edit.returnPressed.connect(self.add_described)
        self.add_described_button = QPushButton("Add item")
        self.add_described_button.setObjectName("orderAddDescribed")
        self.add_described_button.clicked.connect(self.add_described)
        items = QGridLayout()
        items.setHorizontalSpacing(8)
        items.setVerticalSpacing(4)
        items.addWidget(_muted("From the catalogue"), 0, 0)
        items.addWidget(self.product_search, 0, 1, 1, 4)
        items.addWidget(self.product_results, 1, 1, 1, 4)
        items.addWidget(_muted("Or describe it"), 2, 0)
        items.addWidget(self.describe_edit, 2, 1)
        items.addWidget(self.line_supplier_edit, 2, 2)
        items.addWidget(self.supplier_code_edit, 2, 3)
        items.addWidget(self.price_edit, 2, 4)
        items.addWidget(self.add_described_button, 2, 5)
        items.setColumnStretch(1, 4)
        items.setColumnStretch(2, 2)
        items.setColumnStretch(3, 2)
        items.setColumnStretch(4, 2)

        self.table = QTableWidget(0, 6)
        self.table.setObjectName("orderLines")
        self.table.setHorizontalHeaderLabels(["Item", "Supplier · code", "In stock", "Qty", "Agreed price", "Total"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().setDefaultSectionSize(34)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(self.C_ITEM, QHeaderView.ResizeMode.Stretch)
        for col, width in ((self.C_SUPPLIER, 210), (self.C_STOCK, 80), (self.C_QTY, 60), (self.C_PRICE, 136),
                           (self.C_TOTAL, 110)):
            header.resizeSection(col, width)
        self.table.setMinimumHeight(150)
        self.table.itemChanged.connect(self._cell_edited)
        self.remove_button = QPushButton("Remove line")
        self.remove_button.setObjectName("orderRemoveLine")
        self.remove_button.clicked.connect(self.remove_selected)

        # -- the order ------------------------------------------------------------------------
        self.supplier_edit = QLineEdit()
        self.supplier_edit.setObjectName("orderSupplier")
        self.supplier_edit.setPlaceholderText("Who we order from")
        self.expected_edit = QLineEdit()
        self.expected_edit.setObjectName("orderExpected")
        self.expected_edit.setPlaceholderText(f"e.g. {dt.date.today() + dt.timedelta(days=10):%d/%m/%Y}")
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("orderNote")
        self.note_edit.setPlaceholderText("Anything the next person should know")
        order_row = QGridLayout()
        order_row.setHorizontalSpacing(10)
        order_row.setVerticalSpacing(4)
        for col, (title, w) in enumerate((("Supplier", self.supplier_edit), ("Expected", self.expected_edit),
                                          ("Note", self.note_edit))):
            order_row.addWidget(_muted(title), 0, col)
            order_row.addWidget(w, 1, col)
        order_row.setColumnStretch(0, 2)
        order_row.setColumnStretch(1, 1)
        order_row.setColumnStretch(2, 3)

        # -- deposit -------------------------------------------------------------------------------
        self.total_label = QLabel("")
        self.total_label.setObjectName("orderTotal")
        self.total_label.setProperty("role", "subheading")
        self.deposit_rule = _muted("")
        self.deposit_rule.setObjectName("depositRule")
        self.split = SplitTenders(self.currency, self.locale)  # split tenders, as the exchange's settle step
        self.split.problem.connect(self.show_error)
        self.tender = self.split.edit  # the payment being typed
        self.tender.amount_edit.textEdited.connect(self._deposit_typed)

        self.error = QLabel("")
        self.error.setObjectName("takeOrderError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()

        cancel = QPushButton("Cancel (Esc)")
        cancel.setMinimumHeight(46)
        cancel.clicked.connect(self.reject)
        self.take_button = QPushButton("Take the order (Enter)")
        self.take_button.setObjectName("takeOrderButton")
        self.take_button.setProperty("primary", True)
        self.take_button.setMinimumSize(260, 50)
        self.take_button.clicked.connect(self.try_accept)
        for b in (cancel, self.take_button, self.add_described_button, self.remove_button):
            b.setAutoDefault(False)
            b.setDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addStretch(1)
        buttons.addWidget(self.take_button)

        money_row = QHBoxLayout()
        money_box = QVBoxLayout()
        money_box.setSpacing(2)
        money_box.addWidget(self.total_label)
        money_box.addWidget(self.deposit_rule)
        money_row.addLayout(money_box, 2)
        money_row.addWidget(self.split, 5)

        def rule() -> QFrame:
            line = QFrame()
            line.setFrameShape(QFrame.Shape.HLine)
            line.setStyleSheet("color: #d5dbe3;")
            return line

        table_row = QHBoxLayout()
        table_row.addWidget(self.table, 1)
        table_row.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        # The form scrolls between the heading and the buttons: with a search's answers, split
        # payments and a message shown it is taller than a 1280x800 screen, and Take the order
        # must never fall below the screen's edge.
        body = QWidget()
        body.setObjectName("takeOrderBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(8)
        layout.addWidget(_section("Customer"))
        layout.addLayout(cust)
        layout.addWidget(rule())
        layout.addWidget(_section("Items"))
        layout.addLayout(items)
        layout.addLayout(table_row, 1)
        layout.addLayout(order_row)
        layout.addWidget(rule())
        layout.addWidget(_section("Deposit"))
        layout.addLayout(money_row)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("takeOrderScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(body)
        self.scroll.viewport().setAutoFillBackground(False)
        body.setAutoFillBackground(False)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 18)
        outer.setSpacing(8)
        outer.addWidget(heading)
        outer.addWidget(self.scroll, 1)
        outer.addWidget(self.error)
        outer.addLayout(buttons)
        self.resize(1120, 740)
        self.refresh()
        self.customer_search.setFocus()

    # -- helpers ---------------------------------------------------------------------------------
    def money(self, minor: int) -> str:
        return format_money(minor, self.currency, self.locale)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    # -- customer --------------------------------------------------------------------------------
    def search_customers(self) -> int:
        text = self.customer_search.text().strip()
        try:
            self.customer_rows = customers.search_customers(text, 20, actor=self.ctx.staff)
        except DeskError as exc:
            self.show_error(describe(exc))
            return 0
        self.customer_results.clear()
        for c in self.customer_rows:
            self.customer_results.addItem(" · ".join(p for p in (c.name, c.phone, c.email) if p))
        if self.customer_rows:
            self.customer_results.setCurrentRow(0)
            self.customer_results.setFocus()
            self.show_error("")
        else:
            self.show_error(f"No customer matches '{text}': type their details as a new customer.")
            if not self.name_edit.text().strip() and not any(c.isdigit() for c in text) and "@" not in text:
                self.name_edit.setText(text)
            self.name_edit.setFocus()
        return len(self.customer_rows)

    def choose_customer(self, row: int | None = None) -> bool:
        row = self.customer_results.currentRow() if row is None else row
        if not (0 <= row < len(self.customer_rows)):
            return False
        c = self.customer_rows[row]
        self.customer_id = c.id
        self.name_edit.setText(c.name)
        self.phone_edit.setText(c.phone)
        self.email_edit.setText(c.email)
        if not c.phone and c.email:
            self.contact_combo.setCurrentIndex(self.contact_combo.findData("email"))
        self.customer_note.setText(f"Existing customer #{c.id}")
        self.product_search.setFocus()
        return True

    def _customer_typed(self, _text: str) -> None:
        if self.customer_id is not None:
            self.customer_id = None
            self.customer_note.setText("New customer (the details were changed)")

    # -- items -----------------------------------------------------------------------------------
    def search_products(self) -> int:
        text = self.product_search.text().strip()
        if not text:
            return 0
        try:
            self.found = find_products_for_order(self.ctx.staff, text)
        except DeskError as exc:
            self.show_error(describe(exc))
            return 0
        self.product_results.clear()
        for p in self.found:
            self.product_results.addItem(f"{p.name} · {p.sku} · {self.money(p.price)} · in stock: {p.stock_on_hand}")
        count = len(self.found)
        self.product_results.setVisible(count > 1)
        if count == 1:
            self.add_found(0)
        elif self.found:
            self.product_results.setCurrentRow(0)
            self.product_results.setFocus()
            self.show_error("")
        else:
            self.show_error(f"Nothing in the catalogue matches '{text}': describe the item instead.")
            self.describe_edit.setText(text)
            self.describe_edit.setFocus()
        return count

    def add_found(self, row: int | None = None) -> bool:
        row = self.product_results.currentRow() if row is None else row
        if not (0 <= row < len(self.found)):
            return False
        p = self.found[row]
        existing = next((line for line in self.lines if line.product_id == p.id), None)
        if existing is not None:
            existing.quantity += 1
        else:
            self.lines.append(_Line(quantity=1, product_id=p.id, description=p.name, sku=p.sku, stock=p.stock_on_hand))
        self.found = []
        self.product_results.clear()
        self.product_results.hide()
        self.product_search.clear()
        self.show_error("")
        self.refresh()
        self.product_search.setFocus()
        return True

    def add_described(self) -> bool:
        item = read_described_item(self.describe_edit, self.price_edit, self.currency, self.locale, self.show_error)
        if item is None:
            return False
        text, price = item
        supplier = self.line_supplier_edit.text().strip()
        self.lines.append(_Line(quantity=1, description=text, supplier=supplier,
                                supplier_code=self.supplier_code_edit.text().strip(), unit_price=price))
        if supplier and not self.supplier_edit.text().strip():
            self.supplier_edit.setText(supplier)
        for edit in (self.describe_edit, self.line_supplier_edit, self.supplier_code_edit, self.price_edit):
            edit.clear()
        self.show_error("")
        self.refresh()
        self.product_search.setFocus()
        return True

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.lines):
            del self.lines[row]
            self.refresh()

    def set_quantity(self, row: int, quantity: int) -> None:
        self.lines[row].quantity = quantity
        self.refresh()

    def set_price(self, row: int, text: str) -> None:
        self.table.item(row, self.C_PRICE).setText(text)  # -> _cell_edited

    def _cell_edited(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        row, col = item.row(), item.column()
        if not (0 <= row < len(self.lines)):
            return
        line = self.lines[row]
        text = item.text().strip()
        try:
            if col == self.C_QTY:
                value = int(text)
                if value < 1:
                    raise ValueError("at least 1")
                line.quantity = value
            elif col == self.C_PRICE:
                line.unit_price = parse_amount(text, self.currency, self.locale)
        except ValueError as exc:
            self.show_error(f"Line {row + 1}: {'Qty' if col == self.C_QTY else 'Agreed price'}: {exc}")
        else:
            self.show_error("")
        self.refresh()

    # -- asking the service -------------------------------------------------------------------------
    def expected_date(self) -> dt.date | None:
        from desk.ui.screens.sales import parse_day  # the screens package imports this dialog

        try:
            return parse_day(self.expected_edit.text(), self.locale)
        except ValueError as exc:
            raise InvalidInput("Expected", str(exc)) from None

    def build_request(self, with_deposit: bool = True) -> OrderRequest:
        from desk.ui.screens.returns import desk_code

        tenders = []
        if with_deposit:
            tenders = self.split.tenders()
        lines = [OrderLineInput(quantity=line.quantity, product_id=line.product_id,
                                description="" if line.product_id else line.description,
                                supplier=line.supplier, supplier_code=line.supplier_code, unit_price=line.unit_price)
                 for line in self.lines]
        return OrderRequest(
            lines=lines,
            customer_id=self.customer_id,
            customer_name=self.name_edit.text().strip(),
            customer_phone=self.phone_edit.text().strip(),
            customer_email=self.email_edit.text().strip(),
            contact_via=self.contact_combo.currentData(),
            supplier=self.supplier_edit.text().strip(),
            expected_date=self.expected_date() if with_deposit else None,
            deposit_tenders=tenders,
            desk_code=desk_code(),
            note=self.note_edit.text().strip(),
        )

    def refresh(self) -> OrderPreview | None:
        """Ask the service what the order costs and what deposit it asks; show the lines."""
        self.preview = None
        if self.lines:
            try:
                self.preview = orders.preview_order(self.ctx.staff, self.build_request(with_deposit=False))
            except DeskError as exc:
                self.show_error(describe(exc))
        self._fill_table()
        if self.preview is None:
            self.total_label.setText("Total: add the items first")
            self.deposit_rule.setText("")
        else:
            p = self.preview
            self.total_label.setText(f"Total {self.money(p.total)}")
            rule = (f"Deposit asked: {self.money(p.deposit_required)} ({p.deposit_percent} %)"
                    if p.deposit_percent else "No deposit is asked (Settings: 0 %)")
            self.deposit_rule.setText(rule + ". More may be taken, up to the total.")
            if not self.deposit_touched and not self.split.payments:
                self.split.set_due(p.deposit_required, most=p.total)
            else:
                self.split.due, self.split.most = p.deposit_required, max(p.deposit_required, p.total)
        return self.preview

    def _deposit_typed(self, _text: str) -> None:
        self.deposit_touched = True

    def _fill_table(self) -> None:
        self._filling = True
        try:
            priced = {pl.line_no: pl for pl in self.preview.lines} if self.preview else {}
            self.table.setRowCount(len(self.lines))
            for r, line in enumerate(self.lines):
                pl = priced.get(r + 1)
                if pl is not None:
                    line.stock = pl.stock_on_hand
                supplier = " · ".join(p for p in (line.supplier or (pl.supplier if pl else ""),
                                                  line.supplier_code) if p)
                price = line.unit_price if line.unit_price is not None else (pl.unit_price if pl else None)
                values = (
                    line.description + (f" ({line.sku})" if line.sku else ""),
                    supplier,
                    "" if line.stock is None else str(line.stock),
                    str(line.quantity),
                    amount_text(price, self.currency, self.locale) if price is not None else "",
                    self.money(pl.total) if pl else "",
                )
                for c, text in enumerate(values):
                    item = QTableWidgetItem(text)
                    if c not in (self.C_QTY, self.C_PRICE):
                        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    if c in (self.C_STOCK, self.C_QTY, self.C_PRICE, self.C_TOTAL):
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if c == self.C_ITEM and line.stock:
                        item.setToolTip(f"{line.stock} on the shelf: sell it now instead of ordering?")
                    self.table.setItem(r, c, item)
        finally:
            self._filling = False

    # -- done ------------------------------------------------------------------------------------------
    def try_accept(self) -> bool:
        if not self.name_edit.text().strip() and self.customer_id is None:
            self.show_error("Customer: find them, or type their name and a phone or email.")
            self.customer_search.setFocus()
            return False
        if not self.lines:
            self.show_error("Items: add what the customer orders (find it, or describe it with a price).")
            self.product_search.setFocus()
            return False
        try:
            request = self.build_request()
            view = orders.take_order(self.ctx.staff, request)
        except DeskError as exc:
            self.show_error(describe(exc))
            return False
        self.result_view = view
        self.accept()
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = self.focusWidget()
            if focus in (self.customer_search, self.product_search, self.price_edit):
                return  # their own Enter searched or added
            if focus is self.customer_results:
                self.choose_customer()
                return
            if focus is self.product_results:
                self.add_found()
                return
            if focus in (self.describe_edit, self.line_supplier_edit, self.supplier_code_edit):
                self.add_described()
                return
            self.try_accept()
            return
        super().keyPressEvent(event)

    @classmethod
    def take(cls, parent: QWidget | None, ctx: AppContext) -> OrderView | None:
        dialog = cls(ctx, parent)
        try:
            dialog.exec()
            return dialog.result_view
        finally:
            dialog.deleteLater()


__all__ = ["TakeOrderDialog", "CONTACT_LABELS"]
