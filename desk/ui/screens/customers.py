"""Customers (F8): find a customer as you type (any part of the name, phone or email), edit
their record, merge a duplicate, erase on request, and read their timeline — sales, returns,
exchanges, orders, cases, vouchers and contacts, newest first; Enter opens an entry."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QVBoxLayout, QWidget

from desk.errors import DeskError
from desk.services import auth
from desk.services import customers as customers_service
from desk.services.customers import PREFERRED_CONTACT, CustomerView, TimelineEntry
from desk.services.store import current_store
from desk.ui import messages
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.dialogs.customer_dialogs import CustomerEditDialog, EraseDialog, MergeDialog
from desk.ui.screens.base import Screen
from desk.ui.tables.cases_table import CustomersTableModel, TimelineModel
from desk.ui.tables.sales_table import local_time_text
from desk.ui.widgets.list_detail import (
    ListDetail,
    action_button,
    current_row,
    list_table,
    message_label,
    select_row,
)
from desk.ui.widgets.style import show_message


def open_timeline_entry(screen: Screen, entry: TimelineEntry) -> bool:
    """Open what a timeline entry (or anything with ``open_kind``/``open_number``) points at:
    a sale on the Sales screen, a return or an exchange in its detail (as the logs show them), a
    case on the Cases screen, an order on the Orders board, a voucher on the Vouchers screen (its
    balance in the scan bar for who may not see that screen), anything else through the scan
    field's openers."""
    kind, number = entry.open_kind, entry.open_number
    if not kind or not number:
        return False
    window = screen.window()
    if kind == "return":
        from desk.ui.dialogs.return_detail import ReturnDetailDialog

        ReturnDetailDialog.show_return(screen.ctx, screen, number)
        return True
    if kind == "sale" and hasattr(window, "open_screen"):
        sales = window.open_screen("screen.sales")
        return bool(sales is not None and sales.open_receipt(number))
    if kind == "case" and hasattr(window, "open_screen"):
        cases = window.open_screen("screen.cases")
        return bool(cases is not None and cases.open_case(number))
    if kind == "exchange":
        from desk.ui.dialogs.exchange_detail import ExchangeDetailDialog

        dialog = ExchangeDetailDialog.show_exchange(screen.ctx, screen, number)  # as the Exchange log shows it
        if dialog is not None and dialog.open_sale and hasattr(window, "open_screen"):
            sales = window.open_screen("screen.sales")
            if sales is not None:
                sales.open_receipt(dialog.open_sale)
        return dialog is not None
    if kind == "order" and hasattr(window, "open_screen") and window.screen("screen.orders") is not None:
        board = window.open_screen("screen.orders")
        return bool(board is not None and board.open_order(number))
    if kind == "voucher" and hasattr(window, "open_screen") and window.screen("screen.vouchers") is not None:
        vouchers = window.open_screen("screen.vouchers")
        if vouchers is not None and vouchers.open_code(number):
            return True
    if hasattr(window, "open_scanned"):
        ok = window.open_scanned(number)
        if ok and hasattr(window, "_scan_opened"):
            window._scan_opened(number)  # shows a voucher's balance in the scan bar
        return bool(ok)
    return False


