"""The filter row of the lists (returns log, exchange log, vouchers, archive): labelled fields in
a grid with Search and Clear, where Enter in a field or a pick in a choice searches and Esc anywhere
on the screen empties the filters and searches again; the From/To dates read and checked one way;
the reason and clerk choices filled one way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from desk.errors import InvalidInput
from desk.models import Staff
from desk.services import auth
from desk.services import policy as policy_service
from desk.services import staff as staff_service
from desk.ui.widgets.style import mark_invalid, repolish

__all__ = ["FilterBar", "clerk_code", "fill_clerk_combo", "fill_reason_combo", "mark_invalid", "repolish"]


class FilterBar(QWidget):
    """A screen's filter row. The screen asks it for its fields (``edit``, ``combo``,
    ``clerk_combo``), lays them out (``add_row``, ``add_buttons`` or the grid itself) and gets:
    Enter in a field and a pick in a choice call ``on_search``; Search calls it; Clear and Esc
    (anywhere on ``owner``) empty every field, call it and put the focus back on ``focus``
    (the first field unless set)."""

    def __init__(self, owner: QWidget, on_search: Callable[[], object], *, search_tip: str,
                 clear_tip: str = "Empty the filters (Esc)"):
        super().__init__(owner)
        self.setObjectName("filterBar")
        self.on_search = on_search
        self.fields: list[QWidget] = []
        self.focus: QWidget | None = None

        self.search_button = QPushButton("Search")
        self.search_button.setObjectName("searchButton")
        self.search_button.setProperty("primary", True)
        self.search_button.setToolTip(search_tip)
        self.search_button.clicked.connect(lambda _checked=False: self.on_search())
        self.clear_button = QPushButton("Clear")
        self.clear_button.setMinimumHeight(40)
        self.clear_button.setToolTip(clear_tip)
        self.clear_button.clicked.connect(lambda _checked=False: self.clear())

        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(4)

        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), owner)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.clear)

    # -- fields -------------------------------------------------------------------------------
    def edit(self, name: str, placeholder: str) -> QLineEdit:
        """A text field (with a clear button) that searches on Enter."""
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        edit.setMinimumHeight(40)
        edit.returnPressed.connect(self.on_search)
        self.fields.append(edit)
        return edit

    def combo(self, name: str, choices: Iterable[tuple[str, object]] = (), *, compact: bool = False) -> QComboBox:
        """A choice of ``(label, value)`` that searches when picked; ``compact``: sized by the grid,
        not by its longest entry (for rows of many filters beside the navigation)."""
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setMinimumHeight(40)
        if compact:
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
        for label, value in choices:
            combo.addItem(label, value)
        combo.activated.connect(lambda _i: self.on_search())
        self.fields.append(combo)
        return combo

    def clerk_combo(self, name: str = "clerkCombo") -> QComboBox:
        """An editable clerk choice (fill it with ``fill_clerk_combo``; read it with ``clerk_code``)."""
        combo = self.combo(name, compact=True)
        combo.setEditable(True)
        combo.lineEdit().setPlaceholderText("Any clerk")
        combo.lineEdit().returnPressed.connect(self.on_search)
        return combo

    # -- layout -------------------------------------------------------------------------------
    def add_row(self, row: int, fields: Iterable[tuple[str, QWidget, int]]) -> None:
        """Put ``(title, widget, minimum width)`` side by side: the title on ``row``, the widget
        under it (a width of 0 leaves the widget's own)."""
        for col, (title, widget, width) in enumerate(fields):
            if width:
                widget.setMinimumWidth(width)
            label = QLabel(title)
            label.setProperty("role", "muted")
            label.setBuddy(widget)
            self.grid.addWidget(label, row, col)
            self.grid.addWidget(widget, row + 1, col)

    def add_buttons(self, row: int, col: int, span: int = 2) -> None:
        """Clear and Search, right-aligned in ``span`` columns from ``col``."""
        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.search_button)
        self.grid.addLayout(buttons, row, col, 1, span)

    # -- reading and clearing -----------------------------------------------------------------
    def date_range(self, from_edit: QLineEdit, to_edit: QLineEdit, locale: str) -> tuple[dt.date | None, dt.date | None]:
        """The From and To days (None when empty). A wrong one is marked and raises InvalidInput
        naming it; so does a To before From."""
        from desk.ui.screens.sales import parse_day

        for edit in (from_edit, to_edit):
            mark_invalid(edit, False)
        days: list[dt.date | None] = []
        for name, edit in (("From", from_edit), ("To", to_edit)):
            try:
                days.append(parse_day(edit.text(), locale))
            except ValueError as err:
                mark_invalid(edit, True)
                raise InvalidInput(name, str(err)) from None
        if days[0] and days[1] and days[0] > days[1]:
            mark_invalid(to_edit, True)
            raise InvalidInput("To", "is before From")
        return days[0], days[1]

    def clear(self) -> None:
        """Empty every field (a choice back to its first entry, an editable one blank), search
        again and put the focus on the first field."""
        for w in self.fields:
            if isinstance(w, QLineEdit):
                w.clear()
            elif isinstance(w, QComboBox) and w.isEditable():
                w.setEditText("")
            elif isinstance(w, QComboBox):
                w.setCurrentIndex(0)
        self.on_search()
        focus = self.focus or (self.fields[0] if self.fields else None)
        if focus is not None:
            focus.setFocus()


def clerk_code(combo: QComboBox) -> str:
    """The staff code chosen or typed in a clerk choice ("" for any clerk)."""
    text = combo.currentText().strip()
    index = combo.findText(text)
    if text and index >= 0:
        return combo.itemData(index) or ""
    return text.split("—")[0].strip()


def fill_reason_combo(combo: QComboBox) -> list:
    """"Any" and the policy's return reasons, keeping the one chosen; returns the reasons."""
    chosen = combo.currentData()
    combo.clear()
    combo.addItem("Any", "")
    reasons = policy_service.load_policy().reasons
    for r in reasons:
        combo.addItem(r.label, r.code)
    combo.setCurrentIndex(max(0, combo.findData(chosen or "")))
    return reasons


def fill_clerk_combo(combo: QComboBox, actor: Staff | None) -> None:
    """An editable clerk choice: blank, then the staff when ``actor`` may see the list; the
    text typed stays."""
    text = combo.currentText()
    combo.clear()
    combo.addItem("", "")
    if actor is not None and auth.can(actor, "staff.view"):
        for s in staff_service.list_staff(actor):
            combo.addItem(f"{s.code} — {s.name}", s.code)
    combo.setEditText(text)
