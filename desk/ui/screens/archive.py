"""Archive (F12): every printed or saved document, found by kind, number and date, and reprinted."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from desk.errors import DeskError
from desk.services import archive, documents
from desk.services.documents import RenderedDocument
from desk.services.store import current_store
from desk.ui import messages
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.screens.log_base import ListScreen
from desk.ui.widgets.filters import FilterBar
from desk.ui.widgets.style import show_message
from desk.ui.tables.archive_table import ArchiveFilter, ArchiveTableModel


def _staff_name(code: str) -> str:
    try:
        return documents._staff_name(code)
    except DeskError:
        return ""


class ArchiveScreen(ListScreen):
    """The filters (FilterBar) and the list, searched, refreshed and opened as the logs are (ListScreen)."""

    title = "Archive"
    action_name = "screen.archive"
    permission = "sales.view"
    keys = (ScreenKey("Esc", "Clear the filters"),)
    number_prefix = "O"  # every kind's numbers: O is the widest of their letters (R, X, O, C...)

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
        self._log_table("archiveTable", self.model)  # sized from the model's samples; Title takes the rest

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

    build_query = build_filter

    def _run(self, query: ArchiveFilter) -> None:
        self.model.set_filter(query)
        self._update_count()

    def row_key(self, row):
        return row.id  # documents are found again by their archive id (a number can be printed twice)

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
