"""Exchange (F5): goods back, other goods out, the difference settled, in one record.

It starts exactly like a return (it is the Return screen with a second half): scan the receipt or
a gift receipt while this screen is shown, Ctrl+E on the Sales screen's sale, or No receipt
(Ctrl+N). The lines going back are picked with the same table, reason, condition and disposition
editors, policy banner and approvals as a return. Then what goes out: scan a product or search
the catalogue (Ctrl+F), take the same item again (Ctrl+S), or pick another size or colour from
the variants list (Enter adds one). The exchanges service values both halves after every change
and says what the difference is; the screen never adds anything up itself. Enter settles it:
the customer pays (cash, card, gift card, store credit, split allowed) or the difference is
refunded by the policy's refund-tender rules. The exchange is written in one transaction, then
its slip (and any voucher) prints.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError
from desk.services import auth, credit, documents, exchanges, returns, sale_lookup
from desk.services.exchanges import ExchangePreview, ExchangeRequest, ExchangeView, ReplacementLine, SettlementTender
from desk.services.orders import OrderFromExchange
from desk.services.policy import ALLOWED, REFUSED
from desk.services.returns import ReturnLineRequest
from desk.services.returns_ui_support import find_products
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.dialogs.approve_at_desk import ApproveAtDeskDialog
from desk.ui.messages import attempt, describe
from desk.ui.screens.returns import DONE, EDIT, WAIT, CardReferenceDialog, ReturnScreen, _label
from desk.ui.tables.replacements_table import ReplacementsModel
from desk.ui.tables.sales_table import local_time_text
from desk.ui.tables.vouchers_table import day_text
from desk.ui.widgets.tender_edit import SplitTenders



def is_exchange_number(text: str) -> bool:
    value = (text or "").strip().upper()
    return value.startswith("X-") and value.count("-") >= 3


class _Keys(QObject):
    """Keys a widget of the exchange's second half handles itself: Enter (and + / - on a table)."""

    def __init__(self, parent: QObject, enter=None, step=None, delete=None, escape=None):
        super().__init__(parent)
        self.enter = enter
        self.step = step
        self.delete = delete
        self.escape = escape  # returns True when it used the key (else Esc drops the exchange as usual)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if self.escape is not None and key == Qt.Key.Key_Escape and self.escape():
                return True
            if self.enter is not None and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.enter()
                return True
            if self.step is not None and key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
                self.step(1)
                return True
            if self.step is not None and key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
                self.step(-1)
                return True
            if self.delete is not None and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.delete()
                return True
        return False


