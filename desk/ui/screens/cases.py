"""Cases (F7): the board of service cases — Mine, Unassigned, Overdue, Due today, All open, All,
with their counts — a case's page (deadlines, links, what the customer said, notes and
history) and the work on it: notes, owner, waiting on the customer or a supplier, links,
resolution (goodwill store credit approved by a manager above the Settings amount),
follow-up, closing, printing the summary or a letter; a new case (Ctrl+N); the figures."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTabBar,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError, InvalidInput, NeedsApproval
from desk.money import format_money, parse_amount
from desk.services import auth
from desk.services import cases as cases_service
from desk.services.cases import (
    CHANNELS,
    FOLLOW_UP_STATUSES,
    NOTE_KINDS,
    PRIORITIES,
    RESOLUTION_KINDS,
    STATUSES,
    TYPES,
    VIEWS,
    CaseQuery,
    CaseView,
)
from desk.services.cases_ui_support import case_owners
from desk.services.store import current_store
from desk.ui import messages
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.dialogs.case_dialogs import CategoriesDialog, FiguresDialog, FormDialog, NewCaseDialog, combo, line, text_box
from desk.ui.screens.base import Screen
from desk.ui.tables.cases_table import CasesTableModel
from desk.ui.tables.paged import fit_columns, number_sample
from desk.ui.tables.sales_table import local_time_text
from desk.ui.widgets.list_detail import (
    ListDetail,
    action_button,
    add_shortcuts,
    list_table,
    message_label,
    select_row,
)
from desk.ui.widgets.style import show_message

BOARD_VIEWS = ("mine", "unassigned", "overdue", "due_today", "open", "all")
# (label, shortcut, method, permission): the case's actions, in the order of their buttons.
CASE_ACTIONS = (
    ("Note", "Ctrl+M", "add_note", "cases.work"),
    ("Owner", "Ctrl+O", "assign_owner", "cases.work"),
    ("Status", "Ctrl+T", "change_status", "cases.work"),
    ("Link", "Ctrl+I", "link_document", "cases.work"),
    ("Start return", "Ctrl+R", "start_return", "returns.create"),
    ("Resolve", "Ctrl+D", "resolve_case", "cases.work"),
    ("Follow up", "Ctrl+F", "follow_up", "cases.work"),
    ("Close", "Ctrl+Shift+C", "close_or_reopen", "cases.close"),
    ("Print", "Ctrl+P", "print_summary", "cases.view"),
    ("Letter", "Ctrl+Shift+P", "print_letter", "cases.view"),
)


# Keys of the board: (keys, label, method).
BOARD_KEYS = (("Ctrl+N", "New case", "new_case"), ("Ctrl+G", "Figures: cases by reason, time to resolve", "show_figures"),
              ("Ctrl+Shift+G", "Categories of cases (managers)", "edit_categories"))


class CasesScreen(Screen):
    title = "Cases"
    action_name = "screen.cases"
    permission = "cases.view"
    keys = tuple(ScreenKey(k, label, method) for k, label, method in BOARD_KEYS) + tuple(
        ScreenKey(k, f"{label} (the case shown)") for label, k, _method, _p in CASE_ACTIONS) + (
        ScreenKey("Alt+1", "The board's views, Mine to All",
                  shown=f"Alt+1…{len(BOARD_VIEWS)}", more=tuple(f"Alt+{i}" for i in range(2, len(BOARD_VIEWS) + 1))),
        ScreenKey("Esc", "Clear the search"),
    )
    badge_kinds = ("cases",)

    @classmethod
    def nav_badge(cls, ctx: AppContext) -> tuple[int, str]:
        b = cases_service.board(ctx.staff)
        return b.badge, f"{b.overdue} overdue, {b.due_today} due today"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("casesScreen")
        store = current_store()
        self.locale = store.locale if store else "en_GB"
        self.currency = store.currency if store else "GBP"
        self.case: CaseView | None = None
        # (case number, receipt, since) of a return started from a case, linked once it is taken
        self.pending_link: tuple[str, str, object] | None = None

        heading = QLabel("Cases")
        heading.setProperty("role", "heading")
        self.new_button = action_button("New case  (Ctrl+N)", "newCaseButton", self.new_case)
        self.new_button.setProperty("primary", True)
        self.figures_button = action_button("Figures…  (Ctrl+G)", "figuresButton", self.show_figures)
        self.categories_button = action_button("Categories…  (Ctrl+Shift+G)", "categoriesButton", self.edit_categories)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.categories_button)
        top.addWidget(self.figures_button)
        top.addWidget(self.new_button)

        self.tabs = QTabBar()
        self.tabs.setObjectName("caseViews")
        self.tabs.setExpanding(False)
        self.tabs.setDrawBase(False)
        for view in BOARD_VIEWS:
            self.tabs.addTab(VIEWS[view])
        self.tabs.currentChanged.connect(lambda _i: self.search())
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("caseSearch")
        self.search_edit.setPlaceholderText("Number, summary or customer")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumHeight(36)
        self.search_edit.setMaximumWidth(300)
        self.search_edit.returnPressed.connect(self._search_entered)
        self.search_edit.textEdited.connect(lambda _t: self.search())
        views = QHBoxLayout()
        views.addWidget(self.tabs, 1)
        views.addWidget(self.search_edit)

        self.model = CasesTableModel(self, locale=self.locale)
        self.model.set_source(cases_service.search_cases, cases_service.count_cases)
        self.table = list_table("casesTable", self.model)
        m = CasesTableModel
        for col in (m.OPENED, m.TYPE, m.PRIORITY, m.OWNER, m.STATUS, m.CUSTOMER):
            self.table.setColumnHidden(col, True)  # on the case's page; the list stays readable beside it
        self.model.number_sample = number_sample(store.code if store else "")
        fit_columns(self.table)  # Number and Due fit their text; Summary takes the rest
        self.table.activated.connect(lambda _i: self._focus_actions())
        self.splitter = ListDetail(self.table, "casesCount", "caseTitle", spacing=6, on_row=self._show_row)
        self.count_label = self.splitter.count_label

        # -- a case's page ---------------------------------------------------------------------
        self.case_title = self.splitter.title
        self.due_label = QLabel("")
        self.due_label.setObjectName("caseDue")
        self.due_label.setWordWrap(True)
        self.page = QTextBrowser()
        self.page.setObjectName("casePage")
        self.page.setOpenLinks(False)
        self.page.anchorClicked.connect(lambda url: self._open_link(url.toString()))
        self.action_buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        grid.setSpacing(6)
        for i, (label, keys, method, _perm) in enumerate(CASE_ACTIONS):
            button = action_button(f"{label}\n{keys}", f"case_{method}", getattr(self, method))
            button.setMinimumHeight(50)
            button.setToolTip(f"{label} ({keys})")
            self.action_buttons[method] = button
            grid.addWidget(button, i // 4, i % 4)
        for col in range(4):
            grid.setColumnStretch(col, 1)
        right_box = self.splitter.detail
        right_box.addWidget(self.due_label)
        right_box.addWidget(self.page, 1)
        right_box.addLayout(grid)

        self.splitter.setSizes([560, 480])  # the list gets room for the summary; the page wraps

        self.message = message_label("casesMessage")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addLayout(views)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)

        keys = [(k, getattr(self, method)) for k, _label, method in BOARD_KEYS]
        keys += [(k, getattr(self, method)) for _label, k, method, _p in CASE_ACTIONS]
        keys += [(f"Alt+{i + 1}", lambda i=i: self.tabs.setCurrentIndex(i)) for i in range(len(BOARD_VIEWS))]
        add_shortcuts(self, keys + [(QKeySequence(Qt.Key.Key_Escape), self._escape)])

        ctx.events.changed.connect(self._on_changed)
        ctx.events.session_changed.connect(lambda *_: self._update_buttons())
        self._show(None)
        if ctx.staff is not None:
            self._choose_first_view()
            self.search()

    def _choose_first_view(self) -> None:
        """Mine when this person owns open cases, else every open case."""
        try:
            mine = cases_service.board(self.ctx.staff).mine
        except DeskError:
            mine = 0
        self.tabs.blockSignals(True)
        self.set_view("mine" if mine else "open")
        self.tabs.blockSignals(False)

    # -- state -------------------------------------------------------------------------------
    def activated(self) -> None:
        self.refresh()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_changed(self, kind: str) -> None:
        if kind in ("returns", "exchanges") and self.pending_link is not None:
            self._link_started()
        if kind in ("cases", "customers", "staff") and self.isVisible():
            self.refresh()

    def _link_started(self) -> None:
        """A return or exchange was just taken: if it is the one started from a case, link it."""
        from desk.services.cases_ui_support import document_started_for

        number, receipt, since = self.pending_link
        doc = document_started_for(receipt, self.ctx.staff.id, since) if self.ctx.staff else ""
        if not doc:
            return
        self.pending_link = None
        ok, view = messages.attempt(self, cases_service.link_case, self.ctx.staff, number, doc)
        if ok and view is not None:
            self.ctx.events.emit_changed("cases")
            self.search(select=view.number)
            self._show(cases_service.get_case(view.number))
            self._set_message(f"{doc} linked to case {number}: resolve the case with it (Ctrl+D).")

    def _set_message(self, text: str, error: bool = False) -> None:
        show_message(self.message, text, error)

    def _escape(self) -> None:
        if self.search_edit.text():
            self.search_edit.clear()
            self.search()
        self.table.setFocus()

    def _update_buttons(self) -> None:
        staff = self.ctx.staff
        c = self.case
        self.new_button.setEnabled(auth.can(staff, "cases.work"))
        self.figures_button.setVisible(auth.can(staff, "cases.figures"))
        self.categories_button.setVisible(auth.can(staff, "cases.categories"))
        active = c is not None and c.status in cases_service.ACTIVE_STATUSES
        enabled = {
            "add_note": active, "assign_owner": active, "change_status": active, "link_document": active,
            "start_return": active and bool(c and c.receipt_no), "resolve_case": active,
            "follow_up": c is not None and c.status == "resolved" and c.follow_up is not None
            and c.follow_up.status == "pending",
            "close_or_reopen": c is not None, "print_summary": c is not None, "print_letter": c is not None,
        }
        for label, keys, method, perm in CASE_ACTIONS:
            button = self.action_buttons[method]
            button.setEnabled(enabled[method] and auth.can(staff, perm))
        close = self.action_buttons["close_or_reopen"]
        closed = c is not None and c.status in ("resolved", "closed")
        close.setText(f"{'Reopen' if closed else 'Close'}\nCtrl+Shift+C")

    # -- the board -----------------------------------------------------------------------------
    def view(self) -> str:
        return BOARD_VIEWS[max(0, self.tabs.currentIndex())]

    def set_view(self, view: str) -> None:
        self.tabs.setCurrentIndex(BOARD_VIEWS.index(view))

    def query(self) -> CaseQuery:
        return CaseQuery(view=self.view(), actor_id=self.ctx.staff.id if self.ctx.staff else None,
                         text=self.search_edit.text().strip())

    def _update_counts(self) -> None:
        if self.ctx.staff is None:
            return
        try:
            b = cases_service.board(self.ctx.staff)
        except DeskError:
            return
        for i, view in enumerate(BOARD_VIEWS):
            n = b.count(view) if view != "all" else None
            self.tabs.setTabText(i, VIEWS[view] + (f"  {n}" if n else ""))
            color = Qt.GlobalColor.darkRed if view == "overdue" and n else (
                Qt.GlobalColor.darkYellow if view == "due_today" and n else Qt.GlobalColor.black)
            self.tabs.setTabTextColor(i, color)

    def search(self, select: str | None = None) -> None:
        if self.ctx.staff is None:
            return
        keep = select or (self.case.number if self.case else None)
        try:
            self.model.set_query(self.query())
        except DeskError as err:
            self._set_message(messages.describe(err), error=True)
            return
        self._update_counts()
        n = self.model.total_count
        self.count_label.setText(f"{n:,} case{'s' if n != 1 else ''} · Alt+1…6 change the view · Enter: what can be done")
        row = self.model.row_of(keep) if keep else -1
        if row < 0 and self.model.rowCount() and select is None:
            row = 0
        if row >= 0:
            select_row(self.table, row)
            self._show_row(row)
        elif select is None:
            self._show(None)

    def refresh(self) -> None:
        self.search()
        if self.case is not None:
            self._reload()

    def _search_entered(self) -> None:
        text = self.search_edit.text().strip()
        if cases_service.is_case_number(text) and self.open_case(text):
            return
        self.table.setFocus()

    def action_menu(self) -> QMenu:
        """The case's actions that can be done now, as a menu (Enter on a case opens it)."""
        menu = QMenu(self)
        menu.setObjectName("caseActionMenu")
        for label, keys, method, _p in CASE_ACTIONS:
            button = self.action_buttons[method]
            if button.isEnabled():
                action = menu.addAction(button.text().split("\n")[0])
                action.setShortcut(QKeySequence(keys))
                action.triggered.connect(getattr(self, method))
        return menu

    def _focus_actions(self) -> None:
        if self.case is None:
            return
        menu = self.action_menu()
        rect = self.table.visualRect(self.table.currentIndex())
        menu.exec(self.table.viewport().mapToGlobal(rect.bottomLeft()))
        menu.deleteLater()

    # -- a case's page -------------------------------------------------------------------------
    def _show_row(self, row: int) -> None:
        entry = self.model.row_at(row)
        if entry is not None:
            try:
                self._show(cases_service.get_case(entry.number))
            except DeskError as err:
                self._set_message(messages.describe(err), error=True)

    def _reload(self) -> None:
        if self.case is not None:
            self._show(cases_service.get_case(self.case.number))

    def open_case(self, number: str) -> bool:
        """A scan handler (and the timeline's): show case ``number``; False when it is not a case number."""
        number = (number or "").strip().upper()
        if not cases_service.is_case_number(number):
            return False
        view = cases_service.get_case(number)  # NotFound names the number
        row = self.model.row_of(view.number)
        if row < 0:
            self.search_edit.clear()
            self.tabs.blockSignals(True)
            self.set_view("all")
            self.tabs.blockSignals(False)
            self.search(select=view.number)
            row = self.model.row_of(view.number)
        if row >= 0:
            select_row(self.table, row)
        self._show(view)
        return True

    def money(self, minor: int) -> str:
        return format_money(minor, self.currency, self.locale)

    def when(self, at) -> str:
        return local_time_text(at, self.locale) if at else ""

    def _show(self, case: CaseView | None) -> None:
        self.case = case
        if case is None:
            self.case_title.setText("No case chosen")
            self.due_label.setText("")
            self.page.setHtml("<p>Choose a case on the left, or open a new one (Ctrl+N).</p>")
            self._update_buttons()
            return
        self.case_title.setText(f"{case.number}\n{TYPES.get(case.type, case.type)} · {case.status_label}")
        self.due_label.setText(self.due_text(case))
        role = "error" if case.overdue else ("approval" if case.due_today else "muted")
        self.due_label.setProperty("role", role)
        self.due_label.style().unpolish(self.due_label)
        self.due_label.style().polish(self.due_label)
        self.page.setHtml(self.page_html(case))
        self._update_buttons()

    def due_text(self, c: CaseView) -> str:
        if c.status == "closed":
            return f"Closed {self.when(c.closed_at)}."
        if c.paused_since is not None:
            return f"Waiting on the customer since {self.when(c.paused_since)}: the clock is paused."
        if c.due_at is None:
            return ""
        text = f"{c.due_what.capitalize()} due {self.when(c.due_at)}"
        if c.overdue:
            return "OVERDUE — " + text
        if c.due_today:
            return "Due today — " + text
        return text

    def page_html(self, c: CaseView) -> str:
        e = escape
        rows = [
            ("Summary", e(c.summary)),
            ("Opened", f"{self.when(c.opened_at)} by {e(c.opened_by)} · {CHANNELS.get(c.channel, c.channel)}"),
            ("Category", e(c.category or "—") + f" · priority {PRIORITIES.get(c.priority, c.priority).lower()}"),
            ("Owner", e(c.owner_name or "unassigned")),
        ]
        if c.customer_id:
            contact = " · ".join(x for x in (c.customer_phone, c.customer_email) if x)
            rows.append(("Customer", f"<a href='customer:{c.customer_id}'>{e(c.customer_name)}</a>"
                         + (f" · {e(contact)}" if contact else "")))
        links = []
        if c.receipt_no:
            links.append(f"sale <a href='sale:{e(c.receipt_no)}'>{e(c.receipt_no)}</a>")
        if c.return_number:
            links.append(f"return <a href='return:{e(c.return_number)}'>{e(c.return_number)}</a>")
        if c.exchange_number:
            links.append(f"exchange {e(c.exchange_number)}")
        if c.order_number:
            links.append(f"order {e(c.order_number)}")
        if c.product_name:
            links.append(f"product {e(c.product_name)}")
        if links:
            rows.append(("Linked", ", ".join(links)))
        first = (f"given {self.when(c.first_response_at)}" if c.first_response_at
                 else f"due {self.when(c.first_response_due)}")
        rows.append(("First response", first))
        rows.append(("Resolution", f"done {self.when(c.resolved_at)}" if c.resolved_at
                     else f"due {self.when(c.resolution_due)}"))
        if c.resolution:
            what = RESOLUTION_KINDS.get(c.resolution_kind, c.resolution_kind)
            if c.voucher_code:
                what += f" {self.money(c.goodwill_amount)} (voucher {e(c.voucher_code)})"
            rows.append(("Resolved with", f"{e(what)}: {e(c.resolution)}"))
        fu = c.follow_up
        if fu is not None:
            text = f"{FOLLOW_UP_STATUSES.get(fu.status, fu.status)} {self.when(fu.done_at or fu.due_at)}"
            if fu.attempts:
                text += f" · {fu.attempts} call{'s' if fu.attempts != 1 else ''}"
            if fu.satisfaction:
                text += f" · satisfaction {fu.satisfaction}/5"
            if fu.outcome:
                text += f" · {e(fu.outcome)}"
            rows.append(("Follow-up", text))
        table = "".join(f"<tr><td style='color:#5b6675;padding-right:12px'>{k}</td><td>{v}</td></tr>" for k, v in rows)
        words = (f"<h4>In the customer's words</h4><p style='white-space:pre-wrap'><i>{e(c.customer_words)}</i></p>"
                 if c.customer_words else "")
        notes = "".join(
            f"<p><b>{self.when(n.at)} · {e(n.staff_name)} · {NOTE_KINDS.get(n.kind, n.kind)}"
            f"{' (to the customer)' if n.to_customer and n.kind == 'note' else ''}</b><br>"
            f"<span style='white-space:pre-wrap'>{e(n.text)}</span></p>" for n in reversed(c.notes))
        history = "".join(
            f"<li>{self.when(ev.at)} · {e(ev.staff_name)} · {e(ev.action)}"
            + (f" {STATUSES.get(ev.from_status, ev.from_status) or ''} → {STATUSES.get(ev.to_status, ev.to_status)}"
               if ev.to_status else "") + (f": {e(ev.text)}" if ev.text else "") + "</li>"
            for ev in reversed(c.events))
        return (f"<table>{table}</table>{words}<h4>Notes (newest first)</h4>{notes or '<p>None yet.</p>'}"
                f"<h4>History</h4><ul>{history}</ul>")

    def _open_link(self, href: str) -> None:
        from desk.services.customers import TimelineEntry
        from desk.ui.screens.customers import open_timeline_entry

        kind, _, value = href.partition(":")
        if kind == "customer":
            window = self.window()
            screen = window.open_screen("screen.customers") if hasattr(window, "open_screen") else None
            if screen is not None:
                screen.show_customer(int(value))
            return
        entry = TimelineEntry(at=None, kind=kind, number=value, title="", open_kind=kind, open_number=value)
        try:
            open_timeline_entry(self, entry)
        except DeskError as err:
            messages.show_error(self, err)

    # -- working a case ------------------------------------------------------------------------
    def _ready(self, method: str) -> bool:
        return self.case is not None and self.action_buttons[method].isEnabled()

    def _done(self, view: CaseView | None, text: str) -> None:
        if view is None:
            return
        self.ctx.events.emit_changed("cases")
        self.search(select=view.number)
        self._show(cases_service.get_case(view.number))
        self._set_message(text)

    def new_case(self, customer_id: int | None = None, receipt_no: str = "") -> CaseView | None:
        if not self.new_button.isEnabled():
            return None
        view = NewCaseDialog.open_new(self.ctx, self, customer_id, receipt_no)
        if view is not None:
            self.search_edit.clear()
            if self.model.query is None or self.model.row_of(view.number) < 0:
                self.tabs.blockSignals(True)
                self.set_view("mine" if view.owner_id == self.ctx.staff.id else "unassigned")
                self.tabs.blockSignals(False)
            self._done(view, f"Case {view.number} opened: {self.due_text(view)}.")
        return view

    def add_note(self) -> None:
        if not self._ready("add_note"):
            return
        kinds = {k: v for k, v in NOTE_KINDS.items() if k != "resolution"}
        to_customer = QCheckBox("Told to the customer (counts as the first response)")
        to_customer.setObjectName("noteToCustomer")
        number = self.case.number
        view = FormDialog.run(
            self, f"Note on {number}", "An apology or explanation given to the customer is their first response.",
            [("Kind of note", combo(kinds, "noteKind")), ("Note", text_box("noteText", "What was said or done")),
             ("To the customer", to_customer)], "Add the note",
            lambda d: cases_service.add_note(self.ctx.staff, number, d.value("Kind of note"), d.value("Note"),
                                             d.value("To the customer")))
        self._done(view, "Note added.")

    def assign_owner(self) -> None:
        if not self._ready("assign_owner"):
            return
        owners = {"": "(unassigned)"}
        owners.update({str(i): label for i, label in case_owners(self.ctx.staff)})
        box = combo(owners, "ownerCombo", str(self.case.owner_id or self.ctx.staff.id))
        number = self.case.number
        view = FormDialog.run(
            self, f"Owner of {number}", "The owner works the case; it appears under their Mine.",
            [("Owner", box)], "Assign",
            lambda d: cases_service.assign(self.ctx.staff, number, int(d.value("Owner")) if d.value("Owner") else None))
        if view is not None:
            self._done(view, f"{number} is now {view.owner_name or 'unassigned'}'s." if view.owner_name
                       else f"{number} is unassigned.")

    def change_status(self) -> None:
        if not self._ready("change_status"):
            return
        statuses = {s: STATUSES[s] for s in cases_service.WORK_STATUSES}
        number = self.case.number
        view = FormDialog.run(
            self, f"Status of {number}", "While the case waits on the customer its clock is paused.",
            [("Status", combo(statuses, "statusCombo", "waiting_customer" if self.case.status == "open" else "open")),
             ("Note", text_box("statusNote", "What are we waiting for? (optional)", 70))], "Set the status",
            lambda d: cases_service.set_status(self.ctx.staff, number, d.value("Status"), d.value("Note")))
        if view is not None:
            self._done(view, f"{number}: {view.status_label.lower()}.")

    def link_document(self) -> None:
        if not self._ready("link_document"):
            return
        number = self.case.number
        view = FormDialog.run(
            self, f"Link to {number}", "A refund (R-…) or exchange (X-…) made for the case, or the sale's receipt.",
            [("Document", line("linkDocument", "R-…, X-… or receipt number"))], "Link",
            lambda d: cases_service.link_case(self.ctx.staff, number, d.value("Document")))
        self._done(view, "Linked.")

    def start_return(self) -> None:
        """Open the Return screen on the case's sale; the return (or exchange) taken is linked to
        the case when it is done."""
        if not self._ready("start_return"):
            return
        window = self.window()
        screen = window.open_screen("screen.returns") if hasattr(window, "open_screen") else None
        if screen is None:
            return
        from desk import clock

        self.pending_link = (self.case.number, self.case.receipt_no, clock.utcnow())
        screen.open_code(self.case.receipt_no)

    def resolve_case(self) -> None:
        if not self._ready("resolve_case"):
            return
        c = self.case
        kinds = dict(RESOLUTION_KINDS)
        if not auth.can(self.ctx.staff, "cases.goodwill"):
            kinds.pop("goodwill")
        default = "refund" if c.return_number else ("exchange" if c.exchange_number else "explanation")
        amount = line("goodwillAmount", "Only for goodwill store credit, e.g. 15.00")
        limit = self.money(cases_service.settings.get("cases.goodwill_limit"))
        view = FormDialog.run(
            self, f"Resolve {c.number}",
            f"Say what was done for the customer. A refund or exchange must be linked first (Ctrl+I). "
            f"Goodwill store credit above {limit} needs a manager's approval. A follow-up call is scheduled.",
            [("Resolution", combo(kinds, "resolutionKind", default)), ("Goodwill", amount),
             ("What was done", text_box("resolutionText", "What was done for the customer"))],
            "Resolve", lambda d: self._resolve(c.number, d))
        if view is not None:
            fu = view.follow_up
            text = f"{view.number} resolved."
            if view.voucher_code:
                text += f" Goodwill voucher {view.voucher_code} for {self.money(view.goodwill_amount)}."
            if fu is not None:
                text += f" Follow-up due {self.when(fu.due_at)}."
            self._done(view, text)

    def _resolve(self, number: str, d: FormDialog) -> CaseView | None:
        from desk.ui.dialogs.approve_at_desk import ApproveAtDeskDialog

        kind, text = d.value("Resolution"), d.value("What was done")
        if kind != "goodwill":
            return cases_service.resolve(self.ctx.staff, number, kind, text)
        raw = (d.value("Goodwill") or "").strip()
        if not raw:
            raise InvalidInput("Goodwill", "give the amount of store credit, e.g. 15.00")
        try:
            amount = parse_amount(raw, self.currency, self.locale)
        except (ValueError, DeskError):
            raise InvalidInput("Goodwill", f"'{raw}' is not an amount (e.g. 15.00)") from None
        try:
            result = cases_service.give_goodwill(self.ctx.staff, number, amount, text)
        except NeedsApproval as need:
            approval = ApproveAtDeskDialog.ask(d, list(need.reasons), subject="goodwill credit")
            if approval is None:
                d.error.setText("Not resolved: the goodwill needs a manager's approval.")
                d.error.show()
                return None
            result = cases_service.give_goodwill(self.ctx.staff, number, amount, text, approver=approval)
        self.ctx.events.emit_changed("vouchers")
        return result.case

    def follow_up(self) -> None:
        if not self._ready("follow_up"):
            return
        c = self.case
        reached = QCheckBox("The customer was reached")
        reached.setObjectName("followReached")
        reached.setChecked(True)
        scores = {"": "(not given)", "5": "5 — delighted", "4": "4 — happy", "3": "3 — all right",
                  "2": "2 — unhappy", "1": "1 — very unhappy"}
        attempts = cases_service.settings.get("cases.follow_up_attempts")
        fu = c.follow_up
        view = FormDialog.run(
            self, f"Follow up {c.number}",
            f"Call {c.customer_name or 'the customer'}" + (f" on {c.customer_phone}" if c.customer_phone else "")
            + f". Reached: the outcome and a score close the case. Not reached: tried again tomorrow; after {attempts} "
            f"attempts the case closes as unreachable ({fu.attempts if fu else 0} so far).",
            [("Reached", reached), ("Outcome", text_box("followOutcome", "What the customer said", 70)),
             ("Satisfaction", combo(scores, "followScore"))], "Record the call",
            lambda d: cases_service.record_follow_up(
                self.ctx.staff, c.number, d.value("Reached"), d.value("Outcome"),
                int(d.value("Satisfaction")) if d.value("Satisfaction") else None))
        if view is not None:
            self._done(view, f"{view.number}: {view.status_label.lower()}.")

    def close_or_reopen(self) -> None:
        if not self._ready("close_or_reopen"):
            return
        c = self.case
        if c.status in ("resolved", "closed"):
            label, title, call = "Reason", f"Reopen {c.number}", cases_service.reopen
            intro = "The case is open again with a new resolution deadline; a pending follow-up is cancelled."
        else:
            label, title, call = "Note", f"Close {c.number}", cases_service.close_case
            intro = "Close the case without a resolution or follow-up (e.g. the customer withdrew it)."
        view = FormDialog.run(self, title, intro, [(label, text_box("closeReason", "Why", 70))], title.split()[0],
                              lambda d: call(self.ctx.staff, c.number, d.value(label)))
        if view is not None:
            self._done(view, f"{view.number}: {view.status_label.lower()}.")

    def print_summary(self, letter: bool = False) -> bool:
        if not self._ready("print_letter" if letter else "print_summary"):
            return False
        from desk.ui.printing import print_document

        ok, doc = messages.attempt(self, cases_service.render_case, self.case.number, self.ctx.staff, "", letter)
        if not ok or doc is None:
            return False
        return print_document(self.ctx, self, doc)

    def print_letter(self) -> bool:
        return self.print_summary(letter=True)

    def show_figures(self) -> None:
        if not self.figures_button.isVisible():
            return
        try:
            FiguresDialog.show_for(self.ctx, self)
        except DeskError as err:
            messages.show_error(self, err)

    def edit_categories(self) -> None:
        if self.categories_button.isVisibleTo(self):
            CategoriesDialog.show_for(self.ctx, self)
