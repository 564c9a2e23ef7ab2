"""First run: set up a store and its first admin, or open the demo store."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressDialog,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desk.errors import DeskError, InvalidInput
from desk.services import demo as demo_service
from desk.services import store as store_service
from desk.services.store import StoreDetails
from desk.ui.context import AppContext

CHOICE, STORE, ADMIN, DEMO = 0, 1, 2, 3

CURRENCIES = ("GBP", "EUR", "USD", "PLN", "CHF", "SEK", "NOK", "DKK", "CZK", "CAD", "AUD")
LOCALES = ("en_GB", "en_US", "en_IE", "de_DE", "fr_FR", "nl_NL", "pl_PL", "es_ES", "it_IT", "sv_SE", "da_DK", "nb_NO")


class _Cancelled(Exception):
    pass


def _title(text: str) -> str:
    return f'<span style="font-size: 16pt; font-weight: 600;">{text}</span>'


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    label.setObjectName("pageError")
    label.setProperty("role", "error")
    label.setWordWrap(True)
    return label


def _mark(edit: QWidget, bad: bool) -> None:
    edit.setProperty("invalid", bad)
    edit.style().unpolish(edit)
    edit.style().polish(edit)


class ChoicePage(QWizardPage):
    def __init__(self, wizard: "FirstRunWizard"):
        super().__init__()
        self._wizard = wizard
        self.setTitle(_title("Welcome to Desk"))
        self.setSubTitle("This database has no store yet. Set up yours, or open a demo store to learn on.")
        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        self.own = QRadioButton("Set up my store", self)
        self.own.setObjectName("setUpStore")
        own_note = QLabel("Enter the store's details and create the first admin, who then adds the staff.")
        self.demo = QRadioButton("Open the demo store", self)
        self.demo.setObjectName("openDemo")
        demo_note = QLabel(
            "A believable shop with products, customers and four months of sales, and staff whose "
            "PINs the sign-in screen shows. Building it takes a few seconds."
        )
        for note in (own_note, demo_note):
            note.setWordWrap(True)
            note.setProperty("role", "muted")
            note.setContentsMargins(30, 0, 0, 14)
        self.own.setChecked(True)
        layout.addWidget(self.own)
        layout.addWidget(own_note)
        layout.addWidget(self.demo)
        layout.addWidget(demo_note)
        layout.addStretch(1)
        self.error = _error_label(self)
        layout.addWidget(self.error)

    def nextId(self) -> int:
        return DEMO if self.demo.isChecked() else STORE


class DemoPage(QWizardPage):
    """The demo store: what it holds, and Finish builds it."""

    def __init__(self, wizard: "FirstRunWizard"):
        super().__init__()
        self._wizard = wizard
        self.setTitle(_title("The demo store"))
        self.setSubTitle("Learn on a believable shop. Nothing you do in it touches a real store.")
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        store = demo_service.DEMO_STORE
        about = QLabel(
            f"<b>{store.name}</b> (store {store.code}), {store.address.splitlines()[0]}<br><br>"
            "About 60 products in 6 categories, 2,000 customers and 20,000 sale lines over the last "
            "120 days, paid by cash, card, gift card and split tenders.<br><br>"
            "Its staff's PINs are shown on the sign-in screen, so anyone can try every role."
        )
        about.setWordWrap(True)
        about.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(about)
        layout.addStretch(1)
        self.error = _error_label(self)
        layout.addWidget(self.error)
        self.setFinalPage(True)

    def nextId(self) -> int:
        return -1

    def validatePage(self) -> bool:
        self.error.clear()
        try:
            self._wizard.build_demo()
        except _Cancelled:
            self.error.setText("The demo store was not built: cancelled. Nothing was saved.")
            return False
        except DeskError as exc:
            self.error.setText(f"The demo store could not be built: {exc}")
            return False
        self._wizard.created = "demo"
        return True


class StorePage(QWizardPage):
    def __init__(self, wizard: "FirstRunWizard"):
        super().__init__()
        self._wizard = wizard
        self.setTitle(_title("Your store"))
        self.setSubTitle("These details print on every receipt and slip. You can change them later in Settings (F10).")
        form = QFormLayout(self)
        form.setSpacing(10)
        self.name = QLineEdit(self)
        self.name.setObjectName("storeName")
        self.name.setPlaceholderText("e.g. Harbour Street Home & Style")
        self.code = QLineEdit(self)
        self.code.setObjectName("storeCode")
        self.code.setPlaceholderText("2 to 8 letters or digits, e.g. LDN01")
        self.code.setMaxLength(8)
        self.address = QPlainTextEdit(self)
        self.address.setObjectName("storeAddress")
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(84)
        self.tax_number = QLineEdit(self)
        self.tax_number.setObjectName("taxNumber")
        self.tax_number.setPlaceholderText("VAT or tax registration number")
        self.currency = QComboBox(self)
        self.currency.setObjectName("currency")
        self.currency.setEditable(True)
        self.currency.addItems(CURRENCIES)
        self.locale = QComboBox(self)
        self.locale.setObjectName("locale")
        self.locale.setEditable(True)
        self.locale.addItems(LOCALES)
        self.prices_include_tax = QCheckBox("Shelf prices include tax (VAT)", self)
        self.prices_include_tax.setObjectName("pricesIncludeTax")
        self.prices_include_tax.setChecked(True)
        self.fields: dict[str, QWidget] = {
            "Store name": self.name,
            "Store code": self.code,
            "Address": self.address,
            "Tax number": self.tax_number,
            "Currency": self.currency,
            "Locale": self.locale,
        }
        form.addRow("Store name", self.name)
        form.addRow("Store code", self.code)
        form.addRow("Address", self.address)
        form.addRow("Tax number", self.tax_number)
        form.addRow("Currency", self.currency)
        form.addRow("Locale", self.locale)
        form.addRow("", self.prices_include_tax)
        self.error = _error_label(self)
        form.addRow(self.error)

    def details(self) -> StoreDetails:
        return StoreDetails(
            name=self.name.text(),
            code=self.code.text(),
            currency=self.currency.currentText(),
            locale=self.locale.currentText(),
            address=self.address.toPlainText(),
            tax_number=self.tax_number.text(),
            prices_include_tax=self.prices_include_tax.isChecked(),
        )

    def show_invalid(self, exc: InvalidInput) -> None:
        self.error.setText(f"{exc.field}: {exc.why}")
        for field, widget in self.fields.items():
            _mark(widget, field == exc.field)
        widget = self.fields.get(exc.field)
        if widget is not None:
            widget.setFocus()

    def validatePage(self) -> bool:
        try:
            self.details().cleaned()
        except InvalidInput as exc:
            self.show_invalid(exc)
            return False
        self.error.clear()
        for widget in self.fields.values():
            _mark(widget, False)
        return True


class AdminPage(QWizardPage):
    def __init__(self, wizard: "FirstRunWizard"):
        super().__init__()
        self._wizard = wizard
        self.setTitle(_title("The first admin"))
        self.setSubTitle("The admin signs in first and adds the other staff in the Staff screen (F9).")
        form = QFormLayout(self)
        form.setSpacing(10)
        self.name = QLineEdit(self)
        self.name.setObjectName("adminName")
        self.name.setPlaceholderText("Full name")
        self.code = QLineEdit(self)
        self.code.setObjectName("adminCode")
        self.code.setPlaceholderText("1 to 16 letters or digits, e.g. 900")
        self.code.setMaxLength(16)
        self.pin = QLineEdit(self)
        self.pin.setObjectName("adminPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.pin.setPlaceholderText("4 to 8 digits, not 1234 or 0000")
        self.pin_again = QLineEdit(self)
        self.pin_again.setObjectName("adminPinAgain")
        self.pin_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_again.setMaxLength(8)
        for edit in (self.pin, self.pin_again):
            edit.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]{0,8}"), edit))
        self.fields: dict[str, QWidget] = {
            "Name": self.name,
            "Staff code": self.code,
            "PIN": self.pin,
            "PIN again": self.pin_again,
        }
        form.addRow("Name", self.name)
        form.addRow("Staff code", self.code)
        form.addRow("PIN", self.pin)
        form.addRow("PIN again", self.pin_again)
        self.error = _error_label(self)
        form.addRow(self.error)

    def show_invalid(self, field: str, why: str) -> None:
        self.error.setText(f"{field}: {why}")
        for name, widget in self.fields.items():
            _mark(widget, name == field)
        widget = self.fields.get(field)
        if widget is not None:
            widget.setFocus()

    def nextId(self) -> int:
        return -1

    def validatePage(self) -> bool:
        if self.pin.text() != self.pin_again.text():
            self.show_invalid("PIN again", "does not match the PIN")
            self.pin_again.clear()
            return False
        store_page: StorePage = self._wizard.page(STORE)
        try:
            store_service.init_store(store_page.details(), self.code.text(), self.pin.text(),
                                     self.name.text().strip() or "")
        except InvalidInput as exc:
            if exc.field in store_page.fields:
                store_page.show_invalid(exc)
            self.show_invalid(exc.field, exc.why)
            return False
        except DeskError as exc:
            self.error.setText(str(exc))
            return False
        self._wizard.created = "store"
        self._wizard.admin_code = self.code.text().strip()
        return True


class FirstRunWizard(QWizard):
    """Three pages: the choice, the store's details, the first admin. Demo ends after page 1."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.created: str | None = None  # "store" or "demo" once something was created
        self.admin_code = ""
        self.setObjectName("firstRunWizard")
        self.setWindowTitle("Desk: first run")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setPage(CHOICE, ChoicePage(self))
        self.setPage(STORE, StorePage(self))
        self.setPage(ADMIN, AdminPage(self))
        self.setPage(DEMO, DemoPage(self))
        self.setStartId(CHOICE)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Finish")
        self.currentIdChanged.connect(lambda _id: self._update_buttons())
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton):
            button = self.button(which)
            button.setProperty("primary", True)
            button.setMinimumWidth(150)
            button.style().unpolish(button)
            button.style().polish(button)
        self.resize(760, 560)

    def _update_buttons(self) -> None:
        self.setButtonText(QWizard.WizardButton.FinishButton,
                           "Open the demo store" if self.currentId() == DEMO else "Create the store")

    def build_demo(self) -> None:
        """Build the demo store with a progress dialog; cancelling rolls everything back."""
        dialog = QProgressDialog("Building the demo store…", "Cancel", 0, 0, self)
        dialog.setObjectName("demoProgress")
        dialog.setWindowTitle("Desk: demo store")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setMinimumWidth(460)
        dialog.setValue(0)
        dialog.show()
        QApplication.processEvents()

        def progress(stage: str, done: int, total: int) -> None:
            if dialog.wasCanceled():
                raise _Cancelled()
            if total:
                dialog.setMaximum(total)
                dialog.setValue(min(done, total))
                dialog.setLabelText(f"Building the demo store: {done:,} of {total:,} sale lines")
            QApplication.processEvents()
            if dialog.wasCanceled():
                raise _Cancelled()

        try:
            demo_service.build_demo(progress=progress)
        finally:
            dialog.close()
            dialog.deleteLater()

    @classmethod
    def run(cls, ctx: AppContext, parent: QWidget | None = None) -> bool:
        """Show the wizard; True when a store (own or demo) now exists."""
        wizard = cls(ctx, parent)
        wizard.exec()
        created = wizard.created is not None
        wizard.deleteLater()
        if created:
            ctx.events.emit_changed("store", "staff", "sales")
        return created
