"""Archive (F12): every printed or saved document, found by kind, number and date, and reprinted."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from desk.errors import DeskError
from desk.services import archive, documents
from desk.services.documents import RenderedDocument
from desk.services.store import current_store
from desk.ui import messages
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.screens.base import Screen
from desk.ui.widgets.filters import FilterBar
from desk.ui.widgets.list_detail import current_row, list_table, select_row, size_columns
from desk.ui.widgets.style import show_message
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
    keys = (ScreenKey("Esc", "Clear the filters"),)

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
        self.filters = FilterBar(self, self.search, search_tip="Find the documents that match (Enter)",
                                 clear_tip="Empty the filters and show the latest documents (Esc)")
        f = self.filters
        self.kind_combo = f.combo("kindCombo", [("All kinds", None)] + [(label, kind) for kind, label in
                                                                         documents.kinds().items()])
        self.number_edit = f.edit("numberEdit", "Receipt or document number, or part of it")
        self.from_edit = f.edit("fromEdit", "dd/mm/yyyy")
        self.to_edit = f.edit("toEdit", "dd/mm/yyyy")
        f.focus = self.number_edit
        self.search_button, self.clear_button = f.search_button, f.clear_button
        f.add_row(0, (("Kind", self.kind_combo, 170), ("Number", self.number_edit, 200), ("From", self.from_edit, 130),
                      ("To", self.to_edit, 130)))
        for col, stretch in enumerate((0, 3, 0, 0)):
            f.grid.setColumnStretch(col, stretch)
        f.grid.addWidget(self.search_button, 1, 4)
        f.grid.addWidget(self.clear_button, 1, 5)

        self.message = QLabel()
        self.message.setObjectName("archiveMessage")
        self.message.setWordWrap(True)

        # -- the list -------------------------------------------------------------------
        self.model = ArchiveTableModel(self, locale=self.locale, kind_labels=documents.kinds(), who=_staff_name)
        self.table = list_table("archiveTable", self.model, row_height=34)
        m = ArchiveTableModel
        size_columns(self.table, {m.DATE: 160, m.KIND: 130, m.NUMBER: 200, m.PAPER: 80, m.WHO: 190}, (m.TITLE,),
                     minimum=60)
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
        layout.addWidget(self.filters)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.install_keys()

        ctx.events.changed.connect(self._on_changed)
        self._set_message("")
        self.search()

    # -- state ---------------------------------------------------------------------------
    def activated(self) -> None:
        self.refresh()
        self.number_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_changed(self, kind: str) -> None:
        if kind == "archive":
            self.refresh()

    def _set_message(self, text: str, error: bool = False) -> None:
        show_message(self.message, text, error, ok_role="muted")

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.current_row() >= 0)

    def _update_count(self) -> None:
        n = self.model.total_count
        f = self.model.filter
        if f is None or f.is_empty():
            self.count_label.setText(f"{n:,} document{'s' if n != 1 else ''} in the archive, newest first")
        else:
            self.count_label.setText(f"{n:,} document matches, newest first" if n == 1 else f"{n:,} documents match, newest first")

    # -- searching -------------------------------------------------------------------------
    def build_filter(self) -> ArchiveFilter:
        """The filters as an ArchiveFilter; raises InvalidInput naming the field that is wrong."""
        date_from, date_to = self.filters.date_range(self.from_edit, self.to_edit, self.locale)
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
        """Empty the filters and show the latest documents (Esc)."""
        self.filters.clear()

    def select_row(self, row: int) -> None:
        select_row(self.table, row)

    def current_row(self) -> int:
        return current_row(self.table)

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
