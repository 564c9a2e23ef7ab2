"""Sign in with a staff code and a PIN: at start-up, to switch user, and to unlock the desk."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.errors import AuthFailed, DeskError
from desk.models import Staff
from desk.services import auth
from desk.services.store import current_store
from desk.ui.context import AppContext

START, SWITCH, LOCK = "start", "switch", "lock"


class SignInDialog(QDialog):
    """Staff code + PIN. ``staff`` holds who signed in once the dialog is accepted.

    ``mode`` is START (Esc quits the app), SWITCH (Esc keeps the current person) or LOCK
    (the desk is locked: Esc does nothing, someone has to sign in).
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, mode: str = START,
                 current: Staff | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.mode = mode
        self.current = current
        self.staff: Staff | None = None
        store = current_store()
        self.setObjectName("signInDialog")
        self.setWindowTitle("Desk: sign in" if mode != LOCK else "Desk is locked")
        self.setModal(True)

        outer = QHBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 24)
        outer.setSpacing(28)

        left = QVBoxLayout()
        left.setSpacing(12)
        heading = QLabel({START: "Sign in", SWITCH: "Switch user", LOCK: "Desk is locked"}[mode])
        heading.setProperty("role", "heading")
        left.addWidget(heading)
        if store is not None:
            where = QLabel(f"{store.name} · store {store.code}")
            where.setProperty("role", "muted")
            where.setObjectName("storeLabel")
            left.addWidget(where)
        if mode == LOCK and current is not None:
            note = QLabel(f"{current.name} was signed in. {current.name.split()[0]} or anyone else can sign in to continue.")
        elif mode == SWITCH and current is not None:
            note = QLabel(f"{current.name} is signed in. Sign in as someone else, or press Esc to go back.")
        else:
            note = QLabel("Enter your staff code and PIN.")
        note.setWordWrap(True)
        note.setObjectName("signInNote")
        left.addWidget(note)

        form = QFormLayout()
        form.setSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.code_edit = QLineEdit(self)
        self.code_edit.setObjectName("staffCode")
        self.code_edit.setPlaceholderText("e.g. 100")
        self.code_edit.setMaxLength(16)
        self.code_edit.setValidator(QRegularExpressionValidator(QRegularExpression("[A-Za-z0-9]{0,16}"), self))
        self.pin_edit = QLineEdit(self)
        self.pin_edit.setObjectName("pin")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setMaxLength(8)
        self.pin_edit.setPlaceholderText("4 to 8 digits")
        self.pin_edit.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]{0,8}"), self))
        for edit in (self.code_edit, self.pin_edit):
            edit.setMinimumWidth(260)
            edit.setMinimumHeight(38)
        form.addRow("Staff code", self.code_edit)
        form.addRow("PIN", self.pin_edit)
        left.addLayout(form)

        self.error_label = QLabel("", self)
        self.error_label.setObjectName("signInError")
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.setMinimumHeight(48)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        left.addWidget(self.error_label)

        buttons = QHBoxLayout()
        if mode == SWITCH:
            self.cancel_button = QPushButton("Back (Esc)", self)
            self.cancel_button.setAutoDefault(False)
            self.cancel_button.clicked.connect(self.reject)
            buttons.addWidget(self.cancel_button)
        elif mode == START:
            self.cancel_button = QPushButton("Quit (Esc)", self)
            self.cancel_button.setAutoDefault(False)
            self.cancel_button.clicked.connect(self.reject)
            buttons.addWidget(self.cancel_button)
        else:
            self.cancel_button = QPushButton("Sign out and quit", self)
            self.cancel_button.setAutoDefault(False)
            self.cancel_button.clicked.connect(self.quit_desk)
            buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.sign_in_button = QPushButton("Sign in", self)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setProperty("primary", True)
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setAutoDefault(True)
        self.sign_in_button.setMinimumWidth(180)
        self.sign_in_button.clicked.connect(self.try_sign_in)
        buttons.addWidget(self.sign_in_button)
        left.addLayout(buttons)
        left.addStretch(1)
        outer.addLayout(left, 2)

        self.demo_panel: QFrame | None = None
        if store is not None and store.is_demo:
            self.demo_panel = self._demo_panel()
            outer.addWidget(self.demo_panel, 3)

        if current is not None and mode == LOCK:
            self.code_edit.setText(current.code)
            self.pin_edit.setFocus()
        else:
            self.code_edit.setFocus()
        self.setMinimumWidth(1040 if self.demo_panel else 480)

    def _demo_panel(self) -> QFrame:
        from desk.services.demo import DEMO_STAFF

        panel = QFrame(self)
        panel.setObjectName("demoPanel")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(16, 14, 16, 14)
        title = QLabel("Demo store: try these")
        title.setProperty("role", "subheading")
        layout.addWidget(title)
        hint = QLabel("This is a demo store, so its staff PINs are shown here. Click a row to fill it in.")
        hint.setWordWrap(True)
        hint.setProperty("role", "muted")
        layout.addWidget(hint)
        table = QTableWidget(len(DEMO_STAFF), 4, panel)
        table.setObjectName("demoStaff")
        table.setHorizontalHeaderLabels(["Code", "Name", "Role", "PIN"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for row, person in enumerate(DEMO_STAFF):
            for col, text in enumerate((person.code, person.name, auth.ROLES.get(person.role, person.role), person.pin)):
                table.setItem(row, col, QTableWidgetItem(text))
        header = table.horizontalHeader()
        for col in (0, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setDefaultSectionSize(32)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setMinimumHeight(32 * len(DEMO_STAFF) + 44)
        table.cellClicked.connect(lambda row, _col: self.fill_demo(row))
        layout.addWidget(table)
        self.demo_table = table
        return panel

    def fill_demo(self, row: int) -> None:
        from desk.services.demo import DEMO_STAFF

        person = DEMO_STAFF[row]
        self.code_edit.setText(person.code)
        self.pin_edit.setText(person.pin)
        self.sign_in_button.setFocus()

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)

    def try_sign_in(self) -> bool:
        code = self.code_edit.text().strip()
        pin = self.pin_edit.text().strip()
        if not code:
            self.show_error("Enter your staff code.")
            self.code_edit.setFocus()
            return False
        if not (4 <= len(pin) <= 8 and pin.isdigit()):
            self.show_error("Enter your PIN: 4 to 8 digits.")
            self.pin_edit.setFocus()
            return False
        try:
            staff = auth.sign_in(code, pin)
        except AuthFailed as exc:
            self.show_error(str(exc))
            self.pin_edit.clear()
            self.pin_edit.setFocus()
            return False
        except DeskError as exc:
            self.show_error(str(exc))
            return False
        self.staff = staff
        self.error_label.clear()
        self.accept()
        return True

    def quit_desk(self) -> None:
        """From the lock: nobody signs in, the app closes (the caller signs the person out)."""
        super().reject()

    def reject(self) -> None:
        if self.mode == LOCK:
            return  # the desk stays locked until someone signs in
        super().reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.mode == LOCK:
            event.accept()
            return
        super().keyPressEvent(event)

    @classmethod
    def get_staff(cls, ctx: AppContext, parent: QWidget | None = None, *, mode: str = START,
                  current: Staff | None = None) -> Staff | None:
        """Show the dialog; the staff member who signed in, or None when it was cancelled."""
        dialog = cls(ctx, parent, mode=mode, current=current)
        dialog.exec()
        staff = dialog.staff
        dialog.deleteLater()
        return staff
