"""What goes out in an exchange: the replacement items, their quantity (+ / - on the table), and
the price and stock the exchanges service worked out for them (never the screen's own sums).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from desk.money import format_money

Index = QModelIndex | QPersistentModelIndex


@dataclass
class ReplacementChoice:
    product_id: int
    sku: str
    description: str
    quantity: int = 1
    unit_price: int | None = None  # from the service's preview
    total: int | None = None
    stock_on_hand: int | None = None
    in_stock: bool = True


class ReplacementsModel(QAbstractTableModel):
    COLUMNS = ("Item", "SKU", "Qty", "Price", "Stock", "Total")
    (C_ITEM, C_SKU, C_QTY, C_PRICE, C_STOCK, C_TOTAL) = range(6)

    # The clerk changed what goes out: the screen asks the service again.
    choices_changed = Signal()

    def __init__(self, parent=None, *, currency: str = "GBP", locale: str = "en_GB"):
        super().__init__(parent)
        self.currency = currency
        self.locale = locale
        self.rows: list[ReplacementChoice] = []

    # -- filling and changing -----------------------------------------------------------------
    def clear(self) -> None:
        self.beginResetModel()
        self.rows = []
        self.endResetModel()
        self.choices_changed.emit()

    def add(self, product_id: int, sku: str, description: str, quantity: int = 1) -> int:
        """One more of a product (a new row, or the quantity of its row). Returns the row."""
        for n, row in enumerate(self.rows):
            if row.product_id == product_id:
                self.set_quantity(n, row.quantity + quantity)
                return n
        n = len(self.rows)
        self.beginInsertRows(QModelIndex(), n, n)
        self.rows.append(ReplacementChoice(product_id, sku, description, max(1, quantity)))
        self.endInsertRows()
        self.choices_changed.emit()
        return n

    def set_quantity(self, n: int, quantity: int) -> bool:
        """A quantity of 0 takes the row away."""
        if not 0 <= n < len(self.rows):
            return False
        quantity = max(0, min(int(quantity), 9999))
        if quantity == 0:
            self.beginRemoveRows(QModelIndex(), n, n)
            del self.rows[n]
            self.endRemoveRows()
        elif quantity == self.rows[n].quantity:
            return False
        else:
            self.rows[n].quantity = quantity
            self.dataChanged.emit(self.index(n, 0), self.index(n, len(self.COLUMNS) - 1))
        self.choices_changed.emit()
        return True

    def step_quantity(self, n: int, delta: int) -> bool:
        return self.set_quantity(n, self.rows[n].quantity + delta) if 0 <= n < len(self.rows) else False

    def apply_preview(self, lines) -> None:
        """The service's ReplacementPreview lines, in the order of the rows."""
        for row, line in zip(self.rows, lines):
            row.sku = line.sku
            row.description = line.description
            row.unit_price = line.unit_price
            row.total = line.total
            row.stock_on_hand = line.stock_on_hand
            row.in_stock = line.in_stock
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.COLUMNS) - 1))

    # -- Qt -----------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.C_QTY:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def _money(self, minor: int | None) -> str:
        return "" if minor is None else format_money(minor, self.currency, self.locale)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == self.C_ITEM:
                return row.description
            if col == self.C_SKU:
                return row.sku
            if col == self.C_QTY:
                return row.quantity if role == Qt.ItemDataRole.EditRole else str(row.quantity)
            if col == self.C_PRICE:
                return self._money(row.unit_price)
            if col == self.C_STOCK:
                return "" if row.stock_on_hand is None else str(max(0, row.stock_on_hand))
            if col == self.C_TOTAL:
                return self._money(row.total)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.C_QTY, self.C_PRICE, self.C_STOCK, self.C_TOTAL):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and not row.in_stock and col in (self.C_ITEM, self.C_STOCK):
            return QColor("#b3261e")
        if role == Qt.ItemDataRole.ToolTipRole:
            if not row.in_stock:
                return f"Only {max(0, row.stock_on_hand or 0)} in stock: the exchange cannot give {row.quantity}"
            stock = "" if row.stock_on_hand is None else f" · {max(0, row.stock_on_hand)} in stock"
            price = "" if row.unit_price is None else f" · {self._money(row.unit_price)} each"
            return f"{row.description} · SKU {row.sku}{price}{stock}"
        return None

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != self.C_QTY:
            return False
        try:
            quantity = int(str(value).strip())
        except ValueError:
            return False
        return self.set_quantity(index.row(), quantity)


__all__ = ["ReplacementChoice", "ReplacementsModel"]
