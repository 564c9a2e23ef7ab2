"""Writing an export file off the GUI thread: to ``path.part`` first, renamed when complete, so a
failure leaves no half file. The logs' Export CSV… buttons (returns, exchanges) use this.

``start_export(write, path, on_success, on_failure)``: ``write(part_path) -> rows`` runs on a
worker thread; ``on_success(rows)`` or ``on_failure(exception)`` are called on the GUI thread.
"""

from __future__ import annotations

import os
from typing import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot


class ExportWorker(QObject):
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, write: Callable[[str], int], path: str):
        super().__init__()
        self.write, self.path = write, path

    @Slot()
    def run(self) -> None:
        from desk.models.db import close_thread_connection

        part = self.path + ".part"
        try:
            n = self.write(part)
            os.replace(part, self.path)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            try:
                os.remove(part)
            except OSError:
                pass
            self.failed.emit(exc)
        else:
            self.succeeded.emit(n)
        finally:
            close_thread_connection()


# Export threads still running (or finished and not yet collected). A thread has no parent: it
# outlives a screen closed during an export (a new person signing in) and ends on its own.
EXPORTS: list[tuple[QThread, ExportWorker]] = []


def prune_exports() -> None:
    for entry in list(EXPORTS):
        if entry[0].isFinished():
            EXPORTS.remove(entry)
            entry[0].deleteLater()
            entry[1].deleteLater()


def start_export(write: Callable[[str], int], path: str, on_success: Callable[[object], None],
                 on_failure: Callable[[object], None]) -> tuple[QThread, ExportWorker]:
    """Start writing ``path``; the callbacks should be bound methods of a QObject living in the
    GUI thread (Qt then queues them there)."""
    prune_exports()
    thread = QThread()
    worker = ExportWorker(write, path)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.succeeded.connect(thread.quit)
    worker.failed.connect(thread.quit)
    EXPORTS.append((thread, worker))
    worker.succeeded.connect(on_success)
    worker.failed.connect(on_failure)
    thread.start()
    return thread, worker


def finish_export(thread: QThread) -> None:
    """Wait for ``thread`` to end (called from the success/failure slot) and collect it."""
    thread.quit()
    thread.wait()
    prune_exports()
