"""The approval queue's list: pending requests (desk.services.approvals.ApprovalView), oldest first."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from desk.money import format_money
from desk.services.approvals import ApprovalView
from desk.ui.tables.sales_table import local_time_text

AMBER = QColor("#9a5b00")
RED = QColor("#b3261e")


def what_is_asked(view: ApprovalView) -> str:
    return "Override a refusal" if view.is_override else "Approve"


class ApprovalsTableModel(QAbstractTableModel):
    COLUMNS = ("Asked", "Clerk", "Desk", "Return", "Amount", "Asks to", "Why")
    ASKED, CLERK, DESK, SUMMARY, AMOUNT, KIND, WHY = range(7)
    IdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None, *, locale: str = "en_GB"):
        super().__init__(parent)
        self.locale = locale
        self._rows: list[ApprovalView] = []

    def set_rows(self, rows: list[ApprovalView]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> ApprovalView | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, approval_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == approval_id), -1)

    def ids(self) -> list[int]:
        return [r.id for r in self._rows]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self.COLUMNS):
            return None
        v = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.ASKED:
                return local_time_text(v.created_at, self.locale)
            if col == self.CLERK:
                return f"{v.clerk_name} ({v.clerk_code})" if v.clerk_code else "—"
            if col == self.DESK:
                return v.desk_code
            if col == self.SUMMARY:
                return v.summary
            if col == self.AMOUNT:
                return format_money(v.amount, v.currency, self.locale)
            if col == self.KIND:
                return what_is_asked(v)
            if col == self.WHY:
                return "; ".join(v.reasons)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.WHY:
                return "\n".join(v.reasons) or None
            if col == self.SUMMARY:
                return v.summary or None
            if col == self.ASKED:
                return local_time_text(v.created_at, self.locale, "full")
            return None
        if role == Qt.ItemDataRole.ForegroundRole and col == self.KIND:
            return RED if v.is_override else AMBER
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col == self.AMOUNT:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == self.IdRole:
            return v.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.COLUMNS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
