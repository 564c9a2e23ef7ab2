"""Archive (F12): every printed or saved document, found by kind, number and date, and reprinted."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError, InvalidInput
from desk.services import archive, documents
from desk.services.documents import RenderedDocument
from desk.services.store import current_store
from desk.ui import messages
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.screens.base import Screen
from desk.ui.screens.sales import parse_day
from desk.ui.tables.archive_table import ArchiveFilter, ArchiveTableModel


def _staff_name(code: str) -> str:
    try:
        return documents._staff_name(code)
    except DeskError:
        return ""


class ArchiveScreen(Screen):
    title = "Archive"
    action_name = "screen.archive"
    permission = "sales.view"
    keys = (ScreenKey("Esc", "Clear the filters", "clear_filters"),)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("archiveScreen")
        store = current_store()
        self.locale = store.locale if store else "en_GB"

        heading = QLabel("Archive")
        heading.setProperty("role", "heading")
        intro = QLabel("Every document printed or saved at this desk, kept as a PDF. Open one to reprint it.")
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)

        # -- filters ------------------------------------------------------------------
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kindCombo")
        self.kind_combo.setMinimumHeight(40)
        self.kind_combo.addItem("All kinds", None)
        for kind, label in documents.kinds().items():
            self.kind_combo.addItem(label, kind)
        self.kind_combo.activated.connect(lambda _i: self.search())
        self.number_edit = self._field("Receipt or document number, or part of it", "numberEdit")
        self.from_edit = self._field("dd/mm/yyyy", "fromEdit")
        self.to_edit = self._field("dd/mm/yyyy", "toEdit")
        self.search_button = QPushButton("Search")
        self.search_button.setObjectName("searchButton")
        self.search_button.setProperty("primary", True)
        self.search_button.setToolTip("Find the documents that match (Enter)")
        self.search_button.clicked.connect(self.search)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setMinimumHeight(40)
        self.clear_button.setToolTip("Empty the filters and show the latest documents (Esc)")
        self.clear_button.clicked.connect(self.clear_filters)

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        for col, (title, widget, stretch, width) in enumerate((
            ("Kind", self.kind_combo, 0, 170),
            ("Number", self.number_edit, 3, 200),
            ("From", self.from_edit, 0, 130),
            ("To", self.to_edit, 0, 130),
        )):
            widget.setMinimumWidth(width)
            label = QLabel(title)
            label.setProperty("role", "muted")
            label.setBuddy(widget)
            grid.addWidget(label, 0, col)
            grid.addWidget(widget, 1, col)
            grid.setColumnStretch(col, stretch)
        grid.addWidget(self.search_button, 1, 4)
        grid.addWidget(self.clear_button, 1, 5)

        self.message = QLabel()
        self.message.setObjectName("archiveMessage")
        self.message.setWordWrap(True)

        # -- the list -------------------------------------------------------------------
        self.model = ArchiveTableModel(self, locale=self.locale, kind_labels=documents.kinds(), who=_staff_name)
        self.table = QTableView()
        self.table.setObjectName("archiveTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(34)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        # Fixed widths: never measure thousands of rows to size a column.
        for col, width in ((ArchiveTableModel.DATE, 160), (ArchiveTableModel.KIND, 130),
                           (ArchiveTableModel.NUMBER, 200), (ArchiveTableModel.PAPER, 80),
                           (ArchiveTableModel.WHO, 190)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        header.setSectionResizeMode(ArchiveTableModel.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        self.table.activated.connect(self._on_activated)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())

        self.count_label = QLabel()
        self.count_label.setObjectName("archiveCount")
        self.count_label.setProperty("role", "muted")

        self.open_button = QPushButton("Open / Reprint")
        self.open_button.setObjectName("openButton")
        self.open_button.setProperty("primary", True)
        self.open_button.setMinimumSize(190, 48)
        self.open_button.setToolTip("Preview the selected document to print or save it again (Enter or double-click)")
        self.open_button.clicked.connect(self.open_selected)

        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.open_button)

        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.install_keys()

        ctx.events.changed.connect(self._on_changed)
        self._set_message("")
        self.search()

    def _field(self, placeholder: str, name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        edit.setMinimumHeight(40)
        edit.returnPressed.connect(self.search)
        return edit

    # -- state ---------------------------------------------------------------------------
    def activated(self) -> None:
        self.refresh()
        self.number_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_changed(self, kind: str) -> None:
        if kind == "archive":
            self.refresh()

    def _set_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("role", "error" if error else "muted")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(text))

    def _mark(self, edit: QLineEdit, bad: bool) -> None:
        edit.setProperty("invalid", bad)
        edit.style().unpolish(edit)
        edit.style().polish(edit)

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.current_row() >= 0)

    def _update_count(self) -> None:
        n = self.model.total_count
        f = self.model.filter
        if f is None or f.is_empty():
            self.count_label.setText(f"{n:,} document{'s' if n != 1 else ''} in the archive, newest first")
        else:
            self.count_label.setText(f"{n:,} document{'s' if n != 1 else ''} match, newest first")

    # -- searching -------------------------------------------------------------------------
    def build_filter(self) -> ArchiveFilter:
        """The filters as an ArchiveFilter; raises InvalidInput naming the field that is wrong."""
        for edit in (self.from_edit, self.to_edit):
            self._mark(edit, False)
        try:
            date_from = parse_day(self.from_edit.text(), self.locale)
        except ValueError as err:
            self._mark(self.from_edit, True)
            raise InvalidInput("From", str(err)) from None
        try:
            date_to = parse_day(self.to_edit.text(), self.locale)
        except ValueError as err:
            self._mark(self.to_edit, True)
            raise InvalidInput("To", str(err)) from None
        if date_from and date_to and date_from > date_to:
            self._mark(self.to_edit, True)
            raise InvalidInput("To", "is before From")
        return ArchiveFilter(kind=self.kind_combo.currentData(), number=self.number_edit.text().strip(),
                             date_from=date_from, date_to=date_to)

    def search(self) -> bool:
        """Run the filters. Returns False (and says why) when one is wrong."""
        try:
            self.model.set_filter(self.build_filter())
        except DeskError as err:
            self._set_message(messages.describe(err), error=True)
            return False
        self._set_message("")
        self._update_count()
        if self.model.rowCount():
            self.select_row(0)
        self._update_buttons()
        return True

    def refresh(self) -> None:
        """Run the current filters again, keeping the selected document."""
        current = self.model.row_at(self.current_row())
        if self.model.filter is None:
            self.search()
            return
        try:
            self.model.set_filter(self.model.filter)
        except DeskError as err:
            self._set_message(messages.describe(err), error=True)
            return
        self._update_count()
        row = self.model.row_of(current.id) if current else -1
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            self.select_row(row)
        self._update_buttons()

    def clear_filters(self) -> None:
        self.kind_combo.setCurrentIndex(0)
        for edit in (self.number_edit, self.from_edit, self.to_edit):
            edit.clear()
        self.search()
        self.number_edit.setFocus()

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)

    def current_row(self) -> int:
        index = self.table.selectionModel().currentIndex()
        return index.row() if index.isValid() else -1

    # -- opening ----------------------------------------------------------------------------
    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_row(index.row())

    def open_selected(self) -> bool:
        return self.open_row(self.current_row())

    def open_row(self, row: int) -> bool:
        """Preview the archived PDF of ``row`` (to print or save it again)."""
        from desk.ui.dialogs.print_preview import PrintPreviewDialog

        entry = self.model.row_at(row)
        if entry is None:
            return False
        try:
            pdf = archive.archived_pdf(entry.id)
        except archive.ArchiveDamaged as exc:
            self._set_message(str(exc), error=True)
            messages.message_box(self, QMessageBox.Icon.Warning, "Archived document damaged", str(exc))
            return False
        except DeskError as exc:
            messages.show_error(self, exc)
            return False
        self._set_message("")
        doc = RenderedDocument(entry.kind, entry.number, entry.paper, pdf, entry.title or f"{entry.kind} {entry.number}")
        PrintPreviewDialog.show_document(self.ctx, self, doc)
        return True
