"""One sale as the desk shows it: header, lines with what is left to return, tenders, totals.

``SaleDetailPanel`` is embedded in the Sale lookup screen; ``SaleDetailDialog`` shows the
same panel on its own (e.g. from another screen).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.money import format_money
from desk.services.sale_lookup import SaleView
from desk.ui.tables.sales_table import local_time_text
from desk.ui.widgets import style

AMBER = QColor("#9a5b00")
MUTED = QColor("#5b6675")

SOURCES = {"demo": "Demo store", "canonical": "Till file", "shopify": "Shopify export", "square": "Square export",
           "exchange": "Exchange at the desk"}


def _label(text: str = "", role: str | None = None, name: str | None = None) -> QLabel:
    return style.label(text, role, name, selectable=True)


def _rate_text(rate) -> str:
    text = format(rate, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


class SaleDetailPanel(QWidget):
    """Shows one SaleView; ``show_sale(None)`` shows the hint instead."""

    LINE_COLUMNS = ("#", "Item", "Qty", "Returned", "Left", "Price", "Paid")
    (C_NO, C_DESC, C_QTY, C_RETURNED, C_RETURNABLE, C_UNIT, C_PAID) = range(7)

    def __init__(self, parent: QWidget | None = None, *, locale: str = "en_GB",
                 hint: str = "Search for a sale, or scan its receipt (F2), to see it here."):
        super().__init__(parent)
        self.setObjectName("saleDetail")
        self.locale = locale
        self.sale: SaleView | None = None

        self.stack = QStackedWidget(self)
        self.hint = _label(hint, "muted", "saleDetailHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.stack.addWidget(self.hint)

        content = QFrame()
        content.setProperty("role", "card")
        body = QVBoxLayout(content)
        body.setContentsMargins(18, 14, 18, 14)
        body.setSpacing(10)

        top = QHBoxLayout()
        self.receipt_label = _label("", "heading", "saleReceipt")
        self.when_label = _label("", "subheading", "saleWhen")
        top.addWidget(self.receipt_label)
        top.addStretch(1)
        top.addWidget(self.when_label)
        body.addLayout(top)

        # A voided sale says so first, in red: when, by whom and why.
        self.void_label = _label("", "error", "saleVoided")
        self.void_label.setWordWrap(True)
        self.void_label.hide()
        body.addWidget(self.void_label)

        facts = QGridLayout()
        facts.setHorizontalSpacing(14)
        facts.setVerticalSpacing(4)
        self.till_label = _label(name="saleTill")
        self.cashier_label = _label(name="saleCashier")
        self.customer_label = _label(name="saleCustomer")
        self.customer_label.setWordWrap(True)
        self.source_label = _label(name="saleSource")
        self.source_label.setWordWrap(True)  # a long source wraps rather than widen the panel
        for col, (title, value) in enumerate((("Till", self.till_label), ("Cashier", self.cashier_label))):
            facts.addWidget(_label(title, "muted"), 0, col * 2)
            facts.addWidget(value, 0, col * 2 + 1)
        facts.addWidget(_label("Source", "muted"), 0, 4)
        facts.addWidget(self.source_label, 0, 5)
        facts.addWidget(_label("Customer", "muted"), 1, 0)
        facts.addWidget(self.customer_label, 1, 1, 1, 5)
        facts.setColumnStretch(5, 1)
        body.addLayout(facts)

        self.lines = QTableWidget(0, len(self.LINE_COLUMNS))
        self.lines.setObjectName("saleLines")
        self.lines.setHorizontalHeaderLabels(list(self.LINE_COLUMNS))
        self.lines.horizontalHeaderItem(self.C_RETURNABLE).setToolTip("Units that can still be returned")
        self.lines.horizontalHeaderItem(self.C_PAID).setToolTip(
            "What the customer paid for the line: after its discount and its share of the order discount, tax included"
        )
        self.lines.verticalHeader().hide()
        self.lines.verticalHeader().setDefaultSectionSize(32)
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines.setAlternatingRowColors(True)
        # the Item column is narrow beside the Sales list: a long name wraps onto more lines
        # (a sale has a handful of lines, so sizing its rows to their text is cheap)
        self.lines.setWordWrap(True)
        self.lines.verticalHeader().setMinimumSectionSize(32)
        self.lines.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        header = self.lines.horizontalHeader()
        header.setHighlightSections(False)
        header.setMinimumSectionSize(36)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.C_DESC, QHeaderView.ResizeMode.Stretch)
        for col, width in ((self.C_NO, 32), (self.C_QTY, 46), (self.C_RETURNED, 92), (self.C_RETURNABLE, 48)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(col, width)
        header.sectionResized.connect(self._fit_rows)
        body.addWidget(_label("Lines", "subheading"))
        body.addWidget(self.lines, 1)

        bottom = QHBoxLayout()
        bottom.setSpacing(12)  # the panel's narrowest is what leaves room for the Sales list's columns
        tenders_box = QVBoxLayout()
        tenders_box.setSpacing(4)
        tenders_box.addWidget(_label("Paid by", "subheading"))
        self.tenders_grid = QGridLayout()
        self.tenders_grid.setHorizontalSpacing(24)
        self.tenders_grid.setVerticalSpacing(2)
        self.tenders_grid.setColumnStretch(2, 1)
        tenders_box.addLayout(self.tenders_grid)
        tenders_box.addStretch(1)
        bottom.addLayout(tenders_box, 1)

        totals = QGridLayout()
        totals.setHorizontalSpacing(16)
        totals.setVerticalSpacing(2)
        self.subtotal_label = _label(name="saleSubtotal")
        self.discount_label = _label(name="saleDiscount")
        self.tax_label = _label(name="saleTax")
        self.total_label = _label(name="saleTotal")
        font = self.total_label.font()
        font.setBold(True)
        font.setPointSizeF(max(font.pointSizeF(), 11) * 1.25)
        self.total_label.setFont(font)
        self.total_title = _label("Total")
        self.total_title.setFont(font)
        self.tax_title = _label("Tax", "muted")
        for r, (title, value) in enumerate((
            (_label("Subtotal", "muted"), self.subtotal_label),
            (_label("Discounts", "muted"), self.discount_label),
            (self.tax_title, self.tax_label),
            (self.total_title, self.total_label),
        )):
            totals.addWidget(title, r, 0)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            totals.addWidget(value, r, 1)
        bottom.addLayout(totals)
        body.addLayout(bottom)

        self.stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    # -- showing --------------------------------------------------------------------------
    def money(self, minor: int) -> str:
        return format_money(minor, self.sale.currency if self.sale else "GBP", self.locale)

    def paid_explained(self, line) -> str:
        parts = [f"{line.qty} × {self.money(line.unit_price)}"]
        if line.line_discount:
            parts.append(f"− line discount {self.money(line.line_discount)}")
        if line.order_discount_share:
            parts.append(f"− share of the order discount {self.money(line.order_discount_share)}")
        return (" ".join(parts) + f" = {self.money(line.paid)} paid"
                + f"\nTax {self.money(line.tax_amount)} at {_rate_text(line.tax_rate)}")

    def _fit_rows(self, *_args) -> None:
        """Rows as tall as their wrapped item names (at least the usual 32 pixels)."""
        if self.lines.rowCount():
            self.lines.resizeRowsToContents()

    def show_sale(self, sale: SaleView | None) -> None:
        self.sale = sale
        if sale is None:
            self.stack.setCurrentIndex(0)
            return
        self.receipt_label.setText(sale.receipt)
        self.when_label.setText(local_time_text(sale.sold_at, self.locale, "medium"))
        self.when_label.setToolTip(local_time_text(sale.sold_at, self.locale, "full"))
        self.till_label.setText(sale.till or "—")
        self.cashier_label.setText(sale.cashier or "—")
        self.source_label.setText(SOURCES.get(sale.source, sale.source))
        if sale.customer:
            parts = [sale.customer.name] + [p for p in (sale.customer.email, sale.customer.phone) if p]
            self.customer_label.setText(" · ".join(parts))
        else:
            self.customer_label.setText("No customer recorded")

        self.lines.setRowCount(len(sale.lines))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for r, line in enumerate(sale.lines):
            values = {
                self.C_NO: (str(line.line_no), right),
                self.C_DESC: (line.description, None),
                self.C_QTY: (str(line.qty), right),
                self.C_RETURNED: (str(line.returned_qty), right),
                self.C_RETURNABLE: (str(line.returnable_qty), right),
                self.C_UNIT: (self.money(line.unit_price), right),
                self.C_PAID: (self.money(line.paid), right),
            }
            for c, (text, align) in values.items():
                item = QTableWidgetItem(text)
                if align is not None:
                    item.setTextAlignment(align)
                if c == self.C_RETURNED and line.returned_qty:
                    item.setForeground(AMBER)
                    item.setToolTip(f"{line.returned_qty} of {line.qty} already returned")
                if c == self.C_RETURNABLE and not line.returnable_qty:
                    item.setForeground(MUTED)
                    item.setToolTip("Nothing left to return on this line")
                if c == self.C_DESC:
                    item.setToolTip(f"{line.description}\nSKU {line.sku or '—'}" + (f" · barcode {line.barcode}" if line.barcode else ""))
                if c == self.C_PAID:
                    item.setToolTip(self.paid_explained(line))
                if c == self.C_RETURNABLE:
                    item.setToolTip(item.toolTip() or f"{line.returnable_qty} of {line.qty} can still be returned")
                self.lines.setItem(r, c, item)
        self._fit_rows()

        while self.tenders_grid.count():
            item = self.tenders_grid.takeAt(0)
            if item.widget():
                item.widget().hide()
                item.widget().deleteLater()
        row = 0
        for n, tender in enumerate(sale.tenders):
            name = _label(tender.label, name=f"tender{n}")
            # The bullets may come from a fallback font the size hint does not measure.
            name.setMinimumWidth(name.fontMetrics().horizontalAdvance(tender.label) + 16)
            amount = _label(self.money(tender.amount))
            amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tenders_grid.addWidget(name, row, 0)
            self.tenders_grid.addWidget(amount, row, 1)
            row += 1
            if tender.reference:
                ref = _label(f"Ref. {tender.reference}", "muted")
                self.tenders_grid.addWidget(ref, row, 0, 1, 2)
                row += 1
        if not sale.tenders:
            self.tenders_grid.addWidget(_label("No tenders recorded", "muted"), 0, 0)

        self.subtotal_label.setText(self.money(sale.subtotal))
        self.discount_label.setText(f"−{self.money(sale.discount_total)}" if sale.discount_total else self.money(0))
        self.tax_title.setText("Tax (included)")
        self.tax_label.setText(self.money(sale.tax_total))
        self.total_label.setText(self.money(sale.total))
        font = self.total_label.font()
        font.setStrikeOut(sale.voided)
        self.total_label.setFont(font)
        self.void_label.setText(self.void_text(sale))
        self.void_label.setVisible(sale.voided)
        self.stack.setCurrentIndex(1)

    def void_text(self, sale: SaleView) -> str:
        """'Voided 23 Nov 2026, 14:05 by Maja Manager: why. It no longer counts and cannot be returned.'"""
        if not sale.voided:
            return ""
        text = "Voided"
        if sale.voided_at is not None:
            text += " " + local_time_text(sale.voided_at, self.locale, "medium")
        if sale.voided_by:
            text += f" by {sale.voided_by}"
        if sale.void_reason:
            text += f": {sale.void_reason}"
        return text + ". This sale no longer counts in the figures and cannot be returned."

    # -- what a test or another screen reads ---------------------------------------------
    def line_texts(self) -> list[list[str]]:
        return [
            [self.lines.item(r, c).text() if self.lines.item(r, c) else "" for c in range(self.lines.columnCount())]
            for r in range(self.lines.rowCount())
        ]

    def tender_texts(self) -> list[str]:
        """The tenders as shown: 'Visa •••• 4242', 'Cash' (not their references)."""
        out = []
        for r in range(self.tenders_grid.rowCount()):
            item = self.tenders_grid.itemAtPosition(r, 0)
            widget = item.widget() if item else None
            if widget is not None and widget.objectName().startswith("tender"):
                out.append(widget.text())
        return out


class SaleDetailDialog(QDialog):
    """The sale on its own, e.g. opened from another screen. Esc closes."""

    def __init__(self, sale: SaleView, parent: QWidget | None = None, *, locale: str = "en_GB"):
        super().__init__(parent)
        self.setWindowTitle(f"Sale {sale.receipt}")
        self.resize(980, 620)
        self.panel = SaleDetailPanel(self, locale=locale)
        self.panel.show_sale(sale)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel, 1)
        layout.addWidget(buttons)
