"""The contract every screen keeps with the main window."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

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

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx

    def activated(self) -> None:
        """Refresh what the screen shows. Called when it becomes the current screen."""
