"""Exchange log: every exchange, filtered by date, clerk, product and reason; Export CSV…; open an
exchange (Enter) to see both halves and the settlement, open its linked return or replacement
sale, reprint its slip or void it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QThread, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError, InvalidInput
from desk.services import auth
from desk.services import exchanges as exchanges_service
from desk.services.exchanges import ExchangeQuery
from desk.services.store import current_store
from desk.ui import messages
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.exporting import ExportWorker, finish_export, start_export
from desk.ui.screens.base import Screen
from desk.ui.widgets.filters import fill_clerk_combo, fill_reason_combo, repolish
from desk.ui.screens.sales import parse_day
from desk.ui.tables.exchanges_log_table import ExchangesLogTableModel
from desk.ui.tables.paged import fit_columns, number_sample

STATUS_CHOICES = (("Any", ""), ("Done", "completed"), ("Voided", "voided"))


class ExchangesLogScreen(Screen):
    title = "Exchange log"
    action_name = "screen.exchanges_log"
    permission = "returns.log"  # who reads the returns log reads the exchanges (each holds a return)
    keys = (ScreenKey("Esc", "Clear the filters", "clear_filters"),)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("exchangesLogScreen")
        store = current_store()
        self.locale = store.locale if store else "en_GB"

        heading = QLabel("Exchange log")
        heading.setProperty("role", "heading")
        intro = QLabel("Every exchange from every desk: what came back, what went out and the difference. "
                       "Filter, then press Enter; open an exchange to reprint its slip or void it.")
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)

        # -- filters ----------------------------------------------------------------------------
        self.from_edit = self._edit("dd/mm/yyyy", "fromEdit")
        self.to_edit = self._edit("dd/mm/yyyy", "toEdit")
        self.clerk_combo = self._combo("clerkCombo")
        self.clerk_combo.setEditable(True)
        self.clerk_combo.lineEdit().setPlaceholderText("Any clerk")
        self.clerk_combo.lineEdit().returnPressed.connect(self.search)
        self.product_edit = self._edit("SKU or name, in or out", "productEdit")
        self.reason_combo = self._combo("reasonCombo")
        self.status_combo = self._combo("statusCombo")
        for label, value in STATUS_CHOICES:
            self.status_combo.addItem(label, value)
        self.search_button = QPushButton("Search")
        self.search_button.setObjectName("searchButton")
        self.search_button.setProperty("primary", True)
        self.search_button.setToolTip("Show the exchanges that match (Enter)")
        self.search_button.clicked.connect(self.search)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setMinimumHeight(40)
        self.clear_button.setToolTip("Empty the filters (Esc)")
        self.clear_button.clicked.connect(self.clear_filters)

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        fields = (("From", self.from_edit, 110), ("To", self.to_edit, 110), ("Clerk", self.clerk_combo, 140),
                  ("Product", self.product_edit, 150), ("Reason", self.reason_combo, 140),
                  ("Status", self.status_combo, 100))
        for col, (title, widget, width) in enumerate(fields):
            widget.setMinimumWidth(width)
            label = QLabel(title)
            label.setProperty("role", "muted")
            label.setBuddy(widget)
            grid.addWidget(label, 0, col)
            grid.addWidget(widget, 1, col)
        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.search_button)
        grid.addLayout(buttons, 2, 4, 1, 2)
        for col in range(6):
            grid.setColumnStretch(col, 1)

        self.message = QLabel()
        self.message.setObjectName("logMessage")
        self.message.setWordWrap(True)

        # -- the list ------------------------------------------------------------------------------
        self.model = ExchangesLogTableModel(self, locale=self.locale)
        self.table = QTableView()
        self.table.setObjectName("exchangesLogTable")
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
        self.model.number_sample = number_sample(store.code if store else "")
        fit_columns(self.table)  # from the model's samples: never measure thousands of rows
        self.table.activated.connect(self._on_activated)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())

        self.count_label = QLabel()
        self.count_label.setObjectName("logCount")
        self.count_label.setWordWrap(True)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("exportButton")
        self.export_button.setMinimumSize(150, 48)
        self.export_button.setToolTip("Write the exchanges that match to a CSV file")
        self.export_button.clicked.connect(self.export_csv)
        self.open_button = QPushButton("Open  (Enter)")
        self.open_button.setObjectName("openButton")
        self.open_button.setProperty("primary", True)
        self.open_button.setMinimumSize(170, 48)
        self.open_button.setToolTip("See the selected exchange: both halves and the settlement; reprint or void it")
        self.open_button.clicked.connect(self.open_selected)
        self.export_progress = QProgressBar()
        self.export_progress.setObjectName("exportProgress")
        self.export_progress.setRange(0, 0)
        self.export_progress.setMaximumWidth(140)
        self.export_progress.setTextVisible(False)
        self.export_progress.hide()
        bottom = QHBoxLayout()
        bottom.setSpacing(12)
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.export_progress)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.open_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.install_keys()

        ctx.events.changed.connect(self._on_changed)
        ctx.events.session_changed.connect(self._on_session_changed)
        self._fill_choices()
        self._set_message("")
        self._export: tuple[QThread, ExportWorker, str] | None = None
        if ctx.staff is not None:
            self.search()

    def _edit(self, placeholder: str, name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        edit.setMinimumHeight(40)
        edit.returnPressed.connect(self.search)
        return edit

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setMinimumHeight(40)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)
        combo.activated.connect(lambda _i: self.search())
        return combo

    def _fill_choices(self) -> None:
        """The reasons (from the policy) and the staff (when this person may see the list)."""
        reasons = fill_reason_combo(self.reason_combo)
        self.model.reasons = {r.code: r.label for r in reasons}
        fill_clerk_combo(self.clerk_combo, self.ctx.staff)

    # -- state -------------------------------------------------------------------------------------
    def activated(self) -> None:
        self._fill_choices()
        self.refresh()
        self.from_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_changed(self, kind: str) -> None:
        if kind in ("exchanges", "returns") and self.isVisible():
            self.refresh()
        if kind in ("policy", "staff"):
            self._fill_choices()

    def _on_session_changed(self, _staff: object) -> None:
        if self.ctx.staff is not None and auth.can(self.ctx.staff, self.permission):
            self._fill_choices()

    def _set_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("role", "error" if error else "allowed")
        repolish(self.message)
        self.message.setVisible(bool(text))

    def _mark(self, widget: QWidget, bad: bool) -> None:
        widget.setProperty("invalid", bad)
        repolish(widget)

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.current_row() >= 0)

    # -- searching -----------------------------------------------------------------------------------
    def clerk_code(self) -> str:
        text = self.clerk_combo.currentText().strip()
        index = self.clerk_combo.findText(text)
        if text and index >= 0:
            return self.clerk_combo.itemData(index) or ""
        return text.split("—")[0].strip()

    def build_query(self) -> ExchangeQuery:
        """The filters as an ExchangeQuery; raises InvalidInput naming the field that is wrong."""
        for w in (self.from_edit, self.to_edit):
            self._mark(w, False)
        days: list[dt.date | None] = []
        for name, edit in (("From", self.from_edit), ("To", self.to_edit)):
            try:
                days.append(parse_day(edit.text(), self.locale))
            except ValueError as err:
                self._mark(edit, True)
                raise InvalidInput(name, str(err)) from None
        if days[0] and days[1] and days[0] > days[1]:
            self._mark(self.to_edit, True)
            raise InvalidInput("To", "is before From")
        return ExchangeQuery(date_from=days[0], date_to=days[1], clerk_code=self.clerk_code(),
                             product=self.product_edit.text().strip(), reason=self.reason_combo.currentData() or "",
                             status=self.status_combo.currentData() or "")

    def _run(self, query: ExchangeQuery) -> None:
        self.model.set_query(query)
        n = self.model.total_count
        self.count_label.setText(f"{n:,} exchange{'s' if n != 1 else ''}")

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
        """Run the current filters again, keeping the selected exchange."""
        if self.model.query is None:
            self.search()
            return
        current = self.model.row_at(self.current_row())
        try:
            self._run(self.model.query)
        except DeskError as err:
            self._set_message(messages.describe(err), error=True)
            return
        row = self.model.row_of(current.number) if current else -1
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            self.select_row(row)
        self._update_buttons()

    def clear_filters(self) -> None:
        for edit in (self.from_edit, self.to_edit, self.product_edit):
            edit.clear()
        self.clerk_combo.setEditText("")
        for combo in (self.reason_combo, self.status_combo):
            combo.setCurrentIndex(0)
        self.search()
        self.from_edit.setFocus()

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def current_row(self) -> int:
        index = self.table.selectionModel().currentIndex()
        return index.row() if index.isValid() else -1

    # -- opening -----------------------------------------------------------------------------------
    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_row(index.row())

    def open_selected(self) -> bool:
        return self.open_row(self.current_row())

    def open_row(self, row: int) -> bool:
        from desk.ui.dialogs.exchange_detail import ExchangeDetailDialog

        entry = self.model.row_at(row)
        if entry is None:
            return False
        dialog = ExchangeDetailDialog.show_exchange(self.ctx, self, entry.number)
        if dialog is None:
            return False
        if dialog.voided:
            self.refresh()
        if dialog.open_sale:
            self.open_sale(dialog.open_sale)
        return True

    def open_sale(self, receipt_no: str) -> bool:
        """Show the sale ``receipt_no`` on the Sales screen."""
        opener = getattr(self.window(), "open_screen", None)
        screen = opener("screen.sales") if callable(opener) else None
        if screen is None:
            return False
        return bool(screen.open_receipt(receipt_no))

    # -- export --------------------------------------------------------------------------------------
    @classmethod
    def choose_export_path(cls, parent: QWidget, suggested: str) -> str | None:
        """The file dialog (tests replace this step): the path chosen, or None when cancelled."""
        path, _filter = QFileDialog.getSaveFileName(parent, "Export the exchange log", suggested, "CSV files (*.csv)")
        return path or None

    @property
    def exporting(self) -> bool:
        return self._export is not None

    def export_csv(self) -> bool:
        """Write the exchanges that match the filters to a CSV file, off the GUI thread."""
        if self._export is not None:
            return False
        try:
            query = self.build_query()
        except DeskError as err:
            self._set_message(messages.describe(err), error=True)
            return False
        suggested = str(Path.home() / f"exchanges-{dt.date.today().isoformat()}.csv")
        path = self.choose_export_path(self, suggested)
        if not path:
            return False
        if not path.lower().endswith(".csv"):
            path += ".csv"
        self.export_button.setEnabled(False)
        self.export_button.setText("Exporting…")
        self.export_progress.show()
        self._set_message(f"Exporting the exchanges that match to {path}…")
        thread, worker = start_export(lambda part: exchanges_service.export_exchanges_csv(query, part), path,
                                      self._export_succeeded, self._export_failed)
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
        self._set_message(f"Exported {n:,} exchange{'s' if n != 1 else ''} to {path}.")

    @Slot(object)
    def _export_failed(self, exc: BaseException) -> None:
        path = self._export_finished()
        if isinstance(exc, DeskError):
            self._set_message("Not exported. " + messages.describe(exc), error=True)
        elif isinstance(exc, OSError):
            self._set_message(f"Not exported: cannot write {path}: {exc.strerror or exc}", error=True)
        else:
            self._set_message(f"Not exported: {exc}", error=True)
