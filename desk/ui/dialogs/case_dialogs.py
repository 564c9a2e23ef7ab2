"""The Cases screen's dialogs: a new case, the small forms that work a case (a note, the
status, a link, the resolution, the follow-up, closing), and the figures with their chart.

``FormDialog`` is the one shape of the small forms: labelled fields, and an ``apply`` callback
that calls the service; a refusal stays in the dialog with the field it names marked."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError, InvalidInput
from desk.services import cases as cases_service
from desk.services import customers as customers_service
from desk.services.cases import CHANNELS, PRIORITIES, TYPES, CaseFigures, CaseInput, FigureRow
from desk.ui.context import AppContext
from desk.ui.desk_identity import desk_code
from desk.ui.messages import describe
from desk.ui.widgets.style import repolish
from desk.ui.widgets.bar_chart import BarChart


def combo(choices: dict[str, str], name: str, current: str = "") -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.setMinimumHeight(36)
    for key, label in choices.items():
        box.addItem(label, key)
    if current:
        box.setCurrentIndex(max(0, box.findData(current)))
    return box


def line(name: str, placeholder: str = "", text: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setMinimumHeight(36)
    return edit


def text_box(name: str, placeholder: str = "", height: int = 90) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(height)
    return edit


def value_of(widget: QWidget):
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QLineEdit):
        return widget.text()
    return None


class FormDialog(QDialog):
    """A heading, labelled fields and an OK button whose ``apply(dialog)`` calls the service.

    ``fields``: (label, widget) pairs; the label is the field name services use in
    InvalidInput, so a refusal marks that field. ``result_value`` holds what apply returned."""

    def __init__(self, parent: QWidget | None, title: str, intro: str, fields: list[tuple[str, QWidget]],
                 ok_text: str, apply: Callable[["FormDialog"], object], name: str = "caseForm"):
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.apply = apply
        self.result_value = None
        self.fields = dict(fields)
        heading = QLabel(title)
        heading.setProperty("role", "heading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(heading)
        if intro:
            self.intro = QLabel(intro)
            self.intro.setProperty("role", "muted")
            self.intro.setWordWrap(True)
            layout.addWidget(self.intro)
        form = QFormLayout()
        form.setSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for label, widget in fields:
            if isinstance(widget, QCheckBox):
                form.addRow("", widget)
            else:
                form.addRow(label, widget)
            if isinstance(widget, (QLineEdit, QComboBox)):
                widget.setMinimumWidth(380)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("formError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        cancel = QPushButton("Cancel (Esc)")
        cancel.setAutoDefault(False)
        cancel.setMinimumHeight(42)
        cancel.clicked.connect(self.reject)
        self.ok_button = QPushButton(ok_text)
        self.ok_button.setObjectName("formOk")
        self.ok_button.setProperty("primary", True)
        self.ok_button.setDefault(True)
        self.ok_button.setMinimumSize(180, 42)
        self.ok_button.clicked.connect(self.try_accept)
        self.ok_button.setToolTip("Enter (Ctrl+Enter in a text box)")
        from PySide6.QtGui import QKeySequence, QShortcut

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.try_accept)
        row = QHBoxLayout()
        row.addWidget(cancel)
        row.addStretch(1)
        row.addWidget(self.ok_button)
        layout.addLayout(row)
        self.setMinimumWidth(560)
        if fields:
            fields[0][1].setFocus()

    def value(self, label: str):
        return value_of(self.fields[label])

    def set_value(self, label: str, value) -> None:
        w = self.fields[label]
        if isinstance(w, QComboBox):
            w.setCurrentIndex(max(0, w.findData(value)))
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(str(value))
        else:
            w.setText(str(value))

    def show_problem(self, err: DeskError) -> None:
        for w in self.fields.values():
            w.setProperty("invalid", False)
            repolish(w)
        if isinstance(err, InvalidInput) and err.field in self.fields:
            w = self.fields[err.field]
            w.setProperty("invalid", True)
            repolish(w)
            w.setFocus()
        self.error.setText(describe(err))
        self.error.show()

    def try_accept(self) -> bool:
        try:
            self.result_value = self.apply(self)
        except DeskError as err:
            self.show_problem(err)
            return False
        if self.result_value is None:
            return False  # apply said why (or the person cancelled a step)
        self.accept()
        return True

    @classmethod
    def run(cls, parent, *args, **kwargs):
        """Open the form; what apply returned, or None when cancelled."""
        dialog = cls(parent, *args, **kwargs)
        try:
            dialog.exec()
            return dialog.result_value
        finally:
            dialog.deleteLater()


class CustomerPicker(QWidget):
    """Find a customer as you type (name, phone or email) or add one: ``customer_id`` is the choice."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.edit = line("caseCustomerSearch", "Name, phone or email — or leave empty")
        self.edit.textEdited.connect(self._search)
        self.edit.returnPressed.connect(lambda: self.list.setFocus() if self.list.count() else None)
        self.list = QListWidget()
        self.list.setObjectName("caseCustomerList")
        self.list.setFixedHeight(92)
        self.add_button = QPushButton("New customer…")
        self.add_button.setObjectName("caseNewCustomer")
        self.add_button.setMinimumHeight(36)
        self.add_button.clicked.connect(self.add_customer)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.add_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        box.addLayout(row)
        box.addWidget(self.list)
        self.list.hide()

    def _search(self, text: str) -> None:
        self.list.clear()
        text = text.strip()
        if not text:
            return
        for r in customers_service.fetch_customers(text, 0, 20):
            item = QListWidgetItem(f"{r.name}  ·  {r.phone or '—'}  ·  {r.email or '—'}")
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.list.setVisible(self.list.count() > 0)

    def set_customer(self, customer_id: int) -> None:
        view = customers_service.get_customer(customer_id)
        self.edit.setText(view.name)
        self.list.clear()
        item = QListWidgetItem(f"{view.name}  ·  {view.phone or '—'}  ·  {view.email or '—'}")
        item.setData(Qt.ItemDataRole.UserRole, view.id)
        self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.show()

    def add_customer(self) -> None:
        from desk.ui.dialogs.customer_dialogs import CustomerEditDialog

        view = CustomerEditDialog.edit(self.ctx, self, None, self.edit.text().strip())
        if view is not None:
            self.set_customer(view.id)

    @property
    def customer_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None and self.edit.text().strip() else None


