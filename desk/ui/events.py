"""One QObject with signals: what services changed is broadcast here, and screens refresh."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class EventHub(QObject):
    # A kind of record changed ("staff", "settings", "store", "sales", ...).
    changed = Signal(str)
    # Someone signed in (the Staff record) or out (None).
    session_changed = Signal(object)

    def emit_changed(self, *kinds: str) -> None:
        for kind in kinds:
            self.changed.emit(kind)
