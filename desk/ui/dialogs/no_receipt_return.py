"""Starting a return without a receipt: unverified (the customer says they bought it here but
the sale cannot be found) or blind (no proof at all), who the customer is, and the items.

``NoReceiptDialog.ask(parent, ctx)`` returns a ``NoReceiptStart`` or None (tests replace it
or drive the dialog). Items come from the catalogue (barcode, SKU or name) or are described
with a price. The policy decides on the Return screen what such a return may refund.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError
from desk.money import format_money
from desk.services.returns_ui_support import ProductChoice, find_products
from desk.services.store import current_store
from desk.ui.context import AppContext
from desk.ui.widgets.described_item import read_described_item


@dataclass
class NoReceiptItem:
    description: str
    unit_value: int  # minor units, tax included
    quantity: int = 1
    product_id: int | None = None
    sku: str = ""


@dataclass
class NoReceiptStart:
    kind: str  # unverified | blind
    customer_name: str
    customer_phone: str
    customer_email: str
    items: list[NoReceiptItem] = field(default_factory=list)


class NoReceiptDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("noReceiptDialog")
        self.setWindowTitle("Return without a receipt")
        self.setModal(True)
        store = current_store()
        self.currency = store.currency if store else "GBP"
        self.locale = store.locale if store else "en_GB"
        self.result_value: NoReceiptStart | None = None
        self.items: list[NoReceiptItem] = []
        self.found: list[ProductChoice] = []

        heading = QLabel("Return without a receipt")
        heading.setProperty("role", "heading")

        self.unverified = QRadioButton("Unverified: the customer says they bought it here, but the sale cannot be found")
        self.unverified.setObjectName("kindUnverified")
        self.unverified.setChecked(True)
        self.blind = QRadioButton("Blind: no proof of purchase at all (needs a manager's approval)")
        self.blind.setObjectName("kindBlind")
        group = QButtonGroup(self)
        group.addButton(self.unverified)
        group.addButton(self.blind)

        # -- customer
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("customerName")
        self.phone_edit = QLineEdit()
        self.phone_edit.setObjectName("customerPhone")
        self.phone_edit.setPlaceholderText("phone, or leave empty and give an email")
        self.email_edit = QLineEdit()
        self.email_edit.setObjectName("customerEmail")
        self.email_edit.setPlaceholderText("name@example.com")
        customer = QFormLayout()
        customer.setSpacing(8)
        customer.addRow("Customer's name", self.name_edit)
        customer.addRow("Phone", self.phone_edit)
        customer.addRow("Email", self.email_edit)

        # -- find a product
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("productSearch")
        self.search_edit.setPlaceholderText("Scan a barcode, or type a SKU or a name, then Enter")
        self.search_edit.returnPressed.connect(self.search)
        self.results = QListWidget()
        self.results.setObjectName("productResults")
        self.results.setMaximumHeight(130)
        self.results.itemActivated.connect(lambda _item: self.add_found())
        self.add_found_button = QPushButton("Add product")
        self.add_found_button.setObjectName("addProductButton")
        self.add_found_button.clicked.connect(self.add_found)

        # -- or describe it
        self.describe_edit = QLineEdit()
        self.describe_edit.setObjectName("describeItem")
        self.describe_edit.setPlaceholderText("What it is, e.g. Blue linen cushion")
        self.price_edit = QLineEdit()
        self.price_edit.setObjectName("describePrice")
        self.price_edit.setPlaceholderText("e.g. 12.50")
        self.price_edit.setMaximumWidth(130)
        self.price_edit.returnPressed.connect(self.add_described)
        self.add_described_button = QPushButton("Add item")
        self.add_described_button.setObjectName("addDescribedButton")
        self.add_described_button.clicked.connect(self.add_described)

        items_box = QGridLayout()
        items_box.setHorizontalSpacing(8)
        items_box.setVerticalSpacing(6)
        items_box.addWidget(QLabel("Find in the catalogue"), 0, 0)
        items_box.addWidget(self.search_edit, 0, 1, 1, 2)
        items_box.addWidget(self.results, 1, 1, 1, 2)
        items_box.addWidget(self.add_found_button, 1, 3, Qt.AlignmentFlag.AlignTop)
        items_box.addWidget(QLabel("Or describe it"), 2, 0)
        items_box.addWidget(self.describe_edit, 2, 1)
        items_box.addWidget(self.price_edit, 2, 2)
        items_box.addWidget(self.add_described_button, 2, 3)
        items_box.setColumnStretch(1, 1)

        self.table = QTableWidget(0, 3)
        self.table.setObjectName("noReceiptItems")
        self.table.setHorizontalHeaderLabels(["Item", "Qty", "Each"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().resizeSection(1, 90)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().resizeSection(2, 110)
        self.table.setMinimumHeight(120)
        self.table.verticalHeader().setDefaultSectionSize(38)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)

        self.error = QLabel("")
        self.error.setObjectName("noReceiptError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()

        cancel = QPushButton("Cancel (Esc)")
        cancel.setAutoDefault(False)
        cancel.setMinimumHeight(42)
        cancel.clicked.connect(self.reject)
        self.start_button = QPushButton("Start the return")
        self.start_button.setObjectName("startNoReceipt")
        self.start_button.setProperty("primary", True)
        self.start_button.setAutoDefault(False)
        self.start_button.setMinimumWidth(200)
        self.start_button.clicked.connect(self.try_accept)
        for b in (self.add_found_button, self.add_described_button, self.remove_button):
            b.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)

        def section(title: str) -> QLabel:
            label = QLabel(title)
            label.setProperty("role", "subheading")
            return label

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #d5dbe3;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(self.unverified)
        layout.addWidget(self.blind)
        layout.addWidget(section("Customer"))
        layout.addLayout(customer)
        layout.addWidget(line)
        layout.addWidget(section("Items"))
        layout.addLayout(items_box)
        table_row = QHBoxLayout()
        table_row.addWidget(self.table, 1)
        table_row.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(table_row)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.resize(820, 720)
        self.name_edit.setFocus()

    def money(self, minor: int) -> str:
        return format_money(minor, self.currency, self.locale)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    # -- items ----------------------------------------------------------------------------
    def search(self) -> int:
        try:
            self.found = find_products(self.ctx.staff, self.search_edit.text())
        except DeskError as exc:
            self.show_error(str(exc))
            return 0
        self.results.clear()
        for p in self.found:
            text = f"{p.name} · {p.sku}" + (f" · {p.category}" if p.category else "") + f" · {self.money(p.unit_value)}"
            self.results.addItem(QListWidgetItem(text))
        count = len(self.found)
        if self.found:
            self.results.setCurrentRow(0)
            self.show_error("")
            if count == 1:
                self.add_found()
        else:
            self.show_error(f"Nothing in the catalogue matches '{self.search_edit.text().strip()}': describe the item instead.")
        return count

    def add_found(self) -> bool:
        row = self.results.currentRow()
        if not (0 <= row < len(self.found)):
            return False
        p = self.found[row]
        for item in self.items:
            if item.product_id == p.id:
                item.quantity += 1
                self._fill_table()
                self.results.clear()
                self.found = []
                return True
        self.items.append(NoReceiptItem(p.name, p.unit_value, 1, p.id, p.sku))
        self._fill_table()
        self.results.clear()
        self.found = []
        self.search_edit.clear()
        self.search_edit.setFocus()
        return True

    def add_described(self) -> bool:
        item = read_described_item(self.describe_edit, self.price_edit, self.currency, self.locale, self.show_error)
        if item is None:
            return False
        text, value = item
        self.items.append(NoReceiptItem(text, value, 1))
        self.describe_edit.clear()
        self.price_edit.clear()
        self.show_error("")
        self._fill_table()
        return True

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.items):
            del self.items[row]
            self._fill_table()

    def _fill_table(self) -> None:
        self.table.setRowCount(len(self.items))
        for r, item in enumerate(self.items):
            self.table.setItem(r, 0, QTableWidgetItem(item.description))
            spin = QSpinBox()
            spin.setRange(1, 999)
            spin.setValue(item.quantity)
            spin.valueChanged.connect(lambda v, it=item: setattr(it, "quantity", v))
            self.table.setCellWidget(r, 1, spin)
            each = QTableWidgetItem(self.money(item.unit_value))
            each.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(r, 2, each)

    # -- done -------------------------------------------------------------------------------
    def try_accept(self) -> bool:
        name = self.name_edit.text().strip()
        phone = self.phone_edit.text().strip()
        email = self.email_edit.text().strip()
        if not name:
            self.show_error("Customer's name: a return without a receipt needs the customer's name.")
            self.name_edit.setFocus()
            return False
        if not phone and not email:
            self.show_error("Phone or email: a return without a receipt needs a way to reach the customer.")
            self.phone_edit.setFocus()
            return False
        if not self.items:
            self.show_error("Items: add what the customer brings back (find it, or describe it with a price).")
            self.search_edit.setFocus()
            return False
        kind = "blind" if self.blind.isChecked() else "unverified"
        self.result_value = NoReceiptStart(kind, name, phone, email, list(self.items))
        self.accept()
        return True

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: AppContext) -> NoReceiptStart | None:
        dialog = cls(ctx, parent)
        try:
            dialog.exec()
            return dialog.result_value
        finally:
            dialog.deleteLater()
