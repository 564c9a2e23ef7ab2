"""The idle lock: after the minutes set in settings with no key or mouse input, lock the desk."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from desk.services import settings as settings_service
from desk.ui.events import EventHub

_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress,
    QEvent.Type.KeyRelease,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TabletPress,
})


class IdleWatcher(QObject):
    """An application-wide event filter: any input restarts the timer; ``idle`` fires when it runs out.

    ``minutes`` comes from the ``idle_lock_minutes`` setting (0 = never) and is read again
    whenever the event hub says the settings changed.
    """

    idle = Signal()

    def __init__(self, events: EventHub, parent: QObject | None = None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._timed_out)
        self.minutes = 0
        self._paused = False
        events.changed.connect(self._on_changed)
        self.reload()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def _on_changed(self, kind: str) -> None:
        if kind == "settings":
            self.reload()

    def reload(self) -> None:
        """Read the idle minutes again and restart the timer with them."""
        try:
            self.minutes = int(settings_service.get("idle_lock_minutes"))
        except Exception:  # noqa: BLE001 - a database problem must not break the window
            self.minutes = 0
        self.restart()

    def restart(self) -> None:
        if self.minutes <= 0 or self._paused:
            self.timer.stop()
            return
        self.timer.start(self.minutes * 60_000)

    def pause(self) -> None:
        """Stop counting (while the desk is locked)."""
        self._paused = True
        self.timer.stop()

    def resume(self) -> None:
        self._paused = False
        self.restart()

    @property
    def active(self) -> bool:
        return self.timer.isActive()

    def _timed_out(self) -> None:
        if not self._paused and self.minutes > 0:
            self.idle.emit()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in _INPUT_EVENTS and self.timer.isActive():
            self.timer.start()
        return False

    def stop(self) -> None:
        self.pause()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
