"""Restyling a widget after a dynamic property that the stylesheet reads (``role``, ``invalid``)
changed: the one place every screen and dialog does it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def repolish(widget: QWidget) -> None:
    """Apply the stylesheet again after a dynamic property (role, invalid) changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def set_role(widget: QWidget, role: str) -> None:
    """Give ``widget`` the stylesheet role ``role`` (error, allowed, muted …) and restyle it."""
    widget.setProperty("role", role)
    repolish(widget)


def mark_invalid(widget: QWidget, bad: bool) -> None:
    """Draw ``widget`` as holding a wrong value (red frame) or as normal again."""
    widget.setProperty("invalid", bad)
    repolish(widget)


def show_message(label: QWidget, text: str, error: bool = False, ok_role: str = "allowed") -> None:
    """A screen's message line: ``text`` in red when ``error``, else in ``ok_role``; an empty
    text hides the line."""
    label.setText(text)
    set_role(label, "error" if error else ok_role)
    label.setVisible(bool(text))


def label(text: str = "", role: str | None = None, name: str | None = None, wrap: bool = False,
          selectable: bool = False) -> QLabel:
    """A label with a stylesheet ``role`` and an object ``name``; ``wrap``: word wrap;
    ``selectable``: its text can be selected with the mouse (to copy a number)."""
    widget = QLabel(text)
    if role:
        widget.setProperty("role", role)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    if selectable:
        widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return widget