class NewCaseDialog(QDialog):
    """A new case: type, channel, category, priority, the customer, links (receipt scanned,
    return or exchange number, product), a line that says what it is about, and the
    customer's own words."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, customer_id: int | None = None,
                 receipt_no: str = ""):
        super().__init__(parent)
        self.ctx = ctx
        self.result_value = None
        self.setObjectName("newCaseDialog")
        self.setWindowTitle("New case")
        heading = QLabel("New case")
        heading.setProperty("role", "heading")
        self.type_combo = combo(TYPES, "caseType")
        self.channel_combo = combo(CHANNELS, "caseChannel")
        self.category_combo = QComboBox()
        self.category_combo.setObjectName("caseCategory")
        self.category_combo.setMinimumHeight(36)
        self.category_combo.addItem("(none)", None)
        for c in cases_service.list_categories():
            self.category_combo.addItem(c.name, c.id)
        self.priority_combo = combo(PRIORITIES, "casePriority", "normal")
        self.customer = CustomerPicker(ctx, self)
        if customer_id is not None:
            self.customer.set_customer(customer_id)
        self.receipt_edit = line("caseReceipt", "Scan or type the receipt (finds the customer too)", receipt_no)
        self.document_edit = line("caseDocument", "R-… return or X-… exchange number")
        self.product_edit = line("caseProduct", "SKU, barcode or name of the product")
        self.product_edit.editingFinished.connect(self._find_product)
        self.product_label = QLabel("")
        self.product_label.setObjectName("caseProductFound")
        self.product_label.setProperty("role", "muted")
        self.product_id: int | None = None
        self.summary_edit = line("caseSummary", "In a line: what is it about?")
        self.summary_edit.setMaxLength(200)
        self.words_edit = text_box("caseWords", "What the customer said, in their words", 110)
        self.mine_check = QCheckBox("I own this case (it appears under Mine)")
        self.mine_check.setObjectName("caseMine")
        self.mine_check.setChecked(True)
        for w in (self.type_combo, self.channel_combo, self.priority_combo):
            w.setMinimumWidth(150)

        self.fields: dict[str, QWidget] = {
            "Type": self.type_combo, "Channel": self.channel_combo, "Category": self.category_combo,
            "Priority": self.priority_combo, "Customer": self.customer.edit, "Receipt": self.receipt_edit,
            "Sale": self.receipt_edit, "Return": self.document_edit, "Exchange": self.document_edit,
            "Product": self.product_edit, "Summary": self.summary_edit, "Customer's words": self.words_edit,
        }
        grid = QFormLayout()
        grid.setSpacing(8)
        grid.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        kinds = QGridLayout()
        kinds.setHorizontalSpacing(10)
        kinds.setVerticalSpacing(2)
        for col, (label, w) in enumerate((("Type", self.type_combo), ("Channel", self.channel_combo),
                                          ("Priority", self.priority_combo))):
            title = QLabel(label)
            title.setProperty("role", "muted")
            title.setBuddy(w)
            kinds.addWidget(title, 0, col)
            kinds.addWidget(w, 1, col)
            kinds.setColumnStretch(col, 1)
        grid.addRow("", kinds)
        grid.addRow("Category", self.category_combo)
        grid.addRow("Summary", self.summary_edit)
        grid.addRow("Customer", self.customer)
        grid.addRow("Receipt", self.receipt_edit)
        grid.addRow("Return / exchange", self.document_edit)
        product = QVBoxLayout()
        product.setSpacing(2)
        product.addWidget(self.product_edit)
        product.addWidget(self.product_label)
        grid.addRow("Product", product)
        grid.addRow("Their words", self.words_edit)
        grid.addRow("", self.mine_check)

        self.error = QLabel("")
        self.error.setObjectName("newCaseError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        cancel = QPushButton("Cancel (Esc)")
        cancel.setAutoDefault(False)
        cancel.setMinimumHeight(42)
        cancel.clicked.connect(self.reject)
        self.open_button = QPushButton("Open the case  (Ctrl+Enter)")
        self.open_button.setObjectName("openCaseButton")
        self.open_button.setProperty("primary", True)
        self.open_button.setAutoDefault(False)
        self.open_button.setMinimumSize(220, 42)
        self.open_button.clicked.connect(self.try_accept)
        from PySide6.QtGui import QKeySequence, QShortcut

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.try_accept)
        row = QHBoxLayout()
        row.addWidget(cancel)
        row.addStretch(1)
        row.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addLayout(grid)
        layout.addWidget(self.error)
        layout.addLayout(row)
        self.setMinimumWidth(760)
        self.summary_edit.setFocus()

    def _find_product(self) -> None:
        from desk.services.returns_ui_support import find_products

        text = self.product_edit.text().strip()
        self.product_id = None
        self.product_label.setText("")
        if not text:
            return
        try:
            found = find_products(self.ctx.staff, text, 2)
        except DeskError as err:
            self.product_label.setText(describe(err))
            return
        if not found:
            self.product_label.setText(f"No product matches '{text}'.")
            return
        self.product_id = found[0].id
        self.product_label.setText(f"{found[0].name} ({found[0].sku})" + ("  — the first of several" if len(found) > 1 else ""))

    def data(self) -> CaseInput:
        doc = self.document_edit.text().strip().upper()
        if self.product_edit.text().strip() and self.product_id is None:
            self._find_product()
            if self.product_id is None:
                raise InvalidInput("Product", self.product_label.text() or "no such product")
        return CaseInput(
            type=self.type_combo.currentData(), channel=self.channel_combo.currentData(),
            summary=self.summary_edit.text(), customer_words=self.words_edit.toPlainText(),
            priority=self.priority_combo.currentData(), category_id=self.category_combo.currentData(),
            customer_id=self.customer.customer_id, receipt_no=self.receipt_edit.text().strip(),
            return_number=doc if doc.startswith("R-") else "", exchange_number=doc if doc and not doc.startswith("R-") else "",
            product_id=self.product_id, owner_id=self.ctx.staff.id if self.mine_check.isChecked() else None,
            desk_code=desk_code())

    def try_accept(self) -> bool:
        for w in set(self.fields.values()):
            w.setProperty("invalid", False)
            repolish(w)
        try:
            self.result_value = cases_service.open_case(self.ctx.staff, self.data())
        except DeskError as err:
            if isinstance(err, InvalidInput) and err.field in self.fields:
                w = self.fields[err.field]
                w.setProperty("invalid", True)
                repolish(w)
                w.setFocus()
            self.error.setText("Not opened. " + describe(err))
            self.error.show()
            return False
        self.ctx.events.emit_changed("cases")
        self.accept()
        return True

    @classmethod
    def open_new(cls, ctx: AppContext, parent: QWidget | None, customer_id: int | None = None, receipt_no: str = ""):
        dialog = cls(ctx, parent, customer_id, receipt_no)
        try:
            dialog.exec()
            return dialog.result_value
        finally:
            dialog.deleteLater()


# ----------------------------------------------------------------------------- figures

def _hours(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


FIGURE_COLUMNS = ("", "Cases", "Resolved", "Overdue", "First response", "Resolution", "Resolution p90",
                  "Satisfaction")


def figure_cells(r: FigureRow) -> list[str]:
    sat = f"{r.satisfaction_avg:.1f} / 5 ({r.satisfaction_count})" if r.satisfaction_avg is not None else "—"
    return [r.label, str(r.cases), str(r.resolved), str(r.overdue), _hours(r.first_response_median_h),
            _hours(r.resolution_median_h), _hours(r.resolution_p90_h), sat]


class FiguresDialog(QDialog):
    """The case figures of a period (managers): first response and resolution times, overdue,
    satisfaction, by category and by linked product, and a bar chart of cases by category."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, days: int = 30):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("caseFigures")
        self.setWindowTitle("Case figures")
        self.figures: CaseFigures | None = None
        heading = QLabel("Case figures")
        heading.setProperty("role", "heading")
        self.period_combo = QComboBox()
        self.period_combo.setObjectName("figuresPeriod")
        for label, n in (("Last 7 days", 7), ("Last 30 days", 30), ("Last 90 days", 90), ("Last 365 days", 365)):
            self.period_combo.addItem(label, n)
        self.period_combo.setCurrentIndex(max(0, self.period_combo.findData(days)))
        self.period_combo.currentIndexChanged.connect(lambda _i: self.load())
        self.by_combo = QComboBox()
        self.by_combo.setObjectName("figuresBy")
        self.by_combo.addItem("By category", "category")
        self.by_combo.addItem("By product", "product")
        self.by_combo.currentIndexChanged.connect(lambda _i: self.show_figures())
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.period_combo)
        top.addWidget(self.by_combo)
        self.summary = QLabel("")
        self.summary.setObjectName("figuresSummary")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(FIGURE_COLUMNS))
        self.table.setObjectName("figuresTable")
        self.table.setHorizontalHeaderLabels(FIGURE_COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(FIGURE_COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setToolTip("Times are medians (p90: nine in ten cases within); resolution leaves out the time "
                              "a case waited on the customer")
        self.chart_view = BarChart("figuresChart")
        self.chart = self.chart_view.chart()
        close = QPushButton("Close (Esc)")
        close.setMinimumHeight(40)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.chart_view, 3)
        layout.addWidget(self.table, 2)
        layout.addLayout(row)
        self.resize(1100, 760)
        self.load()

    def load(self) -> None:
        from desk import clock

        today = clock.utcnow().date()
        days = int(self.period_combo.currentData() or 30)
        self.figures = cases_service.case_figures(today - dt.timedelta(days=days - 1), today, self.ctx.staff)
        self.show_figures()

    def rows(self) -> list[FigureRow]:
        f = self.figures
        if f is None:
            return []
        return list(f.by_product if self.by_combo.currentData() == "product" else f.by_category)

    def show_figures(self) -> None:
        f = self.figures
        if f is None:
            return
        t = f.total
        sat = f"{t.satisfaction_avg:.1f} / 5 from {t.satisfaction_count} follow-ups" if t.satisfaction_avg is not None \
            else "no satisfaction scores yet"
        self.summary.setText(
            f"{t.cases} cases opened {f.date_from:%d/%m/%Y}–{f.date_to:%d/%m/%Y} · {t.resolved} resolved · "
            f"{t.overdue} overdue now · first response median {_hours(t.first_response_median_h)} · "
            f"resolution median {_hours(t.resolution_median_h)} (p90 {_hours(t.resolution_p90_h)}) · {sat}")
        rows = [t] + self.rows()
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for col, text in enumerate(figure_cells(r)):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, col, item)
        self._chart(self.rows()[:10])

    def _chart(self, rows: list[FigureRow]) -> None:
        by = "category" if self.by_combo.currentData() != "product" else "linked product"
        self.chart_view.show_bars(f"Cases by {by}", [r.label for r in rows],
                                  [("Opened", [r.cases for r in rows]), ("Resolved", [r.resolved for r in rows]),
                                   ("Overdue now", [r.overdue for r in rows])], empty="(no cases)")

    def chart_categories(self) -> list[str]:
        return self.chart_view.categories()

    @classmethod
    def show_for(cls, ctx: AppContext, parent: QWidget | None) -> None:
        dialog = cls(ctx, parent)
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()


