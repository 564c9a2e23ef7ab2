"""The return policy editor (a section of Settings): what a manager sets in
``desk.services.policy.Policy``, in tabs rather than one endless form.

Saved through ``desk.services.policy.save_policy`` (validated, audited). A value that is wrong
is named inline, with its tab, field and row; nothing is saved until every value is right.
Staff without ``policy.edit`` see the policy read-only.
"""

from __future__ import annotations

import re
from dataclasses import fields as dc_fields
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError, InvalidInput
from desk.money import from_minor, parse_amount
from desk.services import auth
from desk.services import policy as policy_service
from desk.services.policy import (
    ALLOWED,
    NEEDS_APPROVAL,
    REFUND_METHODS,
    REFUSED,
    TENDERS,
    Policy,
    Reason,
)
from desk.services.store import current_store
from desk.ui.context import AppContext
from desk.ui.widgets.style import repolish

METHOD_NAMES = {"cash": "Cash", "card": "Card", "gift_card": "Gift card", "other": "Other", "store_credit": "Store credit"}
OPENED_CHOICES = ((ALLOWED, "Allowed"), (NEEDS_APPROVAL, "Needs approval"), (REFUSED, "Refused"))
REASON_HAS_ACTIVE = "active" in {f.name for f in dc_fields(Reason)}

TAB_WINDOWS, TAB_RECEIPTS, TAB_FEES, TAB_REASONS, TAB_TENDERS = range(5)


class FormProblem(InvalidInput):
    """A value on the form is wrong: ``tab``, the ``widget`` to mark and the ``row`` of a table."""

    def __init__(self, field: str, why: str, tab: int, widget: QWidget | None = None, row: int = -1):
        super().__init__(field, why)
        self.tab, self.widget, self.row = tab, widget, row


def _names(text: str) -> list[str]:
    """'Food, Gift cards' -> ['Food', 'Gift cards'] (one per comma or line; blanks dropped)."""
    return list(dict.fromkeys(p.strip() for p in re.split(r"[,\n]", text) if p.strip()))


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.strip().casefold()).strip("_")


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    return label


