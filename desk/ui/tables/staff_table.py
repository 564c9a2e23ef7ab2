"""The staff list as a table: code, name, role, status."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desk.services.staff import StaffRow
from desk.ui import theme

# The one look's three colours: green active, amber locked (needs an admin), red deactivated.
GREEN = QColor(theme.ALLOWED)
AMBER = QColor(theme.NEEDS_APPROVAL)
RED = QColor(theme.REFUSED)

ACTIVE, DEACTIVATED, LOCKED = "Active", "Deactivated", "Locked"


def status_of(row: StaffRow) -> str:
    if not row.active:
        return DEACTIVATED
    if row.locked:
        return LOCKED
    return ACTIVE


_STATUS_COLOUR = {ACTIVE: GREEN, LOCKED: AMBER, DEACTIVATED: RED}


class StaffTableModel(QAbstractTableModel):
    """Rows are desk.services.staff.StaffRow; the screen sets them after each refresh."""

    COLUMNS = ("Code", "Name", "Role", "Status")
    CODE, NAME, ROLE, STATUS = range(4)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[StaffRow] = []

    # -- data in -----------------------------------------------------------------
    def set_rows(self, rows: list[StaffRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> StaffRow | None:
        if 0 <= row < len(self._rows):
            return self._rows[row]
        return None

    def row_of_code(self, code: str) -> int:
        for i, r in enumerate(self._rows):
            if r.code == code:
                return i
        return -1

    # -- QAbstractTableModel -------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self.COLUMNS):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == self.CODE:
                return row.code
            if col == self.NAME:
                return row.name
            if col == self.ROLE:
                return row.role_label
            if col == self.STATUS:
                status = status_of(row)
                if role == Qt.ItemDataRole.ToolTipRole and status == LOCKED:
                    return "Locked after too many wrong PINs. Reset the PIN to unlock."
                return status
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.STATUS:
                return QBrush(_STATUS_COLOUR[status_of(row)])
            if not row.active:
                return QBrush(QColor(theme.MUTED))
        if role == Qt.ItemDataRole.UserRole:
            return row.code
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.TextAlignmentRole and orientation == Qt.Orientation.Horizontal:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.COLUMNS):
                return self.COLUMNS[section]
            return None
        return str(section + 1)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
