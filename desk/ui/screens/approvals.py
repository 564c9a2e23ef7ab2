"""Approvals: the queue of returns that clerks at any desk sent for a supervisor's or manager's word.

The list polls ``desk.services.approvals.pending_approvals`` every few seconds while the screen is
shown (a manager at another desk on the same database sees a clerk's request arrive), and also
refreshes when the event hub says "approvals" changed. Approve or Refuse asks for a note (Enter
confirms, Esc backs out) and answers through ``decide``; the service refuses a manager's own
request, and that refusal is shown.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError
from desk.money import format_money
from desk.services import approvals as approvals_service
from desk.services.approvals import ApprovalView
from desk.services.store import current_store
from desk.ui import messages
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.screens.base import Screen
from desk.ui.tables.approvals_table import ApprovalsTableModel
from desk.ui.tables.paged import fit_columns
from desk.ui.tables.sales_table import local_time_text
from desk.ui.widgets.style import repolish

POLL_MS = 4000


class DecisionDialog(QDialog):
    """Asks for the note that goes with an approval or a refusal. Enter confirms; Esc backs out."""

    def __init__(self, view: ApprovalView, approve: bool, parent: QWidget | None = None, *, locale: str = "en_GB"):
        super().__init__(parent)
        self.setObjectName("decisionDialog")
        self.approve = approve
        verb = ("Override" if view.is_override else "Approve") if approve else "Refuse"
        self.setWindowTitle(f"{verb} request {view.id}")
        heading = QLabel(f"{verb} request {view.id}")
        heading.setProperty("role", "heading")
        who = QLabel(f"{view.clerk_name} ({view.clerk_code}) at desk {view.desk_code}, "
                     f"{local_time_text(view.created_at, locale)}")
        who.setProperty("role", "muted")
        summary = QLabel(view.summary)
        summary.setWordWrap(True)
        why = QLabel("\n".join(f"• {r}" for r in view.reasons) or "")
        why.setWordWrap(True)
        why.setProperty("role", "error" if view.is_override else "approval")
        prompt = QLabel("Note (required): " + ("why it is approved" if approve else "why it is refused")
                        + " — printed on the slip and kept in the audit trail")
        prompt.setWordWrap(True)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setMinimumHeight(40)
        self.note_edit.setMaxLength(300)
        self.note_edit.setPlaceholderText("e.g. regular customer, item unused" if approve else "e.g. asked for a receipt")
        prompt.setBuddy(self.note_edit)
        self.error = QLabel()
        self.error.setObjectName("noteError")
        self.error.setProperty("role", "error")
        self.error.hide()
        self.ok_button = QPushButton(f"{verb}  (Enter)")
        self.ok_button.setObjectName("confirmButton")
        self.ok_button.setProperty("primary", True)
        self.ok_button.setDefault(True)
        self.ok_button.setMinimumSize(170, 48)
        self.ok_button.clicked.connect(self.confirm)
        cancel = QPushButton("Back  (Esc)")
        cancel.setMinimumSize(130, 48)
        cancel.clicked.connect(self.reject)
        self.note_edit.textEdited.connect(lambda _t: self.error.hide())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        for w in (heading, who, summary, why, prompt, self.note_edit, self.error):
            layout.addWidget(w)
        layout.addLayout(buttons)
        self.resize(620, self.sizeHint().height())
        self.note_edit.setFocus()

    def note(self) -> str:
        return self.note_edit.text().strip()

    def confirm(self) -> None:
        if not self.note():
            self.error.setText("Note: say why the return is " + ("approved" if self.approve else "refused") + ".")
            self.error.show()
            self.note_edit.setFocus()
            return
        self.accept()

    @classmethod
    def ask_note(cls, parent: QWidget | None, view: ApprovalView, approve: bool, locale: str = "en_GB") -> str | None:
        """The note typed, or None when the manager backed out (tests replace this step)."""
        dialog = cls(view, approve, parent, locale=locale)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.note()
        return None


class ApprovalsScreen(Screen):
    title = "Approvals"
    action_name = "screen.approvals"
    permission = "returns.approve"
    keys = (ScreenKey("Del", "Refuse the selected request", "refuse_selected"),
            ScreenKey("Ctrl+R", "Refresh: look for new requests now", "refresh"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("approvalsScreen")
        store = current_store()
        self.locale = store.locale if store else "en_GB"
        self._seen: set[int] | None = None

        heading = QLabel("Approvals")
        heading.setProperty("role", "heading")
        intro = QLabel("Returns that clerks at any desk sent for a supervisor's or manager's word. New requests "
                       "appear here by themselves. You cannot answer your own request.")
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)
        self.status_label = QLabel()
        self.status_label.setObjectName("approvalsStatus")
        self.status_label.setWordWrap(True)

        self.model = ApprovalsTableModel(self, locale=self.locale)
        self.table = QTableView()
        self.table.setObjectName("approvalsTable")
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
        fit_columns(self.table)  # from the model's samples; Return and Why share the rest
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self.table.activated.connect(lambda _i: self.approve_selected())

        # -- the selected request ---------------------------------------------------------
        card = QFrame()
        card.setObjectName("approvalCard")
        card.setProperty("role", "card")
        self.card_title = QLabel()
        self.card_title.setObjectName("approvalTitle")
        self.card_title.setProperty("role", "subheading")
        self.card_who = QLabel()
        self.card_who.setProperty("role", "muted")
        self.card_who.setWordWrap(True)
        self.card_summary = QLabel()
        self.card_summary.setObjectName("approvalSummary")
        self.card_summary.setWordWrap(True)
        self.card_reasons = QLabel()
        self.card_reasons.setObjectName("approvalReasons")
        self.card_reasons.setWordWrap(True)
        self.card_reasons.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        card_box = QVBoxLayout(card)
        card_box.setContentsMargins(18, 12, 18, 12)
        card_box.setSpacing(6)
        for w in (self.card_title, self.card_who, self.card_summary, self.card_reasons):
            card_box.addWidget(w)
        self.card = card

        self.approve_button = QPushButton("Approve…  (Enter)")
        self.approve_button.setObjectName("approveButton")
        self.approve_button.setProperty("primary", True)
        self.approve_button.setMinimumSize(200, 52)
        self.approve_button.setToolTip("Approve the selected request with a note (Enter or double-click)")
        self.approve_button.clicked.connect(self.approve_selected)
        self.refuse_button = QPushButton("Refuse…  (Del)")
        self.refuse_button.setObjectName("refuseButton")
        self.refuse_button.setMinimumSize(170, 52)
        self.refuse_button.setToolTip("Refuse the selected request with a note (Delete)")
        self.refuse_button.clicked.connect(self.refuse_selected)
        self.refresh_button = QPushButton("Refresh  (Ctrl+R)")
        self.refresh_button.setObjectName("refreshButton")
        self.refresh_button.setMinimumSize(170, 52)
        self.refresh_button.setToolTip("Look for new requests now (Ctrl+R); they also arrive by themselves")
        self.refresh_button.clicked.connect(self.refresh)
        self.count_label = QLabel()
        self.count_label.setObjectName("approvalsCount")
        self.count_label.setProperty("role", "muted")

        bottom = QHBoxLayout()
        bottom.setSpacing(12)
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.refresh_button)
        bottom.addWidget(self.refuse_button)
        bottom.addWidget(self.approve_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.status_label)
        layout.addWidget(self.table, 3)
        layout.addWidget(card, 0)
        layout.addLayout(bottom)

        self.install_keys()

        self.timer = QTimer(self)
        self.timer.setObjectName("approvalsPoll")
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        ctx.events.changed.connect(self._on_changed)
        ctx.events.session_changed.connect(self._on_session_changed)
        self._set_status("")
        self.refresh()

    # -- showing -------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.timer.start()

    def hideEvent(self, event) -> None:
        self.timer.stop()
        super().hideEvent(event)

    def activated(self) -> None:
        self.refresh()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_changed(self, kind: str) -> None:
        if kind in ("approvals", "returns"):
            self.refresh()

    def _on_session_changed(self, _staff: object) -> None:
        self._seen = None
        if self.ctx.staff is not None:
            self.refresh()

    def _set_status(self, text: str, role: str = "muted") -> None:
        self.status_label.setText(text)
        self.status_label.setProperty("role", role)
        repolish(self.status_label)
        self.status_label.setVisible(bool(text))

    # -- the queue -------------------------------------------------------------------------
    def poll(self) -> None:
        """What the timer calls: look for new requests and answers from other desks."""
        self.refresh()

    def refresh(self) -> bool:
        """Read the queue again, keeping the selected request. False when it cannot be read."""
        if self.ctx.staff is None:
            return False
        try:
            rows = approvals_service.pending_approvals(self.ctx.staff)
        except DeskError as exc:
            self._set_status(messages.describe(exc), "error")
            self.model.set_rows([])
            self._show_selected()
            return False
        current = self.model.row_at(self.current_row())
        ids = {r.id for r in rows}
        if rows != [self.model.row_at(i) for i in range(self.model.rowCount())]:
            self.model.set_rows(rows)
            row = self.model.row_of(current.id) if current else -1
            if row < 0 and rows:
                row = 0
            if row >= 0:
                self.select_row(row)
        new = [r for r in rows if self._seen is not None and r.id not in self._seen]
        if new:
            first = new[0]
            more = f" and {len(new) - 1} more" if len(new) > 1 else ""
            self._set_status(f"New request from {first.clerk_name} at desk {first.desk_code}: {first.summary}{more}",
                             "approval")
        self._seen = ids
        self._update_count()
        self._show_selected()
        return True

    def _update_count(self) -> None:
        n = self.model.rowCount()
        if n:
            self.count_label.setText(f"{n} request{'s' if n != 1 else ''} waiting, oldest first")
        else:
            self.count_label.setText("No requests waiting. New ones appear here by themselves.")

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def current_row(self) -> int:
        index = self.table.selectionModel().currentIndex()
        return index.row() if index.isValid() else -1

    def selected(self) -> ApprovalView | None:
        return self.model.row_at(self.current_row())

    def _show_selected(self) -> None:
        v = self.selected()
        has = v is not None
        self.approve_button.setEnabled(has)
        self.refuse_button.setEnabled(has)
        self.card.setVisible(has)
        if not has:
            return
        own = self.ctx.staff is not None and v.clerk_code == self.ctx.staff.code
        what = "override a refusal" if v.is_override else "approve"
        self.card_title.setText(f"Request {v.id}: {format_money(v.amount, v.currency, self.locale)} — asks you to {what}")
        self.card_who.setText(f"Asked by {v.clerk_name} ({v.clerk_code}) at desk {v.desk_code}, "
                              f"{local_time_text(v.created_at, self.locale, 'medium')}"
                              + ("  ·  your own request: another supervisor or manager must answer it" if own else ""))
        self.card_summary.setText(v.summary)
        self.card_reasons.setText("\n".join(f"• {r}" for r in v.reasons) or "• no reason given")
        self.card_reasons.setProperty("role", "error" if v.is_override else "approval")
        repolish(self.card_reasons)
        self.approve_button.setText(("Override…" if v.is_override else "Approve…") + "  (Enter)")

    # -- deciding ----------------------------------------------------------------------------
    def approve_selected(self) -> bool:
        return self.decide_selected(True)

    def refuse_selected(self) -> bool:
        return self.decide_selected(False)

    def decide_selected(self, approve: bool) -> bool:
        v = self.selected()
        if v is None:
            return False
        note = DecisionDialog.ask_note(self, v, approve, self.locale)
        if note is None:
            return False
        return self.decide(v.id, approve, note)

    def decide(self, approval_id: int, approve: bool, note: str) -> bool:
        """Answer request ``approval_id``; a refusal by the service is shown and nothing changes."""
        try:
            done = approvals_service.decide(self.ctx.staff, approval_id, approve, note)
        except DeskError as exc:
            self._set_status(messages.describe(exc), "error")
            messages.show_error(self, exc)
            self.refresh()
            return False
        self.ctx.events.emit_changed("approvals")
        self.refresh()
        word = "approved" if done.status == "approved" else "refused"
        self._set_status(f"Request {done.id} {word}: {done.note}. {done.clerk_name} can now "
                         + ("complete the return." if word == "approved" else "tell the customer."),
                         "allowed" if word == "approved" else "error")
        return True
