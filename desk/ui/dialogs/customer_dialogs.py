"""The Customers screen's dialogs: a customer's record, merging a duplicate, erasing on request.

Each has a class method that opens it and returns what was done (tests drive the dialog
itself: fill the fields, call ``try_accept``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError, InvalidInput
from desk.services import customers as customers_service
from desk.services.cases_ui_support import merge_preview
from desk.services.customers import ERASED_NAME, PREFERRED_CONTACT, CustomerInput, CustomerView
from desk.ui.context import AppContext
from desk.ui.messages import describe
from desk.ui.widgets.style import repolish


def _buttons(dialog: QDialog, ok_text: str, ok) -> tuple[QHBoxLayout, QPushButton]:
    cancel = QPushButton("Cancel (Esc)")
    cancel.setAutoDefault(False)
    cancel.setMinimumHeight(42)
    cancel.clicked.connect(dialog.reject)
    button = QPushButton(ok_text)
    button.setProperty("primary", True)
    button.setDefault(True)
    button.setMinimumSize(180, 42)
    button.clicked.connect(ok)
    row = QHBoxLayout()
    row.addWidget(cancel)
    row.addStretch(1)
    row.addWidget(button)
    return row, button


class CustomerEditDialog(QDialog):
    """A customer's record: name, phone, email, preferred contact, consent, notes. A field the
    service refuses is marked and its message names it under the field."""

    FIELDS = ("Name", "Phone", "Email", "Preferred contact", "Notes")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, customer: CustomerView | None = None,
                 name: str = ""):
        super().__init__(parent)
        self.ctx = ctx
        self.customer = customer
        self.result_value: CustomerView | None = None
        self.setObjectName("customerEdit")
        self.setWindowTitle("Customer" if customer else "New customer")
        heading = QLabel(f"Customer #{customer.id}" if customer else "New customer")
        heading.setProperty("role", "heading")

        self.name_edit = QLineEdit(customer.name if customer else name)
        self.name_edit.setObjectName("customerName")
        self.name_edit.setMaxLength(160)
        self.phone_edit = QLineEdit(customer.phone if customer else "")
        self.phone_edit.setObjectName("customerPhone")
        self.phone_edit.setPlaceholderText("e.g. 07700 900123")
        self.email_edit = QLineEdit(customer.email if customer else "")
        self.email_edit.setObjectName("customerEmail")
        self.email_edit.setPlaceholderText("name@example.com")
        self.preferred_combo = QComboBox()
        self.preferred_combo.setObjectName("customerPreferred")
        for key, label in PREFERRED_CONTACT.items():
            self.preferred_combo.addItem(label, key)
        if customer:
            self.preferred_combo.setCurrentIndex(max(0, self.preferred_combo.findData(customer.preferred_contact)))
        self.consent_check = QCheckBox("The customer agrees to be contacted about their cases and orders")
        self.consent_check.setObjectName("customerConsent")
        self.consent_check.setChecked(bool(customer and customer.contact_consent))
        self.notes_edit = QPlainTextEdit(customer.notes if customer else "")
        self.notes_edit.setObjectName("customerNotes")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(90)
        for w in (self.name_edit, self.phone_edit, self.email_edit, self.preferred_combo):
            w.setMinimumHeight(36)
            w.setMinimumWidth(360)

        self.errors: dict[str, QLabel] = {}
        self.editors = {"Name": self.name_edit, "Phone": self.phone_edit, "Email": self.email_edit,
                        "Preferred contact": self.preferred_combo, "Notes": self.notes_edit}
        form = QFormLayout()
        form.setSpacing(6)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for label in self.FIELDS:
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(self.editors[label])
            error = QLabel("")
            error.setProperty("role", "error")
            error.setObjectName(f"error_{label.replace(' ', '_')}")
            error.hide()
            box.addWidget(error)
            self.errors[label] = error
            form.addRow(label, box)
            if label == "Preferred contact":
                form.addRow("", self.consent_check)

        self.message = QLabel("")
        self.message.setObjectName("customerMessage")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.message.hide()
        buttons, self.save_button = _buttons(self, "Save  (Enter)", self.try_accept)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.name_edit.setFocus()

    def data(self) -> CustomerInput:
        return CustomerInput(name=self.name_edit.text(), phone=self.phone_edit.text(), email=self.email_edit.text(),
                             preferred_contact=self.preferred_combo.currentData() or "",
                             contact_consent=self.consent_check.isChecked(), notes=self.notes_edit.toPlainText())

    def error_of(self, label: str) -> str:
        error = self.errors[label]
        return error.text() if not error.isHidden() else ""

    def _clear_errors(self) -> None:
        for label, error in self.errors.items():
            error.hide()
            self.editors[label].setProperty("invalid", False)
            repolish(self.editors[label])
        self.message.hide()

    def try_accept(self) -> bool:
        self._clear_errors()
        try:
            if self.customer is None:
                view = customers_service.create_customer(self.ctx.staff, self.data())
            else:
                view = customers_service.update_customer(self.ctx.staff, self.customer.id, self.data())
        except InvalidInput as err:
            label = err.field if err.field in self.errors else ""
            if label:
                self.errors[label].setText(f"{label}: {err.why}")
                self.errors[label].show()
                editor = self.editors[label]
                editor.setProperty("invalid", True)
                repolish(editor)
                editor.setFocus()
            self.message.setText("Not saved. " + describe(err))
            self.message.show()
            return False
        except DeskError as err:
            self.message.setText("Not saved. " + describe(err))
            self.message.show()
            return False
        self.result_value = view
        self.ctx.events.emit_changed("customers")
        self.accept()
        return True

    @classmethod
    def edit(cls, ctx: AppContext, parent: QWidget | None, customer: CustomerView | None = None,
             name: str = "") -> CustomerView | None:
        """Open the record (a new one when ``customer`` is None); the saved record, or None."""
        dialog = cls(ctx, parent, customer, name)
        try:
            dialog.exec()
            return dialog.result_value
        finally:
            dialog.deleteLater()


class MergeDialog(QDialog):
    """Merge a duplicate into the customer kept: pick the duplicate (those that look like one
    first, or search), see what moves, confirm."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, keep: CustomerView):
        super().__init__(parent)
        self.ctx = ctx
        self.keep = keep
        self.result_value = None
        self.setObjectName("mergeDialog")
        self.setWindowTitle("Merge a duplicate")
        heading = QLabel(f"Merge a duplicate into {keep.name} (#{keep.id})")
        heading.setProperty("role", "heading")
        heading.setWordWrap(True)
        intro = QLabel("Everything the duplicate has — sales, returns, vouchers, cases, contacts — moves to the "
                       "customer kept; the duplicate is no longer found. Phone, email and notes the kept record "
                       "lacks are filled from the duplicate.")
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("mergeSearch")
        self.search_edit.setPlaceholderText("Search another customer: name, phone or email")
        self.search_edit.setMinimumHeight(36)
        self.search_edit.textEdited.connect(self._search)
        self.list = QListWidget()
        self.list.setObjectName("mergeCandidates")
        self.list.currentRowChanged.connect(lambda _r: self._preview())
        self.list.itemActivated.connect(lambda _i: self.try_accept())
        self.moves = QLabel("")
        self.moves.setObjectName("mergeMoves")
        self.moves.setWordWrap(True)
        self.moves.setProperty("role", "approval")
        self.message = QLabel("")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.message.hide()
        buttons, self.merge_button = _buttons(self, "Merge  (Enter)", self.try_accept)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.moves)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(620, 520)
        self._fill(customers_service.possible_duplicates(keep.id))
        self.search_edit.setFocus()

    def _fill(self, rows) -> None:
        self.list.clear()
        for r in rows:
            if r.id == self.keep.id:
                continue
            item = QListWidgetItem(f"{r.name}   ·   {r.phone or 'no phone'}   ·   {r.email or 'no email'}   (#{r.id})")
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.moves.setText("No duplicate found: search for the other record.")

    def _search(self, text: str) -> None:
        text = text.strip()
        rows = customers_service.fetch_customers(text, 0, 50) if text else customers_service.possible_duplicates(self.keep.id)
        self._fill(rows)

    def duplicate_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select_duplicate(self, customer_id: int) -> bool:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == customer_id:
                self.list.setCurrentRow(i)
                return True
        return False

    def _preview(self) -> None:
        dup = self.duplicate_id()
        if dup is None:
            self.moves.setText("")
            return
        moved = merge_preview(dup)
        what = ", ".join(f"{n} {label}" for label, n in moved.items()) or "no history"
        self.moves.setText(f"Moves to {self.keep.name}: {what}. Customer #{dup} is then closed as merged.")

    def try_accept(self) -> bool:
        dup = self.duplicate_id()
        if dup is None:
            self.message.setText("Choose the duplicate first.")
            self.message.show()
            return False
        try:
            self.result_value = customers_service.merge_customers(self.ctx.staff, self.keep.id, dup)
        except DeskError as err:
            self.message.setText("Not merged. " + describe(err))
            self.message.show()
            return False
        self.ctx.events.emit_changed("customers", "cases")
        self.accept()
        return True

    @classmethod
    def merge(cls, ctx: AppContext, parent: QWidget | None, keep: CustomerView):
        dialog = cls(ctx, parent, keep)
        try:
            dialog.exec()
            return dialog.result_value
        finally:
            dialog.deleteLater()


