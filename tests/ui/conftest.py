"""Shared fixtures for the screens: a context on a small store, signed-in windows, captured messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ADMIN_CODE, ADMIN_PIN  # noqa: F401  (re-exported for UI tests)


_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """The offscreen platform warns "does not support propagateSizeHints()" whenever a shown
    top-level window's size constraints change (a layout settling, an error label growing).
    That is the test platform talking, not the app: ignore it for the screens' tests."""
    for item in items:
        if _HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))


@pytest.fixture(autouse=True)
def _isolated_scan_handlers():
    """Each test starts with no scan handlers and leaves none behind."""
    from desk.ui.widgets.scan_edit import ScanEdit

    saved = list(ScanEdit._handlers)
    ScanEdit._handlers.clear()
    yield
    ScanEdit._handlers[:] = saved


@pytest.fixture
def messages(monkeypatch):
    """Message boxes that would have been shown: a list of (title, text)."""
    from desk.ui import messages as messages_module

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(messages_module, "message_box", lambda parent, icon, title, text: shown.append((title, text)))
    return shown


@pytest.fixture
def ctx(sqlite_db):
    """An AppContext on the test's (empty) SQLite database, nobody signed in."""
    from desk.ui.context import AppContext

    return AppContext(db_url=sqlite_db.url)


@pytest.fixture
def store_ctx(ctx, sqlite_store):
    """A context on a store with its admin (code 900) signed in."""
    _store, admin = sqlite_store
    ctx.staff = admin
    return ctx


@pytest.fixture
def demo_ctx(ctx, demo):
    """A context on the small demo store, its admin (900) signed in."""
    from desk.services.staff import find_staff

    ctx.staff = find_staff("900")
    return ctx


@pytest.fixture
def add_staff(sqlite_store):
    """add_staff(code, name, role, pin) -> Staff, added by the store's admin."""
    from desk.services import staff as staff_service

    _store, admin = sqlite_store

    def add(code: str, name: str, role: str, pin: str = "274951"):
        return staff_service.add_staff(admin, code, name, role, pin)

    return add


@pytest.fixture
def make_window(qtbot, monkeypatch):
    """make_window(ctx) -> a shown MainWindow; closing it never opens a real dialog."""
    from desk.ui.main_window import MainWindow

    def make(context):
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        return window

    return make


@pytest.fixture
def sign_in_answers(monkeypatch):
    """Replace SignInDialog.get_staff: answers.queue holds what it returns; answers.calls what it got."""
    from desk.ui.dialogs.sign_in import SignInDialog

    class Answers:
        def __init__(self):
            self.queue: list = []
            self.calls: list[dict] = []
            self.during = None  # called with the call's kwargs while "the dialog is open"

    answers = Answers()

    def fake(cls, ctx, parent=None, *, mode="start", current=None):
        call = {"mode": mode, "current": current, "parent": parent}
        answers.calls.append(call)
        if answers.during is not None:
            answers.during(call)
        return answers.queue.pop(0) if answers.queue else None

    monkeypatch.setattr(SignInDialog, "get_staff", classmethod(fake))
    return answers


@pytest.fixture
def head_office_screen(qtbot, store_ctx):
    """Make the Head office window, shown at 1280x800 and activated, on tab ``tab`` (or its first)."""
    from desk.ui.screens.head_office import HeadOfficeScreen

    def make(tab: int | None = None) -> HeadOfficeScreen:
        screen = HeadOfficeScreen(store_ctx)
        qtbot.addWidget(screen)
        screen.resize(1280, 800)
        screen.show()
        qtbot.waitExposed(screen)
        screen.activated()
        if tab is not None:
            screen.tabs.setCurrentIndex(tab)
        return screen

    return make
