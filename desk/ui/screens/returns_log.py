"""Returns log: every return, filtered by date, clerk, reason, tender, customer, amount and
approval, with the totals of what matches; Export CSV…; open a return to reprint or void it."""

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
from desk.money import format_money
from desk.services import auth
from desk.services import returns as returns_service
from desk.services.returns import METHOD_LABELS, ReturnQuery
from desk.services.store import current_store
from desk.ui import messages
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.exporting import ExportWorker, finish_export, start_export
from desk.ui.screens.base import Screen
from desk.ui.widgets.filters import fill_clerk_combo, fill_reason_combo, repolish
from desk.ui.screens.sales import parse_amount_filter, parse_day
from desk.ui.tables.paged import fit_columns, number_sample
from desk.ui.tables.returns_log_table import ReturnsLogTableModel

APPROVAL_CHOICES = (("Any", ""), ("Approved (any)", "approved"), ("Through the queue", "queue"),
                    ("Overridden refusal", "override"), ("No approval", "none"))
STATUS_CHOICES = (("Any", ""), ("Done", "completed"), ("Voided", "voided"))
TENDER_ORDER = ("cash", "card", "gift_card", "other", "store_credit")


class ReturnsLogScreen(Screen):
    title = "Returns log"
    action_name = "screen.returns_log"
    permission = "returns.log"
    keys = (ScreenKey("Esc", "Clear the filters", "clear_filters"),)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("returnsLogScreen")
        store = current_store()
        self.locale = store.locale if store else "en_GB"
        self.currency = store.currency if store else "GBP"

        heading = QLabel("Returns log")
        heading.setProperty("role", "heading")
        intro = QLabel("Every return from every desk. Filter, then press Enter; open a return to reprint its "
                       "slip or void it.")
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)

        # -- filters ------------------------------------------------------------------------
        self.from_edit = self._edit("dd/mm/yyyy", "fromEdit")
        self.to_edit = self._edit("dd/mm/yyyy", "toEdit")
        self.clerk_combo = self._combo("clerkCombo")
        self.clerk_combo.setEditable(True)
        self.clerk_combo.lineEdit().setPlaceholderText("Any clerk")
        self.clerk_combo.lineEdit().returnPressed.connect(self.search)
        self.reason_combo = self._combo("reasonCombo")
        self.tender_combo = self._combo("tenderCombo")
        self.tender_combo.addItem("Any", "")
        for method in TENDER_ORDER:
            self.tender_combo.addItem(METHOD_LABELS.get(method, method), method)
        self.customer_edit = self._edit("Name, phone, email", "customerEdit")
        self.amount_edit = self._edit("12.50, 10-20", "amountEdit")
        self.approval_combo = self._combo("approvalCombo")
        for label, value in APPROVAL_CHOICES:
            self.approval_combo.addItem(label, value)
        self.status_combo = self._combo("statusCombo")
        for label, value in STATUS_CHOICES:
            self.status_combo.addItem(label, value)
        self.number_edit = self._edit("R-… or receipt", "numberEdit")

        self.search_button = QPushButton("Search")
        self.search_button.setObjectName("searchButton")
        self.search_button.setProperty("primary", True)
        self.search_button.setToolTip("Show the returns that match (Enter)")
        self.search_button.clicked.connect(self.search)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setMinimumHeight(40)
        self.clear_button.setToolTip("Empty the filters (Esc)")
        self.clear_button.clicked.connect(self.clear_filters)

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        first = (("From", self.from_edit, 110), ("To", self.to_edit, 110), ("Clerk", self.clerk_combo, 140),
                 ("Reason", self.reason_combo, 140), ("Refunded to", self.tender_combo, 130),
                 ("Number", self.number_edit, 140))
        second = (("Customer", self.customer_edit, 140), ("Amount", self.amount_edit, 110),
                  ("Approval", self.approval_combo, 140), ("Status", self.status_combo, 130))
        for row, fields in ((0, first), (2, second)):
            for col, (title, widget, width) in enumerate(fields):
                widget.setMinimumWidth(width)
                label = QLabel(title)
                label.setProperty("role", "muted")
                label.setBuddy(widget)
                grid.addWidget(label, row, col)
                grid.addWidget(widget, row + 1, col)
        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.search_button)
        grid.addLayout(buttons, 3, 4, 1, 2)
        for col in range(6):
            grid.setColumnStretch(col, 1)

        self.message = QLabel()
        self.message.setObjectName("logMessage")
        self.message.setWordWrap(True)

        # -- the list -------------------------------------------------------------------------
        self.model = ReturnsLogTableModel(self, locale=self.locale)
        self.model.set_source(lambda q, offset, limit: returns_service.search_returns(self.ctx.staff, q, offset, limit),
                              lambda q: returns_service.count_returns(self.ctx.staff, q))
        self.table = QTableView()
        self.table.setObjectName("returnsLogTable")
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

        self.totals_label = QLabel()
        self.totals_label.setObjectName("logTotals")
        self.totals_label.setWordWrap(True)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("exportButton")
        self.export_button.setMinimumSize(150, 48)
        self.export_button.setToolTip("Write the returns that match to a CSV file")
        self.export_button.clicked.connect(self.export_csv)
        self.open_button = QPushButton("Open  (Enter)")
        self.open_button.setObjectName("openButton")
        self.open_button.setProperty("primary", True)
        self.open_button.setMinimumSize(170, 48)
        self.open_button.setToolTip("See the selected return: lines, refunds, approval; reprint or void it")
        self.open_button.clicked.connect(self.open_selected)
        self.export_progress = QProgressBar()
        self.export_progress.setObjectName("exportProgress")
        self.export_progress.setRange(0, 0)  # busy: the export reports no steps
        self.export_progress.setMaximumWidth(140)
        self.export_progress.setTextVisible(False)
        self.export_progress.hide()
        bottom = QHBoxLayout()
        bottom.setSpacing(12)
        bottom.addWidget(self.totals_label, 1)
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
        self.totals = None
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
        # sized by the grid, not by its longest entry (the filters fit beside the navigation)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)
        combo.activated.connect(lambda _i: self.search())
        return combo

    def _fill_choices(self) -> None:
        """The reasons (from the policy) and the staff (when this person may see the list)."""
        fill_reason_combo(self.reason_combo)
        fill_clerk_combo(self.clerk_combo, self.ctx.staff)

    # -- state ---------------------------------------------------------------------------------
    def activated(self) -> None:
        self._fill_choices()
        self.refresh()
        self.from_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_changed(self, kind: str) -> None:
        if kind in ("returns", "approvals") and self.isVisible():
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

    def money(self, minor: int) -> str:
        return format_money(minor, self.currency, self.locale)

    def totals_text(self) -> str:
        t = self.totals
        if t is None:
            return ""
        shown = self.model.total_count
        head = f"{t.count:,} return{'s' if t.count != 1 else ''} · {self.money(t.total)} refunded"
        if t.fees:
            head += f" · {self.money(t.fees)} restocking fees kept"
        tenders = [f"{METHOD_LABELS.get(m, m)} {self.money(t.by_tender[m])}"
                   for m in sorted(t.by_tender, key=lambda m: TENDER_ORDER.index(m) if m in TENDER_ORDER else 99)]
        text = head + ("  —  " + ", ".join(tenders) if tenders else "")
        query = self.model.query
        if shown != t.count and (query is None or not query.status):
            text += f"  ({shown - t.count} voided not counted)"
        return text

    # -- searching -------------------------------------------------------------------------------
    def clerk_code(self) -> str:
        text = self.clerk_combo.currentText().strip()
        index = self.clerk_combo.findText(text)
        if text and index >= 0:
            return self.clerk_combo.itemData(index) or ""
        return text.split("—")[0].strip()

    def build_query(self) -> ReturnQuery:
        """The filters as a ReturnQuery; raises InvalidInput naming the field that is wrong."""
        for w in (self.from_edit, self.to_edit, self.amount_edit):
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
        try:
            exact, low, high = parse_amount_filter(self.amount_edit.text(), self.currency, self.locale)
        except ValueError as err:
            self._mark(self.amount_edit, True)
            raise InvalidInput("Amount", str(err)) from None
        if exact is not None:
            low = high = exact
        return ReturnQuery(date_from=days[0], date_to=days[1], clerk_code=self.clerk_code(),
                           reason=self.reason_combo.currentData() or "", tender=self.tender_combo.currentData() or "",
                           customer=self.customer_edit.text().strip(), amount_min=low, amount_max=high,
                           approval=self.approval_combo.currentData() or "", status=self.status_combo.currentData() or "",
                           number=self.number_edit.text().strip())

    def _run(self, query: ReturnQuery) -> None:
        self.model.set_query(query)
        self.totals = returns_service.returns_totals(self.ctx.staff, query)
        self.totals_label.setText(self.totals_text())

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
        """Run the current filters again, keeping the selected return."""
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
        for edit in (self.from_edit, self.to_edit, self.customer_edit, self.amount_edit, self.number_edit):
            edit.clear()
        self.clerk_combo.setEditText("")
        for combo in (self.reason_combo, self.tender_combo, self.approval_combo, self.status_combo):
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

    # -- opening ---------------------------------------------------------------------------------
    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_row(index.row())

    def open_selected(self) -> bool:
        return self.open_row(self.current_row())

    def open_row(self, row: int) -> bool:
        from desk.ui.dialogs.return_detail import ReturnDetailDialog

        entry = self.model.row_at(row)
        if entry is None:
            return False
        voided = ReturnDetailDialog.show_return(self.ctx, self, entry.number)
        if voided:
            self.refresh()
        return True

    # -- export ----------------------------------------------------------------------------------
    @classmethod
    def choose_export_path(cls, parent: QWidget, suggested: str) -> str | None:
        """The file dialog (tests replace this step): the path chosen, or None when cancelled."""
        path, _filter = QFileDialog.getSaveFileName(parent, "Export the returns log", suggested, "CSV files (*.csv)")
        return path or None

    @property
    def exporting(self) -> bool:
        return self._export is not None

    def export_csv(self) -> bool:
        """Write the returns that match the filters to a CSV file, off the GUI thread.

        Returns True when the export started; the message says when it is done."""
        if self._export is not None:
            return False
        try:
            query = self.build_query()
        except DeskError as err:
            self._set_message(messages.describe(err), error=True)
            return False
        suggested = str(Path.home() / f"returns-{dt.date.today().isoformat()}.csv")
        path = self.choose_export_path(self, suggested)
        if not path:
            return False
        if not path.lower().endswith(".csv"):
            path += ".csv"
        actor = self.ctx.staff
        self.export_button.setEnabled(False)
        self.export_button.setText("Exporting…")
        self.export_progress.show()
        self._set_message(f"Exporting the returns that match to {path}…")
        # bound methods of this screen: Qt queues them to the GUI thread
        thread, worker = start_export(lambda part: returns_service.export_returns_csv(query, part, actor), path,
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
        self._set_message(f"Exported {n:,} return{'s' if n != 1 else ''} to {path}.")

    @Slot(object)
    def _export_failed(self, exc: BaseException) -> None:
        path = self._export_finished()
        if isinstance(exc, DeskError):
            self._set_message("Not exported. " + messages.describe(exc), error=True)
        elif isinstance(exc, OSError):
            self._set_message(f"Not exported: cannot write {path}: {exc.strerror or exc}", error=True)
        else:
            self._set_message(f"Not exported: {exc}", error=True)