class CustomersScreen(Screen):
    title = "Customers"
    action_name = "screen.customers"
    permission = "customers.view"
    keys = (
        ScreenKey("Ctrl+N", "New customer", "new_customer"),
        ScreenKey("Ctrl+E", "Edit the customer", "edit_customer"),
        ScreenKey("Ctrl+M", "Merge a duplicate into the customer", "merge_duplicate"),
        ScreenKey("Ctrl+K", "New case for the customer", "new_case"),
        ScreenKey("Ctrl+J", "Log a contact (call, email, visit)", "log_contact"),
        ScreenKey("Ctrl+Shift+E", "Erase the customer on request (managers)", "erase_customer"),
        ScreenKey("Esc", "Clear the search", "_escape"),
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("customersScreen")
        store = current_store()
        self.locale = store.locale if store else "en_GB"
        self.customer: CustomerView | None = None

        heading = QLabel("Customers")
        heading.setProperty("role", "heading")
        intro = QLabel("Type any part of a name, phone number or email. Enter opens the customer's timeline; "
                       "Enter on an entry opens it.")
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("customerSearch")
        self.search_edit.setPlaceholderText("Name, phone or email")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumHeight(40)
        self.search_edit.textEdited.connect(lambda _t: self.search())
        self.search_edit.returnPressed.connect(self._focus_results)
        self.new_button = action_button("New customer  (Ctrl+N)", "newCustomerButton", self.new_customer)
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.new_button)

        self.model = CustomersTableModel(self, locale=self.locale)
        self.model.set_source(customers_service.fetch_customers, customers_service.count_customers)
        self.table = list_table("customersTable", self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 160)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 115)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda _i: self._focus_timeline())
        self.splitter = ListDetail(self.table, "customersCount", "customerTitle", spacing=8, on_row=self._show_row)
        self.count_label = self.splitter.count_label

        # -- the record and its timeline -------------------------------------------------
        self.name_label = self.splitter.title
        self.record_label = QLabel("")
        self.record_label.setObjectName("customerRecord")
        self.record_label.setWordWrap(True)
        self.record_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.edit_button = action_button("Edit  (Ctrl+E)", "editCustomerButton", self.edit_customer)
        self.merge_button = action_button("Merge…  (Ctrl+M)", "mergeButton", self.merge_duplicate)
        self.erase_button = action_button("Erase…  (Ctrl+Shift+E)", "eraseButton", self.erase_customer)
        self.case_button = action_button("New case  (Ctrl+K)", "customerCaseButton", self.new_case)
        self.contact_button = action_button("Contact…  (Ctrl+J)", "contactButton", self.log_contact)
        actions = QGridLayout()
        actions.setSpacing(6)
        for i, b in enumerate((self.edit_button, self.merge_button, self.case_button, self.contact_button,
                               self.erase_button)):
            actions.addWidget(b, i // 3, i % 3)
        self.timeline_model = TimelineModel(self, locale=self.locale)
        self.timeline = list_table("timelineTable", self.timeline_model)
        th = self.timeline.horizontalHeader()
        for col, width in ((0, 152), (2, 152), (3, 85)):
            th.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            th.resizeSection(col, width)
        th.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.timeline.activated.connect(self._timeline_activated)
        timeline_title = QLabel("Timeline — newest first")
        timeline_title.setProperty("role", "muted")
        right_box = self.splitter.detail
        right_box.addWidget(self.record_label)
        right_box.addLayout(actions)
        right_box.addWidget(timeline_title)
        right_box.addWidget(self.timeline, 1)

        self.splitter.setSizes([420, 610])

        self.message = message_label("customersMessage")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)

        self.install_keys()

        ctx.events.changed.connect(self._on_changed)
        ctx.events.session_changed.connect(lambda *_: self._update_buttons())
        self._show(None)
        if ctx.staff is not None:
            self.search()

    # -- state --------------------------------------------------------------------------------
    def activated(self) -> None:
        self.refresh()
        self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.search_edit.selectAll()

    def _on_changed(self, kind: str) -> None:
        if kind in ("customers", "cases", "returns", "sales", "vouchers", "orders") and self.isVisible():
            self.refresh()

    def _update_buttons(self) -> None:
        staff = self.ctx.staff
        c = self.customer
        live = c is not None and not c.erased and c.merged_into is None
        self.new_button.setEnabled(auth.can(staff, "customers.edit"))
        self.edit_button.setEnabled(live and auth.can(staff, "customers.edit"))
        self.merge_button.setEnabled(live and auth.can(staff, "customers.merge"))
        self.erase_button.setEnabled(live and auth.can(staff, "customers.erase"))
        self.erase_button.setVisible(auth.can(staff, "customers.erase"))
        self.case_button.setEnabled(live and auth.can(staff, "cases.work"))
        self.contact_button.setEnabled(live and auth.can(staff, "customers.edit"))

    def _set_message(self, text: str, error: bool = False) -> None:
        show_message(self.message, text, error)

    def _escape(self) -> None:
        if self.search_edit.text():
            self.search_edit.clear()
            self.search()
        self.search_edit.setFocus()

    # -- searching ------------------------------------------------------------------------------
    def search(self, select_id: int | None = None) -> None:
        text = self.search_edit.text().strip()
        keep = select_id if select_id is not None else (self.customer.id if self.customer else None)
        self.model.set_query(text)
        n = self.model.total_count
        self.count_label.setText(f"{n:,} customer{'s' if n != 1 else ''}" + (f" match '{text}'" if text else ""))
        row = self.model.row_of(keep) if keep is not None else -1
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            select_row(self.table, row)
            self._show_row(row)
        else:
            self._show(None)

    def refresh(self) -> None:
        self.search()

    def _focus_results(self) -> None:
        if self.model.rowCount():
            self.table.setFocus()
            if current_row(self.table) < 0:
                select_row(self.table, 0)

    def _focus_timeline(self) -> None:
        if self.timeline_model.rowCount():
            self.timeline.setFocus()
            select_row(self.timeline, 0)

    # -- the record ---------------------------------------------------------------------------
    def _show_row(self, row: int) -> None:
        entry = self.model.row_at(row)
        if entry is None:
            self._show(None)
            return
        try:
            self._show(customers_service.get_customer(entry.id))
        except DeskError as err:
            self._set_message(messages.describe(err), error=True)

    def show_customer(self, customer_id: int) -> bool:
        """Select the customer (searching for nothing if they are not in the list)."""
        if self.model.row_of(customer_id) < 0:
            self.search_edit.clear()
            self.search(select_id=customer_id)
        row = self.model.row_of(customer_id)
        if row >= 0:
            select_row(self.table, row)
            self._show_row(row)
            return True
        self._show(customers_service.get_customer(customer_id))
        return True

    def _show(self, customer: CustomerView | None) -> None:
        self.customer = customer
        if customer is None:
            self.name_label.setText("No customer chosen")
            self.record_label.setText("Find a customer on the left, or add one (Ctrl+N).")
            self.timeline_model.clear()
            self._update_buttons()
            return
        self.name_label.setText(f"{customer.name}  ·  #{customer.id}")
        lines = []
        if customer.erased:
            lines.append(f"Erased on request on {local_time_text(customer.erased_at, self.locale)}: "
                         "the history stays, without the personal data.")
        else:
            lines.append(f"Phone: {customer.phone or '—'}     Email: {customer.email or '—'}")
            consent = "agrees to be contacted" if customer.contact_consent else "has not agreed to be contacted"
            lines.append(f"Prefers: {PREFERRED_CONTACT.get(customer.preferred_contact, '—')}  ·  {consent}")
            if customer.notes:
                lines.append(f"Notes: {customer.notes}")
        self.record_label.setText("\n".join(lines))
        self.timeline_model.set_rows(customers_service.timeline(customer.id))
        self._update_buttons()

    def timeline_entries(self) -> list[TimelineEntry]:
        return self.timeline_model.rows

    def _timeline_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_timeline_row(index.row())

    def open_timeline_row(self, row: int) -> bool:
        entry = self.timeline_model.row_at(row)
        if entry is None:
            return False
        try:
            return open_timeline_entry(self, entry)
        except DeskError as err:
            messages.show_error(self, err)
            return False

    # -- actions -----------------------------------------------------------------------------
    def new_customer(self) -> None:
        if not self.new_button.isEnabled():
            return
        name = self.search_edit.text().strip()
        looks = name and not customers_service.looks_like_phone(name) and "@" not in name
        view = CustomerEditDialog.edit(self.ctx, self, None, name if looks else "")
        if view is not None:
            self.search_edit.setText(view.name)
            self.search(select_id=view.id)
            self._set_message(f"{view.name} added.")

    def edit_customer(self) -> None:
        if self.customer is None or not self.edit_button.isEnabled():
            return
        view = CustomerEditDialog.edit(self.ctx, self, self.customer)
        if view is not None:
            self.search(select_id=view.id)
            self._show(view)
            self._set_message(f"{view.name}'s record saved.")

    def merge_duplicate(self) -> None:
        if self.customer is None or not self.merge_button.isEnabled():
            return
        result = MergeDialog.merge(self.ctx, self, self.customer)
        if result is not None:
            moved = sum(result.moved.values())
            self.search(select_id=result.kept.id)
            self._show(result.kept)
            self._set_message(f"Customer #{result.duplicate_id} merged into {result.kept.name}: "
                              f"{moved} record{'s' if moved != 1 else ''} moved.")

    def erase_customer(self) -> None:
        if self.customer is None or not self.erase_button.isEnabled():
            return
        result = EraseDialog.erase(self.ctx, self, self.customer)
        if result is not None:
            text = f"Customer #{result.customer_id} erased: personal data removed, sales and cases kept."
            if result.archived_documents:
                text += " Archived documents that may show the name: " + ", ".join(result.archived_documents) + "."
            self.search()
            self._show(customers_service.get_customer(result.customer_id))
            self._set_message(text)

    def new_case(self) -> None:
        if self.customer is None or not self.case_button.isEnabled():
            return
        window = self.window()
        cases = window.open_screen("screen.cases") if hasattr(window, "open_screen") else None
        if cases is not None:
            cases.new_case(customer_id=self.customer.id)

    def log_contact(self) -> None:
        """Note a call, email, letter or visit with the customer (it joins their timeline)."""
        if self.customer is None or not self.contact_button.isEnabled():
            return
        from PySide6.QtWidgets import QCheckBox

        from desk.services.customers import CONTACT_CHANNELS
        from desk.ui.dialogs.case_dialogs import FormDialog, combo, line, text_box

        c = self.customer
        reached = QCheckBox("The customer was reached")
        reached.setObjectName("contactReached")
        reached.setChecked(True)
        entry = FormDialog.run(
            self, f"Contact with {c.name}", "Calls, emails, letters and visits join the customer's timeline.",
            [("Channel", combo(CONTACT_CHANNELS, "contactChannel", "phone")),
             ("Direction", combo({"out": "We contacted them", "in": "They contacted us"}, "contactDirection")),
             ("Reached", reached), ("Summary", text_box("contactSummary", "What was said", 70)),
             ("Case", line("contactCase", "C-… (optional)"))], "Add to the timeline",
            lambda d: customers_service.log_contact(self.ctx.staff, c.id, d.value("Channel"), d.value("Summary"),
                                                    d.value("Reached"), d.value("Direction"), d.value("Case")))
        if entry is not None:
            self.ctx.events.emit_changed("customers")
            self._show(customers_service.get_customer(c.id))
            self._set_message("Contact added to the timeline.")
