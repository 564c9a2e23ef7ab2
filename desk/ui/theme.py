"""One look for the whole app: Fusion style, one palette, one stylesheet, a base font of 11 pt."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

import desk

BASE_POINT_SIZE = 11

# The three colours of a decision, the same everywhere.
ALLOWED = "#1e7b34"  # green
NEEDS_APPROVAL = "#9a5b00"  # amber (dark enough to read as text)
REFUSED = "#b3261e"  # red

ACCENT = "#1f5fa8"
WINDOW = "#f3f5f8"
BASE = "#ffffff"
TEXT = "#1b2430"
MUTED = "#5b6675"


def resources_dir() -> Path:
    return Path(desk.__file__).resolve().parent.parent / "resources"


def stylesheet_path() -> Path:
    return resources_dir() / "styles" / "desk.qss"


def palette() -> QPalette:
    pal = QPalette()
    roles = QPalette.ColorRole
    pal.setColor(roles.Window, QColor(WINDOW))
    pal.setColor(roles.WindowText, QColor(TEXT))
    pal.setColor(roles.Base, QColor(BASE))
    pal.setColor(roles.AlternateBase, QColor("#eef1f5"))
    pal.setColor(roles.Text, QColor(TEXT))
    pal.setColor(roles.Button, QColor("#e7ebf0"))
    pal.setColor(roles.ButtonText, QColor(TEXT))
    pal.setColor(roles.Highlight, QColor(ACCENT))
    pal.setColor(roles.HighlightedText, QColor("#ffffff"))
    pal.setColor(roles.ToolTipBase, QColor("#ffffff"))
    pal.setColor(roles.ToolTipText, QColor(TEXT))
    pal.setColor(roles.PlaceholderText, QColor("#8a94a3"))
    pal.setColor(roles.Link, QColor(ACCENT))
    for role in (roles.Text, roles.WindowText, roles.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#9aa3ae"))
    return pal


def stylesheet() -> str:
    try:
        text = stylesheet_path().read_text(encoding="utf-8")
    except OSError:
        return ""
    # url() in a stylesheet set from a string is relative to the working folder: make it absolute
    return text.replace("@ICONS@", (resources_dir() / "icons").as_posix())


def apply_theme(app: QApplication) -> None:
    """Fusion style, the palette, the stylesheet and the base font, set once on the app."""
    app.setStyle("Fusion")
    app.setPalette(palette())
    font = QFont(app.font())
    if font.pointSizeF() < BASE_POINT_SIZE:
        font.setPointSizeF(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(stylesheet())
