"""The main window: navigation, the screens, the scan field, the session and the status bar."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QModelIndex, QPersistentModelIndex, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QCloseEvent, QColor, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError
from desk.models import Staff
from desk.models.db import describe_url, sqlite_version
from desk.money import format_money
from desk.services import auth, credit
from desk.services.store import current_store
from desk.ui.actions import ShortcutsDialog, create_actions, shortcut_text
from desk.ui.context import AppContext
from desk.ui.desk_identity import desk_code
from desk.ui.dialogs.sign_in import LOCK, START, SWITCH, SignInDialog
from desk.ui.idle import IdleWatcher
from desk.ui.screens import SCAN_OPENERS, SCREEN_CLASSES
from desk.ui.screens.base import Screen
from desk.ui.widgets.elided_label import ElidedLabel
from desk.ui.widgets.scan_edit import ScanEdit

GEOMETRY_KEY = "main_window/geometry"
DEFAULT_SIZE = QSize(1280, 800)
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_ROLE = Qt.ItemDataRole.UserRole + 2
BADGE_ROLE = Qt.ItemDataRole.UserRole + 3


def qsettings() -> QSettings:
    """The app's own settings (window geometry): Desk/Desk whatever the QApplication is called."""
    return QSettings("Desk", "Desk")


class _NavDelegate(QStyledItemDelegate):
    """Draws a navigation entry: its title on the left and its F-key on the right."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        key = index.data(KEY_ROLE)
        if not key:
            return
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(QColor("#d6e4f7") if selected else QColor("#5b6675"))
        font = painter.font()
        font.setPointSizeF(max(9.0, font.pointSizeF() - 1))
        painter.setFont(font)
        rect: QRect = option.rect.adjusted(0, 0, -22, 0)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), key)
        badge = index.data(BADGE_ROLE)
        if badge:
            # A count of things to do: an amber pill left of the F-key.
            text = str(badge) if badge < 1000 else "999+"
            font.setBold(True)
            painter.setFont(font)
            metrics = painter.fontMetrics()
            width = max(26, metrics.horizontalAdvance(text) + 14)
            height = metrics.height() + 4
            right = rect.right() - metrics.horizontalAdvance(key) - 10
            pill = QRect(right - width, rect.center().y() - height // 2, width, height)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#9a5b00"))
            painter.drawRoundedRect(pill, height / 2, height / 2)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), 40))


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.setObjectName("mainWindow")
        self.setWindowTitle("Desk")
        self.setMinimumSize(720, 520)
        self._built_for: int | None = None
        self._screens: dict[str, Screen] = {}
        self._classes: list[type[Screen]] = []
        self._locked = False
        self._closing = False
        self._scan_info = ""

        self.action = create_actions(self)

        self.lock_stack = QStackedWidget(self)
        self.lock_stack.setObjectName("lockStack")
        self.setCentralWidget(self.lock_stack)
        self.content = QWidget(self.lock_stack)
        self.content.setObjectName("content")
        self.lock_stack.addWidget(self.content)
        self.locked_page = self._build_locked_page()
        self.lock_stack.addWidget(self.locked_page)

        column = QVBoxLayout(self.content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self._build_top_bar())
        self.scan_message = QLabel("", self.content)
        self.scan_message.setObjectName("scanMessage")
        self.scan_message.setWordWrap(True)
        self.scan_message.hide()
        column.addWidget(self.scan_message)

        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        self.nav = QListWidget(self.content)
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(230)
        self.nav.setItemDelegate(_NavDelegate(self.nav))
        self.nav.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.nav.currentRowChanged.connect(self._nav_changed)
        body.addWidget(self.nav)
        self.stack = QStackedWidget(self.content)
        self.stack.setObjectName("screens")
        body.addWidget(self.stack, 1)
        column.addLayout(body, 1)

        self._build_status_bar()
        self._connect_actions()

        self.idle = IdleWatcher(ctx.events, self)
        self.idle.idle.connect(self.lock)

        ctx.events.session_changed.connect(self._on_session_changed)
        ctx.events.changed.connect(self._on_changed)
        handler = self.open_scanned
        ScanEdit.register(handler)
        self.destroyed.connect(lambda *_: ScanEdit.unregister(handler))
        self.rebuild()
        self.daily_housekeeping()

    # -- building ------------------------------------------------------------------------
    def _build_top_bar(self) -> QFrame:
        bar = QFrame(self.content)
        bar.setObjectName("topBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(18, 10, 14, 10)
        row.setSpacing(12)
        names = QVBoxLayout()
        names.setSpacing(0)
        # A long name gives way to the scan field and the buttons: "…", the whole name in its tooltip.
        self.store_name_label = ElidedLabel("", bar)
        self.store_name_label.setObjectName("storeName")
        self.store_code_label = QLabel("", bar)
        self.store_code_label.setObjectName("storeCode")
        self.store_code_label.setProperty("role", "muted")
        names.addWidget(self.store_name_label)
        names.addWidget(self.store_code_label)
        row.addLayout(names)
        row.addSpacing(6)

        key = QLabel(shortcut_text("scan.focus"), bar)
        key.setProperty("role", "key")
        key.setToolTip("Press F2 from anywhere to scan")
        row.addWidget(key)
        self.scan_edit = ScanEdit(bar)
        self.scan_edit.setMinimumWidth(240)
        self.scan_edit.problem.connect(self.show_scan_problem)
        self.scan_edit.opened.connect(self._scan_opened)
        self.scan_edit.textEdited.connect(lambda _text: self.clear_scan_problem())
        row.addWidget(self.scan_edit, 1)
        row.addSpacing(6)

        self.person_button = QToolButton(bar)
        self.person_button.setObjectName("personButton")
        self.person_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.person_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.person_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.person_button.setStyleSheet(
            "QToolButton#personButton { color: white; border: none; padding: 4px 18px 4px 8px; font-weight: 600; }"
            "QToolButton#personButton:hover { background: #2d405a; border-radius: 5px; }"
        )
        menu = QMenu(self.person_button)
        self.person_button.setMenu(menu)
        row.addWidget(self.person_button)
        self._person_menu = menu

        self.lock_button = QPushButton("Lock", bar)
        self.lock_button.setObjectName("lockButton")
        self.switch_button = QPushButton("Switch user", bar)
        self.switch_button.setObjectName("switchButton")
        self.sign_out_button = QPushButton("Sign out", bar)
        self.sign_out_button.setObjectName("signOutButton")
        for button, name in ((self.lock_button, "session.lock"), (self.switch_button, "session.switch_user"),
                             (self.sign_out_button, "session.sign_out")):
            button.setToolTip(f"{button.text()} ({shortcut_text(name)})")
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            row.addWidget(button)
        return bar

    def _build_locked_page(self) -> QWidget:
        page = QWidget(self.lock_stack)
        page.setObjectName("lockedPage")
        page.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        self.locked_label = QLabel("Desk is locked", page)
        self.locked_label.setProperty("role", "heading")
        self.locked_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.locked_label)
        layout.addStretch(1)
        return page

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        self.status_store = ElidedLabel("", bar)
        self.status_store.setObjectName("statusStore")
        self.status_staff = QLabel("", bar)
        self.status_staff.setObjectName("statusStaff")
        self.status_db = QLabel(describe_url(self.ctx.db_url), bar)
        self.status_db.setObjectName("statusDatabase")
        self.status_db.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_sqlite = QLabel("SQLite " + ".".join(map(str, sqlite_version())), bar)
        self.status_sqlite.setObjectName("statusSqlite")
        for label in (self.status_store, self.status_staff, self.status_db):
            bar.addPermanentWidget(label)
        bar.addPermanentWidget(self.status_sqlite)

    def _connect_actions(self) -> None:
        a = self.action
        a["scan.focus"].triggered.connect(self.focus_scan)
        a["session.lock"].triggered.connect(self.lock)
        a["session.switch_user"].triggered.connect(self.switch_user)
        a["session.sign_out"].triggered.connect(self.sign_out)
        a["session.change_pin"].triggered.connect(self.change_pin)
        a["app.quit"].triggered.connect(self.close)
        a["help.shortcuts"].triggered.connect(lambda: ShortcutsDialog.show_for(self, self.screen_keys()))
        for cls in SCREEN_CLASSES:
            if cls.action_name in a:
                a[cls.action_name].triggered.connect(lambda _checked=False, name=cls.action_name: self.show_screen(name))
        self.lock_button.clicked.connect(self.lock)
        self.switch_button.clicked.connect(self.switch_user)
        self.sign_out_button.clicked.connect(self.sign_out)
        self._person_menu.addAction(a["session.change_pin"])
        self._person_menu.addSeparator()
        for name in ("session.lock", "session.switch_user", "session.sign_out", "help.shortcuts", "app.quit"):
            self._person_menu.addAction(a[name])

    # -- who is signed in -----------------------------------------------------------------
    def visible_screen_classes(self, staff: Staff | None) -> list[type[Screen]]:
        return [cls for cls in SCREEN_CLASSES if cls.permission is None or auth.can(staff, cls.permission)]

    def rebuild(self) -> None:
        """Navigation and screens for the person signed in now (a new person gets fresh screens)."""
        staff = self.ctx.staff
        current = self.current_screen_name()
        self.nav.blockSignals(True)
        self.nav.clear()
        for screen in self._screens.values():
            self.stack.removeWidget(screen)
            screen.deleteLater()
        self._screens.clear()
        self._classes = self.visible_screen_classes(staff)
        for cls in self._classes:
            item = QListWidgetItem(cls.title)
            item.setData(KEY_ROLE, shortcut_text(cls.action_name))
            item.setData(NAME_ROLE, cls.action_name)
            item.setToolTip(f"{cls.title} ({shortcut_text(cls.action_name)})")
            self.nav.addItem(item)
        visible = {cls.action_name for cls in self._classes}
        for cls in SCREEN_CLASSES:
            if cls.action_name in self.action:
                self.action[cls.action_name].setEnabled(cls.action_name in visible)
        self.nav.blockSignals(False)
        self._built_for = staff.id if staff is not None else None
        self.refresh_badges()
        self._show_session()
        if self._classes:
            self.show_screen(current if current in visible else self._classes[0].action_name)

    def _show_session(self) -> None:
        store = current_store()
        staff = self.ctx.staff
        if store is not None:
            self.store_name_label.setText(store.name)
            self.store_code_label.setText(f"Store {store.code}" + (" · demo" if store.is_demo else ""))
            self.status_store.setText(f"Store {store.code} · {store.name} · Desk {desk_code()}")
            self.setWindowTitle(f"Desk · {store.name}")
        if staff is not None:
            role = auth.ROLES.get(staff.role, staff.role)
            self.person_button.setText(f"{staff.name} · {role}")
            self.status_staff.setText(f"Signed in: {staff.name} ({role})")
        else:
            self.person_button.setText("Nobody signed in")
            self.status_staff.setText("Nobody signed in")

    def daily_housekeeping(self) -> int | None:
        """What runs once a local day, the first time someone signs in: store credit past its
        expiry day is written off (``credit.expire_due_once_a_day``). Returns how many vouchers
        expired (None: already done today). A failure is said in the status bar; it never
        stops anyone signing in, and the next sign-in tries again."""
        staff = self.ctx.staff
        if staff is None:
            return None
        try:
            done = credit.expire_due_once_a_day(staff)
        except DeskError as exc:
            self.statusBar().showMessage(f"Store credit past its expiry day was not written off: {exc}", 15000)
            return None
        if done:
            self.ctx.events.emit_changed("vouchers")
            self.statusBar().showMessage(f"{done} store-credit voucher{'s' if done != 1 else ''} past "
                                         "{} expiry day expired.".format("their" if done != 1 else "its"), 15000)
        return done

    def _on_session_changed(self, staff: object) -> None:
        if staff is None:
            self._show_session()
            return
        self.daily_housekeeping()
        if getattr(staff, "id", None) != self._built_for:
            self.rebuild()
        else:
            self._show_session()

    def refresh_badges(self, kind: str | None = None) -> None:
        """Ask each screen in the navigation for its count of things to do (``Screen.nav_badge``);
        with ``kind``, only the screens that count records of that kind."""
        for row, cls in enumerate(self._classes):
            if kind is not None and kind not in cls.badge_kinds:
                continue
            if not cls.badge_kinds:
                continue
            item = self.nav.item(row)
            if item is None:
                continue
            count, tip = (0, "")
            if self.ctx.staff is not None:
                try:
                    count, tip = cls.nav_badge(self.ctx)
                except DeskError:
                    count, tip = 0, ""
            item.setData(BADGE_ROLE, count or None)
            base = f"{cls.title} ({shortcut_text(cls.action_name)})"
            item.setToolTip(f"{base}: {tip}" if count and tip else base)

    def badge(self, name: str) -> int:
        """The count shown beside the screen ``name`` in the navigation (0 when none)."""
        names = self.screen_names()
        if name not in names:
            return 0
        return int(self.nav.item(names.index(name)).data(BADGE_ROLE) or 0)

    def _on_changed(self, kind: str) -> None:
        self.refresh_badges(kind)
        if kind == "store":
            self._show_session()
        elif kind == "staff" and self.ctx.staff is not None:
            fresh = auth.refresh(self.ctx.staff)
            old = self.ctx.staff
            if (fresh.role, fresh.active, fresh.name) != (old.role, old.active, old.name):
                self.ctx.staff = fresh
                self.rebuild()

    # -- screens --------------------------------------------------------------------------
    def screen_names(self) -> list[str]:
        """The action names of the screens in the navigation, in order."""
        return [cls.action_name for cls in self._classes]

    def screen_keys(self) -> tuple:
        """Each screen's own keys, for F1: (title, keys) of the screens this person may see."""
        return tuple((cls.title, cls.keys) for cls in self._classes if cls.keys)

    def current_screen_name(self) -> str | None:
        widget = self.stack.currentWidget()
        return widget.action_name if isinstance(widget, Screen) else None

    def current_screen(self) -> Screen | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Screen) else None

    def screen(self, name: str) -> Screen | None:
        """The screen for ``name`` (created on first use), or None when this person may not see it."""
        if name in self._screens:
            return self._screens[name]
        cls = next((c for c in self._classes if c.action_name == name), None)
        if cls is None:
            return None
        widget = cls(self.ctx, self.stack)
        self._screens[name] = widget
        self.stack.addWidget(widget)
        return widget

    def show_screen(self, name: str) -> bool:
        names = self.screen_names()
        if name not in names:
            title = next((c.title for c in SCREEN_CLASSES if c.action_name == name), name)
            self.statusBar().showMessage(f"{title} is not available to you.", 8000)
            return False
        row = names.index(name)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # -> _nav_changed
        else:
            self._nav_changed(row)
        return True

    def _nav_changed(self, row: int) -> None:
        if row < 0 or row >= len(self._classes):
            return
        widget = self.screen(self._classes[row].action_name)
        if widget is None:
            return
        self.stack.setCurrentWidget(widget)
        widget.activated()
        self.refresh_badges()  # counts that depend on the day (overdue) move without a change

    # -- scan field -----------------------------------------------------------------------
    def open_scanned(self, code: str) -> bool:
        """A scan handler: a voucher code shows its balance; otherwise the screen shown now gets
        the code first, then the others this person may see, in navigation order; the first
        that opens ``code`` comes to the front."""
        if self._locked or self.ctx.staff is None:
            return False
        if credit.is_voucher_code(code):
            # its balance in the scan bar, and the voucher itself on the Vouchers screen when this
            # person may see it (or on the screen shown now, when that one takes voucher codes)
            self.show_voucher_balance(code)
            self._open_with_screens(code)
            return True
        return self._open_with_screens(code)

    def _open_with_screens(self, code: str) -> bool:
        current = self.current_screen_name()
        names = [cls.action_name for cls in self._classes]
        if current in names:
            names.remove(current)
            names.insert(0, current)
        for name in names:
            method = SCAN_OPENERS.get(name)
            if method is None:
                continue
            screen = self.screen(name)
            if screen is not None and getattr(screen, method)(code):
                self.show_screen(name)
                return True
        return False

    def show_voucher_balance(self, code: str) -> None:
        """A scanned voucher: its balance in the scan bar (NotFound names the code)."""
        view = credit.voucher_view(code)
        store = current_store()
        locale = store.locale if store is not None else "en_GB"
        left, issued = (format_money(v, view.currency, locale) for v in (view.balance, view.amount))
        if view.status == "cancelled":
            text = f"Voucher {view.code} was cancelled."
        elif view.status == "spent":
            text = f"Voucher {view.code} is spent: nothing left of {issued}."
        else:
            text = f"Voucher {view.code}: {left} left of {issued}."
        if view.return_number:
            text += f" Issued by return {view.return_number}."
        self._scan_info = text

    def _scan_opened(self, _code: str) -> None:
        info, self._scan_info = self._scan_info, ""
        if info:
            self.scan_message.setText(info)
            self.scan_message.show()
        else:
            self.clear_scan_problem()

    def open_screen(self, name: str) -> Screen | None:
        """Bring the screen ``name`` to the front and return it (None when this person may not see it)."""
        if not self.show_screen(name):
            return None
        return self.screen(name)

    def focus_scan(self) -> None:
        if self._locked:
            return
        self.scan_edit.focus_and_select()

    def show_scan_problem(self, text: str) -> None:
        self.scan_message.setText(text)
        self.scan_message.show()

    def clear_scan_problem(self) -> None:
        if self.scan_message.isVisible():
            self.scan_message.hide()
            self.scan_message.clear()

    # -- session --------------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self._locked

    def _hide_content(self, text: str) -> None:
        self._locked = True
        self.idle.pause()
        self.locked_label.setText(text)
        self.lock_stack.setCurrentWidget(self.locked_page)

    def _show_content(self) -> None:
        self._locked = False
        self.lock_stack.setCurrentWidget(self.content)
        self.idle.resume()

    def _become(self, staff: Staff, reason: str) -> None:
        """``staff`` signed in: sign the previous person out if it is someone else."""
        old = self.ctx.staff
        if old is not None and old.id != staff.id:
            auth.sign_out(old, reason)
        self.ctx.set_staff(staff)

    def lock(self) -> None:
        """Hide everything behind the sign-in dialog; the same person or another signs in."""
        if self._locked or self.ctx.staff is None or self._closing:
            return
        current = self.ctx.staff
        self._close_open_dialogs()
        self._hide_content(f"Desk is locked · {current.name} was signed in")
        staff = SignInDialog.get_staff(self.ctx, self, mode=LOCK, current=current)
        if staff is None:
            auth.sign_out(current, "quit at the lock")
            self.ctx.set_staff(None)
            self._closing = True
            self.close()
            return
        self._become(staff, "switch user at the lock")
        self._show_content()

    def _close_open_dialogs(self) -> None:
        """A locked desk shows nothing of what was open: dialogs left open are cancelled."""
        for _ in range(20):  # dialogs can stack; never loop forever on one that refuses
            dialog = QApplication.activeModalWidget()
            if dialog is None or dialog is self:
                return
            if isinstance(dialog, QDialog):
                dialog.reject()
            else:
                dialog.close()
            dialog.hide()

    def switch_user(self) -> None:
        if self._locked or self.ctx.staff is None:
            return
        current = self.ctx.staff
        self.idle.pause()  # the dialog itself is the lock's stand-in while it is open
        try:
            staff = SignInDialog.get_staff(self.ctx, self, mode=SWITCH, current=current)
        finally:
            self.idle.resume()
        if staff is None:
            return
        self._become(staff, "switch user")

    def sign_out(self) -> None:
        """Sign the person out and return to sign-in; Esc there closes the app."""
        if self._locked or self.ctx.staff is None:
            return
        current = self.ctx.staff
        self.export_if_due(current)
        auth.sign_out(current)
        self.ctx.set_staff(None)
        self._hide_content("Nobody is signed in")
        staff = SignInDialog.get_staff(self.ctx, self, mode=START)
        if staff is None:
            self._closing = True
            self.close()
            return
        self.ctx.set_staff(staff)
        self._show_content()

    def export_if_due(self, staff: Staff | None, quiet: bool = False) -> None:
        """The automatic end-of-day export for head office, when Settings switched it on and
        closing time has passed (desk.services.export.export_due). At close it never stops
        the app closing (``quiet``)."""
        from desk.errors import DeskError
        from desk.services import export as export_service
        from desk.ui import messages

        try:
            result = export_service.run_due_export(staff)
        except DeskError as exc:
            if not quiet:
                messages.show_error(self, exc)
            return
        except Exception:  # noqa: BLE001 - closing must never fail
            if quiet:
                return
            raise
        if result is not None:
            self.statusBar().showMessage(result.message(), 15000)

    def change_pin(self) -> None:
        from desk.ui.dialogs.change_pin import ChangePinDialog

        if self.ctx.staff is not None:
            if ChangePinDialog.run(self.ctx, self):
                self.statusBar().showMessage("Your PIN was changed.", 8000)

    # -- geometry -------------------------------------------------------------------------
    def restore_geometry(self) -> bool:
        """Put the window where it was last closed; 1280x800 the first time."""
        value = qsettings().value(GEOMETRY_KEY)
        if isinstance(value, QByteArray) and not value.isEmpty() and self.restoreGeometry(value):
            return True
        self.resize(DEFAULT_SIZE)
        return False

    def save_geometry(self) -> None:
        settings = qsettings()
        settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.save_geometry()
        staff = self.ctx.staff
        self.export_if_due(staff, quiet=True)
        if staff is not None:
            try:
                auth.sign_out(staff, "quit")
            except Exception:  # noqa: BLE001 - closing must never fail (e.g. the database went away)
                pass
            self.ctx.staff = None
        self.idle.stop()
        ScanEdit.unregister(self.open_scanned)
        super().closeEvent(event)
