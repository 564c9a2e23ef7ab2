"""The one paged list model every result list uses: pages on demand, refusals leave rows alone."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from desk.errors import InvalidInput
from desk.ui.tables.paged import PagedTableModel


class Numbers(PagedTableModel[int, int]):
    COLUMNS = ("n", "square")
    RIGHT_ALIGNED = frozenset({1})

    def display(self, row: int, col: int) -> str:
        return str(row if col == 0 else row * row)


def make(page_size=10):
    calls = []

    def fetch(upto, offset, limit):
        if upto < 0:
            raise InvalidInput("upto", "must not be negative")
        calls.append((offset, limit))
        return list(range(offset, min(upto, offset + limit)))

    return Numbers(page_size=page_size, fetch=fetch, count=lambda upto: max(upto, 0)), calls


def test_first_page_then_more_on_demand(qapp):
    model, calls = make()
    model.set_query(25)
    assert model.rowCount() == 10 and model.total_count == 25
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 25 and not model.canFetchMore(QModelIndex())
    assert calls == [(0, 10), (10, 10), (20, 10)]
    assert model.data(model.index(24, 1)) == "576"
    assert model.data(model.index(3, 0), PagedTableModel.RowRole) == 3
    assert model.data(model.index(0, 1), Qt.ItemDataRole.TextAlignmentRole) & int(Qt.AlignmentFlag.AlignRight)


def test_a_refused_query_leaves_the_rows_as_they_were(qapp):
    model, _ = make()
    model.set_query(5)
    with pytest.raises(InvalidInput):
        model.set_query(-1)
    assert model.rowCount() == 5 and model.query == 5


def test_set_rows_shows_a_short_list_without_paging(qapp):
    model, calls = make()
    model.set_rows([7, 8])
    assert model.rowCount() == 2 and not model.canFetchMore(QModelIndex()) and calls == []
    assert model.find_row(lambda r: r == 8) == 1 and model.find_row(lambda r: r == 9) == -1