class ExchangeScreen(ReturnScreen):
    title = "Exchange"
    action_name = "screen.exchange"
    permission = "exchanges.create"
    keys = ReturnScreen.keys + (
        ScreenKey("Ctrl+S", "The same item goes out again", "same_item_again"),
        ScreenKey("Ctrl+F", "Find what goes out", "focus_find"),
        ScreenKey("Ctrl+P", "Take a payment for the difference", "add_payment"),
        ScreenKey("Ctrl+O", "Order it instead (out of stock)", "order_instead"),
    )
    gift_note = "valued at the price paid; money due back becomes store credit"
    slip_kind = "exchange"  # print_slips (the Return screen's) prints the exchange slip, then its vouchers

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("exchangeScreen")
        self.install_keys()

    # ================================================================== building
    def start_steps(self) -> tuple[tuple[str, str, str], ...]:
        return (
            ("F2", "Scan the receipt", "Scan its barcode or type its number: pick what comes back, then what goes out."),
            ("F2", "Scan a gift receipt", "Only the lines it covers, valued at the price paid; money due back is store credit."),
            ("Ctrl+E", "From the Sales screen (F3)", "Find the sale by date, amount, customer or card, then Exchange…"),
            ("Ctrl+N", "No receipt", "Unverified or blind: the customer's details and the items; the policy decides."),
        )

    def start_note(self) -> str:
        return ("Like for like: pick the line and press Ctrl+S for the same item again. "
                "Scanning an exchange number (X-…) shows that exchange.")

    def _build_edit(self) -> QWidget:
        page = QWidget()
        page.setObjectName("exchangeEdit")
        self.candidates: list[tuple[int, str, str, str, int]] = []  # product id, sku, name, price text, stock
        top = self._build_edit_top()
        lines = self._build_lines_panel()
        self.table.setMinimumHeight(110)

        # -- what goes out
        self.replacements = ReplacementsModel(self, currency=self.currency, locale=self.locale)
        self.replacements.choices_changed.connect(self.refresh_preview)
        self.out_table = QTableView()
        self.out_table.setObjectName("replacementLines")
        self.out_table.setModel(self.replacements)
        self.out_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.out_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.out_table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                       | QAbstractItemView.EditTrigger.AnyKeyPressed
                                       | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.out_table.setWordWrap(False)
        self.out_table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # "Organic…, White, S": the variant shows
        self.out_table.verticalHeader().hide()
        self.out_table.verticalHeader().setDefaultSectionSize(32)
        header = self.out_table.horizontalHeader()
        header.setHighlightSections(False)
        m = ReplacementsModel
        for col, width in ((m.C_QTY, 50), (m.C_TOTAL, 86)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(m.C_ITEM, QHeaderView.ResizeMode.Stretch)
        # SKU, unit price and stock are in the item's tooltip and the list beside it (an item short of
        # stock is red): the name needs the room.
        for col in (m.C_SKU, m.C_PRICE, m.C_STOCK):
            self.out_table.setColumnHidden(col, True)
        self.out_table.installEventFilter(_Keys(self, step=self.step_replacement, delete=self.remove_replacement))

        self.find_edit = QLineEdit()
        self.find_edit.setObjectName("findProduct")
        self.find_edit.setPlaceholderText("Scan or search: barcode, SKU or name (Ctrl+F)")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.setMinimumHeight(36)
        self.find_edit.installEventFilter(_Keys(self, enter=self.find_products, escape=self._clear_find))
        self.find_edit.textChanged.connect(lambda text: self.show_variants() if not text.strip() else None)
        self.candidates_title = _label("", "muted", "candidatesTitle", wrap=True)
        self.candidates_table = QTableWidget(0, 4)
        self.candidates_table.setObjectName("candidates")
        self.candidates_table.setHorizontalHeaderLabels(["Item", "SKU", "Price", "Stock"])
        self.candidates_table.setColumnHidden(1, True)
        self.candidates_table.verticalHeader().hide()
        self.candidates_table.verticalHeader().setDefaultSectionSize(30)
        self.candidates_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.candidates_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.candidates_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.candidates_table.setWordWrap(False)
        ch = self.candidates_table.horizontalHeader()
        ch.setHighlightSections(False)
        ch.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((2, 86), (3, 66)):
            ch.resizeSection(col, width)
        self.candidates_table.installEventFilter(_Keys(self, enter=self.add_candidate))
        self.candidates_table.doubleClicked.connect(lambda _index: self.add_candidate())

        self.same_button = QPushButton("Same item again (Ctrl+S)")
        self.same_button.setObjectName("sameItemAgain")
        self.same_button.setMinimumHeight(36)
        self.same_button.setAutoDefault(False)
        self.same_button.setToolTip("A faulty unit swapped for a good one: the returned line's product goes out")
        self.same_button.clicked.connect(self.same_item_again)

        finder = QVBoxLayout()
        finder.setSpacing(6)
        finder.addWidget(self.find_edit)
        finder.addWidget(self.candidates_title)
        finder.addWidget(self.candidates_table, 1)
        out_left = QVBoxLayout()
        out_left.setSpacing(6)
        out_head = QHBoxLayout()
        out_head.addWidget(_label("Going out", "subheading"))
        out_head.addStretch(1)
        out_head.addWidget(self.same_button)
        out_left.addLayout(out_head)
        out_left.addWidget(self.out_table, 1)
        out_left.addWidget(_label("+ / − change the quantity · Delete takes it off", "muted"))
        going_out = QHBoxLayout()
        going_out.setSpacing(12)
        going_out.addLayout(out_left, 1)
        going_out.addLayout(finder, 1)

        left = QVBoxLayout()
        left.setSpacing(6)
        left.addWidget(_label("Coming back", "subheading"))
        left.addLayout(lines, 4)
        left.addSpacing(6)
        left.addLayout(going_out, 5)

        body = QHBoxLayout()
        body.setSpacing(18)
        body.addLayout(left, 1)
        body.addWidget(self._build_side())
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        return page

    def _build_side(self) -> QWidget:
        """Decision, the two values and the difference, how it is settled, confirm."""
        from desk.ui.widgets.decision_banner import DecisionBanner

        self.banner = DecisionBanner()
        self.problem = _label("", "error", "exchangeProblem", wrap=True)
        self.problem.hide()
        self.order_button = QPushButton("Order it for the customer… (Ctrl+O)")
        self.order_button.setObjectName("orderInstead")
        self.order_button.setMinimumHeight(40)
        self.order_button.setAutoDefault(False)
        self.order_button.setToolTip("Out of stock: what comes back becomes the deposit of a special order for it")
        self.order_button.clicked.connect(self.order_instead)
        self.order_button.hide()

        totals = QFrame()
        totals.setProperty("role", "card")
        grid = QGridLayout(totals)
        grid.setContentsMargins(14, 10, 14, 10)
        grid.setVerticalSpacing(2)
        self.returned_label = _label("", None, "returnedValue")
        self.replacement_label = _label("", None, "replacementTotal")
        for label in (self.returned_label, self.replacement_label):
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        grid.addWidget(_label("Coming back", "muted"), 0, 0)
        grid.addWidget(self.returned_label, 0, 1)
        grid.addWidget(_label("Going out", "muted"), 1, 0)
        grid.addWidget(self.replacement_label, 1, 1)
        self.difference_label = _label("", "subheading", "exchangeDifference")
        self.difference_amount = _label("", "figure", "exchangeDifferenceAmount")
        self.difference_amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        grid.addWidget(self.difference_label, 2, 0)
        grid.addWidget(self.difference_amount, 2, 1)
        self.fee_label = _label("", "muted", "exchangeFees", wrap=True)
        self.fee_label.hide()
        grid.addWidget(self.fee_label, 3, 0, 1, 2)

        # -- settling: pay / refund / nothing
        self.settle = QStackedWidget()
        self.settle.setObjectName("settlePanel")
        self.settle.addWidget(self._build_pay())
        self.settle.addWidget(self._build_refund())
        even = _label("Nothing to pay and nothing to refund.", "muted", "evenNote", wrap=True)
        even.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.settle.addWidget(even)

        self._build_confirm_buttons("Exchange", "confirmExchange", "Confirm the exchange (Enter)",
                                    "Put the returned part in the approval queue; a manager answers from any desk", 52)

        right_box = QWidget()
        right_box.setFixedWidth(300)
        right = QVBoxLayout(right_box)
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(8)
        right.addWidget(self.banner)
        right.addWidget(self.problem)
        right.addWidget(self.order_button)
        right.addWidget(totals)
        right.addWidget(self.settle)
        right.addStretch(1)
        right.addWidget(self.queue_button)
        right.addWidget(self.confirm_button)
        keys = _label("Enter confirms · Esc drops the exchange", "muted", "exchangeKeysHint")
        keys.setAlignment(Qt.AlignmentFlag.AlignCenter)
        right.addWidget(keys)
        return right_box

    def _build_pay(self) -> QWidget:
        """The customer pays the difference: the order dialogs' split tenders, stacked for this panel."""
        card = QFrame()
        card.setProperty("role", "card")
        card.setObjectName("payPanel")
        box = QVBoxLayout(card)
        box.setContentsMargins(14, 10, 14, 10)
        box.setSpacing(4)
        box.addWidget(_label("The customer pays", "subheading"))
        # Ctrl+P is the screen's key (ScreenKey add_payment); "Still to pay" shows from the start
        self.split = SplitTenders(self.currency, self.locale, narrow=True, shortcut=False, show_due=True)
        self.split.problem.connect(self._show_problem)
        self.split.changed.connect(self._update_confirm)
        box.addWidget(self.split)
        # the fields by the names the screen (and its tests) use
        edit = self.split.edit
        self.pay_method, self.pay_amount = edit.method_combo, edit.amount_edit
        self.card_last4, self.pay_reference, self.voucher_edit = edit.last4_edit, edit.reference_edit, edit.voucher_edit
        self.voucher_balance, self.payments_label = self.split.voucher_hint, self.split.taken_label
        self.add_payment_button, self.clear_payments_button = self.split.add_button, self.split.clear_button
        self.add_payment_button.clicked.disconnect()
        self.add_payment_button.clicked.connect(self.add_payment)  # with the screen's checks
        return card

    @property
    def payments(self) -> list[SettlementTender]:
        return self.split.payments

    @payments.setter
    def payments(self, value: list[SettlementTender]) -> None:
        self.split.payments = list(value)

    def _build_refund(self) -> QWidget:
        card = QFrame()
        card.setProperty("role", "card")
        card.setObjectName("refundPanel")
        box = QVBoxLayout(card)
        box.setContentsMargins(14, 10, 14, 10)
        box.setSpacing(4)
        box.addWidget(_label("Refund the difference to", "subheading"))
        box.addWidget(self.refund_to_combo)
        self.refund_plan = _label("", None, "refundPlan", wrap=True)
        box.addWidget(self.refund_plan)
        box.addWidget(self.card_reference_label)
        box.addWidget(self.card_reference)
        return card

    def _build_done(self) -> QWidget:
        page = super()._build_done()
        self.done_heading.setText("Exchange complete")
        self.next_button.setText("New exchange (Enter)")
        self.reprint_button.setText("Print the slip again")
        return page

    # ================================================================== starting and resetting
    def _clear_second_half(self) -> None:
        self.held_approval: int | None = None  # approved from the queue; the difference is still to settle
        loading, self._loading = self._loading, True
        self.replacements.clear()
        self.find_edit.clear()
        self._clear_pay_fields()
        self._loading = loading

    def reset(self) -> None:
        self._clear_second_half()
        super().reset()
        self._show_candidates([], "")

    def _begin(self, kind: str) -> None:
        self._clear_second_half()
        super()._begin(kind)

    def start_from_sale(self, sale_id: int, gift_code: str = "", line_ids: list[int] | None = None) -> bool:
        ok = super().start_from_sale(sale_id, gift_code, line_ids)
        if ok:
            self.show_variants()
        return ok

    def refund_options(self) -> list[tuple[str, str]]:
        """As a return's, less what an exchange cannot refund to."""
        return [(code, label) for code, label in super().refund_options() if code in exchanges.REFUND_TO]

    # ================================================================== what goes out
    def focus_find(self) -> None:
        if self.page() == EDIT:
            self.find_edit.setFocus()
            self.find_edit.selectAll()

    def _clear_find(self) -> bool:
        """Esc in the search field: the search is cleared first (the variants come back)."""
        if not self.find_edit.text():
            return False
        self.find_edit.clear()
        return True

    def current_product_id(self) -> int | None:
        """The catalogue product of the returned line shown in the line editor."""
        line = self.model.row(self.current_row())
        if line is None:
            return None
        if line.product_id:
            return line.product_id
        if line.sale_line_id is None:
            return None
        try:
            return exchanges.same_item_again(ReturnLineRequest(1, line.reason or "", sale_line_id=line.sale_line_id)).product_id
        except DeskError:
            return None

    def _load_line_editor(self, row: int) -> None:
        super()._load_line_editor(row)
        if hasattr(self, "find_edit") and not self.find_edit.text().strip():
            self.show_variants()

    def show_variants(self) -> int:
        """The current returned line's product in its other sizes and colours, with stock."""
        if not hasattr(self, "candidates_table") or self._loading:
            return 0
        pid = self.current_product_id()
        if pid is None:
            self._show_candidates([], "Search the catalogue for what goes out (Ctrl+F).")
            return 0
        try:
            rows = exchanges.variants_of(pid)
        except DeskError:
            rows = []
        base = exchanges.base_name(rows[0].name) if rows else ""

        def what_differs(name: str) -> str:  # "Shirt, Blue, M" -> "Blue, M": the title names the shirt
            return name[len(base) + 2:] if base and name.startswith(base + ", ") else name

        self._show_candidates([(r.product_id, r.sku, r.name, self.money(r.price), r.stock_on_hand) for r in rows],
                              f"{base} in every size and colour · Enter adds one", what_differs)
        return len(rows)

    def find_products(self) -> int:
        """Enter in the search field: one exact barcode/SKU goes out at once; otherwise the matches are listed."""
        text = self.find_edit.text().strip()
        if not text:
            return self.show_variants()
        if self.add_product_code(text):
            self.find_edit.clear()
            return 1
        ok, found = attempt(self, find_products, self.ctx.staff, text, 30)
        found = found or []
        self._show_candidates([(p.id, p.sku, p.name, self.money(p.unit_value), p.stock_on_hand) for p in found],
                              f"{len(found)} found for '{text}' · Enter adds one" if found else f"Nothing in the catalogue matches '{text}'.")
        if found:
            self.candidates_table.setFocus()
            self.candidates_table.selectRow(0)
        return len(found)

    def add_product_code(self, code: str) -> bool:
        """A scanned barcode or an exact SKU: that product goes out (one more)."""
        try:
            found = find_products(self.ctx.staff, code, 5)
        except DeskError:
            return False
        value = code.strip()
        exact = [p for p in found if p.barcode == value or p.sku.upper() == value.upper()]
        if len(exact) != 1:
            return False
        p = exact[0]
        self.add_replacement(p.id, p.sku, p.name)
        return True

    def _show_candidates(self, rows: list[tuple[int, str, str, str, int]], title: str, shown=None) -> None:
        self.candidates = rows
        self.candidates_title.setText(title)
        table = self.candidates_table
        table.setRowCount(len(rows))
        for r, (_pid, sku, name, price, stock) in enumerate(rows):
            for c, text in enumerate((shown(name) if shown else name, sku, price, str(max(0, stock)))):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(f"{name} · SKU {sku} · {max(0, stock)} in stock")
                if stock <= 0:
                    item.setForeground(Qt.GlobalColor.gray)
                table.setItem(r, c, item)
        if rows:
            table.setCurrentCell(0, 0)

    def add_candidate(self) -> bool:
        row = self.candidates_table.currentRow()
        if not 0 <= row < len(self.candidates):
            return False
        pid, sku, name, _price, _stock = self.candidates[row]
        self.add_replacement(pid, sku, name)
        return True

    def add_replacement(self, product_id: int, sku: str, name: str, quantity: int = 1) -> None:
        row = self.replacements.add(product_id, sku, name, quantity)
        self.out_table.setCurrentIndex(self.replacements.index(row, ReplacementsModel.C_QTY))

    def same_item_again(self) -> bool:
        """Ctrl+S: the current returned line's product goes out again (a line with nothing chosen comes back once)."""
        if self.page() != EDIT:
            return False
        row = self.current_row()
        line = self.model.row(row)
        if line is None:
            return False
        if line.quantity == 0:
            if line.returnable is not None and line.returnable <= 0:
                self._show_problem(f"Line {line.line_no}: nothing of it is left to return.")
                return False
            self.model.set_quantity(row, 1)
        try:
            rep = exchanges.same_item_again(ReturnLineRequest(line.quantity, line.reason or "", sale_line_id=line.sale_line_id,
                                                              product_id=line.product_id))
        except DeskError as exc:
            self._show_problem(describe(exc))
            return False
        self.add_replacement(rep.product_id, line.sku, line.description, rep.quantity)
        if not line.reason:
            self.reason_combo.setFocus()
        return True

    def current_replacement(self) -> int:
        index = self.out_table.currentIndex()
        return index.row() if index.isValid() else -1

    def step_replacement(self, delta: int) -> None:
        self.replacements.step_quantity(self.current_replacement(), delta)

    def remove_replacement(self) -> None:
        self.replacements.set_quantity(self.current_replacement(), 0)

    # ================================================================== settling
    def due(self) -> int:
        """What the customer owes (the service's difference), 0 when nothing."""
        result = self.preview_result
        return result.difference if isinstance(result, ExchangePreview) and result.difference > 0 else 0

    def remaining(self) -> int:
        return max(0, self.due() - self.split.taken())

    def _clear_pay_fields(self) -> None:
        """No payment taken, the fields empty, cash."""
        self.split.payments = []
        self.split.edit.set_method("cash")
        for w in (self.card_last4, self.pay_reference, self.voucher_edit):
            w.clear()
        self.split.set_due(0)

    def add_payment(self) -> bool:
        """Ctrl+P: take the payment the fields describe (part of the difference: the rest is paid another way)."""
        if self.page() != EDIT or self.due() <= 0:
            return False
        if self.remaining() <= 0:
            self._show_problem("The difference is paid: Enter completes the exchange.")
            return False
        return self.split.add_clicked()  # a refusal names the field on the problem line

    def clear_payments(self) -> None:
        self.split.clear()

    def _show_payments(self) -> None:
        """The split's due follows the service's difference (what was typed stays while it does not change)."""
        if self.split.due != self.due():
            self.split.set_due(self.due())
        else:
            self.split.refresh()
        self._update_confirm()

    def _settlement_ready(self, result: ExchangePreview) -> bool:
        """Up: the payments cover the difference (the fields' payment is taken first). Down: a card refund's reference."""
        if result.difference > 0:
            if self.remaining() > 0:
                if self.pay_amount.text().strip() and not self.add_payment():  # the fields' payment first
                    return False
            if self.remaining() > 0:
                self._show_problem(f"Still to pay {self.money(self.remaining())}: choose how the customer pays the rest.")
                self.pay_method.setFocus()
                return False
            return True
        if result.difference < 0:
            return self._card_reference_ready(result)
        return True

    def _card_reference_ready(self, result) -> bool:
        if not isinstance(result, ExchangePreview):
            return super()._card_reference_ready(result)
        if result.difference >= 0 or result.refund_method != "card" or self.card_reference.text().strip():
            return True
        reference = CardReferenceDialog.ask(self, f"{self.money(-result.difference)} to {result.refund_label}")
        if not reference:
            return False
        self.card_reference.setText(reference)
        return True

    # ================================================================== asking the service
    def build_exchange_request(self) -> ExchangeRequest | None:
        """The exchange as chosen now; None while nothing comes back (problem_text says what is missing)."""
        rr = self.build_request()
        if rr is None:
            return None
        return ExchangeRequest(
            returned=rr.lines,
            replacements=[ReplacementLine(r.product_id, r.quantity) for r in self.replacements.rows],
            kind=rr.kind, sale_id=rr.sale_id, gift_code=rr.gift_code, tenders=list(self.payments),
            refund_to=rr.refund_to, card_reference=rr.card_reference, customer_id=rr.customer_id,
            customer_name=rr.customer_name, customer_phone=rr.customer_phone, customer_email=rr.customer_email,
            desk_code=rr.desk_code,
        )

    def refresh_preview(self):
        """Ask the exchanges service what this exchange comes to now, and show it."""
        if self._loading or self.page() != EDIT or not hasattr(self, "replacements"):
            return None
        request = self.build_exchange_request()
        self.preview_result = None
        if request is None:
            self.banner.show_idle(self.problem_text or "Choose what the customer brings back: + on a line, or type how many.")
            self._show_problem("")
            self._show_exchange(None, None)
            return None
        try:
            if request.replacements:
                result = exchanges.preview_exchange(self.ctx.staff, request)
                returned = result.returned
            else:
                result = None
                returned = returns.preview(self.ctx.staff, request.return_request())
        except DeskError as exc:
            self.banner.show_idle(f"Check the {self.title.lower()}")
            self._show_problem(describe(exc))
            self._show_exchange(None, None)
            return None
        self.preview_result = result
        self.model.apply_preview(returned.lines)
        if result is not None:
            self.replacements.apply_preview(result.replacements)
        self.banner.show_decision(returned.decision)
        problems = result.problems if result is not None else []
        self._show_problem("Not enough stock: " + "; ".join(problems) + "." if problems else "")
        self._show_exchange(returned, result)
        return result

    def _show_exchange(self, returned, result: ExchangePreview | None) -> None:
        self.returned_label.setText(self.money(returned.total if returned is not None else 0))
        self.replacement_label.setText(self.money(result.replacement_total if result is not None else 0))
        if returned is not None and returned.fee_total:
            self.fee_label.setText(f"Value {self.money(returned.value)} less restocking fees {self.money(returned.fee_total)}")
            self.fee_label.show()
        else:
            self.fee_label.hide()
        self.difference_amount.setText("")
        if result is None:
            self.difference_label.setText("—")
            self.settle.setCurrentIndex(2)
            self.settle.widget(2).setText("Add what goes out: scan it, search (Ctrl+F), pick a size or colour, "
                                          "or Ctrl+S for the same item again." if returned is not None else
                                          "Choose what comes back first.")
        elif result.difference > 0:
            self.difference_label.setText("Customer pays")
            self.difference_amount.setText(self.money(result.difference))
            if self.split.taken() > result.difference:
                self.split.payments = []  # the difference went down: take the payment again
            self.settle.setCurrentIndex(0)
        elif result.difference < 0:
            self.difference_label.setText("Refund")
            self.difference_amount.setText(self.money(-result.difference))
            self.payments = []
            self.settle.setCurrentIndex(1)
            self.refund_plan.setText(f"{self.money(-result.difference)} to {result.refund_label}")
        else:
            self.difference_label.setText("Even exchange")
            self.payments = []
            self.settle.setCurrentIndex(2)
            self.settle.widget(2).setText("Nothing to pay and nothing to refund.")
        card = result is not None and result.difference < 0 and result.refund_method == "card"
        self.card_reference.setVisible(card)
        self.card_reference_label.setVisible(card)
        self._show_payments()

    def _allowed_text(self) -> str:
        result = self.preview_result
        if not isinstance(result, ExchangePreview):
            return "Exchange"
        if result.difference > 0:
            return f"Take {self.money(self.remaining())}" if self.remaining() else "Exchange"
        if result.difference < 0:
            return f"Refund {self.money(-result.difference)}"
        return "Exchange (even)"

    def _update_confirm(self) -> None:
        result = self.preview_result
        self.order_button.setVisible(self.can_order_instead())
        if not isinstance(result, ExchangePreview) or result.problems:
            self.queue_button.hide()
            self.confirm_button.setText("Not enough stock" if isinstance(result, ExchangePreview) else "Exchange")
            self.confirm_button.setEnabled(False)
        elif getattr(self, "held_approval", None) is not None:  # approved from the queue: settle and write
            self.queue_button.hide()
            self.confirm_button.setText(self._allowed_text())
            self.confirm_button.setEnabled(True)
        else:
            self._set_buttons(result.decision)

    # ================================================================== confirming
    def confirm(self) -> bool:
        """Enter: settle and write the exchange as the decision allows. True when it was written."""
        if self.page() != EDIT:
            return False
        result = self.refresh_preview()
        if result is None:
            if self.problem_text:
                self._show_problem(self.problem_text)
            elif not self.problem.text() and self.model.chosen():
                self._show_problem("Replacements: choose at least one item to give in exchange.")
            return False
        if result.problems:
            return False  # the problem line says what is out of stock
        decision = result.decision
        if decision.outcome == REFUSED and not decision.overridable:
            return False
        if not self._settlement_ready(result):
            return False
        if self.held_approval is not None:
            return self.complete(approval_id=self.held_approval)
        if decision.outcome == ALLOWED:
            return self.complete()
        approval = ApproveAtDeskDialog.ask(self, list(decision.reasons))
        if approval is None:
            return False
        return self.complete(approver=approval)

    def send_to_manager(self) -> bool:
        """The returned part goes to the approval queue (the difference is settled once it is approved)."""
        result = self.refresh_preview()
        if result is None:
            if not self.problem.text() and self.model.chosen():
                self._show_problem("Replacements: choose at least one item to give in exchange.")
            return False
        if result.problems:
            return False
        return super().send_to_manager()

    # ================================================================== order it instead
    def can_order_instead(self) -> bool:
        """Something going out is out of stock, and this person may take orders."""
        result = self.preview_result
        return (self.page() == EDIT and isinstance(result, ExchangePreview) and bool(result.problems)
                and auth.can(self.ctx.staff, "orders.take"))

    def order_instead(self) -> bool:
        """Ctrl+O: part of what goes out is out of stock, so order only that for the customer, in one
        step with the exchange of what is in stock; what comes back pays for what goes out now and
        the rest is the order's deposit (value above the order's total becomes store credit)."""
        if self.page() != EDIT:
            return False
        result = self.refresh_preview()
        if not isinstance(result, ExchangePreview) or not result.problems:
            return False
        if not auth.can(self.ctx.staff, "orders.take"):
            self._show_problem("Ordering it for the customer needs someone who may take special orders.")
            return False
        decision = result.decision
        if decision.outcome == REFUSED and not decision.overridable:
            return False
        approver, approval_id = None, getattr(self, "held_approval", None)
        if approval_id is None and decision.outcome != ALLOWED:
            approver = ApproveAtDeskDialog.ask(self, list(decision.reasons))
            if approver is None:
                return False
        request = self.build_exchange_request()
        if request is None:
            return False
        request.tenders = []
        from desk.ui.dialogs.order_instead import OrderInsteadDialog

        done = OrderInsteadDialog.take(self, self.ctx, request, result.returned_value, approver, approval_id)
        if done is None:
            return False
        self.ctx.events.emit_changed("orders", "returns", "vouchers", "customers")
        self.show_order_done(done)
        self.print_slips(done)
        return True

    def show_order_done(self, done: OrderFromExchange) -> None:
        """The done page for an exchange that became a special order."""
        order = done.order
        self.done_view = done
        self.done_heading.setText("Ordered for the customer")
        self.done_number.setText(order.number)
        items = [f"Came back on return {done.return_number}"]
        if done.exchange_number:
            went = exchanges.exchange_view(done.exchange_number)
            items += [f"Went out now on exchange {went.number}:"] + [
                f"  {l.quantity} × {l.description} — {self.money(l.value)}" for l in went.went_out]
        items += [f"Ordered (deposit {self.money(order.deposit_paid)}):"] + [
            f"  {l.quantity} × {l.description} — {self.money(l.total)}" for l in order.lines]
        self.done_items.setText("\n".join(items))
        when = f" · expected {day_text(order.expected_date, self.locale)}" if order.expected_date else ""
        balance = f"To pay on collection: {self.money(order.balance)}" if order.balance else "Paid in full"
        self.done_tenders.setText(f"{balance}{when}\nFor {order.customer_name}")
        self.done_voucher.setText(f"Store credit voucher: {done.voucher_code}" if done.voucher_code else "")
        self.done_voucher.setVisible(bool(done.voucher_code))
        self.done_note.setText("Follow it on the Orders screen (F6).")
        self.done_note.show()
        self.pages.setCurrentIndex(DONE)
        self.next_button.setFocus()

    def print_slips(self, view, vouchers: bool = True) -> bool:
        """An exchange's slip and vouchers (the Return screen's way), or an order's slip and its voucher."""
        if not isinstance(view, OrderFromExchange):
            return super().print_slips(view, vouchers)
        from desk.ui.printing import print_document

        ok, doc = attempt(self, documents.render, "order", view.order.number, self.ctx.staff)
        if not ok or doc is None:
            return False
        printed = print_document(self.ctx, self, doc)
        if view.exchange_number:  # what was in stock went out on an exchange: its slip too
            ok, slip = attempt(self, documents.render, "exchange", view.exchange_number, self.ctx.staff)
            if ok and slip is not None:
                print_document(self.ctx, self, slip)
        if vouchers and view.voucher_code:
            ok, voucher = attempt(self, documents.render, "voucher", view.voucher_code, self.ctx.staff)
            if ok and voucher is not None:
                print_document(self.ctx, self, voucher)
        return printed

    def complete(self, approver=None, approval_id: int | None = None, request=None) -> bool:
        """Write the exchange (the service decides everything again), then print its slip."""
        if approval_id is not None and self.page() == EDIT:
            result = self.refresh_preview()
            if isinstance(result, ExchangePreview) and result.difference > 0 and self.remaining() > 0:
                # Approved from the queue while the customer still owes the difference: take it first.
                self.held_approval = approval_id
                self.approval_id = None
                self._show_problem(f"Approved. Take {self.money(self.remaining())} from the customer, then Enter.")
                self.pay_method.setFocus()
                self._update_confirm()
                return False
        xreq = self.build_exchange_request()
        if xreq is None:
            return False
        ok, view = attempt(self, exchanges.create_exchange, self.ctx.staff, xreq, approver=approver, approval_id=approval_id)
        if not ok or view is None:
            self.refresh_preview()
            return False
        self.ctx.events.emit_changed("exchanges", "returns", "sales", "vouchers")
        self.show_done(view)
        self.print_slips(view)
        return True

    # ================================================================== after
    def show_done(self, view: ExchangeView, heading: str = "Exchange complete") -> None:
        self.done_view = view
        self.done_heading.setText(heading)
        self.done_number.setText(view.number)
        items = ["Came back:"] + [f"  {l.quantity} × {l.description} — {self.money(l.value)}" for l in view.came_back]
        items += ["Went out:"] + [f"  {l.quantity} × {l.description} — {self.money(l.value)}" for l in view.went_out]
        self.done_items.setText("\n".join(items))
        tenders = [f"{t.label}: {self.money(t.amount)}" + (f" (ref. {t.reference})" if t.reference else "")
                   + (f" · voucher {t.voucher_code}" if t.voucher_code else "") for t in view.tenders]
        if view.difference > 0:
            text = f"Customer paid {self.money(view.difference)}"
        elif view.difference < 0:
            text = f"Refunded {self.money(-view.difference)}"
        else:
            text = "Even exchange: nothing paid, nothing refunded"
        self.done_tenders.setText(text + (":\n" + "\n".join(tenders) if tenders else ""))
        codes = view.voucher_codes
        self.done_voucher.setText(("Store credit voucher: " + ", ".join(codes)) if codes else "")
        self.done_voucher.setVisible(bool(codes))
        notes = [f"Return {view.return_number} · replacement sale {view.sale_receipt_no}"
                 + (f" · from receipt {view.original_receipt_no}" if view.original_receipt_no else "")]
        if view.status == "voided":
            notes.append(f"Voided {local_time_text(view.voided_at, self.locale, 'medium')} by {view.voided_by_name}: "
                         f"{view.void_reason}")
        self.done_note.setText("\n".join(notes))
        self.done_note.show()
        self.pages.setCurrentIndex(DONE)
        self.next_button.setFocus()

    def show_exchange(self, number: str) -> bool:
        """An exchange number scanned here: what came back and went out, and a reprint."""
        view = exchanges.exchange_view(number)  # NotFound names the number in the scan field
        self.show_done(view, heading=f"Exchange {view.number}" + (" (voided)" if view.status == "voided" else ""))
        return True

    # ================================================================== the scan field
    def open_code(self, code: str) -> bool:
        """A scan handler, only while this screen is shown: an exchange number shows that exchange;
        a product's barcode adds it to what goes out; a gift receipt or a receipt starts an exchange."""
        code = (code or "").strip()
        if not code or self.page() == WAIT or not self.isVisible():
            return False
        if is_exchange_number(code):
            return self.show_exchange(code)
        if credit.is_voucher_code(code):
            return self.take_scanned_voucher(code)
        if self.page() == EDIT and self.add_product_code(code):
            return True
        if documents.is_gift_code(code):
            start = returns.gift_start(code)
            return self.start_from_sale(start.sale_id, gift_code=start.code, line_ids=start.sale_line_ids)
        view = sale_lookup.find_receipt(code, actor=self.ctx.staff)
        if view is None:
            return False
        return self.start_from_sale(view.id)

    def take_scanned_voucher(self, code: str) -> bool:
        """A voucher scanned (F2) while the customer pays the difference by store credit: it pays
        here (as much as it holds, or the amount typed) instead of opening the Vouchers screen."""
        if (self.page() != EDIT or self.settle.currentIndex() != 0 or self.remaining() <= 0
                or self.pay_method.currentData() != "store_credit"):
            return False
        self.voucher_edit.setText(code.strip().upper())
        if not self.add_payment():
            self.voucher_edit.setFocus()  # the problem line says why (spent, cancelled, unknown)
        else:
            self.pay_method.setFocus()  # Enter completes the exchange, or the rest is paid another way
        return True

    def _on_changed(self, kind: str) -> None:
        super()._on_changed("returns" if kind in ("exchanges", "vouchers") else kind)

    # ================================================================== what a test reads
    def replacement_texts(self) -> list[list[str]]:
        m = self.replacements
        return [[m.data(m.index(r, c)) or "" for c in range(m.columnCount())] for r in range(m.rowCount())]

    def difference_text(self) -> str:
        return f"{self.difference_label.text()} {self.difference_amount.text()}".strip()

    def candidate_texts(self) -> list[list[str]]:
        t = self.candidates_table
        return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


__all__ = ["ExchangeScreen", "is_exchange_number"]
