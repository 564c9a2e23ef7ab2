"""The return policy editor: saves what the policy service then applies, names a bad value
inline (tab, field, row), and is read-only for staff who may not change the policy."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desk.models import AuditEvent
from desk.services import policy as policy_service
from desk.services.policy import NEEDS_APPROVAL, Policy, save_policy
from desk.services.returns import preview
from desk.ui.screens.policy import TAB_FEES, TAB_REASONS, TAB_RECEIPTS, TAB_TENDERS, TAB_WINDOWS, PolicyEditor
from tests.services.test_returns import add_team, make_request, make_sale


@pytest.fixture
def team(sqlite_store):
    store, _admin = sqlite_store
    clerk, _clerk2, _sup, mgr = add_team(store)
    return {"store": store, "clerk": clerk, "mgr": mgr}


@pytest.fixture
def editor(qtbot, ctx, team):
    ctx.staff = team["mgr"]
    widget = PolicyEditor(ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 640)
    return widget


def set_cell(table, row, col, text):
    table.item(row, col).setText(text)


def test_it_shows_the_stored_policy(qtbot, ctx, team):
    save_policy(team["mgr"], Policy(window_days=28, category_window_days={"Footwear": 30},
                                    restocking_fee_percent={"Footwear": "10"}, opened_rules={"Toys": NEEDS_APPROVAL},
                                    approval_above=15000, final_sale_categories=["Food"]))
    ctx.staff = team["mgr"]
    e = PolicyEditor(ctx)
    qtbot.addWidget(e)
    assert e.window_spin.value() == 28
    assert e.windows_table.item(0, 0).text() == "Footwear" and e.windows_table.item(0, 1).text() == "30"
    assert e.final_categories_edit.text() == "Food"
    assert e.approval_check.isChecked() and e.approval_edit.text() == "150.00"
    rows = {e.fees_table.item(r, 0).text(): (e.fees_table.item(r, 1).text(), e.fees_table.cellWidget(r, 2).currentText())
            for r in range(e.fees_table.rowCount())}
    assert rows == {"Footwear": ("10", "Allowed"), "Toys": ("", "Needs approval")}
    labels = [e.reasons_table.item(r, 1).text() for r in range(e.reasons_table.rowCount())]
    assert labels[:2] == ["Damaged", "Defective"] and "Other" in labels
    assert e.tender_checks[("card", "card")].isChecked() and not e.tender_checks[("card", "cash")].isChecked()


def test_a_shorter_window_saved_here_makes_the_policy_refuse_a_return(editor, team):
    sale = make_sale(team["store"], "P-1", [("Shirt", 1, 2000, 0, "Clothing")], days_ago=10)
    request = make_request(sale, {1: 1})
    assert preview(team["clerk"], request).decision.outcome == "allowed"
    editor.window_spin.setValue(7)
    assert editor.dirty
    assert editor.save()
    assert "Saved" in editor.message.text()
    assert policy_service.load_policy().window_days == 7
    decision = preview(team["clerk"], request).decision
    assert decision.outcome == "refused"
    assert "bought 10 days ago; the return window is 7 days" in decision.reasons[0]
    event = AuditEvent.select().where(AuditEvent.action == "policy.changed").order_by(AuditEvent.seq.desc()).first()
    assert event is not None and "window_days" in event.details and event.staff_code == "300"


def test_a_category_window_and_an_approval_amount_apply(editor, team):
    sale = make_sale(team["store"], "P-2", [("Boots", 1, 6000, 0, "Footwear")], days_ago=20)
    request = make_request(sale, {1: 1})
    row = editor.add_window_row("Footwear", 14)
    assert row == 0
    editor.approval_check.setChecked(True)
    editor.approval_edit.setText("50")
    assert editor.save(), editor.message.text()
    stored = policy_service.load_policy()
    assert stored.category_window_days == {"Footwear": 14} and stored.approval_above == 5000
    reasons = preview(team["clerk"], request).decision.reasons
    assert any("the window for Footwear is 14 days" in r for r in reasons)
    assert any("over £50.00" in r for r in reasons)


def test_fees_opened_rules_reasons_and_refund_tenders_are_saved(editor):
    row = editor.add_fee_row("Kitchen", "12.5", "allowed")
    editor.fees_table.cellWidget(row, 2).setCurrentIndex(1)  # Needs approval
    last = editor.reasons_table.rowCount()
    editor.add_reason_row(policy_service.Reason("", ""), new=True)
    set_cell(editor.reasons_table, last, 1, "Arrived late")
    set_cell(editor.reasons_table, 0, 1, "Damaged in transit")  # rename
    editor.tender_checks[("card", "cash")].setChecked(True)
    editor.tender_checks[("cash", "store_credit")].setChecked(False)
    assert editor.save(), editor.message.text()
    p = policy_service.load_policy()
    assert p.restocking_fee_percent == {"Kitchen": "12.5"} and p.opened_rules == {"Kitchen": NEEDS_APPROVAL}
    assert p.reason("arrived_late").label == "Arrived late" and not p.reason("arrived_late").needs_text
    assert p.reason("damaged").label == "Damaged in transit"
    assert p.reason("other").needs_text
    assert p.refund_methods["card"] == ["cash", "card", "store_credit"] and p.refund_methods["cash"] == ["cash"]


def test_removing_a_reason_stops_it_being_offered(editor):
    editor.reasons_table.setCurrentCell(4, 1)  # Changed mind
    assert editor.reasons_table.item(4, 0).text() == "changed_mind"
    editor.remove_reason_button.click()
    assert editor.save()
    assert policy_service.load_policy().reason("changed_mind") is None


def test_a_bad_fee_is_named_inline_with_its_row_and_nothing_is_saved(editor):
    before = policy_service.load_policy()
    editor.add_fee_row("Toys", "150", "allowed")
    editor.window_spin.setValue(5)
    assert not editor.save()
    assert editor.tabs.currentIndex() == TAB_FEES
    assert editor.error_text() == "Restocking fee for Toys: '150' is not a percentage from 0 to 100"
    assert editor.message.text().startswith("Not saved. Restocking fee for Toys")
    assert editor.fees_table.currentRow() == 0
    assert policy_service.load_policy() == before

    editor.fees_table.item(0, 1).setText("ten")
    assert not editor.save()
    assert "Restocking fee for Toys: 'ten' is not a percentage" in editor.error_text()


@pytest.mark.parametrize("change, tab, text", [
    (lambda e: (e.add_window_row("Books", 0), e.windows_table.item(0, 1).setText("two")), TAB_WINDOWS,
     "Return window for Books: 'two' is not a whole number of days"),
    (lambda e: (e.add_window_row("Books", 3), e.add_window_row("books", 4)), TAB_WINDOWS,
     "Return windows, row 2: books is already on row 1"),
    (lambda e: (e.approval_check.setChecked(True), e.approval_edit.setText("lots")), TAB_RECEIPTS, "Approval above: "),
    (lambda e: e.reasons_table.item(1, 1).setText(" "), TAB_REASONS, "Reasons, row 2: type what the reason is shown as"),
    (lambda e: [e.tender_checks[("gift_card", m)].setChecked(False) for m in ("gift_card", "store_credit")], TAB_TENDERS,
     "Paid by gift card: tick at least one way to refund it"),
])
def test_each_tab_names_what_is_wrong(editor, change, tab, text):
    editor.tabs.setCurrentIndex(0 if tab else 1)
    change(editor)
    assert not editor.save()
    assert editor.tabs.currentIndex() == tab
    assert editor.error_text().startswith(text)


def test_read_only_for_a_clerk(qtbot, ctx, team):
    ctx.staff = team["clerk"]
    e = PolicyEditor(ctx)
    qtbot.addWidget(e)
    e.show()
    qtbot.waitExposed(e)
    assert not e.save_button.isVisibleTo(e) and e.read_only_label.isVisibleTo(e)
    assert e.window_spin.isReadOnly() and e.final_categories_edit.isReadOnly()
    assert not e.tender_checks[("card", "card")].isEnabled()
    assert e.windows_table.editTriggers() == e.windows_table.EditTrigger.NoEditTriggers
    assert not (e.reasons_table.item(0, 2).flags() & Qt.ItemFlag.ItemIsEnabled)
    e.window_spin.setValue(3)  # even if something changed it, nothing is saved
    assert not e.save()
    assert policy_service.load_policy().window_days == 30


def test_revert_and_reload_when_another_desk_saves(editor, team):
    editor.window_spin.setValue(9)
    editor.revert()
    assert editor.window_spin.value() == 30 and not editor.dirty
    save_policy(team["mgr"], Policy(window_days=21))
    editor.ctx.events.emit_changed("policy")
    assert editor.window_spin.value() == 21


def test_settings_has_a_return_policy_tab_saved_with_ctrl_s(qtbot, ctx, team):
    from desk.ui.screens.settings import SettingsScreen

    ctx.staff = team["mgr"]
    screen = SettingsScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    with qtbot.waitActive(screen):
        screen.show()
        screen.activateWindow()
    titles = [screen.section_list.item(i).text() for i in range(screen.section_list.count())]
    assert "Return policy" in titles
    screen.show_return_policy()
    assert screen.pages.currentWidget().isAncestorOf(screen.policy_editor)
    assert screen.save_bar.isHidden()  # the policy has its own Save
    editor = screen.policy_editor
    editor.window_spin.setValue(12)
    editor.window_spin.setFocus()
    qtbot.keyClick(editor.window_spin, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert policy_service.load_policy().window_days == 12
    assert "Saved" in editor.message.text()


def test_amounts_round_trip_in_the_stores_locale(qtbot, ctx, team, sqlite_store):
    from desk.services.store import current_store, details_of, update_store

    details = details_of(current_store())
    details.locale = "de_DE"
    update_store(sqlite_store[1], details)
    save_policy(team["mgr"], Policy(receipt_required_above=123450))
    ctx.staff = team["mgr"]
    e = PolicyEditor(ctx)
    qtbot.addWidget(e)
    assert e.receipt_edit.text() == "1234,50"
    assert e.save(), e.message.text()
    assert policy_service.load_policy().receipt_required_above == 123450


def test_the_policy_editor_fits_the_settings_page_at_1280x800(qtbot, demo_ctx, make_window):
    """Beside the Settings section list, in the app's own style: the tabs need no scroll arrows and
    no tab's content is wider than the page (a long label used to run off its right edge)."""
    from desk.app import application
    from desk.services.settings import SECTIONS

    application()  # the app's palette, font and stylesheet, as the user sees them
    window = make_window(demo_ctx)
    window.show_screen("screen.settings")
    screen = window.screen("screen.settings")
    screen.section_list.setCurrentRow(list(SECTIONS).index("policy"))
    tabs = screen.policy_editor.tabs
    qtbot.waitUntil(lambda: tabs.isVisible())
    bar = tabs.tabBar()
    assert bar.sizeHint().width() <= tabs.width()  # every tab title shown, no scroll arrows
    for i in range(tabs.count()):
        assert tabs.widget(i).minimumSizeHint().width() <= tabs.width(), tabs.tabText(i)
        assert tabs.tabToolTip(i)  # the short title's full meaning
