"""The scan field: a scanner (or a person) types a code and Enter; whatever it names opens.

Later features teach it codes with ``ScanEdit.register(handler)``: a handler takes the
code and returns True when it opened something. Handlers are tried in the order they
were registered; with none matching, the field says so.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from desk.errors import DeskError

ScanHandler = Callable[[str], bool]


def nothing_matches(code: str) -> str:
    return f"Nothing matches '{code}': scan a receipt, document or voucher code"


class ScanEdit(QLineEdit):
    # The code and the handler's success: emitted after a handler opened something.
    opened = Signal(str)
    # A message for the user when nothing matched or a handler refused.
    problem = Signal(str)

    _handlers: list[ScanHandler] = []

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("scanEdit")
        self.setPlaceholderText("Scan or type a code")
        self.setToolTip("Scan or type a receipt, document or voucher code, then Enter (F2 from anywhere)")
        self.setClearButtonEnabled(True)
        self.setMaxLength(128)
        self.returnPressed.connect(self.submit)

    # -- registry ---------------------------------------------------------------------
    @classmethod
    def register(cls, handler: ScanHandler) -> ScanHandler:
        """Add a handler (usable as a decorator). Registering one twice has no effect."""
        if handler not in cls._handlers:
            cls._handlers.append(handler)
        return handler

    @classmethod
    def unregister(cls, handler: ScanHandler) -> None:
        if handler in cls._handlers:
            cls._handlers.remove(handler)

    @classmethod
    def handlers(cls) -> list[ScanHandler]:
        return list(cls._handlers)

    # -- use ----------------------------------------------------------------------------
    def focus_and_select(self) -> None:
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.selectAll()

    def submit(self) -> bool:
        """Look the typed code up. Returns True when a handler opened something."""
        code = self.text().strip()
        if not code:
            return False
        for handler in list(self._handlers):
            try:
                if handler(code):
                    self.clear()
                    self.opened.emit(code)
                    return True
            except DeskError as exc:
                self.selectAll()
                self.problem.emit(str(exc))
                return False
        self.selectAll()
        self.problem.emit(nothing_matches(code))
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)
