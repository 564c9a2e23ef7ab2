"""Orders (F6): special orders for items out of stock, from the customer's request to collection.

The board shows the open orders in four columns by status (requested, ordered, arrived, customer
told), with what needs doing today highlighted and counted (overdue at the supplier, arrived and
not told, not collected after the reminder days, past the collection deadline); the navigation
shows the same count. Typing in Find (or choosing a status, collected and cancelled included)
lists the orders that match, a page at a time. Ctrl+N takes an order; Enter opens one; Who to
phone (Ctrl+Shift+T) lists today's calls to customers who cannot be emailed.

An order's page shows its lines, money, status timeline (who and when) and contact attempts, and
its actions by keyboard: Mark ordered (Ctrl+O; on an ordered order, the supplier's new date),
Receive (Ctrl+R), Contact (Ctrl+T), Collect (Ctrl+K), Cancel (Ctrl+Delete), a manager's decision
past the deadline (Ctrl+E), print the slip (Ctrl+P), more deposit (Ctrl+M). Enter does what the order's status calls for next; Esc goes back to the board.

The scan field: an order number (O-…) opens that order from anywhere; a product's barcode, SKU or
supplier code while this screen is shown lists the orders waiting for it and receives the
arrival into the one chosen.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QListView,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError, NeedsApproval, NotFound
from desk.money import format_money
from desk.services import auth, documents, orders
from desk.services import settings as settings_service
from desk.services.orders import FLAGS, OPEN_STATUSES, STATUS_LABELS, Board, BoardRow, OrderQuery, OrderView
from desk.services.store import current_store
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.dialogs.approve_at_desk import ApproveAtDeskDialog
from desk.ui.dialogs.order_actions import (
    METHOD_LABELS,
    OUTCOME_LABELS,
    CancelDialog,
    ContactDialog,
    DeadlineDialog,
    ExpectedDateDialog,
    MarkOrderedDialog,
    PayDialog,
    ReceiveDialog,
    WhoToPhoneDialog,
    date_text,
)
from desk.ui.dialogs.take_order import TakeOrderDialog
from desk.ui.messages import attempt, show_error
from desk.ui.screens.base import Screen
from desk.ui.tables.orders_table import OrdersTableModel, flags_text
from desk.ui.tables.paged import fit_columns, number_sample
from desk.ui.tables.sales_table import local_time_text
from desk.ui.widgets import style

BOARD, DETAIL = range(2)
AMBER_BG, RED_BG, CARD_BG = QColor("#fdf3e1"), QColor("#fbe9e7"), QColor("#f3f5f8")
STATUS_FILTERS = (("Open orders", "open"), ("Requested", "requested"), ("Ordered", "ordered"), ("Arrived", "arrived"),
                  ("Customer told", "contacted"), ("Collected", "collected"), ("Cancelled", "cancelled"), ("Any", ""))
# What Enter does on an order's page, by status.
NEXT_STEP = {"requested": "ordered", "ordered": "receive", "arrived": "contact", "contacted": "collect"}
ACTION_LABELS = {"taken": "Order taken", "deposit": "Deposit taken", "ordered": "Ordered from the supplier",
                 "expected_date": "New expected date", "received": "Received", "arrived": "Arrived: all here",
                 "contacted": "Customer told", "collected": "Collected", "cancelled": "Cancelled",
                 "deadline_extended": "Deadline extended", "from_exchange": "From an exchange"}
KEYS = {"take": "Ctrl+N", "ordered": "Ctrl+O", "receive": "Ctrl+R", "contact": "Ctrl+T", "collect": "Ctrl+K",
        "cancel": "Ctrl+Del", "decide": "Ctrl+E", "print": "Ctrl+P", "find": "Ctrl+F", "todo": "Ctrl+D",
        "phone": "Ctrl+Shift+T", "deposit": "Ctrl+M"}
# What each key does and what for, for F1 (``OrdersScreen.keys``).
KEY_HELP = (
    ("take", "Take an order", "On the board: customer, items, deposit (split tenders: Add payment, Ctrl+P)"),
    ("find", "Find an order", "On the board: number, customer, phone, product or supplier; Down goes to the board"),
    ("todo", "Only what needs doing", "On the board: overdue, not told, to remind, past the deadline"),
    ("phone", "Customers to call today", "On the board: today's calls to customers email will not reach"),
    ("ordered", "Mark ordered (the order shown)", "The supplier's reference; on an ordered one, its new date"),
    ("receive", "Receive (the order shown)", "Its goods arrived (or scan the item on the board)"),
    ("contact", "Customer told (the order shown)", "Log a call, a text, a word in person, or send the email"),
    ("collect", "Collect (the order shown)", "The balance, split across tenders if wanted; the collection slip"),
    ("cancel", "Cancel the order shown", "The deposit refunded, as store credit, or kept (a manager)"),
    ("decide", "Decide a cancelled order's deposit", "An order past its collection deadline: extend, or cancel"),
    ("print", "Print the order slip", "The order slip, or the collection slip once collected"),
    ("deposit", "Take more deposit", "An open order: more deposit, split across tenders if wanted"),
)


_label = style.label
_set_role = style.set_role


SHORT_FLAGS = {"overdue_at_supplier": "overdue at the supplier", "not_contacted": "arrived, not told",
               "reminder_due": "to remind", "past_deadline": "past the deadline"}


def needs_doing_text(counts: dict[str, int]) -> str:
    """'1 overdue at the supplier · 2 past the deadline' (flags with a count only)."""
    return " · ".join(f"{counts[k]} {SHORT_FLAGS.get(k, FLAGS[k])}" for k in FLAGS if counts.get(k))


class _BoardKeys(QObject):
    """Down from Find goes to the board's cards; Left and Right move between its columns."""

    def __init__(self, screen: "OrdersScreen"):
        super().__init__(screen)
        self.screen = screen

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if obj is self.screen.search_edit and key == Qt.Key.Key_Down:
            return self.screen.focus_column(0, 1)
        lists = list(self.screen.columns.values())
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # Opened here and the key consumed: a view's own Enter would also reach the screen,
            # whose Enter on an order's page does the order's next step.
            if obj in lists and obj.currentItem() is not None:
                self.screen.open_order(obj.currentItem().data(Qt.ItemDataRole.UserRole))
                return True
            if obj is self.screen.table and self.screen.table.currentIndex().isValid():
                self.screen._table_activated(self.screen.table.currentIndex())
                return True
        if obj in lists and key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            return self.screen.focus_column(lists.index(obj) + (1 if key == Qt.Key.Key_Right else -1),
                                            1 if key == Qt.Key.Key_Right else -1)
        return False


