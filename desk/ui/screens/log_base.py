"""What the lists with a filter row share. ``ListScreen`` (the Archive, and the logs): the lazily
loaded table sized from its model's samples, searching and refreshing while keeping the chosen
row, opening a row (Enter). ``LogScreen`` (the returns log and the exchange log) adds the line
under the table (figures, Export CSV…, Open) and the CSV export off the GUI thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QThread, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError
from desk.services import auth
from desk.services.store import current_store
from desk.ui import messages
from desk.ui.exporting import ExportWorker, finish_export, start_export
from desk.ui.screens.base import Screen
from desk.ui.widgets.filters import FilterBar
from desk.ui.tables.paged import fit_columns, number_sample
from desk.ui.widgets.list_detail import current_row, list_table, select_row
from desk.ui.widgets.style import show_message


class ListScreen(Screen):
    """A list with a filter row: a subclass builds ``filters`` and the ``model`` (with ``query``,
    ``row_at``, ``row_of(key)``) through ``_log_table``, has ``message`` and ``open_button``, and
    gives ``build_query``, ``_run`` (show a query's rows), ``open_row`` and, when its rows are not
    known by their ``number``, ``row_key``."""

    number_prefix = "R"  # the letter of the documents listed, for the number column's sample

    def _log_table(self, name: str, model) -> QTableView:
        """The table: whole rows, one at a time; columns sized from the model's samples (never
        measure thousands of rows to size a column), its stretch columns taking the rest."""
        self.model = model
        self.table = list_table(name, model, row_height=34)
        store = current_store()
        model.number_sample = number_sample(store.code if store else "", self.number_prefix)
        fit_columns(self.table)
        self.table.activated.connect(self._on_activated)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        return self.table

    def _set_message(self, text: str, error: bool = False) -> None:
        show_message(self.message, text, error)

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.current_row() >= 0)

    # -- searching -------------------------------------------------------------------------------
    def build_query(self):
        raise NotImplementedError

    def _run(self, query) -> None:
        raise NotImplementedError

    def search(self) -> bool:
        """Run the filters. Returns False (and says why) when one is wrong."""
        try:
            self._run(self.build_query())
        except DeskError as err:
            self._set_message(messages.describe(err), error=True)
            return False
        self._set_message("")
        if self.model.rowCount():
            self.select_row(0)
        self._update_buttons()
        return True

    def refresh(self) -> None:
        """Run the current filters again, keeping the selected row."""
        if self.model.query is None:
            self.search()
            return
        current = self.model.row_at(self.current_row())
        try:
            self._run(self.model.query)
        except DeskError as err:
            self._set_message(messages.describe(err), error=True)
            return
        row = self.model.row_of(self.row_key(current)) if current else -1
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            self.select_row(row)
        self._update_buttons()

    def row_key(self, row):
        """What ``model.row_of`` finds a row by (a log's rows: their document number)."""
        return row.number

    def clear_filters(self) -> None:
        """Empty the filters and search again (Esc)."""
        self.filters.clear()

    def select_row(self, row: int) -> None:
        select_row(self.table, row)

    def current_row(self) -> int:
        return current_row(self.table)

    # -- opening ---------------------------------------------------------------------------------
    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_row(index.row())

    def open_selected(self) -> bool:
        return self.open_row(self.current_row())

    def open_row(self, row: int) -> bool:
        raise NotImplementedError


class LogScreen(ListScreen):
    """A log: a subclass sets ``noun`` ("return"), ``export_title``, builds ``filters``, the
    ``model`` (with ``total_count`` too) and its columns, and gives what a ListScreen needs and
    ``exporter(query)`` (the function that writes the CSV)."""

    noun = ""
    export_title = ""
    refresh_kinds: tuple[str, ...] = ()  # changes (ctx.events) after which a shown log runs its query again

    def _lay_out(self, heading: QLabel, intro: QLabel, filters: FilterBar, summary: QLabel, *,
                 export_tip: str, open_tip: str) -> None:
        """Heading, intro, filters, message, the table, and ``summary`` beside Export CSV… and Open."""
        self.message = QLabel()
        self.message.setObjectName("logMessage")
        self.message.setWordWrap(True)
        summary.setWordWrap(True)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("exportButton")
        self.export_button.setMinimumSize(150, 48)
        self.export_button.setToolTip(export_tip)
        self.export_button.clicked.connect(self.export_csv)
        self.open_button = QPushButton("Open  (Enter)")
        self.open_button.setObjectName("openButton")
        self.open_button.setProperty("primary", True)
        self.open_button.setMinimumSize(170, 48)
        self.open_button.setToolTip(open_tip)
        self.open_button.clicked.connect(self.open_selected)
        self.export_progress = QProgressBar()
        self.export_progress.setObjectName("exportProgress")
        self.export_progress.setRange(0, 0)  # busy: the export reports no steps
        self.export_progress.setMaximumWidth(140)
        self.export_progress.setTextVisible(False)
        self.export_progress.hide()
        bottom = QHBoxLayout()
        bottom.setSpacing(12)
        bottom.addWidget(summary, 1)
        bottom.addWidget(self.export_progress)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.open_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(filters)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self._export: tuple[QThread, ExportWorker, str] | None = None

    # -- state -----------------------------------------------------------------------------------
    def _fill_choices(self) -> None:
        """Fill the reason and clerk choices (the policy's reasons, the staff this person may see)."""

    def activated(self) -> None:
        self._fill_choices()
        self.refresh()
        self.from_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_changed(self, kind: str) -> None:
        if kind in self.refresh_kinds and self.isVisible():
            self.refresh()
        if kind in ("policy", "staff"):
            self._fill_choices()

    def _on_session_changed(self, _staff: object) -> None:
        if self.ctx.staff is not None and auth.can(self.ctx.staff, self.permission):
            self._fill_choices()

    # -- export ----------------------------------------------------------------------------------
    @classmethod
    def choose_export_path(cls, parent: QWidget, suggested: str) -> str | None:
        """The file dialog (tests replace this step): the path chosen, or None when cancelled."""
        path, _filter = QFileDialog.getSaveFileName(parent, cls.export_title, suggested, "CSV files (*.csv)")
        return path or None

    @property
    def exporting(self) -> bool:
        return self._export is not None

    def exporter(self, query) -> Callable[[str], int]:
        """The function that writes the rows matching ``query`` to a CSV file (off the GUI thread)."""
        raise NotImplementedError

    def export_csv(self) -> bool:
        """Write the rows that match the filters to a CSV file, off the GUI thread.

        Returns True when the export started; the message says when it is done."""
        if self._export is not None:
            return False
        try:
            query = self.build_query()
        except DeskError as err:
            self._set_message(messages.describe(err), error=True)
            return False
        suggested = str(Path.home() / f"{self.noun}s-{dt.date.today().isoformat()}.csv")
        path = self.choose_export_path(self, suggested)
        if not path:
            return False
        if not path.lower().endswith(".csv"):
            path += ".csv"
        self.export_button.setEnabled(False)
        self.export_button.setText("Exporting…")
        self.export_progress.show()
        self._set_message(f"Exporting the {self.noun}s that match to {path}…")
        # bound methods of this screen: Qt queues them to the GUI thread
        thread, worker = start_export(self.exporter(query), path, self._export_succeeded, self._export_failed)
        self._export = (thread, worker, path)
        return True

    def _export_finished(self) -> str:
        thread, _worker, path = self._export
        finish_export(thread)
        self._export = None
        self.export_button.setEnabled(True)
        self.export_button.setText("Export CSV…")
        self.export_progress.hide()
        return path

    @Slot(object)
    def _export_succeeded(self, n: int) -> None:
        path = self._export_finished()
        self._set_message(f"Exported {n:,} {self.noun}{'s' if n != 1 else ''} to {path}.")

    @Slot(object)
    def _export_failed(self, exc: BaseException) -> None:
        path = self._export_finished()
        if isinstance(exc, DeskError):
            self._set_message("Not exported. " + messages.describe(exc), error=True)
        elif isinstance(exc, OSError):
            self._set_message(f"Not exported: cannot write {path}: {exc.strerror or exc}", error=True)
        else:
            self._set_message(f"Not exported: {exc}", error=True)
