"""Order it for the customer (Ctrl+O on the Exchange screen, when what goes out is out of stock).

By default only what is missing is ordered (``orders.split_for_order``): what is on the shelf goes
out now. The clerk may tick an in-stock line to order it too (Space on the line: the customer wants
the set ordered together, the shelf item is damaged); unticking a line the shelf lacks is refused,
naming it. All in the same step (``orders.order_from_exchange``, one transaction): the goods come back as a
return, pay for what goes out now, and the value left is the order's deposit (value above the
order's total becomes store credit). When what goes out now costs more than what came back, or
the deposit is short, the customer pays now, split across tenders if they want (Add payment,
Ctrl+P). The dialog asks only what the desk does not know yet: the customer (name, phone or
email, how they want to hear) when the sale has none, the expected date and the supplier. Enter
takes the order; Esc goes back to the exchange.

``OrderInsteadDialog.take(parent, ctx, request, approver, approval_id)`` returns the
``OrderFromExchange`` written, or None.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QComboBox, QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QPushButton, QVBoxLayout, QWidget)

from desk.errors import DeskError, InvalidInput
from desk.money import format_money
from desk.services import exchanges, orders
from desk.services.exchanges import ExchangeRequest
from desk.services.orders import OrderFromExchange, OrderLineInput, OrderRequest
from desk.services.returns import DeskApproval
from desk.services.store import current_store
from desk.ui.context import AppContext
from desk.ui.desk_identity import desk_code
from desk.ui.dialogs.take_order import CONTACT_LABELS
from desk.ui.messages import describe
from desk.ui.widgets.tender_edit import SplitTenders
from desk.ui.widgets import style


def _label(text: str, role: str | None = None, name: str = "") -> QLabel:
    return style.label(text, role, name, wrap=True)


class OrderInsteadDialog(QDialog):
    def __init__(self, ctx: AppContext, request: ExchangeRequest, returned_value: int, parent: QWidget | None = None,
                 approver: DeskApproval | None = None, approval_id: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.request = request
        self.approver = approver
        self.approval_id = approval_id
        self.result_value: OrderFromExchange | None = None
        self.setObjectName("orderInsteadDialog")
        self.setWindowTitle("Order it for the customer")
        self.setModal(True)
        self.setMinimumWidth(640)
        store = current_store()
        self.currency = store.currency if store else "GBP"
        self.locale = store.locale if store else "en_GB"
        self.known = orders.exchange_customer(request)
        if self.known is not None and not (self.known.phone or self.known.email):
            self.known = None  # no way to tell them: ask

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(_label("Order it for the customer", "heading"))
        now, later = orders.split_for_order(request)  # the automatic split is the default choice
        self.rows = now + later
        self.returned_value = returned_value
        self.choice = QListWidget()
        self.choice.setObjectName("orderInsteadChoice")
        self.choice.setToolTip("Ticked lines are ordered, the rest goes out now: Space ticks or unticks")
        try:
            described = orders.preview_order(ctx.staff, OrderRequest(
                lines=[OrderLineInput(quantity=r.quantity, product_id=r.product_id) for r in self.rows])).lines
        except DeskError:
            described = []
        for i, r in enumerate(self.rows):
            what = (f"{described[i].quantity} × {described[i].description} — {self.money(described[i].total)}"
                    if i < len(described) else f"{r.quantity} × product {r.product_id}")
            shelf = "on the shelf" if i < len(now) else "not on the shelf"
            item = QListWidgetItem(f"Order: {what}  ({shelf})")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if i >= len(now) else Qt.CheckState.Unchecked)
            self.choice.addItem(item)
        self.choice.setCurrentRow(0)
        row_height = max(self.choice.sizeHintForRow(0), 24) if self.rows else 24
        self.choice.setFixedHeight(row_height * min(max(len(self.rows), 1), 6) + 2 * self.choice.frameWidth() + 4)
        self.choice.itemChanged.connect(self.choice_changed)
        choice_title = _label("&What is ordered: ticked lines are ordered, the rest goes out now (Space ticks)",
                              "subheading")
        choice_title.setBuddy(self.choice)
        layout.addWidget(choice_title)
        layout.addWidget(self.choice)
        self.out_title = _label("Goes out now (in stock)", "subheading")
        self.out_label = _label("", None, "orderInsteadOut")
        self.out_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.out_title)
        layout.addWidget(self.out_label)
        self.items_label = _label("", None, "orderInsteadItems")
        self.items_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(_label("Ordered", "subheading"))
        layout.addWidget(self.items_label)
        self.summary_label = _label("", "muted", "orderInsteadSummary")
        layout.addWidget(self.summary_label)
        self.split = SplitTenders(self.currency, self.locale)
        self.split.problem.connect(self.show_error)
        self.pay_label = _label("", "subheading", "orderInsteadPayNow")
        layout.addWidget(self.pay_label)
        layout.addWidget(self.split)
        self.lines: list[OrderLineInput] = []
        self.choice_problem = ""
        self.exchange_due = self.deposit_short = 0
        self.apply_choice(self.chosen())

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("orderInsteadName")
        self.name_edit.setPlaceholderText("Customer's name")
        self.phone_edit = QLineEdit()
        self.phone_edit.setObjectName("orderInsteadPhone")
        self.phone_edit.setPlaceholderText("Phone")
        self.email_edit = QLineEdit()
        self.email_edit.setObjectName("orderInsteadEmail")
        self.email_edit.setPlaceholderText("name@example.com")
        self.contact_combo = QComboBox()
        self.contact_combo.setObjectName("orderInsteadContact")
        for code in orders.CONTACT_VIA:
            self.contact_combo.addItem(CONTACT_LABELS.get(code, code), code)
        row = 0
        if self.known is None:
            name = (request.customer_name or "").strip()
            self.name_edit.setText(name)
            self.phone_edit.setText((request.customer_phone or "").strip())
            self.email_edit.setText((request.customer_email or "").strip())
            for col, (title, w) in enumerate((("Customer", self.name_edit), ("Phone", self.phone_edit),
                                              ("Email", self.email_edit))):
                grid.addWidget(_label(title, "muted"), row, col)
                grid.addWidget(w, row + 1, col)
            row += 2
            self.customer_label = None
        else:
            k = self.known
            self.customer_label = _label("For " + " · ".join(p for p in (k.name, k.phone, k.email) if p), None,
                                         "orderInsteadCustomer")
            grid.addWidget(self.customer_label, row, 0, 1, 3)
            row += 1
            if not k.phone:
                self.contact_combo.setCurrentIndex(self.contact_combo.findData("email"))
        self.expected_edit = QLineEdit()
        self.expected_edit.setObjectName("orderInsteadExpected")
        self.expected_edit.setPlaceholderText("e.g. 01/12/2026 (optional)")
        self.supplier_edit = QLineEdit()
        self.supplier_edit.setObjectName("orderInsteadSupplier")
        self.supplier_edit.setPlaceholderText("Who supplies it (optional)")
        for col, (title, w) in enumerate((("How they want to hear", self.contact_combo), ("Expected", self.expected_edit),
                                          ("Supplier", self.supplier_edit))):
            grid.addWidget(_label(title, "muted"), row, col)
            grid.addWidget(w, row + 1, col)
        for w in (self.name_edit, self.phone_edit, self.email_edit, self.contact_combo, self.expected_edit, self.supplier_edit):
            w.setMinimumHeight(34)
        layout.addLayout(grid)

        self.error = _label("", "error", "orderInsteadError")
        self.error.hide()
        layout.addWidget(self.error)
        self.take_button = QPushButton("Take the order (Enter)")
        self.take_button.setObjectName("orderInsteadTake")
        self.take_button.setProperty("primary", True)
        self.take_button.setMinimumHeight(44)
        self.take_button.setAutoDefault(False)
        self.take_button.clicked.connect(self.try_accept)
        back = QPushButton("Back to the exchange (Esc)")
        back.setAutoDefault(False)
        back.setMinimumHeight(44)
        back.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.take_button)
        layout.addLayout(buttons)
        (self.name_edit if self.known is None and not self.name_edit.text() else self.expected_edit).setFocus()

    def money(self, minor: int) -> str:
        return format_money(minor, self.currency, self.locale)

    def chosen(self) -> list[bool]:
        """One flag per line: ticked = ordered."""
        return [self.choice.item(i).checkState() == Qt.CheckState.Checked for i in range(self.choice.count())]

    def choice_changed(self, item: QListWidgetItem) -> None:
        """Space on a line: order it, or send it out now (refused, naming it, when the shelf lacks it)."""
        try:
            orders.split_for_order(ExchangeRequest(returned=[], replacements=list(self.rows)), self.chosen())
        except DeskError as exc:
            self.choice.blockSignals(True)
            item.setCheckState(Qt.CheckState.Checked)
            self.choice.blockSignals(False)
            self.show_error(describe(exc))
            return
        self.show_error("")
        self.apply_choice(self.chosen())

    def apply_choice(self, ordered: list[bool]) -> None:
        """What goes out now and what is ordered, as chosen: the figures and what is paid now follow."""
        request = self.request
        going_out = [r for r, o in zip(self.rows, ordered) if not o]
        request.replacements = going_out
        self.lines = [OrderLineInput(quantity=r.quantity, product_id=r.product_id) for r, o in zip(self.rows, ordered) if o]
        self.out_total = 0
        out_items = ""
        if going_out:
            try:
                out = exchanges.preview_exchange(self.ctx.staff, request)
            except DeskError as exc:
                out_items = describe(exc)
            else:
                self.out_total = out.replacement_total
                out_items = "\n".join(f"{r.quantity} × {r.description} — {self.money(r.total)}" for r in out.replacements)
        self.out_title.setVisible(bool(going_out))
        self.out_label.setVisible(bool(going_out))
        self.out_label.setText(out_items)
        preview = None
        if not self.lines:
            items = "Nothing: tick what is ordered, or complete the exchange instead (Esc)."
        else:
            try:
                preview = orders.preview_order(self.ctx.staff, OrderRequest(lines=list(self.lines)))
            except DeskError as exc:
                items = describe(exc)
            else:
                items = "\n".join(f"{l.quantity} × {l.description} — {self.money(l.total)}" for l in preview.lines)
        self.items_label.setText(items)
        returned_value = self.returned_value
        left = returned_value - self.out_total  # what the goods are still worth for the order
        self.exchange_due = max(0, -left)
        if going_out:
            if left >= 0:
                summary = f"What comes back, {self.money(returned_value)}, pays for what goes out now ({self.money(self.out_total)})"
                if left > 0:
                    summary += f"; the {self.money(left)} left is the order's deposit"
            else:
                summary = (f"What comes back, {self.money(returned_value)}, pays part of what goes out now "
                           f"({self.money(self.out_total)}); the customer pays the other {self.money(-left)} now")
        else:
            summary = f"What comes back, {self.money(returned_value)}, is the deposit"
        credit = max(0, left)
        if preview is not None and credit > preview.total:
            summary += f"; {self.money(credit - preview.total)} above the order's total becomes store credit"
        elif preview is not None and credit and credit < preview.total:
            summary += f"; {self.money(preview.total - credit)} is paid when the customer collects"
        elif preview is not None and credit:
            summary += ": the order is paid in full"
        self.summary_label.setText(summary + ".")
        self.deposit_short = max(0, preview.deposit_required - credit) if preview is not None else 0
        to_pay = self.exchange_due + self.deposit_short
        if to_pay:
            most = self.exchange_due + max(0, preview.total - credit) if preview is not None else to_pay
            self.split.set_due(to_pay, most=most)
            what = []
            if self.exchange_due:
                what.append(f"{self.money(self.exchange_due)} for what goes out now")
            if self.deposit_short:
                what.append(f"a deposit of at least {self.money(self.deposit_short)}")
            self.pay_label.setText("The customer pays now: " + " and ".join(what))
        else:
            self.split.set_due(0)
        self.pay_label.setVisible(bool(to_pay))
        self.split.setVisible(bool(to_pay))

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def build_order(self) -> OrderRequest:
        from desk.ui.screens.sales import parse_day  # the screens package imports this dialog

        try:
            expected = parse_day(self.expected_edit.text(), self.locale)
        except ValueError as exc:
            raise InvalidInput("Expected", str(exc)) from None
        self.request.tenders, deposit = orders.split_payments(self.split.tenders() if self.split.due else [],
                                                              self.exchange_due)
        common = dict(lines=list(self.lines), contact_via=self.contact_combo.currentData(), expected_date=expected,
                      deposit_tenders=deposit,
                      supplier=self.supplier_edit.text().strip(), desk_code=desk_code(),
                      note="ordered instead of an exchange")
        if self.known is not None:
            return OrderRequest(customer_id=self.known.id, **common)
        return OrderRequest(customer_name=self.name_edit.text().strip(), customer_phone=self.phone_edit.text().strip(),
                            customer_email=self.email_edit.text().strip(), **common)

    def try_accept(self) -> bool:
        try:
            orders.split_for_order(ExchangeRequest(returned=[], replacements=list(self.rows)), self.chosen())
            order = self.build_order()
            result = orders.order_from_exchange(self.ctx.staff, self.request, order, self.approver, self.approval_id)
        except DeskError as exc:
            self.show_error(describe(exc))
            return False
        self.result_value = result
        self.accept()
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.try_accept()
            return
        super().keyPressEvent(event)

    @classmethod
    def take(cls, parent: QWidget | None, ctx: AppContext, request: ExchangeRequest, returned_value: int,
             approver: DeskApproval | None = None, approval_id: int | None = None) -> OrderFromExchange | None:
        dialog = cls(ctx, request, returned_value, parent, approver, approval_id)
        try:
            dialog.exec()
            return dialog.result_value
        finally:
            dialog.deleteLater()


__all__ = ["OrderInsteadDialog"]
