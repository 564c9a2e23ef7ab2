"""Staff screen: who may sign in at the desk; admins add, deactivate, reset PINs, change roles."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError, NotAllowed
from desk.services import auth
from desk.services import staff as staff_service
from desk.services.staff import StaffRow
from desk.ui import messages
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.dialogs.staff_edit import AddStaffDialog, ChangeRoleDialog, ResetPinDialog
from desk.ui.screens.base import Screen
from desk.ui.tables.staff_table import StaffTableModel


def _big_button(text: str, shortcut: str, tip: str) -> QPushButton:
    keys = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
    button = QPushButton(f"{text}   {keys}")
    button.setShortcut(QKeySequence(shortcut))
    button.setToolTip(f"{tip} ({keys})")
    button.setMinimumHeight(48)
    button.setMinimumWidth(220)
    return button


class StaffScreen(Screen):
    title = "Staff"
    action_name = "screen.staff"
    permission = "staff.view"
    keys = (
        ScreenKey("Ctrl+N", "Add a staff member"),
        ScreenKey("Ctrl+D", "Deactivate or reactivate the staff member"),
        ScreenKey("Ctrl+R", "Reset the staff member's PIN"),
        ScreenKey("Ctrl+E", "Change the staff member's role"),
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("staffScreen")

        heading = QLabel("Staff")
        heading.setObjectName("screenTitle")
        heading.setProperty("role", "heading")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("screenSubtitle")
        self.subtitle.setProperty("role", "muted")
        self.subtitle.setWordWrap(True)

        self.model = StaffTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("staffTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(36)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setStyleSheet("QTableView::item { padding-left: 10px; padding-right: 10px; }")
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(StaffTableModel.CODE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(StaffTableModel.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(StaffTableModel.ROLE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(StaffTableModel.STATUS, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(StaffTableModel.CODE, 120)
        header.resizeSection(StaffTableModel.ROLE, 180)
        header.resizeSection(StaffTableModel.STATUS, 160)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.table.doubleClicked.connect(lambda *_: self.reset_pin())

        self.add_button = _big_button("Add staff…", "Ctrl+N", "Add a staff member")
        self.add_button.setObjectName("primaryButton")
        self.add_button.setProperty("primary", True)
        self.active_button = _big_button("Deactivate…", "Ctrl+D", "Deactivate or reactivate the selected staff member")
        self.reset_button = _big_button("Reset PIN…", "Ctrl+R", "Set a new PIN for the selected staff member; unlocks a locked account")
        self.role_button = _big_button("Change role…", "Ctrl+E", "Change what the selected staff member may do")
        self.add_button.clicked.connect(self.add_staff)
        self.active_button.clicked.connect(self.toggle_active)
        self.reset_button.clicked.connect(self.reset_pin)
        self.role_button.clicked.connect(self.change_role)

        self.hint = QLabel()
        self.hint.setObjectName("screenHint")
        self.hint.setProperty("role", "muted")
        self.hint.setWordWrap(True)

        buttons = QVBoxLayout()
        buttons.setSpacing(12)
        for b in (self.add_button, self.active_button, self.reset_button, self.role_button):
            buttons.addWidget(b)
        buttons.addSpacing(8)
        buttons.addWidget(self.hint)
        buttons.addStretch(1)

        body = QHBoxLayout()
        body.setSpacing(20)
        body.addWidget(self.table, 1)
        body.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(self.subtitle)
        layout.addLayout(body, 1)

        ctx.events.changed.connect(self._on_changed)
        # Bound methods (not lambdas): Qt drops them when this screen is deleted.
        ctx.events.session_changed.connect(self._on_session_changed)
        self.refresh()

    # -- messages tests can monkeypatch -------------------------------------------
    @classmethod
    def show_refusal(cls, parent: QWidget | None, error: DeskError) -> None:
        """Tell the user why a change was refused (the one message box helper)."""
        messages.show_error(parent, error)

    @classmethod
    def confirm(cls, parent: QWidget | None, title: str, message: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, message, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Yes

    # -- state ---------------------------------------------------------------------
    def can_manage(self) -> bool:
        return auth.can(self.ctx.staff, "staff.manage")

    def activated(self) -> None:
        self.refresh()

    def _on_changed(self, kind: str) -> None:
        if kind == "staff":
            self.refresh()

    def _on_session_changed(self, _staff: object) -> None:
        self.refresh()

    def refresh(self) -> None:
        keep = self.selected_code()
        try:
            rows = staff_service.list_staff(self.ctx.staff)
        except NotAllowed as err:
            rows = []
            self.subtitle.setText(str(err))
        else:
            active = sum(1 for r in rows if r.active)
            self.subtitle.setText(f"{len(rows)} staff member{'s' if len(rows) != 1 else ''}, {active} active. "
                                  "Select a row, then choose what to do.")
        self.model.set_rows(rows)
        row = self.model.row_of_code(keep) if keep else -1
        if row < 0 and rows:
            row = 0
        if row >= 0:
            self.select_row(row)
        self._update_buttons()

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )

    def select_code(self, code: str) -> None:
        row = self.model.row_of_code(code)
        if row >= 0:
            self.select_row(row)

    def selected_row(self) -> StaffRow | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def selected_code(self) -> str | None:
        row = self.selected_row()
        return row.code if row else None

    def _update_buttons(self) -> None:
        manage = self.can_manage()
        row = self.selected_row()
        self.add_button.setEnabled(manage)
        for b in (self.active_button, self.reset_button, self.role_button):
            b.setEnabled(manage and row is not None)
        keys = self.active_button.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        verb = "Reactivate…" if row is not None and not row.active else "Deactivate…"
        self.active_button.setText(f"{verb}   {keys}")
        if manage:
            self.hint.setText("Deactivated staff cannot sign in; their history stays. "
                              "Reset PIN also unlocks a locked account.")
        else:
            self.hint.setText("Only an admin can add staff, deactivate them, reset PINs or change roles.")

    # -- doing things --------------------------------------------------------------
    def _done(self, code: str | None) -> None:
        """After a change: tell everyone (the main window refreshes the session if it was ours) and refresh."""
        self.ctx.events.emit_changed("staff")
        if code:
            self.select_code(code)
        self._update_buttons()

    def _attempt(self, job) -> bool:
        """Run a service call; show a refusal in a message box. True when it was done."""
        try:
            job()
        except DeskError as err:
            self.show_refusal(self, err)
            self.refresh()
            return False
        return True

    def add_staff(self) -> None:
        if not self.add_button.isEnabled():
            return

        def submit(values: dict) -> None:
            staff_service.add_staff(self.ctx.staff, values["code"], values["name"], values["role"], values["pin"])

        values = AddStaffDialog.ask(self, submit)
        if values:
            self._done(values["code"])

    def toggle_active(self) -> None:
        row = self.selected_row()
        if row is None or not self.active_button.isEnabled():
            return
        if row.active:
            ok = self.confirm(self, "Deactivate staff",
                              f"Deactivate {row.name} ({row.code})? They will not be able to sign in until reactivated.")
        else:
            ok = self.confirm(self, "Reactivate staff", f"Reactivate {row.name} ({row.code})? They will be able to sign in again.")
        if ok and self._attempt(lambda: staff_service.set_active(self.ctx.staff, row.code, not row.active)):
            self._done(row.code)

    def reset_pin(self) -> None:
        row = self.selected_row()
        if row is None or not self.reset_button.isEnabled():
            return

        def submit(pin: str) -> None:
            staff_service.reset_pin(self.ctx.staff, row.code, pin)

        if ResetPinDialog.ask(self, row.name, submit) is not None:
            self._done(row.code)

    def change_role(self) -> None:
        row = self.selected_row()
        if row is None or not self.role_button.isEnabled():
            return
        role = ChangeRoleDialog.ask(self, row.name, row.role)
        if role is None or role == row.role:
            return
        if self._attempt(lambda: staff_service.set_role(self.ctx.staff, row.code, role)):
            self._done(row.code)

