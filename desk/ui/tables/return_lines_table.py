"""The lines of a return being taken: what was sold, already returned and still returnable,
and what the clerk chose (quantity, reason, condition, what happens to it) with the refund
the service worked out for it.

The quantity column is editable (a number, or + / - on the table); the other choices are
made in the screen's line editor. The numbers here only steer the screen: the returns
service recomputes what is returnable when the return is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from desk.money import format_money
from desk.services.policy import DISPOSITION_LABELS

CONDITION_LABELS = {"unopened": "Unopened", "opened": "Opened", "damaged": "Damaged", "defective": "Defective"}

Index = QModelIndex | QPersistentModelIndex


@dataclass
class LineChoice:
    """One row: a sale line (``sale_line_id``) or, without a receipt, a product or a described item."""

    description: str
    sold: int | None  # None without a sale
    returned: int
    returnable: int | None  # None without a sale: no limit the screen knows of
    paid: int = 0  # what the sale line paid, all units (0 without a sale)
    line_no: int = 0
    sku: str = ""
    sale_line_id: int | None = None
    product_id: int | None = None
    unit_value: int | None = None  # without a sale: what one unit is worth
    quantity: int = 0
    reason: str = ""
    reason_text: str = ""
    condition: str = "unopened"
    disposition: str = "stock"
    refund: int | None = None  # from the service's preview
    fee: int = 0


class ReturnLinesModel(QAbstractTableModel):
    COLUMNS = ("#", "Item", "Sold", "Returned", "Left", "Return", "Reason · state", "Refund")
    (C_NO, C_ITEM, C_SOLD, C_RETURNED, C_RETURNABLE, C_QTY, C_REASON, C_REFUND) = range(8)

    # Something the clerk chose changed: the screen asks the service again.
    choices_changed = Signal()

    def __init__(self, parent=None, *, currency: str = "GBP", locale: str = "en_GB"):
        super().__init__(parent)
        self.currency = currency
        self.locale = locale
        self.rows: list[LineChoice] = []
        self.reason_labels: dict[str, str] = {}

    # -- filling ------------------------------------------------------------------------------
    def set_lines(self, rows: list[LineChoice]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()
        self.choices_changed.emit()

    def add_line(self, row: LineChoice) -> None:
        n = len(self.rows)
        self.beginInsertRows(QModelIndex(), n, n)
        self.rows.append(row)
        self.endInsertRows()
        self.choices_changed.emit()

    def remove_line(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()
            self.choices_changed.emit()

    def clear(self) -> None:
        self.set_lines([])

    def chosen(self) -> list[LineChoice]:
        """The rows with a quantity to return."""
        return [r for r in self.rows if r.quantity > 0]

    def row(self, n: int) -> LineChoice | None:
        return self.rows[n] if 0 <= n < len(self.rows) else None

    # -- changing -----------------------------------------------------------------------------
    def set_quantity(self, n: int, quantity: int) -> bool:
        """Within 0..returnable (the service checks again); False when nothing changed."""
        row = self.row(n)
        if row is None:
            return False
        top = row.returnable if row.returnable is not None else 9999
        quantity = max(0, min(int(quantity), top))
        if quantity == row.quantity:
            return False
        row.quantity = quantity
        if quantity == 0:
            row.refund = None
            row.fee = 0
        self._row_changed(n)
        self.choices_changed.emit()
        return True

    def step_quantity(self, n: int, delta: int) -> bool:
        row = self.row(n)
        return self.set_quantity(n, row.quantity + delta) if row is not None else False

    def set_choice(self, n: int, **values) -> None:
        """reason, reason_text, condition, disposition of row ``n``."""
        row = self.row(n)
        if row is None:
            return
        changed = False
        for key, value in values.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
                changed = True
        if changed:
            self._row_changed(n)
            if row.quantity:
                self.choices_changed.emit()

    def apply_preview(self, lines) -> None:
        """The service's figures for the chosen rows (PreviewLines, in the order of ``chosen()``)."""
        chosen = self.chosen()
        for row, line in zip(chosen, lines):
            row.refund = line.refund
            row.fee = line.fee
            if row.sold is not None:
                row.sold = line.sold
                row.returned = line.returned
                row.returnable = line.returnable
        for row in self.rows:
            if row.quantity == 0:
                row.refund = None
                row.fee = 0
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.COLUMNS) - 1))

    def _row_changed(self, n: int) -> None:
        self.dataChanged.emit(self.index(n, 0), self.index(n, len(self.COLUMNS) - 1))

    # -- Qt -----------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(self.COLUMNS):
                return self.COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return {
                self.C_RETURNED: "Returned before: at any desk, in any earlier return, or refunded at the till",
                self.C_RETURNABLE: "Units that can still be returned",
                self.C_QTY: "How many to take back: type a number, or + / -",
                self.C_REFUND: "What the service will refund for the line (what was paid, less any fee)",
            }.get(section)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and index.column() == self.C_QTY:
            row = self.row(index.row())
            if row is not None and (row.returnable is None or row.returnable > 0):
                return base | Qt.ItemFlag.ItemIsEditable
        return base

    def reason_state(self, row: LineChoice) -> str:
        """'Wrong size · Unopened · Back to stock' (the reason, the condition, what happens to it)."""
        label = self.reason_labels.get(row.reason, row.reason) if row.reason else "Choose a reason"
        if row.reason_text:
            label += f": {row.reason_text}"
        return " · ".join((label, CONDITION_LABELS.get(row.condition, row.condition),
                           DISPOSITION_LABELS.get(row.disposition, row.disposition)))

    def money(self, minor: int) -> str:
        return format_money(minor, self.currency, self.locale)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.row(index.row())
        if row is None:
            return None
        c = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if c == self.C_NO:
                return str(row.line_no) if row.line_no else "—"
            if c == self.C_ITEM:
                return row.description
            if c == self.C_SOLD:
                return "—" if row.sold is None else str(row.sold)
            if c == self.C_RETURNED:
                return "—" if row.sold is None else str(row.returned)
            if c == self.C_RETURNABLE:
                return "—" if row.returnable is None else str(row.returnable)
            if c == self.C_QTY:
                return str(row.quantity)
            if c == self.C_REASON:
                return self.reason_state(row) if row.quantity else ""
            if c == self.C_REFUND:
                return self.money(row.refund) if row.refund is not None and row.quantity else ""
            return None
        if role == Qt.ItemDataRole.EditRole and c == self.C_QTY:
            return row.quantity
        if role == Qt.ItemDataRole.TextAlignmentRole and c in (self.C_NO, self.C_SOLD, self.C_RETURNED,
                                                                   self.C_RETURNABLE, self.C_QTY, self.C_REFUND):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if c == self.C_RETURNED and row.returned:
                return QColor("#9a5b00")
            if row.returnable == 0:
                return QColor("#8a94a1")
            if c == self.C_REASON and row.quantity and not row.reason:
                return QColor("#b3261e")
        if role == Qt.ItemDataRole.FontRole and c == self.C_QTY and row.quantity:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and row.quantity:
            return QColor("#eaf1fb")
        if role == Qt.ItemDataRole.ToolTipRole:
            if c == self.C_ITEM:
                return f"{row.description}\nSKU {row.sku}" if row.sku else row.description
            if c == self.C_REASON and row.quantity:
                return self.reason_state(row)
            if c == self.C_REFUND and row.fee:
                return f"Less a restocking fee of {self.money(row.fee)}"
            if row.returnable == 0:
                return "Nothing left to return on this line"
        return None

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or index.column() != self.C_QTY or role != Qt.ItemDataRole.EditRole:
            return False
        try:
            quantity = int(str(value).strip() or 0)
        except ValueError:
            return False
        self.set_quantity(index.row(), quantity)
        return True
