"""The shared payment fields: one tender (TenderEdit) and split tenders (SplitTenders), as the
order dialogs and the exchange's settle step use them."""

from __future__ import annotations

from desk.models import database
from desk.services import credit
from desk.ui.widgets.tender_edit import SplitTenders


def split_for(qtbot, due: int, **options) -> tuple[SplitTenders, list[str]]:
    split = SplitTenders("GBP", "en_GB", **options)
    qtbot.addWidget(split)
    problems: list[str] = []
    split.problem.connect(problems.append)
    split.set_due(due)
    return split, problems


def test_a_card_needs_its_last_four_and_the_terminals_reference(qtbot, store_ctx):
    split, problems = split_for(qtbot, 3000)
    split.edit.set_method("card")
    split.edit.last4_edit.setText("1234")
    assert not split.add_clicked()
    assert problems[-1] == "Terminal's reference: type the reference the card terminal printed"
    split.edit.reference_edit.setText("AUTH-9")
    assert split.add_clicked()
    assert [(t.method, t.amount, t.card_last4, t.reference) for t in split.payments] == [("card", 3000, "1234", "AUTH-9")]


def test_a_voucher_pays_no_more_than_it_holds(qtbot, store_ctx, sqlite_store):
    store, admin = sqlite_store
    with database.atomic():
        code = credit.issue_voucher(store, 1200, admin, reference="goodwill").code
    split, problems = split_for(qtbot, 3000)
    split.edit.set_method("store_credit")
    split.edit.voucher_edit.setText(code)
    assert split.edit.amount_edit.text() == "12.00"  # what it can pay of the £30
    split.edit.amount_edit.setText("15.00")
    assert not split.add_clicked()
    assert problems[-1] == f"Voucher: {code} has only £12.00 left"
    split.edit.amount_edit.setText("12.00")
    assert split.add_clicked()
    split.edit.set_method("store_credit")
    split.edit.voucher_edit.setText(code)  # the same voucher again: nothing left of it
    split.edit.amount_edit.setText("1.00")
    assert not split.add_clicked()
    assert problems[-1] == f"Voucher: {code} has nothing left to spend"
    assert split.taken() == 1200 and split.remaining() == 1800


def test_narrow_fields_fit_a_side_panel_and_still_to_pay_shows_from_the_start(qtbot, store_ctx):
    from desk.app import application

    application()  # the app's font and stylesheet: the widths a user gets
    split, _problems = split_for(qtbot, 2500, narrow=True, show_due=True)
    assert split.taken_label.text() == "Still to pay: £25.00"
    for method in ("cash", "card", "gift_card", "store_credit"):
        split.edit.set_method(method)
        assert split.minimumSizeHint().width() <= 272, method  # the exchange's panel, less its margins
    wide, _ = split_for(qtbot, 2500)
    assert wide.taken_label.text() == ""  # the order dialogs: only once something is taken
