"""Head office (head-office role): import the stores' bundles with progress and a log, register
stores, see which bundles arrived day by day, and run the reports across stores with CSV."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QDate, QItemSelectionModel, QThread, Qt, Slot
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk import clock
from desk.io.bundles import key_fingerprint
from desk.services import head_office as ho
from desk.services import ho_reports
from desk.ui import messages
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.dialogs.import_sales import _Worker as Worker  # one worker-thread helper for imports
from desk.ui.screens.base import Screen
from desk.ui.widgets.bar_chart import BarChart

# the decision colours of resources/styles/desk.qss, as cell backgrounds
COVERAGE_COLOURS = {"arrived": "#d7ecd9", "missing": "#f6e3c4", "refused": "#f4d3d0", "closed": "#d6dde9",
                    "none": "#f1f1f1"}
COVERAGE_MARKS = {"arrived": "✓", "missing": "!", "refused": "✗", "closed": "–", "none": ""}


def _table(columns: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list], right: set[int] = frozenset()) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem("" if value is None else str(value))
            if c in right:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)


def _local(when: dt.datetime | None) -> str:
    return clock.to_local(when).strftime("%d %b %Y %H:%M") if when else ""


def _button(text: str, name: str, primary: bool = False) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setMinimumHeight(44 if primary else 36)
    if primary:
        button.setProperty("role", "primary")
    return button


class HeadOfficeScreen(Screen):
    title = "Head office"
    action_name = "screen.head_office"
    permission = "ho.window"  # head office staff only (a store's admin has the commands)
    keys = (
        ScreenKey("Ctrl+O", "Import bundles"),
        ScreenKey("Esc", "Stop the import"),
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("headOfficeScreen")
        self._thread: QThread | None = None
        self._worker: Worker | None = None
        self._queue: list[str] = []

        heading = QLabel("Head office")
        heading.setObjectName("screenTitle")
        heading.setProperty("role", "heading")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("headOfficeTabs")
        self.tabs.addTab(self._import_page(), "Import  (Ctrl+O)")
        self.tabs.addTab(self._coverage_page(), "Coverage")
        self.tabs.addTab(self._reports_page(), "Reports")
        self.tabs.addTab(self._stores_page(), "Stores")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(self.tabs, 1)
        QShortcut(QKeySequence("Ctrl+O"), self, activated=self.choose_bundles)
        ctx.events.changed.connect(self._on_changed)

    # -- import ---------------------------------------------------------------------------------
    def _import_page(self) -> QWidget:
        page = QWidget()
        self.import_button = _button("Import bundles…  (Ctrl+O)", "hoImportButton", primary=True)
        self.import_button.setMaximumWidth(320)
        self.import_button.clicked.connect(self.choose_bundles)
        self.progress = QProgressBar()
        self.progress.setObjectName("hoImportProgress")
        self.progress.setMinimumHeight(24)
        self.progress.setVisible(False)
        self.cancel_button = _button("Stop  (Esc)", "hoImportCancel")
        self.cancel_button.setMaximumWidth(200)
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_import)
        QShortcut(QKeySequence("Esc"), page, activated=self.cancel_import)
        self._cancelled = False
        self.log = QPlainTextEdit()
        self.log.setObjectName("hoImportLog")
        self.log.setReadOnly(True)
        self.log.setPlaceholderText("What each import did appears here.")
        self.log.setMaximumHeight(150)
        self.bundles = _table(["Received", "Store", "Bundle", "Period", "Status", "Added", "Replaced", "Conflicts",
                               "Reason"])
        self.bundles.setObjectName("hoBundlesTable")
        box = QVBoxLayout(page)
        box.setContentsMargins(8, 12, 8, 8)
        box.setSpacing(10)
        box.addWidget(self.import_button)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        box.addLayout(progress_row)
        box.addWidget(self.log)
        box.addWidget(QLabel("Bundles received"))
        box.addWidget(self.bundles, 1)
        return page

    def choose_bundles(self) -> None:
        if self.is_busy():
            return
        paths, _ = QFileDialog.getOpenFileNames(self, "Import bundles", "", "Bundles (*.zip)")
        if paths:
            self.import_paths(paths)

    def is_busy(self) -> bool:
        return self._thread is not None

    def import_paths(self, paths: list[str]) -> None:
        """Import the bundles one after another on a worker thread; each result goes to the log."""
        self._queue = list(paths)
        self._cancelled = False
        self.import_button.setEnabled(False)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self._next()

    def cancel_import(self) -> None:
        """Stop: the bundle being imported rolls back whole; the ones queued are not started."""
        if self.is_busy():
            self._cancelled = True
            self._queue.clear()

    def _next(self) -> None:
        if not self._queue:
            self.import_button.setEnabled(True)
            self.progress.setVisible(False)
            self.cancel_button.setVisible(False)
            self.refresh_bundles()
            self.ctx.events.changed.emit("head_office")
            return
        path = self._queue.pop(0)
        actor = self.ctx.staff
        self.progress.setRange(0, 0)

        def call(worker: Worker):
            return ho.import_bundle(actor, path, progress=lambda done, total: worker.progress.emit(done, total),
                                    cancel=lambda: self._cancelled)

        thread = QThread(self)
        worker = Worker(call)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self._on_progress)
        worker.succeeded.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        self._thread, self._worker = thread, worker
        thread.start()

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _stop_thread(self) -> None:
        thread, worker = self._thread, self._worker
        if thread is not None:
            thread.quit()
            thread.wait()
            thread.deleteLater()
        if worker is not None:
            worker.deleteLater()
        self._thread = self._worker = None

    @Slot(object)
    def _on_done(self, result) -> None:
        self._stop_thread()
        self.log.appendPlainText(result.message())
        for c in result.conflicts:
            self.log.appendPlainText(f"    conflict: {c.kind} {c.uuid} version {c.version}")
        self._next()

    @Slot(object)
    def _on_failed(self, exc) -> None:
        self._stop_thread()
        self._queue.clear()
        self._next()
        if isinstance(exc, ho.ImportCancelled):
            self.log.appendPlainText(str(exc))
            return
        self.log.appendPlainText(f"Failed: {messages.describe(exc)}")
        messages.show_error(self, exc)

    def refresh_bundles(self) -> None:
        rows = []
        for b in ho.recent_bundles():
            period = f"{_local(b.period_from)} – {_local(b.period_to)}" if b.period_from else ""
            # counts grouped as the import's log writes them (150,000)
            counts = [f"{n:,}" for n in (b.added, b.replaced, b.conflicts)] if b.status == "imported" else ["", "", ""]
            rows.append([_local(b.received_at), b.store_code, b.number or "", period, b.status, *counts, b.reason])
        _fill(self.bundles, rows, right={2, 5, 6, 7})
        for r, row in enumerate(rows):
            colour = COVERAGE_COLOURS["refused"] if row[4] == "refused" else None
            if colour:
                for c in range(len(row)):
                    self.bundles.item(r, c).setBackground(QBrush(QColor(colour)))
        self.bundles.resizeColumnsToContents()

    # -- coverage -------------------------------------------------------------------------------
    def _date_edit(self, name: str, days_back: int) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumHeight(34)
        edit.setDate(QDate.currentDate().addDays(-days_back))
        return edit

    def _coverage_page(self) -> QWidget:
        page = QWidget()
        self.cov_from = self._date_edit("hoCoverageFrom", 13)
        self.cov_to = self._date_edit("hoCoverageTo", 0)
        self.cov_button = _button("Show", "hoCoverageButton")
        self.cov_button.clicked.connect(self.show_coverage)
        row = QHBoxLayout()
        for w in (QLabel("From"), self.cov_from, QLabel("to"), self.cov_to, self.cov_button):
            row.addWidget(w)
        row.addStretch(1)
        self.coverage_table = QTableWidget()
        self.coverage_table.setObjectName("hoCoverageTable")
        self.coverage_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        legend = QLabel("✓ arrived    ! missing (a gap in the numbering, or no bundle)    ✗ refused    "
                        "– closed (not a trading day: Stores tab)    blank: before the store started, or the day "
                        "is not over. Point at a cell for the detail.")
        legend.setProperty("role", "muted")
        legend.setWordWrap(True)
        box = QVBoxLayout(page)
        box.setContentsMargins(8, 12, 8, 8)
        box.addLayout(row)
        box.addWidget(self.coverage_table, 1)
        box.addWidget(legend)
        return page

    def show_coverage(self) -> None:
        ok, cov = messages.attempt(self, ho.coverage, self.cov_from.date().toPython(), self.cov_to.date().toPython())
        if not ok:
            return
        table = self.coverage_table
        table.clear()
        table.setRowCount(len(cov.stores))
        table.setColumnCount(len(cov.days))
        table.setHorizontalHeaderLabels([d.strftime("%a\n%d %b") for d in cov.days])
        table.setVerticalHeaderLabels([f"{code}  {name}" for code, name in cov.stores])
        for r, (code, _) in enumerate(cov.stores):
            for c, day in enumerate(cov.days):
                cell = cov.cell(code, day)
                item = QTableWidgetItem(COVERAGE_MARKS[cell.status])
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QBrush(QColor(COVERAGE_COLOURS[cell.status])))
                tip = {"arrived": "arrived: bundle " + ", ".join(map(str, cell.bundles))}.get(cell.status, cell.note)
                item.setToolTip(f"{code} {day.isoformat()}: {tip or 'not due'}")
                item.setData(Qt.ItemDataRole.UserRole, cell.status)
                table.setItem(r, c, item)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.horizontalHeader().setDefaultSectionSize(56)

    # -- reports --------------------------------------------------------------------------------
    def _reports_page(self) -> QWidget:
        page = QWidget()
        self.report_combo = QComboBox()
        self.report_combo.setObjectName("hoReportCombo")
        self.report_combo.setMinimumHeight(34)
        for spec in ho_reports.REPORTS.values():
            self.report_combo.addItem(spec.title, spec.name)
        self.rep_from = self._date_edit("hoReportFrom", 29)
        self.rep_to = self._date_edit("hoReportTo", 0)
        self.run_button = _button("Run", "hoReportRun", primary=True)
        self.run_button.clicked.connect(self.run_report)
        self.csv_button = _button("Export CSV…", "hoReportCsv")
        self.csv_button.clicked.connect(self.export_csv)
        self.csv_button.setEnabled(False)
        self.chart_button = _button("Chart  (Ctrl+G)", "hoReportChartToggle")
        self.chart_button.setCheckable(True)
        self.chart_button.setChecked(True)
        self.chart_button.toggled.connect(self._chart_toggled)
        QShortcut(QKeySequence("Ctrl+G"), page, activated=self.chart_button.toggle)
        row = QHBoxLayout()
        for w in (self.report_combo, QLabel("From"), self.rep_from, QLabel("to"), self.rep_to, self.run_button,
                  self.csv_button, self.chart_button):
            row.addWidget(w)
        row.addStretch(1)
        # the filters re-run the report, so table and chart always show the days picked
        self.report_combo.currentIndexChanged.connect(lambda _i: self._rerun())
        self.rep_from.dateChanged.connect(lambda _d: self._rerun())
        self.rep_to.dateChanged.connect(lambda _d: self._rerun())
        self.report_table = _table([])
        self.report_table.setObjectName("hoReportTable")
        self.report_chart = BarChart("hoReportChart", min_height=240)
        self.report_chart.setVisible(False)
        self.report_splitter = QSplitter(Qt.Orientation.Vertical)
        self.report_splitter.setChildrenCollapsible(False)
        self.report_splitter.addWidget(self.report_chart)
        self.report_splitter.addWidget(self.report_table)
        self.report_splitter.setSizes([330, 300])
        self.report_note = QLabel()
        self.report_note.setProperty("role", "muted")
        self.report_note.setWordWrap(True)
        self.report: ho_reports.Report | None = None
        box = QVBoxLayout(page)
        box.setContentsMargins(8, 12, 8, 8)
        box.addLayout(row)
        box.addWidget(self.report_splitter, 1)
        box.addWidget(self.report_note)
        return page

    def _rerun(self) -> None:
        # once a report has been run, the filters update it (quietly skipping a half-typed range)
        if self.report is not None and self.rep_from.date() <= self.rep_to.date():
            self.run_report()

    def _chart_toggled(self, on: bool) -> None:
        self.report_chart.setVisible(on and self.report is not None
                                     and ho_reports.chart_data(self.report) is not None)

    def chart_shown(self) -> bool:
        return not self.report_chart.isHidden()

    def _show_chart(self, report: ho_reports.Report) -> str:
        data = ho_reports.chart_data(report)
        if data is None:
            self.report_chart.setVisible(False)
            return ""
        self.report_chart.show_bars(data.title, data.categories, data.series, axis_title=data.axis,
                                    empty="(no records)", axis_max=data.axis_max)
        self.report_chart.setVisible(self.chart_button.isChecked())
        return data.note

    def run_report(self) -> None:
        ok, report = messages.attempt(self, ho_reports.run_report, self.ctx.staff, self.report_combo.currentData(),
                                      self.rep_from.date().toPython(), self.rep_to.date().toPython())
        if not ok:
            return
        self.report = report
        self.report_table.clear()
        self.report_table.setColumnCount(len(report.columns))
        self.report_table.setHorizontalHeaderLabels(report.columns)
        right = {i for i, c in enumerate(report.columns) if c in report.money or c in report.percent
                 or any(isinstance(r[i], (int, Decimal)) for r in report.rows)}
        _fill(self.report_table, [[report.as_text(r, c) for c in report.columns] for r in report.rows], right)
        self.report_table.resizeColumnsToContents()
        note = self._show_chart(report)
        n = len(report.rows)
        text = f"{n} row{'' if n == 1 else 's'}." if n else "No records in these days."
        if report.rows and report.money:
            text += " Amounts in each row's currency."
        self.report_note.setText(text + (f" Chart: {note}" if note else ""))
        self.csv_button.setEnabled(bool(report.rows))

    def export_csv(self) -> None:
        if self.report is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export CSV", f"{self.report.name}.csv", "CSV (*.csv)")
        if path:
            ok, n = messages.attempt(self, ho_reports.write_csv, self.report, path)
            if ok:
                self.report_note.setText(f"{n} rows written to {path}.")

    # -- stores ---------------------------------------------------------------------------------
    def _stores_page(self) -> QWidget:
        page = QWidget()
        self.stores_table = _table(["Code", "Name", "Registered", "Key fingerprint", "Closed on"])
        self.stores_table.setObjectName("hoStoresTable")
        self.stores_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("hoStoreCode")
        self.code_edit.setMaxLength(8)
        self.code_edit.setPlaceholderText("e.g. LDN01")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("hoStoreName")
        self.name_edit.setMaxLength(120)
        for edit in (self.code_edit, self.name_edit):
            edit.setMinimumHeight(34)
            edit.returnPressed.connect(self.register_store)
        self.code_edit.setMaximumWidth(200)
        self.name_edit.setMaximumWidth(480)
        self.register_button = _button("Register store", "hoRegisterButton", primary=True)
        self.register_button.clicked.connect(self.register_store)
        self.register_button.setMaximumWidth(260)
        self.key_shown = QLineEdit()
        self.key_shown.setObjectName("hoNewKey")
        self.key_shown.setReadOnly(True)
        self.key_shown.setMinimumHeight(34)
        self.key_shown.setPlaceholderText("The new store's key appears here, once")
        self.copy_button = _button("Copy key", "hoCopyKey")
        self.copy_button.clicked.connect(lambda: QApplication.clipboard().setText(self.key_shown.text()))
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_shown, 1)
        key_row.addWidget(self.copy_button)
        form = QFormLayout()
        form.addRow("Store code", self.code_edit)
        form.addRow("Store name", self.name_edit)
        form.addRow("", self.register_button)
        form.addRow("Key", key_row)
        note = QLabel("Give the key to the store: a manager enters it once in Settings → Head office "
                      "(or desk set-ho-key). It is shown only now.")
        note.setProperty("role", "muted")
        note.setWordWrap(True)
        box = QVBoxLayout(page)
        box.setContentsMargins(8, 12, 8, 8)
        box.addWidget(self.stores_table, 1)
        box.addWidget(self._trading_days_box())
        box.addLayout(form)
        box.addWidget(note)
        return page

    def _trading_days_box(self) -> QWidget:
        """The selected store's trading calendar: the weekdays it is closed and its closed dates."""
        box = QWidget()
        box.setObjectName("hoTradingDays")
        self.days_title = QLabel("Trading days: pick a store above")
        self.days_title.setProperty("role", "subheading")
        self.weekday_boxes: list[QCheckBox] = []
        days_row = QHBoxLayout()
        days_row.addWidget(QLabel("Closed on"))
        for name in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"):
            check = QCheckBox(name)
            check.setObjectName(f"hoClosed{name}")
            check.setMinimumHeight(30)
            self.weekday_boxes.append(check)
            days_row.addWidget(check)
        days_row.addStretch(1)
        self.closed_dates_edit = QLineEdit()
        self.closed_dates_edit.setObjectName("hoClosedDates")
        self.closed_dates_edit.setMinimumHeight(34)
        self.closed_dates_edit.setPlaceholderText("Closed dates (holidays), e.g. 2026-12-25, 2026-12-26")
        self.closed_dates_edit.returnPressed.connect(self.save_trading_days)
        self.days_button = _button("Save trading days  (Ctrl+S)", "hoSaveTradingDays")
        self.days_button.clicked.connect(self.save_trading_days)
        QShortcut(QKeySequence("Ctrl+S"), box, activated=self.save_trading_days)
        dates_row = QHBoxLayout()
        dates_row.addWidget(self.closed_dates_edit, 1)
        dates_row.addWidget(self.days_button)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(self.days_title)
        layout.addLayout(days_row)
        layout.addLayout(dates_row)
        self.stores_table.itemSelectionChanged.connect(self.show_trading_days)
        self._enable_trading_days(False)
        return box

    def _enable_trading_days(self, on: bool) -> None:
        for w in [*self.weekday_boxes, self.closed_dates_edit, self.days_button]:
            w.setEnabled(on)

    def selected_store(self) -> str | None:
        rows = self.stores_table.selectionModel().selectedRows() if self.stores_table.selectionModel() else []
        item = self.stores_table.item(rows[0].row(), 0) if rows else None
        return item.text() if item else None

    def show_trading_days(self) -> None:
        code = self.selected_store()
        self._enable_trading_days(code is not None)
        if code is None:
            self.days_title.setText("Trading days: pick a store above")
            return
        ok, calendar = messages.attempt(self, ho.trading_calendar, code)
        if not ok:
            return
        self.days_title.setText(f"Trading days of {code}: coverage expects no bundle on the days it is closed")
        for i, check in enumerate(self.weekday_boxes):
            check.setChecked(i in calendar.closed_weekdays)
        self.closed_dates_edit.setText(", ".join(d.isoformat() for d in calendar.closed_dates))

    def save_trading_days(self) -> None:
        code = self.selected_store()
        if code is None:
            return

        def save():
            dates = ho.parse_dates(self.closed_dates_edit.text())
            weekdays = [i for i, check in enumerate(self.weekday_boxes) if check.isChecked()]
            return ho.set_trading_calendar(self.ctx.staff, code, weekdays, dates)

        ok, calendar = messages.attempt(self, save)
        if ok:
            self.refresh_stores()
            self.show_trading_days()
            self.days_title.setText(f"Trading days of {code} saved: {calendar.describe().split(': ', 1)[1]}")

    def register_store(self) -> None:
        ok, result = messages.attempt(self, ho.register_store, self.ctx.staff, self.code_edit.text(),
                                      self.name_edit.text())
        if ok:
            store, key = result
            self.key_shown.setText(key)
            self.code_edit.clear()
            self.name_edit.clear()
            self.refresh_stores()

    def refresh_stores(self) -> None:
        selected = self.selected_store()
        stores = ho.list_stores()
        _fill(self.stores_table, [[s.code, s.name, _local(s.registered_at), key_fingerprint(s.key),
                                   s.closed_weekdays.replace(",", ", ") or "—"] for s in stores])
        self.stores_table.resizeColumnsToContents()
        codes = [s.code for s in stores]
        if selected in codes:  # not selectRow: with Ctrl held (Ctrl+S) it would toggle the row off
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.stores_table.selectionModel().select(self.stores_table.model().index(codes.index(selected), 0), flags)

    # -- refresh --------------------------------------------------------------------------------
    def activated(self) -> None:
        self.refresh_bundles()
        self.refresh_stores()

    def _on_changed(self, kind: str) -> None:
        if kind == "head_office" and self.isVisible():
            self.activated()