class CategoriesDialog(QDialog):
    """The case categories a manager keeps: add, rename, retire (kept on the cases that use it,
    no longer offered) or bring back."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("caseCategories")
        self.setWindowTitle("Case categories")
        heading = QLabel("Case categories")
        heading.setProperty("role", "heading")
        self.list = QListWidget()
        self.list.setObjectName("categoryList")
        self.list.currentRowChanged.connect(lambda _r: self._selected())
        self.name_edit = line("categoryName", "Name of a new category, or the new name of the one chosen")
        self.name_edit.returnPressed.connect(self.add)
        self.add_button = QPushButton("Add  (Enter)")
        self.rename_button = QPushButton("Rename")
        self.retire_button = QPushButton("Retire")
        for b, slot in ((self.add_button, self.add), (self.rename_button, self.rename), (self.retire_button, self.toggle)):
            b.setMinimumHeight(38)
            b.setAutoDefault(False)
            b.clicked.connect(slot)
        row = QHBoxLayout()
        row.addWidget(self.name_edit, 1)
        for b in (self.add_button, self.rename_button, self.retire_button):
            row.addWidget(b)
        self.error = QLabel("")
        self.error.setObjectName("categoryError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        close = QPushButton("Close (Esc)")
        close.setAutoDefault(False)
        close.setMinimumHeight(40)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addLayout(bottom)
        self.resize(640, 480)
        self.load()
        self.name_edit.setFocus()

    def load(self, select: int | None = None) -> None:
        self.list.clear()
        for c in cases_service.list_categories(include_inactive=True):
            text = f"{c.name}  ·  {c.cases} case{'s' if c.cases != 1 else ''}" + ("" if c.active else "  (retired)")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, c)
            self.list.addItem(item)
            if c.id == select:
                self.list.setCurrentItem(item)
        self._selected()

    def names(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole).name for i in range(self.list.count())]

    def current(self):
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, name: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole).name == name:
                self.list.setCurrentRow(i)

    def _selected(self) -> None:
        c = self.current()
        self.rename_button.setEnabled(c is not None)
        self.retire_button.setEnabled(c is not None)
        self.retire_button.setText("Bring back" if c is not None and not c.active else "Retire")

    def _run(self, call, *args) -> bool:
        self.error.hide()
        try:
            row = call(self.ctx.staff, *args)
        except DeskError as err:
            self.error.setText(describe(err))
            self.error.show()
            return False
        self.name_edit.clear()
        self.load(select=row.id)
        self.ctx.events.emit_changed("cases")
        return True

    def add(self) -> bool:
        return self._run(cases_service.add_category, self.name_edit.text())

    def rename(self) -> bool:
        c = self.current()
        return c is not None and self._run(cases_service.rename_category, c.id, self.name_edit.text())

    def toggle(self) -> bool:
        c = self.current()
        return c is not None and self._run(cases_service.set_category_active, c.id, not c.active)

    @classmethod
    def show_for(cls, ctx: AppContext, parent: QWidget | None) -> None:
        dialog = cls(ctx, parent)
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()
