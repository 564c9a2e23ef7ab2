"""Every QAction of the app in one table: its dotted name, its label and its default shortcut.

Screens are reached by F-keys: F3 Sales, F4 Return, F5 Exchange, F6 Orders, F7 Cases,
F8 Customers, F9 Staff, F10 Settings, F11 Today, F12 Archive.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class ActionSpec:
    name: str
    label: str
    shortcut: str = ""
    tip: str = ""


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("scan.focus", "Scan or type a code", "F2", "Receipt, document or voucher code"),
    ActionSpec("screen.home", "Today", "F11", "The store's day at a glance"),
    ActionSpec("screen.sales", "Sales", "F3", "Look up a sale by receipt, date, amount, customer or card"),
    ActionSpec("screen.returns", "Return", "F4", "Take goods back and refund them: scan the receipt, or No receipt…"),
    ActionSpec("screen.approvals", "Approvals", "Ctrl+F4", "Answer returns sent for a manager's approval"),
    ActionSpec("screen.returns_log", "Returns log", "Shift+F4", "Every return: filter, totals, export CSV, reprint, void"),
    ActionSpec("screen.exchange", "Exchange", "F5", "Goods back, other goods out, the difference settled: scan the receipt"),
    ActionSpec("screen.orders", "Orders", "F6", "Special orders: take, order, receive, contact, collect, cancel"),
    ActionSpec("screen.archive", "Archive", "F12", "Find and reprint any printed or saved document"),
    ActionSpec("screen.exchanges_log", "Exchange log", "Shift+F5", "Every exchange: filter, export CSV, reprint, void"),
    ActionSpec("screen.vouchers", "Vouchers", "Ctrl+F5", "Store credit: balances and ledgers; redeem, print, cancel"),
    ActionSpec("screen.cases", "Cases", "F7", "Complaints and enquiries: the board, deadlines, resolution, follow-up"),
    ActionSpec("screen.customers", "Customers", "F8", "Find, edit, merge or erase a customer; their timeline"),
    ActionSpec("screen.staff", "Staff", "F9", "Add staff, deactivate, reset PINs"),
    ActionSpec("screen.settings", "Settings", "F10", "Store, this desk, printing, return policy, vouchers, orders, email, cases, export"),
    ActionSpec("screen.head_office", "Head office", "Shift+F11", "Import the stores' bundles, coverage, reports across stores"),
    ActionSpec("session.lock", "Lock the desk", "Ctrl+L", "Hide the screen until someone signs in"),
    ActionSpec("session.switch_user", "Switch user", "Ctrl+U", "Let someone else sign in"),
    ActionSpec("session.sign_out", "Sign out", "Ctrl+Shift+Q", "Sign out and return to sign-in"),
    ActionSpec("session.change_pin", "Change my PIN", "", "Change the PIN you sign in with"),
    ActionSpec("app.quit", "Quit Desk", "Ctrl+Q", "Close the app"),
    ActionSpec("help.shortcuts", "Keyboard shortcuts", "F1", "Every shortcut in one list"),
)

BY_NAME: dict[str, ActionSpec] = {spec.name: spec for spec in ACTIONS}


@dataclass(frozen=True)
class ScreenKey:
    """A key that works on one screen only (listed under that screen in F1).

    ``method``: the screen's method the key calls, when Screen.install_keys makes the shortcut;
    empty when the screen wires the key itself (a button's shortcut, a key on one page only).
    ``shown``: how F1 writes the key when it is a family of keys (e.g. "Alt+1…6"), whose other
    members are ``more``. ``tip``: F1's "what for".
    """

    keys: str
    label: str
    method: str = ""
    shown: str = ""
    more: tuple[str, ...] = ()
    tip: str = ""

    def sequences(self) -> list[QKeySequence]:
        return [QKeySequence(k) for k in (self.keys, *self.more)]

    def text(self) -> str:
        if self.shown:
            return self.shown
        return QKeySequence(self.keys).toString(QKeySequence.SequenceFormat.NativeText)


def spec(name: str) -> ActionSpec:
    return BY_NAME[name]


def shortcut_text(name: str) -> str:
    """The shortcut as the user's platform writes it, e.g. 'F2' or 'Ctrl+L'."""
    seq = BY_NAME[name].shortcut if name in BY_NAME else ""
    return QKeySequence(seq).toString(QKeySequence.SequenceFormat.NativeText) if seq else ""


def create_actions(window: QWidget, table: tuple[ActionSpec, ...] = ACTIONS) -> dict[str, QAction]:
    """Create one QAction per row of ``table`` on ``window``, keyed by dotted name.

    The actions are added to the window so their shortcuts work from any widget in it.
    """
    actions: dict[str, QAction] = {}
    for row in table:
        action = QAction(row.label, window)
        action.setObjectName(row.name)
        if row.shortcut:
            action.setShortcut(QKeySequence(row.shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if row.tip:
            action.setToolTip(f"{row.tip} ({shortcut_text(row.name)})" if row.shortcut else row.tip)
            action.setStatusTip(row.tip)
        window.addAction(action)
        actions[row.name] = action
    return actions


class ShortcutsDialog(QDialog):
    """F1: every shortcut in one list: the app's (anywhere), then each screen's own keys."""

    def __init__(self, parent: QWidget | None = None, table: tuple[ActionSpec, ...] = ACTIONS,
                 screens: tuple[tuple[str, tuple[ScreenKey, ...]], ...] = ()):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setObjectName("shortcutsDialog")
        layout = QVBoxLayout(self)
        heading = QLabel("Keyboard shortcuts")
        heading.setProperty("role", "heading")
        layout.addWidget(heading)
        # (key, does, where, what for)
        rows = [(shortcut_text(r.name), r.label, "Anywhere", r.tip) for r in table if r.shortcut]
        for title, keys in screens:
            rows += [(key.text(), key.label, title, key.tip) for key in keys]
        self.table = QTableWidget(len(rows), 4, self)
        self.table.setHorizontalHeaderLabels(["Key", "Does", "Where", "What for"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setWordWrap(False)
        for i, row in enumerate(rows):
            for col, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(i, col, item)
        header = self.table.horizontalHeader()
        for col in (0, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 320)  # a long "does" is shortened (its tooltip has it all), not "what for"
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(1000, 640)

    def rows(self) -> list[tuple[str, ...]]:
        """What the list shows: (key, does, where, what for) per row."""
        return [tuple(self.table.item(r, c).text() for c in range(4)) for r in range(self.table.rowCount())]

    @classmethod
    def show_for(cls, parent: QWidget | None, screens: tuple[tuple[str, tuple[ScreenKey, ...]], ...] = ()) -> None:
        cls(parent, screens=screens).exec()
