"""Sale lookup (F3): find any sale by receipt, dates, amount, customer or card; see it whole."""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import parse_date
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError, InvalidInput
from desk.money import parse_amount
from desk.services import auth, documents, sale_lookup
from desk.services.sale_lookup import SaleQuery
from desk.services.store import current_store
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.dialogs.sale_detail import SaleDetailPanel
from desk.ui.screens.base import Screen
from desk.ui.tables.paged import fit_columns, number_sample
from desk.ui.tables.sales_table import SalesTableModel

_RANGE_SPLIT = re.compile(r"\s*(?:–|—|\bto\b|(?<=\d)\s*-\s*(?=\d))\s*")


def parse_day(text: str, locale: str) -> dt.date | None:
    """A date typed by a person: 2026-03-01, or the store's short form (01/03/2026)."""
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parse_date(text, locale=locale)
    except Exception:
        raise ValueError(f"'{text}' is not a date (e.g. {dt.date.today():%d/%m/%Y} or {dt.date.today().isoformat()})") from None


def parse_amount_filter(text: str, currency: str, locale: str) -> tuple[int | None, int | None, int | None]:
    """'12.50' -> exact; '10-20' or '10 to 20' -> a range; '>10', '<20' -> one end."""
    text = text.strip().replace(" ", "") if text.strip().startswith((">", "<")) else text.strip()
    if not text:
        return None, None, None
    if text.startswith(">"):
        return None, parse_amount(text[1:].lstrip("="), currency, locale), None
    if text.startswith("<"):
        return None, None, parse_amount(text[1:].lstrip("="), currency, locale)
    parts = [p for p in _RANGE_SPLIT.split(text) if p]
    if len(parts) == 2:
        return None, parse_amount(parts[0], currency, locale), parse_amount(parts[1], currency, locale)
    return parse_amount(text, currency, locale), None, None