def erase_summary_html() -> str:
    """The service's account of what erasing removes and keeps, as paragraphs for the dialog."""
    from html import escape

    intro, *items = customers_service.ERASE.split("\n- ")
    paragraphs = [f"<p>{escape(' '.join(intro.split()))}</p>"]
    for item in items:
        head, _, rest = " ".join(item.split()).replace("``archived_documents``", "on screen").partition(":")
        paragraphs.append(f"<p><b>{escape(head.capitalize())}:</b>{escape(rest)}</p>")
    return "".join(paragraphs)


class EraseDialog(QDialog):
    """Erase a customer's personal data on their request: says what goes and what stays, and
    the manager confirms by typing ERASE and a reason."""

    WORD = "ERASE"

    def __init__(self, ctx: AppContext, parent: QWidget | None, customer: CustomerView):
        super().__init__(parent)
        self.ctx = ctx
        self.customer = customer
        self.result_value = None
        self.setObjectName("eraseDialog")
        self.setWindowTitle("Erase on request")
        heading = QLabel(f"Erase {customer.name} (#{customer.id}) on their request")
        heading.setProperty("role", "heading")
        heading.setWordWrap(True)
        what = QLabel(erase_summary_html())
        what.setObjectName("eraseWhat")
        what.setWordWrap(True)
        what.setProperty("role", "muted")
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("eraseReason")
        self.reason_edit.setPlaceholderText("e.g. the customer's written request of 3 March")
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setObjectName("eraseConfirm")
        self.confirm_edit.setPlaceholderText(f"Type {self.WORD} to confirm")
        for w in (self.reason_edit, self.confirm_edit):
            w.setMinimumHeight(36)
        form = QFormLayout()
        form.addRow("Reason", self.reason_edit)
        form.addRow("Confirm", self.confirm_edit)
        self.message = QLabel("")
        self.message.setObjectName("eraseMessage")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.message.hide()
        buttons, self.erase_button = _buttons(self, "Erase", self.try_accept)
        self.erase_button.setEnabled(False)
        self.confirm_edit.textChanged.connect(
            lambda t: self.erase_button.setEnabled(t.strip().upper() == self.WORD))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(what)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setMinimumSize(680, 500)
        self.reason_edit.setFocus()

    def try_accept(self) -> bool:
        if self.confirm_edit.text().strip().upper() != self.WORD:
            self.message.setText(f"Confirm: type {self.WORD} to erase the customer's personal data.")
            self.message.show()
            return False
        try:
            self.result_value = customers_service.erase_customer(self.ctx.staff, self.customer.id,
                                                                 self.reason_edit.text())
        except DeskError as err:
            self.message.setText("Not erased. " + describe(err))
            self.message.show()
            return False
        self.ctx.events.emit_changed("customers", "cases")
        self.accept()
        return True

    @classmethod
    def erase(cls, ctx: AppContext, parent: QWidget | None, customer: CustomerView):
        dialog = cls(ctx, parent, customer)
        try:
            dialog.exec()
            return dialog.result_value
        finally:
            dialog.deleteLater()


__all__ = ["CustomerEditDialog", "MergeDialog", "EraseDialog", "ERASED_NAME"]
