"""The shared filter row of the lists: Enter and a pick search, Esc clears every field once and
searches again, From/To are checked one way for every screen."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView, QVBoxLayout, QWidget

from desk.errors import InvalidInput
from desk.ui.widgets.filters import FilterBar, clerk_code


@pytest.fixture
def bar(qtbot):
    owner = QWidget()
    owner.searches = []
    qtbot.addWidget(owner)
    bar = FilterBar(owner, lambda: owner.searches.append(1), search_tip="Show what matches (Enter)")
    owner.text = bar.edit("textEdit", "Anything")
    owner.to_edit = bar.edit("toEdit", "dd/mm/yyyy")
    owner.status = bar.combo("statusCombo", (("Any", ""), ("Done", "completed")))
    owner.clerk = bar.clerk_combo()
    owner.clerk.addItem("", "")
    owner.clerk.addItem("100 — Cleo Clerk", "100")
    bar.add_row(0, (("Text", owner.text, 120), ("To", owner.to_edit, 0), ("Status", owner.status, 0),
                    ("Clerk", owner.clerk, 0)))
    bar.add_buttons(2, 2)
    owner.table = QTableView()
    layout = QVBoxLayout(owner)
    layout.addWidget(bar)
    layout.addWidget(owner.table)
    with qtbot.waitExposed(owner):
        owner.show()
    owner.bar = bar
    return owner


def test_enter_in_a_field_a_pick_or_search_runs_the_search_once(bar, qtbot):
    qtbot.keyClicks(bar.text, "abc")
    qtbot.keyClick(bar.text, Qt.Key.Key_Return)
    assert bar.searches == [1]
    bar.status.activated.emit(1)
    assert len(bar.searches) == 2
    qtbot.keyClick(bar.clerk.lineEdit(), Qt.Key.Key_Return)
    assert len(bar.searches) >= 3  # the editable choice searches on Enter too
    n = len(bar.searches)
    qtbot.mouseClick(bar.bar.search_button, Qt.MouseButton.LeftButton)
    assert len(bar.searches) == n + 1
    assert bar.text.minimumWidth() == 120
    assert bar.bar.search_button.toolTip() == "Show what matches (Enter)"


def test_esc_anywhere_on_the_screen_empties_every_field_searches_once_and_focuses_the_first(bar, qtbot):
    bar.text.setText("abc")
    bar.to_edit.setText("01/03/2026")
    bar.status.setCurrentIndex(1)
    bar.clerk.setEditText("100 — Cleo Clerk")
    bar.table.setFocus()
    qtbot.waitUntil(bar.table.hasFocus)
    qtbot.keyClick(bar.table, Qt.Key.Key_Escape)
    assert bar.searches == [1]
    assert (bar.text.text(), bar.to_edit.text(), bar.status.currentIndex(), bar.clerk.currentText()) == ("", "", 0, "")
    assert bar.text.hasFocus()
    bar.bar.focus = bar.to_edit
    bar.bar.clear_button.click()
    assert bar.searches == [1, 1]
    assert bar.to_edit.hasFocus()


def test_the_clerk_is_read_from_the_choice_or_as_typed(bar):
    bar.clerk.setEditText("100 — Cleo Clerk")
    assert clerk_code(bar.clerk) == "100"
    bar.clerk.setEditText(" 205 ")
    assert clerk_code(bar.clerk) == "205"
    bar.clerk.setEditText("")
    assert clerk_code(bar.clerk) == ""


def test_dates_are_read_and_a_wrong_one_is_named_and_marked(bar):
    from_edit, to_edit = bar.text, bar.to_edit
    assert bar.bar.date_range(from_edit, to_edit, "en_GB") == (None, None)
    from_edit.setText("02/03/2026")
    to_edit.setText("01/03/2026")
    with pytest.raises(InvalidInput) as err:
        bar.bar.date_range(from_edit, to_edit, "en_GB")
    assert (err.value.field, to_edit.property("invalid")) == ("To", True)
    from_edit.setText("99/99/9999")
    with pytest.raises(InvalidInput) as err:
        bar.bar.date_range(from_edit, to_edit, "en_GB")
    assert (err.value.field, from_edit.property("invalid"), to_edit.property("invalid")) == ("From", True, False)
    to_edit.setText("2026-03-05")
    from_edit.setText("01/03/2026")
    assert bar.bar.date_range(from_edit, to_edit, "en_GB") == (dt.date(2026, 3, 1), dt.date(2026, 3, 5))
    assert not from_edit.property("invalid") and not to_edit.property("invalid")
