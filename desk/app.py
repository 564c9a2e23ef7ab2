"""The GUI's start: the application, its look, the database, first run, sign-in, the main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from desk import APP_NAME, ORG_NAME, __version__

EXIT_OK = 0
EXIT_DATABASE = 2
EXIT_NO_STAFF = 3


_themed_app: QApplication | None = None


def application() -> QApplication:
    """The one QApplication: names set once, Fusion style, the palette, the stylesheet, 11 pt."""
    app = QApplication.instance()
    if app is None:
        QApplication.setOrganizationName(ORG_NAME)
        QApplication.setApplicationName(APP_NAME)
        QApplication.setApplicationVersion(__version__)
        app = QApplication(sys.argv[:1])
    global _themed_app
    if _themed_app is not app:
        from desk.ui.theme import apply_theme

        apply_theme(app)
        _themed_app = app
    return app


class _FirstPaint(QObject):
    """Prints ``painted`` once the window has painted for the first time, then quits."""

    def __init__(self, window: QWidget, app: QApplication):
        super().__init__(app)
        self.window = window
        self.app = app
        self.seen = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if (not self.seen and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget)
                and obj.window() is self.window):
            self.seen = True
            QTimer.singleShot(0, self._done)
        return False

    def _done(self) -> None:
        self.app.removeEventFilter(self)
        print("painted", flush=True)
        self.app.exit(EXIT_OK)


def _staff_by_code(code: str):
    """Benchmark only: the staff member with this code, signed in without a PIN or audit event."""
    from desk.services import staff as staff_service

    return staff_service.find_staff(code)


def run_gui(db_url: str | None = None, *, exit_after_paint: bool = False, staff_code: str | None = None) -> int:
    """Start the GUI on ``db_url`` (default: SQLite in the user's data folder). Returns the exit code.

    ``exit_after_paint`` with ``staff_code`` is for the benchmark: no wizard and no sign-in,
    the window opens at 1280x800 and the app quits (printing ``painted``) once it has painted.
    """
    from desk.errors import DatabaseProblem, DeskError
    from desk.models.db import close_database, open_database

    app = application()
    try:
        opened = open_database(db_url)
    except DatabaseProblem as exc:
        print(f"desk: {exc}", file=sys.stderr, flush=True)
        if not exit_after_paint:
            from desk.ui.messages import show_critical

            show_critical(None, "Desk cannot open its database", str(exc))
        return EXIT_DATABASE

    from desk.ui.context import AppContext
    from desk.ui.main_window import MainWindow

    ctx = AppContext(db_url=opened.url)
    try:
        if exit_after_paint:
            if not staff_code:
                print("desk: exit_after_paint needs a staff code", file=sys.stderr, flush=True)
                return EXIT_NO_STAFF
            try:
                ctx.staff = _staff_by_code(staff_code)
            except DeskError as exc:
                print(f"desk: {exc}", file=sys.stderr, flush=True)
                return EXIT_NO_STAFF
            window = MainWindow(ctx)
            window.resize(1280, 800)
            app.installEventFilter(_FirstPaint(window, app))
            window.show()
            code = app.exec()
            window.idle.stop()
            window.deleteLater()
            return code

        from desk.services.store import current_store
        from desk.ui.dialogs.first_run import FirstRunWizard
        from desk.ui.dialogs.sign_in import START, SignInDialog

        if current_store() is None and not FirstRunWizard.run(ctx, None):
            return EXIT_OK
        staff = SignInDialog.get_staff(ctx, None, mode=START)
        if staff is None:
            return EXIT_OK  # Esc at sign-in: nobody signed in, the app closes
        ctx.set_staff(staff)
        window = MainWindow(ctx)
        window.restore_geometry()
        window.show()
        return app.exec()
    finally:
        close_database()


def main() -> int:
    """``python main.py``: the GUI on the default database."""
    return run_gui()


if __name__ == "__main__":
    sys.exit(main())
