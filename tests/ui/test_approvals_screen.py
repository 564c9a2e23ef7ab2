"""The approval queue screen: requests arrive by polling, are approved or refused with a note,
and a manager's own request is refused by the service (and shown)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desk.services import approvals
from desk.services.policy import Policy, save_policy
from desk.ui.screens.approvals import ApprovalsScreen, DecisionDialog
from tests.services.test_returns import add_team, make_request, make_sale


@pytest.fixture
def queue(sqlite_store):
    """A store whose policy needs approval above 5.00, its team, and a sale of two shirts."""
    store, _admin = sqlite_store
    clerk, clerk2, sup, mgr = add_team(store)
    save_policy(mgr, Policy(approval_above=500))
    sale = make_sale(store, "AQ-1", [("Shirt", 2, 2000, 0, "Clothing"), ("Socks", 3, 400, 0, "Clothing")])
    return {"store": store, "clerk": clerk, "sup": sup, "mgr": mgr, "sale": sale}


@pytest.fixture
def screen(qtbot, ctx, queue):
    ctx.staff = queue["mgr"]
    widget = ApprovalsScreen(ctx)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    return widget


@pytest.fixture
def notes(monkeypatch):
    """What the note dialog will answer: a queue of notes (None = the manager backed out)."""
    answers: list = []
    asked: list = []

    def fake(cls, parent, view, approve, locale="en_GB"):
        asked.append((view.id, approve))
        return answers.pop(0) if answers else None

    monkeypatch.setattr(DecisionDialog, "ask_note", classmethod(fake))
    return answers, asked


def ask(queue, who="clerk", picks=None):
    return approvals.request_approval(queue[who], make_request(queue["sale"], picks or {1: 1}))


def test_a_request_from_another_desk_arrives_when_the_timer_polls(screen, queue):
    assert screen.model.rowCount() == 0
    assert "No requests waiting" in screen.count_label.text()
    asked = ask(queue)
    # nothing is pushed: the request only shows up when the poll reads the queue
    assert screen.model.rowCount() == 0
    screen.timer.timeout.emit()
    assert screen.model.rowCount() == 1
    assert screen.selected().id == asked.id
    assert "Cleo Clerk" in screen.status_label.text() and "New request" in screen.status_label.text()
    assert "AQ-1" in screen.card_summary.text()
    assert "over £5.00" in screen.card_reasons.text()
    assert "£20.00" in screen.card_title.text()
    assert screen.approve_button.isEnabled()


def test_the_timer_runs_only_while_the_screen_is_shown(qtbot, screen):
    assert not screen.timer.isActive()
    screen.show()
    qtbot.waitExposed(screen)
    assert screen.timer.isActive() and screen.timer.interval() <= 5000
    screen.hide()
    assert not screen.timer.isActive()


def test_approve_with_a_note_answers_the_request(screen, queue, notes):
    answers, asked_for = notes
    asked = ask(queue)
    screen.refresh()
    seen = []
    screen.ctx.events.changed.connect(seen.append)
    answers.append("regular customer")
    assert screen.approve_selected()
    assert asked_for == [(asked.id, True)]
    status = approvals.approval_status(asked.id)
    assert status.status == "approved" and status.note == "regular customer" and status.decided_by_code == "300"
    assert screen.model.rowCount() == 0
    assert "approved" in screen.status_label.text()
    assert "approvals" in seen


def test_refuse_with_a_note_and_backing_out_changes_nothing(screen, queue, notes):
    answers, _ = notes
    asked = ask(queue)
    screen.refresh()
    assert not screen.refuse_selected()  # Esc in the note dialog
    assert approvals.approval_status(asked.id).status == "pending"
    answers.append("asked for the receipt")
    assert screen.refuse_selected()
    assert approvals.approval_status(asked.id).status == "refused"


def test_the_note_dialog_requires_a_note(qtbot, queue):
    view = ask(queue)
    dialog = DecisionDialog(view, False)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.ok_button.click()
    assert dialog.result() == 0 and dialog.error.isVisibleTo(dialog)
    assert "Note" in dialog.error.text()
    qtbot.keyClicks(dialog.note_edit, "no receipt")
    qtbot.keyClick(dialog.note_edit, "\r")
    assert dialog.result() == DecisionDialog.DialogCode.Accepted and dialog.note() == "no receipt"


def test_a_blank_note_is_refused_by_the_service_and_shown(screen, queue, messages):
    asked = ask(queue)
    screen.refresh()
    assert not screen.decide(asked.id, True, "   ")
    assert "Note" in screen.status_label.text()
    assert approvals.approval_status(asked.id).status == "pending"


def test_a_manager_cannot_answer_their_own_request(qtbot, ctx, queue, notes, messages):
    answers, _ = notes
    own = ask(queue, "sup")
    ctx.staff = queue["sup"]
    widget = ApprovalsScreen(ctx)
    qtbot.addWidget(widget)
    assert widget.selected().id == own.id
    assert "your own request" in widget.card_who.text()
    answers.append("fine by me")
    assert not widget.approve_selected()
    assert approvals.approval_status(own.id).status == "pending"
    assert "own approval request" in widget.status_label.text()
    assert messages and "own approval request" in messages[-1][1]


def test_a_clerk_sees_why_they_cannot_use_the_queue(qtbot, ctx, queue):
    ctx.staff = queue["clerk"]
    widget = ApprovalsScreen(ctx)
    qtbot.addWidget(widget)
    assert widget.model.rowCount() == 0
    assert "may not approve" in widget.status_label.text()
    assert ApprovalsScreen.permission == "returns.approve"


def test_enter_approves_and_delete_refuses_the_selected_request(qtbot, screen, queue, notes):
    _answers, asked_for = notes
    first = ask(queue)
    second = ask(queue, picks={2: 2})
    screen.refresh()
    with qtbot.waitActive(screen):
        screen.show()
        screen.activateWindow()
    screen.select_row(1)
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    qtbot.keyClick(screen.table, Qt.Key.Key_Delete)
    assert asked_for == [(second.id, True), (second.id, False)]  # both backed out (no note)
    assert {r.id for r in approvals.pending_approvals(queue["mgr"])} == {first.id, second.id}


def test_ctrl_r_refreshes_the_queue_and_f1_lists_it(qtbot, screen, queue):
    assert ("Ctrl+R", "Refresh: look for new requests now") in {(k.keys, k.label) for k in ApprovalsScreen.keys}
    with qtbot.waitActive(screen):
        screen.show()
        screen.activateWindow()
    screen.timer.stop()  # only the key may bring the request in
    asked = ask(queue)
    assert screen.model.rowCount() == 0
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert screen.model.rowCount() == 1 and screen.selected().id == asked.id
    assert "Ctrl+R" in screen.refresh_button.text()


def test_the_queue_model_passes_the_model_tester(screen, queue, qtmodeltester):
    ask(queue)
    ask(queue, picks={2: 2})
    screen.refresh()
    assert screen.model.rowCount() == 2
    assert screen.model.data(screen.model.index(0, screen.model.AMOUNT)) == "£20.00"
    assert screen.model.data(screen.model.index(0, screen.model.KIND)) == "Approve"
    qtmodeltester.check(screen.model)


def test_polling_and_deciding_on_both_backends(qtbot, db, store, notes):
    """The queue is shared through the database: SQLite at one desk, PostgreSQL across desks."""
    from desk.ui.context import AppContext

    answers, _ = notes
    clerk, _clerk2, _sup, mgr = add_team(store[0])
    save_policy(mgr, Policy(approval_above=500))
    sale = make_sale(store[0], "AQ-PG", [("Shirt", 2, 2000, 0, "Clothing")])
    widget = ApprovalsScreen(AppContext(db_url=db.url, staff=mgr))
    qtbot.addWidget(widget)
    asked = approvals.request_approval(clerk, make_request(sale, {1: 2}))
    widget.poll()
    assert widget.selected().id == asked.id
    answers.append("checked the stock room")
    assert widget.approve_selected()
    assert approvals.approval_status(asked.id).status == "approved"