class SalesScreen(Screen):
    title = "Sales"
    action_name = "screen.sales"
    permission = "sales.view"
    keys = (
        ScreenKey("Ctrl+P", "Reprint the sale's receipt", "reprint_receipt"),
        ScreenKey("Ctrl+G", "Print a gift receipt", "print_gift_receipt"),
        ScreenKey("Ctrl+R", "Return items from the sale", "start_return"),
        ScreenKey("Ctrl+E", "Exchange items from the sale", "start_exchange"),
        ScreenKey("Ctrl+I", "Import sales from a till file"),
        ScreenKey("Esc", "Clear the search", "clear_search"),
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("salesScreen")
        store = current_store()
        self.locale = store.locale if store else "en_GB"
        self.currency = store.currency if store else "GBP"

        heading = QLabel("Sales")
        heading.setProperty("role", "heading")

        self.import_button = QPushButton("Import sales…")
        self.import_button.setObjectName("importSalesButton")
        self.import_button.setShortcut(QKeySequence("Ctrl+I"))
        self.import_button.setToolTip("Import sales from a till's export file (Ctrl+I)")
        self.import_button.setMinimumHeight(40)
        self.import_button.clicked.connect(self.import_sales)

        self.reprint_button = QPushButton("Reprint receipt")
        self.reprint_button.setObjectName("reprintButton")
        self.reprint_button.setToolTip("Reprint the receipt of the sale shown, marked REPRINT (Ctrl+P)")
        self.reprint_button.setMinimumHeight(40)
        self.reprint_button.clicked.connect(self.reprint_receipt)
        self.gift_button = QPushButton("Gift receipt")
        self.gift_button.setObjectName("giftReceiptButton")
        self.gift_button.setToolTip("Print a gift receipt (no prices) for the selected lines, "
                                    "or for every line when none is selected (Ctrl+G)")
        self.gift_button.setMinimumHeight(40)
        self.gift_button.clicked.connect(self.print_gift_receipt)

        self.return_button = QPushButton("Return items")
        self.return_button.setObjectName("returnItemsButton")
        self.return_button.setProperty("primary", True)
        self.return_button.setToolTip("Start a return against the sale shown (Ctrl+R)")
        self.return_button.clicked.connect(self.start_return)
        self.exchange_button = QPushButton("Exchange…")
        self.exchange_button.setObjectName("exchangeItemsButton")
        self.exchange_button.setToolTip("Start an exchange against the sale shown (Ctrl+E)")
        self.exchange_button.clicked.connect(self.start_exchange)
        self.gift_code = ""  # the gift receipt scanned to open the sale shown, if any
        self.gift_sale_id: int | None = None

        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.return_button)
        top.addWidget(self.exchange_button)
        top.addSpacing(12)
        top.addWidget(self.reprint_button)
        top.addWidget(self.gift_button)
        top.addSpacing(12)
        top.addWidget(self.import_button)

        # -- the search row ----------------------------------------------------------
        self.receipt_edit = self._field("Receipt number or its start", "receiptEdit")
        self.from_edit = self._field("dd/mm/yyyy", "fromEdit")
        self.to_edit = self._field("dd/mm/yyyy", "toEdit")
        self.amount_edit = self._field("e.g. 12.50", "amountEdit")
        self.amount_edit.setToolTip("An exact amount (12.50), a range (10-20), or one end (>10, <20)")
        self.customer_edit = self._field("Name, phone or email", "customerEdit")
        self.last4_edit = self._field("1234", "last4Edit")
        self.last4_edit.setMaxLength(4)
        self.search_button = QPushButton("Search")
        self.search_button.setObjectName("searchButton")
        self.search_button.setProperty("primary", True)
        self.search_button.setToolTip("Find the sales that match (Enter)")
        self.search_button.clicked.connect(self.search)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Empty the search fields and show the latest sales (Esc)")
        self.clear_button.setMinimumHeight(40)
        self.clear_button.clicked.connect(self.clear_search)

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        fields = (
            ("Receipt", self.receipt_edit, 3, 140),
            ("From", self.from_edit, 0, 118),
            ("To", self.to_edit, 0, 118),
            ("Amount", self.amount_edit, 0, 110),
            ("Customer", self.customer_edit, 3, 150),
            ("Card last 4", self.last4_edit, 0, 90),
        )
        for col, (title, edit, stretch, width) in enumerate(fields):
            edit.setMinimumWidth(width)
            label = QLabel(title)
            label.setProperty("role", "muted")
            label.setBuddy(edit)
            grid.addWidget(label, 0, col)
            grid.addWidget(edit, 1, col)
            grid.setColumnStretch(col, stretch)
        grid.addWidget(self.search_button, 1, len(fields))
        grid.addWidget(self.clear_button, 1, len(fields) + 1)

        self.message = QLabel()
        self.message.setObjectName("salesMessage")
        self.message.setWordWrap(True)

        # -- results and detail -------------------------------------------------------
        self.model = SalesTableModel(
            self,
            locale=self.locale,
            fetch=lambda q, offset, limit: sale_lookup.search_sales(q, offset, limit, actor=self.ctx.staff),
            count=lambda q: sale_lookup.count_sales(q, actor=self.ctx.staff),
        )
        self.table = QTableView()
        self.table.setObjectName("salesTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(34)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        self.model.number_sample = number_sample(store.code if store else "")
        fit_columns(self.table)  # from the model's samples: never measure thousands of rows
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)

        self.count_label = QLabel()
        self.count_label.setObjectName("salesCount")
        self.count_label.setProperty("role", "muted")

        results = QWidget()
        results.setMinimumWidth(380)
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.setSpacing(6)
        results_layout.addWidget(self.table, 1)
        results_layout.addWidget(self.count_label)

        self.detail = SaleDetailPanel(self, locale=self.locale)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(results)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([600, 420])  # the list shows a whole receipt number and the customer

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)

        # QShortcut, not QPushButton.setShortcut: a button's shortcut clicks it a moment later (animateClick).
        self.install_keys()

        ctx.events.changed.connect(self._on_changed)
        ctx.events.session_changed.connect(lambda *_: self._update_permissions())
        self._update_permissions()
        self._set_message("")
        self.search()

    def _field(self, placeholder: str, name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        edit.setMinimumHeight(40)
        edit.returnPressed.connect(self.search)
        return edit

    # -- state -----------------------------------------------------------------------------
    def activated(self) -> None:
        """Shown again: pick up sales imported meanwhile (e.g. from the command line)."""
        self._update_permissions()
        self.refresh()
        self.receipt_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_permissions(self) -> None:
        self.import_button.setVisible(auth.can(self.ctx.staff, "sales.import"))

    def _on_changed(self, kind: str) -> None:
        if kind == "sales":
            self.refresh()

    def _set_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("role", "error" if error else "muted")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(text))

    def _mark(self, edit: QLineEdit, bad: bool) -> None:
        edit.setProperty("invalid", bad)
        edit.style().unpolish(edit)
        edit.style().polish(edit)

    # -- searching ---------------------------------------------------------------------------
    def build_query(self) -> SaleQuery:
        """The search fields as a SaleQuery; raises InvalidInput naming the field that is wrong."""
        for edit in (self.from_edit, self.to_edit, self.amount_edit, self.last4_edit):
            self._mark(edit, False)
        try:
            date_from = parse_day(self.from_edit.text(), self.locale)
        except ValueError as err:
            self._mark(self.from_edit, True)
            raise InvalidInput("From", str(err)) from None
        try:
            date_to = parse_day(self.to_edit.text(), self.locale)
        except ValueError as err:
            self._mark(self.to_edit, True)
            raise InvalidInput("To", str(err)) from None
        try:
            amount, low, high = parse_amount_filter(self.amount_edit.text(), self.currency, self.locale)
        except ValueError as err:
            self._mark(self.amount_edit, True)
            raise InvalidInput("Amount", str(err)) from None
        last4 = self.last4_edit.text().strip()
        if last4 and not (len(last4) == 4 and last4.isdigit()):
            self._mark(self.last4_edit, True)
            raise InvalidInput("Card last 4", f"'{last4}' is not four digits")
        return SaleQuery(
            receipt=self.receipt_edit.text().strip(),
            date_from=date_from,
            date_to=date_to,
            amount=amount,
            amount_min=low,
            amount_max=high,
            customer=self.customer_edit.text().strip(),
            last4=last4,
        )

    def search(self, select_sale: int | None = None) -> bool:
        """Run the search in the fields. Returns False (and says why) when a field is wrong."""
        try:
            query = self.build_query()
            self.model.set_query(query)
        except DeskError as err:
            self._set_message(str(err), error=True)
            return False
        self._set_message("")
        self._update_count()
        row = self.model.row_of_sale(select_sale) if select_sale else (0 if self.model.rowCount() else -1)
        if row >= 0:
            self.select_row(row)
        else:
            self.detail.show_sale(None)
            if not query.is_empty():
                self.detail.hint.setText("No sale matches the search.")
            elif auth.can(self.ctx.staff, "sales.import"):
                self.detail.hint.setText("The ledger has no sales yet. Import a till's file with Import sales… (Ctrl+I).")
            else:
                self.detail.hint.setText("The ledger has no sales yet. A supervisor or manager can import the tills' files.")
        self._update_print_buttons()
        return True

    def _update_count(self) -> None:
        n = self.model.total_count
        if self.model.query is None or self.model.query.is_empty():
            self.count_label.setText(f"{n:,} sales in the ledger, newest first")
        else:
            self.count_label.setText(f"{n:,} sale matches, newest first" if n == 1 else f"{n:,} sales match, newest first")

    def clear_search(self) -> None:
        for edit in (self.receipt_edit, self.from_edit, self.to_edit, self.amount_edit, self.customer_edit, self.last4_edit):
            edit.clear()
        self.detail.hint.setText("Search for a sale, or scan its receipt (F2), to see it here.")
        self.search()
        self.receipt_edit.setFocus()

    def refresh(self) -> None:
        """Run the current search again, keeping the selected sale."""
        keep = self.detail.sale.id if self.detail.sale else None
        if self.model.query is None:
            self.search()
            return
        try:
            self.model.set_query(self.model.query)
        except DeskError as err:
            self._set_message(str(err), error=True)
            return
        self._update_count()
        row = self.model.row_of_sale(keep) if keep else -1
        if row >= 0:
            self.select_row(row)
        elif keep:
            self.show_sale_id(keep)
        elif self.model.rowCount():
            self.select_row(0)

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)
        self._show_row(row)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._show_row(current.row())

    def _show_row(self, row: int) -> None:
        sale_row = self.model.row_at(row)
        if sale_row is not None and (self.detail.sale is None or self.detail.sale.id != sale_row.sale_id):
            self.show_sale_id(sale_row.sale_id)

    def show_sale_id(self, sale_id: int) -> None:
        try:
            self.detail.show_sale(sale_lookup.sale_view(sale_id, actor=self.ctx.staff))
        except DeskError as err:
            self._set_message(str(err), error=True)
            self.detail.show_sale(None)
        self._update_print_buttons()

    # -- printing --------------------------------------------------------------------------------
    def _update_print_buttons(self) -> None:
        shown = self.detail.sale is not None
        live = shown and not self.detail.sale.voided  # a voided sale sold nothing: no gift receipt, no return
        self.reprint_button.setEnabled(shown)
        self.gift_button.setEnabled(live)
        self.return_button.setEnabled(live and auth.can(self.ctx.staff, "returns.create"))
        self.exchange_button.setEnabled(live and auth.can(self.ctx.staff, "exchanges.create"))
        voided_tip = "This sale was voided: nothing on it can be returned or exchanged"
        self.return_button.setToolTip("Start a return against the sale shown (Ctrl+R)" if not shown or live else voided_tip)
        self.exchange_button.setToolTip("Start an exchange against the sale shown (Ctrl+E)" if not shown or live else voided_tip)

    # -- returns ---------------------------------------------------------------------------------
    def start_return(self) -> bool:
        """Open the Return screen on the sale shown (a gift return when it was opened by its gift receipt)."""
        return self._start_on("screen.returns", "returns.create")

    def _start_on(self, screen_name: str, permission: str) -> bool:
        """Open a screen that starts like a return (Return, Exchange) on the sale shown."""
        sale = self.detail.sale
        if sale is None or not auth.can(self.ctx.staff, permission):
            return False
        if sale.voided:
            self._set_message(self.detail.void_text(sale), error=True)
            return False
        opener = getattr(self.window(), "open_screen", None)
        screen = opener(screen_name) if callable(opener) else None
        if screen is None:
            return False
        if self.gift_code and self.gift_sale_id == sale.id:
            return screen.start_gift(self.gift_code)
        return screen.start_from_sale(sale.id)

    def start_exchange(self) -> bool:
        """Open the Exchange screen on the sale shown: it starts as a return does."""
        return self._start_on("screen.exchange", "exchanges.create")

    def selected_line_numbers(self) -> list[int] | None:
        """The sale line numbers selected in the detail's lines (None: none selected, or all of them)."""
        sale = self.detail.sale
        if sale is None:
            return None
        rows = sorted({index.row() for index in self.detail.lines.selectionModel().selectedRows()})
        if not rows or len(rows) == len(sale.lines):
            return None
        return [sale.lines[r].line_no for r in rows if 0 <= r < len(sale.lines)]

    def reprint_receipt(self) -> bool:
        from desk.ui.printing import print_receipt

        if self.detail.sale is None:
            return False
        return print_receipt(self.ctx, self, self.detail.sale.receipt)

    def print_gift_receipt(self) -> bool:
        from desk.ui.printing import print_gift_receipt

        if self.detail.sale is None or self.detail.sale.voided:
            return False
        return print_gift_receipt(self.ctx, self, self.detail.sale.receipt, self.selected_line_numbers())

    # -- the scan field ------------------------------------------------------------------------
    def open_receipt(self, code: str) -> bool:
        """Open the sale with this receipt number, or the sale a gift receipt code was issued for
        (a scan handler): True if there is one. An unknown gift code raises NotFound naming it."""
        gift = documents.find_gift_receipt(code) if documents.is_gift_code(code) else None
        view = sale_lookup.find_receipt(gift.receipt_no if gift else code, actor=self.ctx.staff)
        if view is None:
            return False
        for edit in (self.from_edit, self.to_edit, self.amount_edit, self.customer_edit, self.last4_edit):
            edit.clear()
        self.receipt_edit.setText(view.receipt)
        self.search(select_sale=view.id)
        if self.detail.sale is None or self.detail.sale.id != view.id:
            self.detail.show_sale(view)
        self.gift_code = gift.code if gift is not None else ""
        self.gift_sale_id = view.id if gift is not None else None
        if gift is not None:
            items = ", ".join(str(line.line_no) for line in gift.lines)
            self._set_message(f"Gift receipt {gift.code} (line{'s' if len(gift.lines) != 1 else ''} {items}): "
                              "items returned with it are refunded as store credit at the price paid.")
        self._update_print_buttons()
        return True

    # -- importing -------------------------------------------------------------------------------
    def import_sales(self) -> None:
        if not auth.can(self.ctx.staff, "sales.import"):
            return
        from desk.ui.dialogs.import_sales import ImportSalesDialog

        ImportSalesDialog.run(self.ctx, self)
