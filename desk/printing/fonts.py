"""The one font every document uses: DejaVu Sans (and Bold), embedded, so every name prints.

The TrueType files ship in ``resources/fonts/`` with their licence. No base-14 font
(Helvetica and friends) is ever used: they cannot print ``Ł``, ``ś`` or ``Ø``.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

import desk

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


def fonts_dir() -> Path:
    """``resources/fonts`` next to the ``desk`` package."""
    return Path(desk.__file__).resolve().parent.parent / "resources" / "fonts"


_registered = False


def register_fonts() -> None:
    """Register DejaVu Sans and its bold with ReportLab (once per process)."""
    global _registered
    if _registered:
        return
    folder = fonts_dir()
    for name, filename in FILES.items():
        path = folder / filename
        if not path.is_file():
            raise FileNotFoundError(
                f"The font {filename} is missing from {folder}: Desk cannot print without it. Reinstall Desk."
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))
    # <b> in a paragraph picks the bold face; there is no italic: it maps to the upright faces.
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    _registered = True