def _table(columns: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(38)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setHighlightSections(False)
    table.setMinimumHeight(180)
    return table


class PolicyEditor(QWidget):
    """Edits the store's return policy. ``saved`` carries the Policy as stored."""

    saved = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, save_shortcut: bool = True):
        """``save_shortcut=False`` when the page holding the editor routes Ctrl+S itself."""
        super().__init__(parent)
        self.setObjectName("policyEditor")
        self.ctx = ctx
        self.dirty = False
        self._loading = False
        store = current_store()
        self.currency = store.currency if store else "GBP"
        self.locale = store.locale if store else "en_GB"
        self.policy = Policy()
        self._marked: list[QWidget] = []  # widgets shown as invalid

        self.tabs = QTabWidget()
        self.tabs.setObjectName("policyTabs")
        self.tabs.setDocumentMode(True)
        self.tab_errors: list[QLabel] = []
        # Short titles: the tabs fit beside the Settings section list at 1280x800 (no scroll
        # arrows); the tooltip says all a tab holds.
        for page, title, tip in (
            (self._windows_tab(), "Return windows", "Return windows by category, and what is final sale"),
            (self._receipts_tab(), "Receipts", "When a receipt or an approval is needed; returns without a receipt"),
            (self._fees_tab(), "Fees", "Restocking fees and opened items, by category"),
            (self._reasons_tab(), "Reasons", "The reasons a clerk picks from"),
            (self._tenders_tab(), "Refund tenders", "What a refund goes back to, by how the sale was paid"),
        ):
            self.tabs.setTabToolTip(self.tabs.addTab(page, title), tip)

        self.save_button = QPushButton("Save policy")
        self.save_button.setObjectName("savePolicyButton")
        self.save_button.setProperty("primary", True)
        self.save_button.setMinimumSize(180, 48)
        self.save_button.setToolTip("Save the return policy: it applies to the next return at every desk (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setObjectName("revertPolicyButton")
        self.revert_button.setMinimumSize(140, 48)
        self.revert_button.setToolTip("Throw away unsaved changes and show the stored policy")
        self.revert_button.clicked.connect(self.revert)
        self.read_only_label = _muted("Read only: only a manager or admin can change the return policy.")
        self.read_only_label.setObjectName("policyReadOnly")
        self.message = QLabel()
        self.message.setObjectName("policyMessage")
        self.message.setWordWrap(True)
        for b in (self.save_button, self.revert_button):
            b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.read_only_label, 1)
        buttons.addSpacing(12)
        buttons.addWidget(self.message, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)

        self.save_shortcut = None
        if save_shortcut:
            self.save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
            self.save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.save_shortcut.activated.connect(self.save)

        ctx.events.changed.connect(self._on_changed)
        ctx.events.session_changed.connect(self._on_session_changed)
        self.load()

    # -- building the tabs ----------------------------------------------------------------------
    def _page(self, *parts: QWidget, stretch_last: bool = False) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(4, 12, 4, 4)
        box.setSpacing(10)
        error = QLabel()
        error.setObjectName("tabError")
        error.setProperty("role", "error")
        error.setWordWrap(True)
        error.hide()
        self.tab_errors.append(error)
        box.addWidget(error)
        for i, part in enumerate(parts):
            box.addWidget(part, 1 if (stretch_last and i == len(parts) - 1) else 0)
        if not stretch_last:
            box.addStretch(1)
        return page

    def _row_buttons(self, table: QTableWidget, add, noun: str) -> tuple[QWidget, QPushButton, QPushButton]:
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        add_button = QPushButton(f"Add {noun}")
        add_button.setMinimumHeight(38)
        add_button.clicked.connect(add)
        remove_button = QPushButton("Remove")
        remove_button.setMinimumHeight(38)
        remove_button.setToolTip("Remove the selected row")
        remove_button.clicked.connect(lambda: self._remove_row(table))
        box.addWidget(add_button)
        box.addWidget(remove_button)
        box.addStretch(1)
        return row, add_button, remove_button

    def _windows_tab(self) -> QWidget:
        self.window_spin = QSpinBox()
        self.window_spin.setObjectName("windowSpin")
        self.window_spin.setRange(0, 3650)
        self.window_spin.setSuffix(" days")
        self.window_spin.setMinimumHeight(38)
        self.window_spin.setMaximumWidth(160)
        self.window_spin.valueChanged.connect(self._edited)
        self.windows_table = _table(("Category", "Return window (days)"), "categoryWindowsTable")
        self.windows_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.windows_table.horizontalHeader().resizeSection(1, 200)
        self.windows_table.itemChanged.connect(self._edited)
        row_buttons, self.add_window_button, self.remove_window_button = self._row_buttons(
            self.windows_table, lambda: self.add_window_row("", self.window_spin.value(), edit=True), "category")
        windows = QGroupBox("Return window")
        form = QVBoxLayout(windows)
        top = QHBoxLayout()
        top.addWidget(QLabel("Every category, unless listed below:"))
        top.addWidget(self.window_spin)
        top.addStretch(1)
        form.addLayout(top)
        form.addWidget(self.windows_table)
        form.addWidget(row_buttons)

        self.final_categories_edit = QLineEdit()
        self.final_categories_edit.setObjectName("finalCategoriesEdit")
        self.final_categories_edit.setPlaceholderText("e.g. Food, Gift cards")
        self.final_skus_edit = QLineEdit()
        self.final_skus_edit.setObjectName("finalSkusEdit")
        self.final_skus_edit.setPlaceholderText("e.g. KIT-0042, SALE-001")
        for edit in (self.final_categories_edit, self.final_skus_edit):
            edit.setMinimumHeight(38)
            edit.textEdited.connect(self._edited)
        final = QGroupBox("Final sale (never returnable)")
        final_form = QFormLayout(final)
        final_form.setVerticalSpacing(10)
        final_form.addRow("Categories", self.final_categories_edit)
        final_form.addRow("Products (SKU)", self.final_skus_edit)
        final_form.addRow("", _muted("Separate names with commas. A manager cannot override a final sale."))
        return self._page(windows, final)

    def _money_row(self, check_text: str, name: str) -> tuple[QWidget, QCheckBox, QLineEdit]:
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        check = QCheckBox(check_text)
        check.setObjectName(name + "Check")
        edit = QLineEdit()
        edit.setObjectName(name + "Edit")
        edit.setMinimumHeight(38)
        edit.setMaximumWidth(160)
        edit.setPlaceholderText("e.g. 50.00")
        check.toggled.connect(edit.setEnabled)
        check.toggled.connect(self._edited)
        edit.textEdited.connect(self._edited)
        box.addWidget(check)
        box.addWidget(edit)
        box.addStretch(1)
        return row, check, edit

    def _receipts_tab(self) -> QWidget:
        receipt_row, self.receipt_check, self.receipt_edit = self._money_row(
            "A return without a receipt is refused above", "receiptAbove")
        approval_row, self.approval_check, self.approval_edit = self._money_row(
            "Any refund needs a manager's approval above", "approvalAbove")
        amounts = QGroupBox("Amounts")
        a_box = QVBoxLayout(amounts)
        a_box.addWidget(receipt_row)
        a_box.addWidget(approval_row)

        self.store_credit_check = QCheckBox("Refund only as store credit")
        self.store_credit_check.setObjectName("storeCreditOnlyCheck")
        self.blind_check = QCheckBox("A blind return (no proof at all) needs a manager's approval")
        self.blind_check.setObjectName("blindApprovalCheck")
        self.limit_spin = QSpinBox()
        self.limit_spin.setObjectName("limitSpin")
        self.limit_spin.setRange(0, 1000)
        self.limit_spin.setMinimumHeight(38)
        self.limit_spin.setMaximumWidth(120)
        for check in (self.store_credit_check, self.blind_check):
            check.toggled.connect(self._edited)
        self.limit_spin.valueChanged.connect(self._edited)
        limit_row = QWidget()
        l_box = QHBoxLayout(limit_row)
        l_box.setContentsMargins(0, 0, 0, 0)
        l_box.addWidget(QLabel("At most"))
        l_box.addWidget(self.limit_spin)
        l_box.addWidget(QLabel("no-receipt returns per customer in 90 days"))
        l_box.addStretch(1)
        no_receipt = QGroupBox("Unverified and blind returns (no receipt)")
        n_box = QVBoxLayout(no_receipt)
        n_box.addWidget(self.store_credit_check)
        n_box.addWidget(limit_row)
        n_box.addWidget(_muted("More are refused; a manager may override."))  # its own line: the row fits at 1280
        n_box.addWidget(self.blind_check)
        n_box.addWidget(_muted("Always required: the customer's name and a phone number or email."))
        return self._page(amounts, no_receipt)

    def _fees_tab(self) -> QWidget:
        self.fees_table = _table(("Category", "Restocking fee %", "Opened items"), "categoryRulesTable")
        header = self.fees_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(1, 180)
        header.resizeSection(2, 220)
        self.fees_table.itemChanged.connect(self._edited)
        row_buttons, self.add_fee_button, self.remove_fee_button = self._row_buttons(
            self.fees_table, lambda: self.add_fee_row("", "", ALLOWED, edit=True), "category")
        box = QGroupBox("Per category")
        b = QVBoxLayout(box)
        b.addWidget(_muted("A restocking fee is kept from the refund (not when the item was damaged or defective). "
                           "Opened items: whether an opened item can come back, needs a manager, or is refused. "
                           "Categories not listed: no fee, opened items allowed."))
        b.addWidget(self.fees_table, 1)
        b.addWidget(row_buttons)
        return self._page(box, stretch_last=True)

    def _reasons_tab(self) -> QWidget:
        columns = ("Code", "Shown as", "Needs a few words") + (("Active",) if REASON_HAS_ACTIVE else ())
        self.reasons_table = _table(columns, "reasonsTable")
        header = self.reasons_table.horizontalHeader()
        header.resizeSection(0, 200)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(2, 200)
        self.reasons_table.itemChanged.connect(self._edited)
        row_buttons, self.add_reason_button, self.remove_reason_button = self._row_buttons(
            self.reasons_table, lambda: self.add_reason_row(Reason("", ""), new=True, edit=True), "reason")
        box = QGroupBox("Reasons a clerk can choose")
        b = QVBoxLayout(box)
        b.addWidget(_muted("Rename a reason by editing what it is shown as. Tick \"Needs a few words\" for reasons "
                           "like Other, where the clerk must say what is wrong. A removed reason is no longer "
                           "offered; past returns keep theirs."))
        b.addWidget(self.reasons_table, 1)
        b.addWidget(row_buttons)
        return self._page(box, stretch_last=True)

    def _tenders_tab(self) -> QWidget:
        box = QGroupBox("Paid with → may be refunded as")
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(12)
        self.tender_checks: dict[tuple[str, str], QCheckBox] = {}
        self.tender_row_labels: dict[str, QLabel] = {}
        for c, method in enumerate(REFUND_METHODS, 1):
            head = QLabel(METHOD_NAMES[method])
            head.setProperty("role", "subheading")
            grid.addWidget(head, 0, c, alignment=Qt.AlignmentFlag.AlignHCenter)
        for r, paid in enumerate(TENDERS, 1):
            label = QLabel(f"Paid by {METHOD_NAMES[paid].lower()}")
            self.tender_row_labels[paid] = label
            grid.addWidget(label, r, 0)
            for c, method in enumerate(REFUND_METHODS, 1):
                check = QCheckBox()
                check.setObjectName(f"refund_{paid}_{method}")
                check.setToolTip(f"A {METHOD_NAMES[paid].lower()} payment may be refunded as {METHOD_NAMES[method].lower()}")
                check.toggled.connect(self._edited)
                self.tender_checks[(paid, method)] = check
                grid.addWidget(check, r, c, alignment=Qt.AlignmentFlag.AlignHCenter)
        grid.setColumnStretch(len(REFUND_METHODS) + 1, 1)
        note = _muted("Each payment method needs at least one way to refund it. Gift-receipt and no-receipt "
                      "returns follow their own rules (store credit).")
        return self._page(box, note)

    # -- rows -----------------------------------------------------------------------------------
    def _remove_row(self, table: QTableWidget) -> None:
        row = table.currentRow()
        if row >= 0 and self.can_edit():
            table.removeRow(row)
            self._edited()

    def _start_edit(self, table: QTableWidget, row: int, col: int) -> None:
        table.setCurrentCell(row, col)
        table.editItem(table.item(row, col))

    def add_window_row(self, category: str, days: int, edit: bool = False) -> int:
        t = self.windows_table
        row = t.rowCount()
        t.insertRow(row)
        t.setItem(row, 0, QTableWidgetItem(category))
        item = QTableWidgetItem(str(days))
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        t.setItem(row, 1, item)
        if edit:
            self._start_edit(t, row, 0)
        return row

    def add_fee_row(self, category: str, fee: str, opened: str, edit: bool = False) -> int:
        t = self.fees_table
        row = t.rowCount()
        t.insertRow(row)
        t.setItem(row, 0, QTableWidgetItem(category))
        item = QTableWidgetItem(fee)
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        t.setItem(row, 1, item)
        combo = QComboBox()
        for value, label in OPENED_CHOICES:
            combo.addItem(label, value)
        combo.setCurrentIndex(max(0, combo.findData(opened)))
        combo.currentIndexChanged.connect(self._edited)
        combo.setEnabled(self.can_edit())
        t.setCellWidget(row, 2, combo)
        if edit:
            self._start_edit(t, row, 0)
        return row

    def add_reason_row(self, reason: Reason, new: bool = False, edit: bool = False) -> int:
        t = self.reasons_table
        row = t.rowCount()
        t.insertRow(row)
        code = QTableWidgetItem(reason.code)
        if not new:
            code.setFlags(code.flags() & ~Qt.ItemFlag.ItemIsEditable)
            code.setToolTip("The code is kept with past returns and cannot change; rename what it is shown as.")
        else:
            code.setToolTip("Left empty, the code is made from the name")
        t.setItem(row, 0, code)
        t.setItem(row, 1, QTableWidgetItem(reason.label))
        needs = QTableWidgetItem("")
        needs.setFlags((needs.flags() | Qt.ItemFlag.ItemIsUserCheckable) & ~Qt.ItemFlag.ItemIsEditable)
        needs.setCheckState(Qt.CheckState.Checked if reason.needs_text else Qt.CheckState.Unchecked)
        t.setItem(row, 2, needs)
        if REASON_HAS_ACTIVE:
            active = QTableWidgetItem("")
            active.setFlags((active.flags() | Qt.ItemFlag.ItemIsUserCheckable) & ~Qt.ItemFlag.ItemIsEditable)
            active.setCheckState(Qt.CheckState.Checked if getattr(reason, "active", True) else Qt.CheckState.Unchecked)
            t.setItem(row, 3, active)
        if edit:
            self._start_edit(t, row, 1)
        return row

    # -- permission -------------------------------------------------------------------------------
    def can_edit(self) -> bool:
        return auth.can(self.ctx.staff, "policy.edit")

    def _apply_permission(self) -> None:
        editable = self.can_edit()
        for w in (self.window_spin, self.limit_spin):
            w.setReadOnly(not editable)
            w.setButtonSymbols(QSpinBox.ButtonSymbols.UpDownArrows if editable else QSpinBox.ButtonSymbols.NoButtons)
        for w in (self.final_categories_edit, self.final_skus_edit, self.receipt_edit, self.approval_edit):
            w.setReadOnly(not editable)
        for w in (self.receipt_check, self.approval_check, self.store_credit_check, self.blind_check,
                  *self.tender_checks.values()):
            w.setEnabled(editable)
        triggers = (QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                    | QAbstractItemView.EditTrigger.AnyKeyPressed) if editable else QAbstractItemView.EditTrigger.NoEditTriggers
        for t in (self.windows_table, self.fees_table, self.reasons_table):
            t.setEditTriggers(triggers)
        # the tick boxes of the reasons (Needs a few words, Active) cannot be clicked read-only
        for row in range(self.reasons_table.rowCount()):
            for col in range(2, self.reasons_table.columnCount()):
                item = self.reasons_table.item(row, col)
                if item is not None:
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEnabled if editable
                                  else item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
        for row in range(self.fees_table.rowCount()):
            combo = self.fees_table.cellWidget(row, 2)
            if combo is not None:
                combo.setEnabled(editable)
        for b in (self.add_window_button, self.remove_window_button, self.add_fee_button, self.remove_fee_button,
                  self.add_reason_button, self.remove_reason_button, self.save_button, self.revert_button):
            b.setVisible(editable)
        self.read_only_label.setVisible(not editable)
        if self.save_shortcut is not None:
            self.save_shortcut.setEnabled(editable)

    def _on_session_changed(self, _staff: object) -> None:
        was, self._loading = self._loading, True
        try:
            self._apply_permission()
        finally:
            self._loading = was

    def _on_changed(self, kind: str) -> None:
        if kind == "policy" and not self.dirty:
            self.load()

    def _edited(self, *_args) -> None:
        if not self._loading:
            self.dirty = True
            self.message.clear()

    # -- load ---------------------------------------------------------------------------------------
    def _amount_text(self, minor: int | None) -> str:
        """An amount as typed back in this store's locale (no grouping: 1234,50 in de_DE)."""
        from babel.numbers import get_decimal_symbol

        if minor is None:
            return ""
        return str(from_minor(minor, self.currency)).replace(".", get_decimal_symbol(self.locale))

    def load(self) -> None:
        """Show the stored policy."""
        self._loading = True
        try:
            p = policy_service.load_policy()
            self.policy = p
            self.window_spin.setValue(p.window_days)
            self.windows_table.setRowCount(0)
            for cat, days in p.category_window_days.items():
                self.add_window_row(cat, days)
            self.final_categories_edit.setText(", ".join(p.final_sale_categories))
            self.final_skus_edit.setText(", ".join(p.final_sale_skus))
            for check, edit, value in ((self.receipt_check, self.receipt_edit, p.receipt_required_above),
                                       (self.approval_check, self.approval_edit, p.approval_above)):
                check.setChecked(value is not None)
                edit.setText(self._amount_text(value))
                edit.setEnabled(value is not None)
            self.store_credit_check.setChecked(p.no_receipt_store_credit_only)
            self.limit_spin.setValue(p.no_receipt_limit_90_days)
            self.blind_check.setChecked(p.blind_needs_approval)
            self.fees_table.setRowCount(0)
            cats = list(dict.fromkeys(list(p.restocking_fee_percent) + list(p.opened_rules)))
            for cat in cats:
                fee = p.restocking_fee_percent.get(cat)
                self.add_fee_row(cat, "" if fee in (None, "") else format(Decimal(str(fee)).normalize(), "f"),
                                 p.opened_rules.get(cat, ALLOWED))
            self.reasons_table.setRowCount(0)
            for r in p.reasons:
                self.add_reason_row(r)
            for (paid, method), check in self.tender_checks.items():
                check.setChecked(method in p.refund_methods.get(paid, []))
            self._apply_permission()
        finally:
            self._loading = False
        self.dirty = False
        self.clear_errors()

    def revert(self) -> None:
        self.load()
        self.show_message("Reverted to the stored policy.", ok=True)

    # -- reading the form ---------------------------------------------------------------------------
    def _category_rows(self, table: QTableWidget, tab: int, what: str) -> list[tuple[int, str]]:
        seen: dict[str, int] = {}
        rows = []
        for row in range(table.rowCount()):
            item = table.item(row, 0)
            name = (item.text() if item else "").strip()
            if not name:
                raise FormProblem(f"{what}, row {row + 1}", "type the category's name", tab, table, row)
            if name.casefold() in seen:
                raise FormProblem(f"{what}, row {row + 1}", f"{name} is already on row {seen[name.casefold()] + 1}",
                                  tab, table, row)
            seen[name.casefold()] = row
            rows.append((row, name))
        return rows

    def _amount(self, check: QCheckBox, edit: QLineEdit, label: str) -> int | None:
        if not check.isChecked():
            return None
        try:
            return parse_amount(edit.text(), self.currency, self.locale)
        except ValueError as err:
            raise FormProblem(label, str(err), TAB_RECEIPTS, edit) from None

    def policy_from_form(self) -> Policy:
        """The policy on screen; raises FormProblem naming the tab, field and row that is wrong."""
        windows = {}
        for row, name in self._category_rows(self.windows_table, TAB_WINDOWS, "Return windows"):
            text = (self.windows_table.item(row, 1).text() if self.windows_table.item(row, 1) else "").strip()
            if not text.isdigit():
                raise FormProblem(f"Return window for {name}", f"'{text}' is not a whole number of days",
                                  TAB_WINDOWS, self.windows_table, row)
            windows[name] = int(text)
        fees: dict[str, str] = {}
        opened: dict[str, str] = {}
        for row, name in self._category_rows(self.fees_table, TAB_FEES, "Fees and opened items"):
            text = (self.fees_table.item(row, 1).text() if self.fees_table.item(row, 1) else "").strip().rstrip("%").strip()
            if text:
                try:
                    value = Decimal(text)
                except InvalidOperation:
                    value = None
                if value is None or not value.is_finite():
                    raise FormProblem(f"Restocking fee for {name}", f"'{text}' is not a percentage from 0 to 100",
                                      TAB_FEES, self.fees_table, row)
                if value:
                    fees[name] = text
            rule = self.fees_table.cellWidget(row, 2).currentData()
            if rule != ALLOWED:
                opened[name] = rule
        reasons = []
        codes: dict[str, int] = {}
        for row in range(self.reasons_table.rowCount()):
            label = (self.reasons_table.item(row, 1).text() if self.reasons_table.item(row, 1) else "").strip()
            code = (self.reasons_table.item(row, 0).text() if self.reasons_table.item(row, 0) else "").strip()
            if not label:
                raise FormProblem(f"Reasons, row {row + 1}", "type what the reason is shown as", TAB_REASONS,
                                  self.reasons_table, row)
            code = code or _slug(label)
            if not code:
                raise FormProblem(f"Reasons, row {row + 1}", "give the reason a code (letters and digits)",
                                  TAB_REASONS, self.reasons_table, row)
            if code in codes:
                raise FormProblem(f"Reasons, row {row + 1}", f"the code '{code}' is already on row {codes[code] + 1}",
                                  TAB_REASONS, self.reasons_table, row)
            codes[code] = row
            needs = self.reasons_table.item(row, 2).checkState() == Qt.CheckState.Checked
            reason = Reason(code, label, needs)
            if REASON_HAS_ACTIVE:
                reason.active = self.reasons_table.item(row, 3).checkState() == Qt.CheckState.Checked
            reasons.append(reason)
        if not reasons:
            raise FormProblem("Reasons", "keep at least one reason", TAB_REASONS, self.reasons_table)
        refund_methods = {paid: [m for m in REFUND_METHODS if self.tender_checks[(paid, m)].isChecked()] for paid in TENDERS}
        for paid, allowed in refund_methods.items():
            if not allowed:
                raise FormProblem(f"Paid by {METHOD_NAMES[paid].lower()}", "tick at least one way to refund it",
                                  TAB_TENDERS, self.tender_row_labels[paid])
        base = self.policy.to_json()
        base.update(
            window_days=self.window_spin.value(),
            category_window_days=windows,
            final_sale_categories=_names(self.final_categories_edit.text()),
            final_sale_skus=_names(self.final_skus_edit.text()),
            receipt_required_above=self._amount(self.receipt_check, self.receipt_edit, "Receipt required above"),
            approval_above=self._amount(self.approval_check, self.approval_edit, "Approval above"),
            no_receipt_store_credit_only=self.store_credit_check.isChecked(),
            no_receipt_limit_90_days=self.limit_spin.value(),
            blind_needs_approval=self.blind_check.isChecked(),
            restocking_fee_percent=fees,
            opened_rules=opened,
            refund_methods=refund_methods,
            reasons=[vars(r).copy() for r in reasons],
        )
        return self._policy_of(base)

    def _policy_of(self, data: dict) -> Policy:
        try:
            return Policy.from_json(data)
        except InvalidInput as err:
            raise self._locate(err) from None

    # -- errors ---------------------------------------------------------------------------------------
    def _locate(self, err: InvalidInput) -> FormProblem:
        """A service's InvalidInput (field names as the Policy spells them) as a problem on the form."""
        field, why = err.field, err.why
        key, _, rest = field.partition(" ")

        def row_of(table: QTableWidget, name: str) -> int:
            for r in range(table.rowCount()):
                item = table.item(r, 0)
                if item and item.text().strip().casefold() == name.casefold():
                    return r
            return -1

        if key == "window_days":
            return FormProblem("Return window", why, TAB_WINDOWS, self.window_spin)
        if key == "category_window_days":
            return FormProblem(f"Return window for {rest}", why, TAB_WINDOWS, self.windows_table,
                               row_of(self.windows_table, rest))
        if key == "final_sale_categories":
            return FormProblem("Final sale categories", why, TAB_WINDOWS, self.final_categories_edit)
        if key == "final_sale_skus":
            return FormProblem("Final sale products", why, TAB_WINDOWS, self.final_skus_edit)
        if key == "receipt_required_above":
            return FormProblem("Receipt required above", why, TAB_RECEIPTS, self.receipt_edit)
        if key == "approval_above":
            return FormProblem("Approval above", why, TAB_RECEIPTS, self.approval_edit)
        if key == "no_receipt_limit_90_days":
            return FormProblem("No-receipt returns in 90 days", why, TAB_RECEIPTS, self.limit_spin)
        if key == "restocking_fee_percent":
            return FormProblem(f"Restocking fee for {rest}", why, TAB_FEES, self.fees_table, row_of(self.fees_table, rest))
        if key == "opened_rules":
            return FormProblem(f"Opened items for {rest}", why, TAB_FEES, self.fees_table, row_of(self.fees_table, rest))
        if key == "refund_methods":
            name = METHOD_NAMES.get(rest, rest).lower()
            return FormProblem(f"Paid by {name}", why, TAB_TENDERS, self.tender_row_labels.get(rest))
        if key == "reasons":
            row = int(rest) - 1 if rest.isdigit() else -1
            return FormProblem(f"Reasons, row {row + 1}" if row >= 0 else "Reasons", why, TAB_REASONS,
                               self.reasons_table, row)
        return FormProblem(field, why, self.tabs.currentIndex())

    def clear_errors(self) -> None:
        for label in self.tab_errors:
            label.clear()
            label.hide()
        for w in self._marked:
            w.setProperty("invalid", False)
            repolish(w)
        self._marked.clear()
        self.message.clear()

    def show_problem(self, problem: FormProblem) -> None:
        text = f"{problem.field}: {problem.why}"
        self.tabs.setCurrentIndex(problem.tab)
        self.tab_errors[problem.tab].setText(text)
        self.tab_errors[problem.tab].show()
        w = problem.widget
        if isinstance(w, QTableWidget):
            if problem.row >= 0:
                w.setCurrentCell(problem.row, 0)
                w.selectRow(problem.row)
            w.setFocus()
        elif w is not None:
            w.setProperty("invalid", True)
            self._marked.append(w)
            repolish(w)
            w.setFocus()
            if isinstance(w, QLineEdit):
                w.selectAll()
        self.show_message(f"Not saved. {text}", ok=False)

    def show_message(self, text: str, ok: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("role", "allowed" if ok else "error")
        repolish(self.message)

    def error_text(self) -> str:
        """The inline error on the tab shown ('' when none)."""
        label = self.tab_errors[self.tabs.currentIndex()]
        return label.text() if not label.isHidden() else ""

    # -- save -----------------------------------------------------------------------------------------
    def save(self) -> bool:
        if not self.can_edit():
            return False
        self.clear_errors()
        try:
            policy = self.policy_from_form()
            stored = policy_service.save_policy(self.ctx.staff, policy)
        except FormProblem as problem:
            self.show_problem(problem)
            return False
        except InvalidInput as err:
            self.show_problem(self._locate(err))
            return False
        except DeskError as err:
            self.show_message(f"Not saved. {err}", ok=False)
            return False
        self.dirty = False
        self.ctx.events.emit_changed("policy")
        self.load()
        self.show_message("Saved. The policy applies to the next return at every desk.", ok=True)
        self.saved.emit(stored)
        return True
