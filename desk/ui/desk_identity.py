"""Which desk this computer is. Stores with several desks share one database; each desk's
documents carry its own number (R-LDN01-02-000042). The number belongs to the computer, not to
the store, so it is kept in this computer's app settings, not in the database."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from desk.services.numbers import clean_desk_code

KEY = "desk/code"
DEFAULT = "01"


def _settings() -> QSettings:
    return QSettings("Desk", "Desk")


def desk_code() -> str:
    """This computer's desk number, or 01 when none was set (or what was stored is not valid)."""
    value = _settings().value(KEY, DEFAULT, str) or DEFAULT
    try:
        return clean_desk_code(value)
    except Exception:  # a hand-edited settings file must not stop the desk
        return DEFAULT


def set_desk_code(code: str) -> str:
    """Store this computer's desk number (raises InvalidInput naming "Desk number" when it is not valid)."""
    cleaned = clean_desk_code(code)
    _settings().setValue(KEY, cleaned)
    return cleaned
