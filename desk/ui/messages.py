"""Showing a service's refusal: one place that turns a DeskError into a message box."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from desk.errors import AuthFailed, DatabaseProblem, DeskError, InvalidInput, NeedsApproval, NotAllowed, NotFound

T = TypeVar("T")

_TITLES: tuple[tuple[type[DeskError], str], ...] = (
    (InvalidInput, "Please check the input"),
    (NotAllowed, "Not allowed"),
    (NeedsApproval, "Needs a manager's approval"),
    (NotFound, "Not found"),
    (AuthFailed, "Cannot sign in"),
    (DatabaseProblem, "Database problem"),
)


def title_for(exc: BaseException) -> str:
    for kind, title in _TITLES:
        if isinstance(exc, kind):
            return title
    return "Cannot do that"


def describe(exc: BaseException) -> str:
    """The text to show: an InvalidInput names its field first."""
    if isinstance(exc, InvalidInput):
        return f"{exc.field}: {exc.why}"
    return str(exc) or type(exc).__name__


def message_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> None:
    """Every message box goes through here (tests replace it to see what would be shown)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("deskMessage")
    box.exec()


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """Show a DeskError (or any error) as a message naming what is wrong."""
    icon = QMessageBox.Icon.Warning if isinstance(exc, DeskError) else QMessageBox.Icon.Critical
    message_box(parent, icon, title_for(exc), describe(exc))


def show_critical(parent: QWidget | None, title: str, text: str) -> None:
    message_box(parent, QMessageBox.Icon.Critical, title, text)


def attempt(parent: QWidget | None, call: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[bool, T | None]:
    """Run a service call; on a DeskError show it and return (False, None).

    Returns (True, result) when the call succeeded. Only DeskError is caught: anything
    else is a defect and propagates.
    """
    try:
        return True, call(*args, **kwargs)
    except DeskError as exc:
        show_error(parent, exc)
        return False, None
