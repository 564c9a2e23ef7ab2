"""The contract every screen keeps with the main window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext


class Screen(QWidget):
    """A page of the main window.

    ``title`` labels it in the navigation; ``action_name`` is its entry in
    desk.ui.actions (which gives its F-key); ``permission`` (a desk.services.auth
    permission) hides it from staff who may not use it. ``activated()`` is called each
    time the screen is shown, and the screen listens to ``ctx.events.changed`` for the
    kinds of record it shows.
    """

    title = ""
    action_name = ""
    permission: str | None = None
    # Kinds of ctx.events.changed after which the navigation asks ``nav_badge`` again.
    badge_kinds: tuple[str, ...] = ()
    # The screen's own keys, listed under its title in F1 (desk.ui.actions.ShortcutsDialog).
    keys: tuple[ScreenKey, ...] = ()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx

    def install_keys(self) -> None:
        """A shortcut, while this screen is shown, for each of ``keys`` that names a method."""
        for key in self.keys:
            if key.method:
                shortcut = QShortcut(QKeySequence(key.keys), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(getattr(self, key.method))

    @classmethod
    def nav_badge(cls, ctx: AppContext) -> tuple[int, str]:
        """A count shown beside the screen's entry in the navigation (0: none) and its tooltip.
        Asked without creating the screen, so it calls a service, never the screen's widgets."""
        return 0, ""

    def activated(self) -> None:
        """Refresh what the screen shows. Called when it becomes the current screen."""