class OrdersScreen(Screen):
    title = "Orders"
    action_name = "screen.orders"
    permission = "orders.view"
    keys = (ScreenKey("Enter", "Open the order / its next step",
                      tip="On the board: open the order; on an order: what its status calls for next"),
            ScreenKey("Esc", "Back to the board / clear Find",
                      tip="On an order: back to the board; on the board: clear Find"),
            *(ScreenKey(KEYS[name], label, tip=tip) for name, label, tip in KEY_HELP))
    badge_kinds = ("orders", "settings", "sales")

    @classmethod
    def nav_badge(cls, ctx: AppContext) -> tuple[int, str]:
        n = orders.needs_doing_count()
        return n, f"{n} order{'s' if n != 1 else ''} need{'s' if n == 1 else ''} doing today"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("ordersScreen")
        store = current_store()
        self.locale = store.locale if store else "en_GB"
        self.currency = store.currency if store else "GBP"
        self.board_data: Board | None = None
        self.view: OrderView | None = None
        self.columns: dict[str, QListWidget] = {}
        self.column_titles: dict[str, QLabel] = {}

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._build_board())
        self.pages.addWidget(self._build_detail())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 14, 24, 14)
        layout.setSpacing(0)
        layout.addWidget(self.pages)

        self._shortcut(self.board_page, KEYS["take"], self.take_order)
        self._shortcut(self.board_page, KEYS["find"], lambda: self.search_edit.setFocus())
        self._shortcut(self.board_page, KEYS["todo"], lambda: self.todo_check.toggle())
        self._shortcut(self.board_page, KEYS["phone"], self.who_to_phone)
        for name, slot in (("ordered", self.mark_ordered), ("receive", self.receive), ("contact", self.contact),
                           ("collect", self.collect), ("cancel", self.cancel_order), ("decide", self.decide),
                           ("print", self.print_slip), ("deposit", self.more_deposit)):
            self._shortcut(self.detail_page, KEYS[name], slot)

        keys = _BoardKeys(self)
        self.search_edit.installEventFilter(keys)
        self.table.installEventFilter(keys)
        for lst in self.columns.values():
            lst.installEventFilter(keys)

        ctx.events.changed.connect(self._on_changed)
        ctx.events.session_changed.connect(self._on_session_changed)
        if ctx.staff is not None:
            self.refresh_board()

    def _shortcut(self, page: QWidget, key: str, slot) -> None:
        shortcut = QShortcut(QKeySequence(key), page)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)  # only while the page is shown
        shortcut.activated.connect(slot)

    # ================================================================== building: the board
    def _build_board(self) -> QWidget:
        page = QWidget()
        page.setObjectName("ordersBoard")
        self.board_page = page
        heading = _label("Orders", "heading")
        self.todo_label = _label("", "approval", "needsDoing", wrap=True)
        self.take_button = QPushButton(f"Take an order  ({KEYS['take']})")
        self.take_button.setObjectName("takeOrder")
        self.take_button.setProperty("primary", True)
        self.take_button.setMinimumSize(230, 50)
        self.take_button.setAutoDefault(False)
        self.take_button.clicked.connect(self.take_order)
        self.take_button.setVisible(auth.can(self.ctx.staff, "orders.take"))  # head office only looks
        self.phone_button = QPushButton(f"Who to phone  ({KEYS['phone']})")
        self.phone_button.setObjectName("whoToPhoneButton")
        self.phone_button.setMinimumSize(230, 50)
        self.phone_button.setAutoDefault(False)
        self.phone_button.setToolTip(f"Customers to call today who cannot be emailed ({KEYS['phone']})")
        self.phone_button.clicked.connect(self.who_to_phone)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(heading)
        titles.addWidget(self.todo_label)
        top = QHBoxLayout()
        top.addLayout(titles, 1)
        top.addWidget(self.phone_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.take_button, 0, Qt.AlignmentFlag.AlignTop)

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("orderSearch")
        self.search_edit.setPlaceholderText(f"Find ({KEYS['find']}): number, customer, phone, product or supplier")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumHeight(40)
        self.search_edit.returnPressed.connect(self.search)
        self.search_edit.textChanged.connect(lambda text: self.show_board() if not text.strip() and self._is_board_query() else None)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("orderStatusFilter")
        self.status_combo.setMinimumHeight(40)
        for label, value in STATUS_FILTERS:
            self.status_combo.addItem(label, value)
        self.status_combo.activated.connect(lambda _i: self.search())
        self.todo_check = QCheckBox(f"Only what needs doing ({KEYS['todo']})")
        self.todo_check.setObjectName("onlyNeedsDoing")
        self.todo_check.toggled.connect(lambda _on: self.search())
        find = QHBoxLayout()
        find.setSpacing(10)
        find.addWidget(self.search_edit, 1)
        find.addWidget(self.status_combo)
        find.addWidget(self.todo_check)

        # -- the four columns of open orders
        board = QWidget()
        board.setObjectName("boardColumns")
        grid = QHBoxLayout(board)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(12)
        for status in OPEN_STATUSES:
            frame = QFrame()
            frame.setProperty("role", "card")
            box = QVBoxLayout(frame)
            box.setContentsMargins(10, 8, 10, 10)
            box.setSpacing(6)
            title = _label(STATUS_LABELS[status], "subheading", f"columnTitle_{status}")
            self.column_titles[status] = title
            lst = QListWidget()
            lst.setObjectName(f"column_{status}")
            lst.setWordWrap(True)
            lst.setSpacing(3)
            lst.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
            lst.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            lst.setResizeMode(QListView.ResizeMode.Adjust)
            lst.setStyleSheet("QListWidget { border: none; background: transparent; }")
            lst.itemDoubleClicked.connect(lambda item: self.open_order(item.data(Qt.ItemDataRole.UserRole)))
            self.columns[status] = lst
            box.addWidget(title)
            box.addWidget(lst, 1)
            grid.addWidget(frame, 1)

        # -- the search list
        self.model = OrdersTableModel(self, locale=self.locale)
        self.model.set_source(lambda q, offset, limit: orders.search_orders(q, offset, limit), orders.count_orders)
        self.table = QTableView()
        self.table.setObjectName("ordersTable")
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
        store = current_store()
        self.model.number_sample = number_sample(store.code if store else "", "O")
        fit_columns(self.table)  # from the model's samples; Supplier and Taken give way first (the order shows them)
        self.table.doubleClicked.connect(self._table_activated)
        self.list_message = _label("", "muted", "ordersListMessage")

        list_page = QWidget()
        lbox = QVBoxLayout(list_page)
        lbox.setContentsMargins(0, 0, 0, 0)
        lbox.setSpacing(6)
        lbox.addWidget(self.table, 1)
        lbox.addWidget(self.list_message)
        self.board_stack = QStackedWidget()
        self.board_stack.addWidget(board)
        self.board_stack.addWidget(list_page)

        hint = _label("Enter opens an order · Ctrl+N takes one · scan an item's barcode here to receive it for the "
                      "order waiting for it · Esc clears Find", "muted")
        hint.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(find)
        layout.addWidget(self.board_stack, 1)
        layout.addWidget(hint)
        return page

    # ================================================================== building: one order
    def _build_detail(self) -> QWidget:
        page = QWidget()
        page.setObjectName("orderDetail")
        self.detail_page = page
        self.detail_heading = _label("", "heading", "orderHeading")
        self.detail_status = _label("", "allowed", "orderStatus")
        self.back_button = QPushButton("Back to the board (Esc)")
        self.back_button.setMinimumHeight(40)
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.show_board)
        top = QHBoxLayout()
        top.addWidget(self.detail_heading)
        top.addSpacing(12)
        top.addWidget(self.detail_status)
        top.addStretch(1)
        top.addWidget(self.back_button)

        self.detail_flags = _label("", "approval", "orderFlags", wrap=True)
        self.detail_facts = _label("", None, "orderFacts", wrap=True)
        self.detail_facts.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lines_table = QTableWidget(0, 6)
        self.lines_table.setObjectName("orderDetailLines")
        self.lines_table.setHorizontalHeaderLabels(["Item", "Supplier · code", "Qty", "Arrived", "Each", "Total"])
        self.lines_table.verticalHeader().hide()
        self.lines_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines_table.verticalHeader().setDefaultSectionSize(32)
        lh = self.lines_table.horizontalHeader()
        lh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        lh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 170), (2, 46), (3, 74), (4, 80), (5, 84)):
            lh.resizeSection(col, width)
        self.detail_money = _label("", "subheading", "orderMoney", wrap=True)
        self.detail_money.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_tenders = _label("", "muted", "orderTenders", wrap=True)
        self.detail_tenders.setTextFormat(Qt.TextFormat.PlainText)
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(self.detail_flags)
        left.addWidget(self.detail_facts)
        left.addWidget(self.lines_table)
        self.deposit_button = QPushButton(f"Take more deposit…  ({KEYS['deposit']})")
        self.deposit_button.setObjectName("moreDeposit")
        self.deposit_button.setMinimumHeight(38)
        self.deposit_button.setAutoDefault(False)
        self.deposit_button.clicked.connect(self.more_deposit)
        money_row = QHBoxLayout()
        money_row.addWidget(self.detail_money, 1)
        money_row.addWidget(self.deposit_button, 0, Qt.AlignmentFlag.AlignTop)
        left.addLayout(money_row)
        left.addWidget(self.detail_tenders)
        left.addStretch(1)

        self.timeline = QListWidget()
        self.timeline.setObjectName("orderTimeline")
        self.timeline.setWordWrap(True)
        self.timeline.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.timeline.setAlternatingRowColors(True)
        self.contacts = QListWidget()
        self.contacts.setObjectName("orderContacts")
        self.contacts.setWordWrap(True)
        self.contacts.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.contacts.setAlternatingRowColors(True)
        right_box = QWidget()
        right_box.setFixedWidth(340)
        right = QVBoxLayout(right_box)
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(6)
        right.addWidget(_label("What happened", "subheading"))
        right.addWidget(self.timeline, 3)
        right.addWidget(_label("Contact attempts", "subheading"))
        right.addWidget(self.contacts, 2)

        body = QHBoxLayout()
        body.setSpacing(18)
        body.addLayout(left, 1)
        body.addWidget(right_box)

        self.action_buttons: dict[str, QPushButton] = {}
        actions = QGridLayout()
        actions.setHorizontalSpacing(8)
        for col, (name, text, slot) in enumerate((
                ("ordered", "Mark ordered", self.mark_ordered), ("receive", "Receive", self.receive),
                ("contact", "Contact", self.contact), ("collect", "Collect", self.collect),
                ("cancel", "Cancel order", self.cancel_order), ("decide", "Decide…", self.decide),
                ("print", "Print slip", self.print_slip))):
            button = QPushButton(f"{text}\n{QKeySequence(KEYS[name]).toString(QKeySequence.SequenceFormat.NativeText)}")
            button.setObjectName(f"orderAction_{name}")
            button.setMinimumHeight(56)
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            self.action_buttons[name] = button
            actions.addWidget(button, 0, col)
            actions.setColumnStretch(col, 1)
        self.next_hint = _label("", "muted", "orderNextHint")
        self.next_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        layout.addLayout(actions)
        layout.addWidget(self.next_hint)
        return page

    # ================================================================== helpers
    def money(self, minor: int) -> str:
        return format_money(minor, self.currency, self.locale)

    def page(self) -> int:
        return self.pages.currentIndex()

    def _emit(self, *kinds: str) -> None:
        self.ctx.events.emit_changed("orders", *kinds)

    # ================================================================== the board
    def activated(self) -> None:
        if self.page() == BOARD:
            self.refresh_board()
            if self.board_stack.currentIndex() == 1:
                self.model.refresh()
            self.search_edit.setFocus()
        elif self.view is not None:
            self.show_order(self.view.number)

    def refresh_board(self) -> Board | None:
        try:
            data = orders.board()
        except DeskError as exc:
            self.todo_label.setText(str(exc))
            return None
        self.board_data = data
        for status, lst in self.columns.items():
            current = lst.currentItem().data(Qt.ItemDataRole.UserRole) if lst.currentItem() else None
            rows = data.rows.get(status, [])
            flagged = sum(1 for r in rows if r.flags)
            self.column_titles[status].setText(f"{STATUS_LABELS[status]} · {data.counts.get(status, len(rows))}"
                                               + (f"  ({flagged} to do)" if flagged else ""))
            lst.clear()
            for r in rows:
                item = QListWidgetItem(self._card_text(r))
                item.setData(Qt.ItemDataRole.UserRole, r.number)
                item.setBackground(QBrush(RED_BG if "past_deadline" in r.flags else AMBER_BG if r.flags else CARD_BG))
                item.setToolTip(r.items + (("\n" + flags_text(r.flags)) if r.flags else ""))
                lst.addItem(item)
                if r.number == current:
                    lst.setCurrentItem(item)
        if data.needs_doing:
            n = data.needs_doing
            text = f"{n} order{'s' if n != 1 else ''} need{'s' if n == 1 else ''} doing today: {needs_doing_text(data.flag_counts)}"
            _set_role(self.todo_label, "error" if data.flag_counts.get("past_deadline") else "approval")
        else:
            text = "Nothing needs doing today."
            _set_role(self.todo_label, "allowed")
        self.todo_label.setText(text)
        self.fit_cards()
        try:
            calls = len(orders.who_to_phone())
        except DeskError:
            calls = 0
        self.phone_button.setText((f"Who to phone · {calls}" if calls else "Who to phone") + f"  ({KEYS['phone']})")
        for i, (label, value) in enumerate(STATUS_FILTERS):
            if value in ("collected", "cancelled"):
                self.status_combo.setItemText(i, f"{label} · {data.counts.get(value, 0)}")
        return data

    def _card_text(self, r: BoardRow) -> str:
        lines = [f"{r.number}", r.customer_name, r.items]
        when = []
        if r.status in ("requested", "ordered") and r.expected_date:
            when.append(f"expected {date_text(r.expected_date, self.locale)}")
        if r.collection_deadline and r.status in ("arrived", "contacted"):
            when.append(f"collect by {date_text(r.collection_deadline, self.locale)}")
        if r.balance:
            when.append(f"to pay {format_money(r.balance, r.currency, self.locale)}")
        if when:
            lines.append(" · ".join(when))
        if r.flags:
            lines.append("To do: " + ", ".join(SHORT_FLAGS.get(f, f) for f in r.flags))
        return "\n".join(lines)

    def focus_column(self, start: int, step: int) -> bool:
        """Focus the first column from ``start`` (moving by ``step``) that has cards; True when one had."""
        if self.board_stack.currentIndex() != 0:
            if step > 0 and self.model.rowCount():
                self.table.setFocus()
                return True
            return False
        lists = list(self.columns.values())
        i = start
        while 0 <= i < len(lists):
            if lists[i].count():
                if lists[i].currentRow() < 0:
                    lists[i].setCurrentRow(0)
                lists[i].setFocus()
                return True
            i += step
        return False

    def fit_cards(self) -> None:
        """Give each card the height its wrapped text needs at the column's width now (a list's
        own guess at wrapped text is made before it knows its width, and cuts lines off)."""
        for lst in self.columns.values():
            width = lst.viewport().width() - 2 * lst.spacing() - 4
            if width <= 40:
                continue
            metrics = lst.fontMetrics()
            for i in range(lst.count()):
                item = lst.item(i)
                rect = metrics.boundingRect(QRect(0, 0, width - 8, 10_000),
                                            int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap), item.text())
                item.setSizeHint(QSize(width, rect.height() + 10))

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit_cards()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.fit_cards()

    def board_numbers(self, status: str) -> list[str]:
        """The order numbers in a board column, top to bottom (what a test reads)."""
        lst = self.columns[status]
        return [lst.item(i).data(Qt.ItemDataRole.UserRole) for i in range(lst.count())]

    def _is_board_query(self) -> bool:
        return self.status_combo.currentData() == "open" and not self.todo_check.isChecked()

    def build_query(self) -> OrderQuery:
        return OrderQuery(text=self.search_edit.text().strip(), status=self.status_combo.currentData() or "",
                          flagged_only=self.todo_check.isChecked())

    def search(self) -> int:
        """Find's text, the status and 'only what needs doing' as a paged list; with none of them, the board."""
        query = self.build_query()
        if not query.text and self._is_board_query():
            self.show_board()
            return -1
        ok, _ = attempt(self, self.model.set_query, query)
        if not ok:
            return 0
        self.board_stack.setCurrentIndex(1)
        n = self.model.total_count
        self.list_message.setText(f"{n:,} order{'s' if n != 1 else ''} match." if n else "No order matches.")
        if n:
            self.table.setCurrentIndex(self.model.index(0, 0))
        return n

    def show_board(self) -> None:
        self.pages.setCurrentIndex(BOARD)
        if self.search_edit.text().strip() or not self._is_board_query():
            self.board_stack.setCurrentIndex(1)
            self.model.refresh()
        else:
            self.board_stack.setCurrentIndex(0)
        self.refresh_board()
        self.search_edit.setFocus()

    def clear_find(self) -> None:
        self.search_edit.clear()
        self.status_combo.setCurrentIndex(0)
        self.todo_check.blockSignals(True)
        self.todo_check.setChecked(False)
        self.todo_check.blockSignals(False)
        self.model.clear()
        self.show_board()

    def _table_activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.open_order(row.number)

    # ================================================================== one order
    def open_order(self, number: str) -> bool:
        ok, _ = attempt(self, self.show_order, number)
        return bool(ok)

    def show_order(self, number: str) -> bool:
        """Show order ``number`` (NotFound names it)."""
        view = orders.order_view(number)
        self.view = view
        self.detail_heading.setText(f"Order {view.number}")
        self.detail_status.setText(view.status_label)
        _set_role(self.detail_status, "error" if view.status == "cancelled" else
                  "approval" if view.flags else "allowed")
        self.detail_flags.setText("Needs doing: " + flags_text(view.flags) if view.flags else "")
        self.detail_flags.setVisible(bool(view.flags))
        _set_role(self.detail_flags, "error" if "past_deadline" in view.flags else "approval")
        via = {"phone": "phone", "email": "email", "sms": "text message"}.get(view.contact_via, view.contact_via)
        facts = [
            "Customer: " + " · ".join(p for p in (view.customer_name, view.customer_phone, view.customer_email) if p)
            + f" — prefers {via}",
            f"Taken {local_time_text(view.created_at, self.locale, 'medium')} by {view.clerk_name} ({view.clerk_code})"
            + f" · desk {view.desk_code}",
        ]
        supplier = " · ".join(p for p in (view.supplier, f"ref. {view.supplier_ref}" if view.supplier_ref else "") if p)
        dates = []
        if view.expected_date:
            dates.append(f"expected {date_text(view.expected_date, self.locale)}")
        if view.collection_deadline:
            dates.append(f"collect by {date_text(view.collection_deadline, self.locale)}")
        if supplier or dates:
            facts.append("Supplier: " + (supplier or "not given") + (" · " + " · ".join(dates) if dates else ""))
        if view.sale_receipt_no:
            facts.append(f"Collected: sale {view.sale_receipt_no}")
        if view.cancel_reason:
            facts.append(f"Cancelled: {view.cancel_reason}" + (f" (approved by {view.approved_by_name})" if view.approved_by_name else ""))
        if view.source_return_number:
            facts.append(f"From the exchange's return {view.source_return_number}")
        if view.note:
            facts.append(f"Note: {view.note}")
        self.detail_facts.setText("\n".join(facts))

        self.lines_table.setRowCount(len(view.lines))
        for r, line in enumerate(view.lines):
            values = (line.description + (f" ({line.sku})" if line.sku else ""),
                      " · ".join(p for p in (line.supplier, line.supplier_code) if p),
                      str(line.quantity), str(line.received), self.money(line.unit_price), self.money(line.total))
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                elif text:
                    item.setToolTip(text)
                self.lines_table.setItem(r, c, item)
        # as tall as its lines (up to eight), so the money and the tenders sit right under them
        shown = min(max(len(view.lines), 1), 8)
        self.lines_table.setFixedHeight(self.lines_table.horizontalHeader().height() + 32 * shown + 4)
        money = [f"Total {self.money(view.total)}", f"deposit paid {self.money(view.deposit_paid)}"]
        if view.status == "collected":
            money.append(f"paid at collection {self.money(view.balance_paid)}")
        elif view.status == "cancelled":
            if view.refunded:
                money.append(f"refunded {self.money(view.refunded)}")
            if view.kept:
                money.append(f"kept {self.money(view.kept)}")
        else:
            money.append(f"to pay {self.money(view.balance)}")
        self.detail_money.setText(" · ".join(money))
        tenders = [f"{t.kind.capitalize()} {'taken' if t.direction == 'in' else 'given back'}: {self.money(t.amount)} "
                   f"{t.label}" + (f" (ref. {t.reference})" if t.reference else "")
                   + (f" · voucher {t.voucher_code}" if t.voucher_code else "") for t in view.tenders]
        self.detail_tenders.setText("\n".join(tenders))
        self.detail_tenders.setVisible(bool(tenders))

        self.timeline.clear()
        for e in view.events:
            what = ACTION_LABELS.get(e.action, e.action.replace("_", " ").capitalize())
            who = e.staff_name or e.staff_code or "—"
            text = f"{local_time_text(e.at, self.locale)} · {what} · {who}" + (f"\n{e.note_text}" if e.note_text else "")
            self.timeline.addItem(text)
        self.contacts.clear()
        for c in view.contacts:
            text = (f"{local_time_text(c.at, self.locale)} · {METHOD_LABELS.get(c.method, c.method)} · "
                    f"{OUTCOME_LABELS.get(c.outcome, c.outcome)} · {c.staff_name or c.staff_code}"
                    + (f"\n{c.address}" if c.address else "") + (f" — {c.note}" if c.note else "")
                    + (f"\nError: {c.error}" if c.error else ""))
            item = QListWidgetItem(text)
            if c.outcome in ("failed", "wrong_number"):
                item.setForeground(QBrush(QColor("#b3261e")))
            self.contacts.addItem(item)
        if not view.contacts:
            self.contacts.addItem("Nobody has tried to reach the customer yet.")
        self._enable_actions(view)
        self.pages.setCurrentIndex(DETAIL)
        self.detail_page.setFocus()
        return True

    def _enable_actions(self, view: OrderView) -> None:
        staff = self.ctx.staff
        take = auth.can(staff, "orders.take")
        s = view.status
        waiting = any(line.waiting > 0 for line in view.lines)
        enabled = {
            "ordered": take and s in ("requested", "ordered"),
            "receive": take and s in ("requested", "ordered") and waiting,
            "contact": take and s in OPEN_STATUSES,
            "collect": take and s in ("arrived", "contacted"),
            "cancel": auth.can(staff, "orders.cancel") and s in OPEN_STATUSES,
            "decide": auth.can(staff, "orders.extend") and "past_deadline" in view.flags and s in OPEN_STATUSES,
            "print": True,
        }
        self.deposit_button.setVisible(take and s in ("requested", "ordered") and view.balance > 0)
        nxt = self._next(view)
        key = QKeySequence(KEYS["ordered"]).toString(QKeySequence.SequenceFormat.NativeText)
        self.action_buttons["ordered"].setText(f"New date\n{key}" if s == "ordered" else f"Mark ordered\n{key}")
        self.action_buttons["ordered"].setToolTip("The supplier's new expected date" if s == "ordered"
                                                  else "Ordered from the supplier: their reference and date")
        for name, button in self.action_buttons.items():
            button.setEnabled(enabled[name])
            button.setProperty("primary", name == nxt and enabled[name])
            button.style().unpolish(button)
            button.style().polish(button)
        if "past_deadline" in view.flags and s in OPEN_STATUSES and not enabled["decide"]:
            self.action_buttons["decide"].setToolTip("Past the deadline: a manager decides (extend, or cancel)")
        labels = {"ordered": "mark it ordered", "receive": "receive it", "contact": "contact the customer",
                  "collect": "hand it over", "decide": "a manager decides"}
        self.next_hint.setText(f"Enter: {labels[nxt]} · Esc: back to the board" if nxt and enabled.get(nxt, False)
                               else "Esc: back to the board")

    def _next(self, view: OrderView) -> str | None:
        """What Enter does: a manager's decision past the deadline (for those who may), else the status's next step."""
        if "past_deadline" in view.flags and view.is_open and auth.can(self.ctx.staff, "orders.extend"):
            return "decide"
        return NEXT_STEP.get(view.status)

    def next_step(self) -> bool:
        """Enter on an order's page: what its status calls for next."""
        if self.view is None:
            return False
        nxt = self._next(self.view)
        if nxt is None or not self.action_buttons[nxt].isEnabled():
            return False
        return {"ordered": self.mark_ordered, "receive": self.receive, "contact": self.contact,
                "collect": self.collect, "decide": self.decide}[nxt]()

    def _after(self, view: OrderView | None, *kinds: str) -> bool:
        if view is None:
            return False
        self._emit(*kinds)
        self.show_order(view.number)
        return True

    # ================================================================== actions
    def take_order(self) -> bool:
        if not self.isVisible() or not auth.can(self.ctx.staff, "orders.take"):
            return False
        view = TakeOrderDialog.take(self, self.ctx)
        if view is None:
            return False
        self._emit()
        self.show_order(view.number)
        self.print_document("order", view.number)
        return True

    def who_to_phone(self) -> bool:
        """The customers to call today (who cannot be emailed); the one chosen opens."""
        ok, rows = attempt(self, orders.who_to_phone)
        if not ok:
            return False
        number = WhoToPhoneDialog.ask(self, rows or [])
        return bool(number) and self.open_order(number)

    def mark_ordered(self) -> bool:
        """Ctrl+O: a requested order is marked ordered; an ordered one gets the supplier's new date."""
        if self.view is None or not self.action_buttons["ordered"].isEnabled():
            return False
        if self.view.status == "ordered":
            return self.new_expected_date()
        answer = MarkOrderedDialog.ask(self, self.view, self.locale)
        if answer is None:
            return False
        ok, view = attempt(self, orders.mark_ordered, self.ctx.staff, self.view.number, answer.supplier_ref,
                           answer.supplier, answer.expected_date, answer.ordered_on)
        return ok and self._after(view)

    def more_deposit(self) -> bool:
        """More deposit before the goods arrive (any tender, up to the total)."""
        if self.view is None or not self.deposit_button.isVisible():
            return False
        tenders = PayDialog.ask(self, self.view, self.currency, self.locale, deposit=True)
        if not tenders:
            return False
        ok, view = attempt(self, orders.pay_deposit, self.ctx.staff, self.view.number, tenders)
        return ok and self._after(view)

    def new_expected_date(self) -> bool:
        if self.view is None or self.view.status != "ordered":
            return False
        answer = ExpectedDateDialog.ask(self, self.view, self.locale)
        if answer is None:
            return False
        ok, view = attempt(self, orders.update_expected_date, self.ctx.staff, self.view.number, answer[0], answer[1])
        return ok and self._after(view)

    def receive(self, code: str = "") -> bool:
        """Receive goods for this order (its lines still waiting), or for any order waiting for ``code``."""
        if code:
            try:
                waiting = orders.waiting_for(code)
            except DeskError as exc:
                show_error(self, exc)
                return False
            prefer = self.view.number if self.view is not None and self.page() == DETAIL else ""
        else:
            if self.view is None or not self.action_buttons["receive"].isEnabled():
                return False
            from desk.services.orders import WaitingLine

            v = self.view
            waiting = [WaitingLine(v.number, line.line_no, v.created_at, v.status, v.customer_name, line.description,
                                   line.sku, line.supplier_code, line.waiting, v.expected_date)
                       for line in v.lines if line.waiting > 0]
            prefer = v.number
        if not waiting:
            return False
        answer = ReceiveDialog.ask(self, waiting, code, self.locale, prefer)
        if answer is None:
            return False
        ok, view = attempt(self, orders.receive, self.ctx.staff, answer.number, answer.line_no, answer.quantity,
                           answer.from_stock)
        return ok and self._after(view)

    def contact(self) -> bool:
        if self.view is None or not self.action_buttons["contact"].isEnabled():
            return False
        email = None
        if self.view.customer_email and orders.email_configured():
            ok, email = attempt(self, orders.email_message, self.view.number)
            if not ok:
                email = None
        answer = ContactDialog.ask(self, self.view, email)
        if answer is None:
            return False
        number = self.view.number
        if answer.send_email:
            ok, sent = attempt(self, orders.notify_by_email, self.ctx.staff, number)
            if ok and sent is not None and sent.outcome == "failed":
                show_error(self, DeskError(f"The email to {sent.address} was not sent: {sent.error}. "
                                           "The failed attempt is logged; phone the customer instead."))
            self._emit()
            self.show_order(number)
            return bool(ok and sent is not None and sent.outcome == "sent")
        ok, view = attempt(self, orders.log_contact, self.ctx.staff, number, answer.method, answer.outcome, answer.note)
        return ok and self._after(view)

    def collect(self) -> bool:
        if self.view is None or not self.action_buttons["collect"].isEnabled():
            return False
        tenders = PayDialog.ask(self, self.view, self.currency, self.locale)
        if tenders is None:
            return False
        ok, view = attempt(self, orders.collect, self.ctx.staff, self.view.number, tenders)
        if not (ok and self._after(view, "sales")):
            return False
        self.print_document("collection", view.number)
        return True

    def keep_allowed(self, view: OrderView) -> bool:
        rule = settings_service.get("orders.keep_deposit")
        return rule == "always" or (rule == "after_deadline" and "past_deadline" in view.flags)

    def cancel_order(self, deposit: str = "refund", reason: str = "") -> bool:
        if self.view is None or not self.action_buttons["cancel"].isEnabled():
            return False
        if reason:
            answer_reason, answer_deposit, card_ref = reason, deposit, ""
        else:
            answer = CancelDialog.ask(self, self.view, self.currency, self.locale, self.keep_allowed(self.view), deposit)
            if answer is None:
                return False
            answer_reason, answer_deposit, card_ref = answer.reason, answer.deposit, answer.card_reference
        number = self.view.number
        approver = None
        while True:
            try:
                view = orders.cancel(self.ctx.staff, number, answer_reason, answer_deposit, card_ref, approver=approver)
                break
            except NeedsApproval as exc:
                if approver is not None:
                    show_error(self, exc)
                    return False
                approver = ApproveAtDeskDialog.ask(self, list(exc.reasons))
                if approver is None:
                    return False
            except DeskError as exc:
                show_error(self, exc)
                return False
        self._after(view, "sales", "vouchers")
        for code in view.voucher_codes:
            self.print_document("voucher", code)
        return True

    def decide(self) -> bool:
        if self.view is None or not self.action_buttons["decide"].isEnabled():
            return False
        answer = DeadlineDialog.ask(self, self.view, self.locale, self.keep_allowed(self.view))
        if answer is None:
            return False
        if answer.choice == "extend":
            ok, view = attempt(self, orders.extend_deadline, self.ctx.staff, self.view.number, answer.new_date, answer.note)
            return ok and self._after(view)
        return self.cancel_order(answer.choice, reason=f"Not collected by the deadline: {answer.note}")

    def print_slip(self) -> bool:
        if self.view is None:
            return False
        kind = "collection" if self.view.status == "collected" else "order"
        return self.print_document(kind, self.view.number)

    def print_document(self, kind: str, number: str) -> bool:
        from desk.ui.printing import print_document

        ok, doc = attempt(self, documents.render, kind, number, self.ctx.staff)
        if not ok or doc is None:
            return False
        return print_document(self.ctx, self, doc)

    # ================================================================== the scan field
    def open_code(self, code: str) -> bool:
        """A scan handler: an order number opens the order; on this screen, a product's code lists
        the orders waiting for it and receives the arrival into the one chosen."""
        code = (code or "").strip()
        if not code:
            return False
        if orders.is_order_number(code):
            return self.show_order(code.upper())  # NotFound names the number in the scan bar
        if not self.isVisible():
            return False
        waiting = orders.waiting_for(code)
        if not waiting:
            return False
        self.receive(code)
        return True

    # ================================================================== keys and events
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.page() == DETAIL:
                self.next_step()
                return
        if key == Qt.Key.Key_Escape:
            if self.page() == DETAIL:
                self.show_board()
                return
            self.clear_find()
            return
        super().keyPressEvent(event)

    def _on_changed(self, kind: str) -> None:
        if kind not in ("orders", "settings", "sales") or not self.isVisible():
            return
        if self.page() == BOARD:
            self.refresh_board()
            if self.board_stack.currentIndex() == 1:
                self.model.refresh()

    def _on_session_changed(self, staff) -> None:
        if staff is None:
            return
        if self.page() == DETAIL and self.view is not None:
            try:
                self.show_order(self.view.number)
            except NotFound:
                self.show_board()


__all__ = ["OrdersScreen", "KEYS", "STATUS_FILTERS"]
