"""Import sales from a till's export file: choose it, preview it, import it off the GUI thread.

The file is read twice: once for the preview (what would be imported, or every bad row),
then by the import itself, which runs in a worker thread with a progress bar and a Cancel
button. The service imports a whole file or nothing, so Cancel leaves the ledger as it was.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError
from desk.money import format_money
from desk.services.store import current_store
from desk.ui.context import AppContext
from desk.ui.tables.sales_table import local_time_text

FORMATS: tuple[tuple[str | None, str], ...] = (
    (None, "Detect from the file"),
    ("canonical", "Canonical CSV / JSON Lines"),
    ("shopify", "Shopify orders export (CSV)"),
    ("square", "Square item sales export (CSV)"),
)
FORMAT_NAMES = {key: label for key, label in FORMATS if key}

FILE_FILTER = "Sales files (*.csv *.jsonl *.json *.txt);;All files (*)"


def _sales_import():
    # Imported when used: the import service is the dialog's only way to the ledger.
    from desk.services import sales_import

    return sales_import


class _Worker(QObject):
    """Runs one call on a worker thread; reports progress, the result or the error."""

    progress = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, call: Callable[["_Worker"], Any]):
        super().__init__()
        self._call = call

    @Slot()
    def run(self) -> None:
        from desk.models.db import close_thread_connection

        try:
            result = self._call(self)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
        finally:
            close_thread_connection()


class ImportSalesDialog(QDialog):
    """Choose, preview, import. ``run(ctx, parent)`` is what the Sales screen calls."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, path: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("importSalesDialog")
        self.setWindowTitle("Import sales")
        self.setModal(True)
        self.resize(780, 620)
        store = current_store()
        self.locale = store.locale if store else "en_GB"

        self.path: str | None = None
        self.preview_result = None
        self.result = None
        self.outcome = ""  # "", "imported", "cancelled", "failed"
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        self._cancel = threading.Event()
        self._busy = False

        title = QLabel("Import sales from a till's file")
        title.setProperty("role", "heading")
        intro = QLabel(
            "The whole file is checked first. A file with any bad row imports nothing; "
            "importing the same file again changes nothing."
        )
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)

        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("importFile")
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("No file chosen")
        self.file_edit.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.choose_button = QPushButton("Choose file…")
        self.choose_button.setObjectName("chooseFileButton")
        self.choose_button.setShortcut(QKeySequence("Ctrl+O"))
        self.choose_button.setToolTip("Choose the file the till exported (Ctrl+O)")
        self.choose_button.clicked.connect(self.choose)
        self.format_combo = QComboBox()
        self.format_combo.setObjectName("importFormat")
        for key, label in FORMATS:
            self.format_combo.addItem(label, key)
        self.format_combo.currentIndexChanged.connect(lambda *_: self.run_preview())

        form = QGridLayout()
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(8)
        file_label = QLabel("File")
        file_label.setBuddy(self.choose_button)
        form.addWidget(file_label, 0, 0)
        form.addWidget(self.file_edit, 0, 1)
        form.addWidget(self.choose_button, 0, 2)
        format_label = QLabel("Format")
        format_label.setBuddy(self.format_combo)
        form.addWidget(format_label, 1, 0)
        form.addWidget(self.format_combo, 1, 1, 1, 2)
        form.setColumnStretch(1, 1)

        # -- preview: a hint, the summary, or the bad rows -------------------------------
        self.stack = QStackedWidget()
        self.hint = QLabel("Choose a file to see what it holds before anything is imported.")
        self.hint.setProperty("role", "muted")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.stack.addWidget(self.hint)

        summary = QFrame()
        summary.setProperty("role", "card")
        summary_layout = QVBoxLayout(summary)
        summary_layout.setContentsMargins(18, 14, 18, 14)
        self.summary_title = QLabel()
        self.summary_title.setObjectName("previewTitle")
        self.summary_title.setProperty("role", "subheading")
        self.summary_title.setWordWrap(True)
        summary_layout.addWidget(self.summary_title)
        self.figures = QGridLayout()
        self.figures.setHorizontalSpacing(24)
        self.figures.setVerticalSpacing(6)
        self.figure_labels: dict[str, QLabel] = {}
        for r, (key, title_text) in enumerate((
            ("format", "Format"),
            ("rows", "Rows"),
            ("sales", "Sales"),
            ("new", "New to the ledger"),
            ("already", "Already in the ledger"),
            ("refunds", "Refunds"),
            ("total", "Total"),
            ("dates", "Dates"),
        )):
            name = QLabel(title_text)
            name.setProperty("role", "muted")
            value = QLabel()
            value.setObjectName(f"figure_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.figures.addWidget(name, r, 0)
            self.figures.addWidget(value, r, 1)
            self.figure_labels[key] = value
        self.figures.setColumnStretch(1, 1)
        summary_layout.addLayout(self.figures)
        summary_layout.addStretch(1)
        self.stack.addWidget(summary)

        errors = QWidget()
        errors_layout = QVBoxLayout(errors)
        errors_layout.setContentsMargins(0, 0, 0, 0)
        self.errors_title = QLabel()
        self.errors_title.setObjectName("errorsTitle")
        self.errors_title.setProperty("role", "error")
        self.errors_title.setWordWrap(True)
        self.error_list = QListWidget()
        self.error_list.setObjectName("errorList")
        self.error_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.error_list.setAlternatingRowColors(True)
        self.error_list.setSpacing(1)
        self.error_list.setWordWrap(True)
        self.copy_button = QPushButton("Copy the list")
        self.copy_button.setObjectName("copyErrorsButton")
        self.copy_button.setToolTip("Copy every problem, one per line, to paste into an email or a ticket")
        self.copy_button.clicked.connect(self.copy_errors)
        copy_row = QHBoxLayout()
        copy_row.addStretch(1)
        copy_row.addWidget(self.copy_button)
        errors_layout.addWidget(self.errors_title)
        errors_layout.addWidget(self.error_list, 1)
        errors_layout.addLayout(copy_row)
        self.stack.addWidget(errors)

        # -- progress, status and buttons ----------------------------------------------------
        self.progress = QProgressBar()
        self.progress.setObjectName("importProgress")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.status = QLabel()
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)

        self.import_button = QPushButton("Import")
        self.import_button.setObjectName("importButton")
        self.import_button.setProperty("primary", True)
        self.import_button.setDefault(True)
        self.import_button.setMinimumWidth(160)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button = QPushButton("Close")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setMinimumWidth(120)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.import_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 18)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        if path:
            self.set_file(path)

    # -- what tests replace --------------------------------------------------------------------
    @classmethod
    def choose_file(cls, parent: QWidget | None) -> str | None:
        path, _ = QFileDialog.getOpenFileName(parent, "Choose a sales file", "", FILE_FILTER)
        return path or None

    @classmethod
    def run(cls, ctx: AppContext, parent: QWidget | None = None) -> "ImportSalesDialog | None":
        """Ask for a file, then show the dialog with its preview. None if no file was chosen."""
        path = cls.choose_file(parent)
        if not path:
            return None
        dialog = cls(ctx, parent, path)
        dialog.exec()
        return dialog

    # -- choosing and previewing -------------------------------------------------------------
    def choose(self) -> None:
        if self._busy:
            return
        path = self.choose_file(self)
        if path:
            self.set_file(path)

    def selected_format(self) -> str | None:
        return self.format_combo.currentData()

    def set_format(self, fmt: str | None) -> None:
        for i in range(self.format_combo.count()):
            if self.format_combo.itemData(i) == fmt:
                self.format_combo.setCurrentIndex(i)  # previews again when it changes
                return
        raise KeyError(fmt)

    def set_file(self, path: str) -> None:
        self.path = path
        self.file_edit.setText(path)
        self.file_edit.setToolTip(path)
        self.outcome = ""
        self.result = None
        self.run_preview()

    def run_preview(self) -> None:
        """Read the file and show what it would import, or its bad rows (off the GUI thread)."""
        if not self.path or self._busy:
            return
        self.preview_result = None
        self.import_button.setEnabled(False)
        self.import_button.setText("Import")
        self.stack.setCurrentIndex(0)
        self.hint.setText(f"Reading {os.path.basename(self.path)}…")
        self.progress.setRange(0, 0)
        self.progress.setFormat("Reading the file…")
        self.progress.show()
        self._set_status("")
        path, fmt = self.path, self.selected_format()
        self._start(lambda worker: _sales_import().preview(path, fmt), self._preview_done, self._preview_failed,
                    cancellable=False)

    def _preview_done(self, preview) -> None:
        self.progress.hide()
        self.preview_result = preview
        if preview.errors:
            self._show_errors(list(preview.errors))
            return
        fmt_name = FORMAT_NAMES.get(preview.format, preview.format)
        cur = preview.currency or (current_store().currency if current_store() else "GBP")
        self.summary_title.setText(f"{os.path.basename(self.path)}: ready to import")
        f = self.figure_labels
        f["format"].setText(fmt_name)
        f["rows"].setText(f"{preview.rows:,}")
        f["sales"].setText(f"{preview.sales:,} ({preview.lines:,} lines)")
        f["new"].setText(f"{preview.new_sales:,}")
        f["already"].setText(f"{preview.already_in_ledger:,}" + (" (skipped on import)" if preview.already_in_ledger else ""))
        f["refunds"].setText(f"{preview.refunds:,}")
        f["total"].setText(format_money(preview.total, cur, self.locale))
        if preview.first and preview.last:
            first = local_time_text(preview.first, self.locale, "medium")
            last = local_time_text(preview.last, self.locale, "medium")
            f["dates"].setText(first if first == last else f"{first} – {last}")
        else:
            f["dates"].setText("—")
        self.stack.setCurrentIndex(1)
        if preview.already_imported:
            self.summary_title.setText(f"{os.path.basename(self.path)} was imported before")
            self._set_status("This file is already in the ledger: importing it again would change nothing.", "approval")
        elif not preview.new_sales and not preview.refunds:
            self._set_status("Every sale in this file is already in the ledger: nothing to import.", "approval")
        else:
            self.import_button.setEnabled(True)
            self.import_button.setFocus()
            self._set_status(f"Import adds {preview.new_sales:,} sale{'s' if preview.new_sales != 1 else ''}"
                             + (f" and {preview.refunds:,} refund{'s' if preview.refunds != 1 else ''}" if preview.refunds else "")
                             + ".", "allowed")

    def _preview_failed(self, exc: BaseException) -> None:
        self.progress.hide()
        errors = getattr(exc, "errors", None)
        if errors:
            self._show_errors(list(errors))
        elif isinstance(exc, DeskError):
            self._show_errors([], headline=str(exc))
        else:
            self._show_errors([], headline=f"The file could not be read: {exc}")

    def _show_errors(self, errors: list, headline: str | None = None) -> None:
        self.error_list.clear()
        for err in errors:
            self.error_list.addItem(str(err))
        if headline is None:
            n = len(errors)
            headline = (f"{n:,} row{'s' if n != 1 else ''} of this file {'have' if n != 1 else 'has'} a problem. "
                        "Nothing can be imported until the file is fixed.")
        elif not errors:
            self.error_list.addItem(headline)
            headline = "This file cannot be imported:"
        self.errors_title.setText(headline)
        self.stack.setCurrentIndex(2)
        self.import_button.setEnabled(False)
        self._set_status("")

    def error_texts(self) -> list[str]:
        return [self.error_list.item(i).text() for i in range(self.error_list.count())]

    def copy_errors(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(self.error_texts()))
        self._set_status("The list is on the clipboard.", "muted")

    # -- importing ------------------------------------------------------------------------------
    def start_import(self) -> None:
        if not self.path or self._busy or self.preview_result is None or not self.import_button.isEnabled():
            return
        path, fmt, actor = self.path, self.selected_format(), self.ctx.staff
        self._cancel.clear()
        self.progress.setRange(0, 0)  # busy until the service reports its first figures
        self.progress.setFormat("%v of %m")
        self.progress.show()
        self._set_status("Importing… Cancel stops it and leaves the ledger as it was.")

        def call(worker: _Worker):
            return _sales_import().import_file(
                actor, path, fmt,
                progress=lambda done, total: worker.progress.emit(int(done), int(total)),
                cancel=self._cancel.is_set,
            )

        self._start(call, self._import_done, self._import_failed, cancellable=True)

    def cancel_import(self) -> None:
        if self._busy:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self._set_status("Cancelling…")

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setFormat(f"{done:,} of {total:,}")  # first: the bar never shows Qt's own ungrouped "%v of %m"
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def _import_done(self, result) -> None:
        self.result = result
        self.outcome = "imported"
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.progress.setFormat("Done")
        self.summary_title.setText(f"{os.path.basename(self.path)}: imported")
        if result.already_imported:
            text = "This file was already imported: nothing changed."
        else:
            parts = [f"Imported {result.sales_added:,} sale{'s' if result.sales_added != 1 else ''} "
                     f"({result.lines_added:,} lines)"]
            if result.refunds_added:
                parts.append(f"{result.refunds_added:,} refund{'s' if result.refunds_added != 1 else ''}")
            text = ", ".join(parts) + "."
            extra = []
            if result.sales_skipped:
                extra.append(f"{result.sales_skipped:,} already in the ledger were skipped")
            if result.products_created:
                extra.append(f"{result.products_created:,} new products")
            if result.customers_created:
                extra.append(f"{result.customers_created:,} new customers")
            if extra:
                text += " " + "; ".join(extra).capitalize() + "."
        self._set_status(text, "allowed")
        self.import_button.setEnabled(False)
        self.import_button.setText("Imported")
        self.cancel_button.setText("Close")
        self.cancel_button.setFocus()
        self.ctx.events.emit_changed("sales")

    def _import_failed(self, exc: BaseException) -> None:
        self.progress.hide()
        cancelled = type(exc).__name__ == "ImportCancelled"
        try:
            cancelled = cancelled or isinstance(exc, _sales_import().ImportCancelled)
        except Exception:
            pass
        if cancelled:
            self.outcome = "cancelled"
            self._set_status("Cancelled; nothing was imported.", "approval")
            self.import_button.setEnabled(True)
            return
        self.outcome = "failed"
        if getattr(exc, "errors", None):
            self._show_errors(list(exc.errors))
        else:
            self._show_errors([], headline=str(exc) if isinstance(exc, DeskError) else f"The import failed: {exc}")
        self._set_status("Nothing was imported.", "error")

    # -- the worker thread ------------------------------------------------------------------------
    def _start(self, call, on_success, on_failure, *, cancellable: bool) -> None:
        self._busy = True
        self.choose_button.setEnabled(False)
        self.format_combo.setEnabled(False)
        self.import_button.setEnabled(False)
        if cancellable:
            self.cancel_button.setText("Cancel")
            self.cancel_button.setEnabled(True)
            self.cancel_button.clicked.disconnect()
            self.cancel_button.clicked.connect(self.cancel_import)
        thread = QThread(self)
        worker = _Worker(call)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self._on_progress)

        self._handlers = (on_success, on_failure, cancellable)
        # Bound methods of this dialog: Qt queues them to the GUI thread (a lambda would run
        # on the worker's thread).
        worker.succeeded.connect(self._worker_succeeded)
        worker.failed.connect(self._worker_failed)
        self._thread, self._worker = thread, worker
        thread.start()

    @Slot(object)
    def _worker_succeeded(self, value) -> None:
        self._finish(0, value)

    @Slot(object)
    def _worker_failed(self, exc) -> None:
        self._finish(1, exc)

    def _finish(self, which: int, value) -> None:
        on_success, on_failure, cancellable = self._handlers
        thread, worker = self._thread, self._worker
        if thread is not None:
            thread.quit()
            thread.wait()
            thread.deleteLater()
        if worker is not None:
            worker.deleteLater()
        self._thread = self._worker = None
        self._busy = False
        self.choose_button.setEnabled(True)
        self.format_combo.setEnabled(True)
        self.cancel_button.setEnabled(True)
        if cancellable:
            self.cancel_button.clicked.disconnect()
            self.cancel_button.clicked.connect(self.reject)
            self.cancel_button.setText("Close")
        (on_success if which == 0 else on_failure)(value)

    def is_busy(self) -> bool:
        return self._busy

    def _set_status(self, text: str, role: str = "muted") -> None:
        self.status.setText(text)
        self.status.setProperty("role", role)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setVisible(bool(text))

    # -- closing ---------------------------------------------------------------------------------
    def reject(self) -> None:
        """Esc or Close: while importing, Esc cancels instead of closing."""
        if self._busy:
            self.cancel_import()
            return
        super().reject()

    def closeEvent(self, event) -> None:
        if self._busy:
            self.cancel_import()
            event.ignore()
            return
        super().closeEvent(event)
