"""What the return and exchange detail dialogs share: the number and status at the top, a header
line, Void… / Close / Reprint slip with a message beside them, read-only tables sized to their
rows, and the reprint through the archive's renderer."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError
from desk.money import format_money
from desk.services import documents
from desk.services.store import current_store
from desk.ui import messages
from desk.ui.context import AppContext
from desk.ui.tables.sales_table import local_time_text
from desk.ui.widgets import style
from desk.ui.widgets.style import repolish


def label(text: str = "", role: str | None = None, name: str | None = None, wrap: bool = True) -> QLabel:
    """A selectable label with a stylesheet role."""
    return style.label(text, role, name, wrap, selectable=True)


def table(columns: tuple[str, ...], name: str) -> QTableWidget:
    """A read-only table that takes no focus (the dialog's keys stay on its buttons)."""
    t = QTableWidget(0, len(columns))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(list(columns))
    t.verticalHeader().hide()
    t.verticalHeader().setDefaultSectionSize(32)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    t.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    t.setAlternatingRowColors(True)
    t.setWordWrap(False)
    t.horizontalHeader().setHighlightSections(False)
    return t


def cell(text: str, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def size_table(t: QTableWidget, widths: tuple[int, ...], stretch: int, low: int, high: int) -> None:
    """Column ``stretch`` takes the room left, the others their width; the table is as tall as
    its rows, between ``low`` and ``high`` pixels."""
    header = t.horizontalHeader()
    for c, w in enumerate(widths):
        if c == stretch:
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch)
        else:
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(c, w)
    height = header.sizeHint().height() + t.rowCount() * t.verticalHeader().defaultSectionSize() + 6
    t.setFixedHeight(min(max(height, low), high))


class DetailDialog(QDialog):
    """A voidable document opened from a log. A subclass sets ``noun`` ("Return") and
    ``document_kind`` (what ``documents.render`` reprints), builds its own body between
    ``__init__`` and ``finish``, and fills it in ``show_view``."""

    noun = ""
    document_kind = ""

    def __init__(self, ctx: AppContext, view, parent: QWidget | None, *, name: str, void_tip: str,
                 reprint_tip: str = ""):
        super().__init__(parent)
        self.ctx = ctx
        self.view = view
        self.voided = False
        self.setObjectName(f"{name}DetailDialog")
        store = current_store()
        self.locale = store.locale if store else "en_GB"

        self.title_label = label("", "heading", f"{name}Number", wrap=False)
        self.status_label = label("", None, f"{name}Status", wrap=False)
        self.header_label = label("", "muted", f"{name}Header")
        self.void_label = label("", "error", f"{name}VoidInfo")
        self.message = label("", "error", f"{name}Message")

        self.reprint_button = QPushButton("Reprint slip  (Ctrl+P)")
        self.reprint_button.setObjectName("reprintButton")
        self.reprint_button.setProperty("primary", True)
        self.reprint_button.setMinimumSize(220, 48)
        self.reprint_button.setShortcut("Ctrl+P")
        if reprint_tip:
            self.reprint_button.setToolTip(reprint_tip)
        self.reprint_button.clicked.connect(self.reprint)
        self.void_button = QPushButton("Void…")
        self.void_button.setObjectName("voidButton")
        self.void_button.setMinimumSize(130, 48)
        self.void_button.setToolTip(void_tip)
        self.void_button.clicked.connect(self.void)
        self.close_button = QPushButton("Close  (Esc)")
        self.close_button.setMinimumSize(130, 48)
        self.close_button.clicked.connect(self.reject)

        self.top = QHBoxLayout()
        self.top.addWidget(self.title_label)
        self.top.addSpacing(12)
        self.top.addWidget(self.status_label)
        self.top.addStretch(1)

    def finish(self, body: list[tuple[QWidget | QLayout, int]], width: int, height: int) -> None:
        """Lay out the top, the header, ``body`` (each with its stretch) and the buttons; show the view."""
        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.void_button)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.reprint_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 16, 22, 16)
        layout.setSpacing(8)
        layout.addLayout(self.top)
        layout.addWidget(self.header_label)
        for part, stretch in body:
            if isinstance(part, QLayout):
                layout.addLayout(part, stretch)
            elif part is None:
                layout.addStretch(stretch)
            else:
                layout.addWidget(part, stretch)
        layout.addLayout(buttons)
        self.resize(width, height)
        self.show_view(self.view)
        self.reprint_button.setFocus()

    # -- showing -----------------------------------------------------------------------------
    def money(self, minor: int) -> str:
        return format_money(minor, self.view.currency, self.locale)

    def show_view(self, v) -> None:
        raise NotImplementedError

    def show_heading(self, v) -> bool:
        """The title, number and Done/VOIDED of ``v``; returns whether it is voided."""
        self.view = v
        self.setWindowTitle(f"{self.noun} {v.number}")
        self.title_label.setText(f"{self.noun} {v.number}")
        voided = v.status == "voided"
        self.status_label.setText("VOIDED" if voided else "Done")
        self.status_label.setProperty("role", "error" if voided else "allowed")
        repolish(self.status_label)
        return voided

    def void_text(self, v) -> str:
        """Who voided ``v``, when and why."""
        when = local_time_text(v.voided_at, self.locale) if v.voided_at else ""
        return f"Voided {when} by {v.voided_by_name}: {v.void_reason}"

    def set_message(self, text: str, role: str = "error") -> None:
        self.message.setText(text)
        self.message.setProperty("role", role)
        repolish(self.message)

    # -- actions ------------------------------------------------------------------------------
    def reprint(self) -> bool:
        from desk.ui.printing import print_document

        try:
            doc = documents.render(self.document_kind, self.view.number, self.ctx.staff)
        except DeskError as exc:
            self.set_message(messages.describe(exc))
            messages.show_error(self, exc)
            return False
        return print_document(self.ctx, self, doc)

    def void(self) -> bool:
        raise NotImplementedError

    def void_with(self, call: Callable[[], object], changed: tuple[str, ...]) -> bool:
        """Void through ``call`` (the service, returning the voided view): a refusal is said here
        and in a message box; done, the dialog shows the voided document and ``changed`` is
        broadcast."""
        try:
            done = call()
        except DeskError as exc:
            self.set_message("Not voided. " + messages.describe(exc))
            messages.show_error(self, exc)
            return False
        self.voided = True
        self.show_view(done)
        self.set_message(f"{self.noun} {done.number} voided.", "allowed")
        self.ctx.events.emit_changed(*changed)
        return True
