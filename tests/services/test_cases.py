"""Service cases: deadlines with a fixed clock (and the clock paused while waiting on the customer),
the board, the flow from a complaint about a sold item to a followed-up, closed case, goodwill
store credit and its approval, categories, figures and the printed summary and letter."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from desk.errors import AuthFailed, InvalidInput, NeedsApproval, NotAllowed, NotFound
from desk.models import AuditEvent, CasePause, ContactLog, Voucher, database
from desk.services import cases, credit, settings
from desk.services.cases import CaseChanges, CaseInput, CaseQuery
from desk.services.customers import CustomerInput, create_customer, timeline
from desk.services.returns import DeskApproval, create_return
from tests.services.test_returns import MANAGER, SUPERVISOR, add_team, make_product, make_request, make_sale

T0 = dt.datetime(2026, 3, 2, 9, 0)
H = dt.timedelta(hours=1)


@pytest.fixture
def utc_local_time(monkeypatch):
    """Local time is UTC while the test runs ("due today" is a local day), as it was after."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def desk(store, clock_at, utc_local_time):
    clock_at(T0 - dt.timedelta(days=2))
    st, admin = store
    clerk, clerk2, sup, mgr = add_team(st)
    customer = create_customer(clerk, CustomerInput("Ann Example", phone="07700 900123", email="ann@example.com",
                                                    preferred_contact="email", contact_consent=True))
    kettle = make_product("KET-1", "Kitchen", price=3000, stock=4)
    sale = make_sale(st, "T-100", [("Kettle", 1, 3000, 0, "Kitchen", kettle)], customer_id=customer.id)
    clock_at(T0)
    return dict(store=st, admin=admin, clerk=clerk, clerk2=clerk2, sup=sup, mgr=mgr, customer=customer, kettle=kettle,
                sale=sale, at=clock_at)


def open_one(d, **kw) -> cases.CaseView:
    data = dict(type="complaint", channel="in_person", summary="Kettle leaks after a week",
                customer_words="It leaked all over my worktop.", customer_id=d["customer"].id)
    data.update(kw)
    return cases.open_case(d["clerk"], CaseInput(**data))


def actions(number):
    case = cases.get_case(number)
    return [e.action for e in AuditEvent.select().where(AuditEvent.entity_uuid == case.uuid).order_by(AuditEvent.seq)]


# ----------------------------------------------------------------------------- deadlines


def test_deadlines_come_from_settings_and_the_first_response_stops_its_clock(desk):
    c = open_one(desk, priority="normal")
    assert c.number.startswith("C-TST01-01-") and c.status == "open"
    assert c.first_response_due == T0 + 24 * H and c.resolution_due == T0 + 168 * H
    assert (c.due_at, c.due_what) == (T0 + 24 * H, "first response")
    desk["at"](T0 + 2 * H)
    c = cases.add_note(desk["clerk"], c.number, "note", "Checked the stock: same batch.")
    assert c.first_response_at is None  # an internal note is not a response
    c = cases.add_note(desk["clerk"], c.number, "apology", "We are sorry the kettle leaked.")
    assert c.first_response_at == T0 + 2 * H
    assert (c.due_at, c.due_what) == (T0 + 168 * H, "resolution")
    settings.update(desk["admin"], {"cases.first_response_hours": 4, "cases.resolve_hours.urgent": 8})
    u = open_one(desk, priority="urgent")
    assert u.first_response_due == T0 + 6 * H and u.resolution_due == T0 + 10 * H


def test_overdue_and_due_today_on_the_board(desk):
    late = open_one(desk, summary="No reply yet")
    desk["at"](T0 + 12 * H)  # 21:00 the same day
    soon = open_one(desk, summary="Opened in the evening")  # first response due 21:00 tomorrow
    desk["at"](T0 + 25 * H)  # 10:00 on day two
    b = cases.board(desk["clerk"])
    assert b.overdue == 1 and b.due_today == 1 and b.badge == 2 and b.unassigned == 2 and b.mine == 0
    over = cases.search_cases(CaseQuery(view="overdue"))
    assert [r.number for r in over] == [late.number] and over[0].overdue and over[0].due_what == "first response"
    today = cases.search_cases(CaseQuery(view="due_today"))
    assert [r.number for r in today] == [soon.number] and today[0].due_today and not today[0].overdue
    cases.assign(desk["clerk"], late.number, desk["clerk"].id)
    b = cases.board(desk["clerk"])
    assert b.mine == 1 and b.unassigned == 1
    assert [r.number for r in cases.search_cases(CaseQuery(view="mine", actor_id=desk["clerk"].id))] == [late.number]


def test_the_clock_pauses_while_waiting_on_the_customer(desk):
    c = open_one(desk)
    desk["at"](T0 + 1 * H)
    c = cases.set_status(desk["clerk"], c.number, "waiting_customer", "Asked for a photo of the leak")
    assert c.first_response_at == T0 + 1 * H  # asking the customer is a response
    assert c.due_at is None and c.paused_since == T0 + 1 * H
    desk["at"](T0 + 400 * H)  # long past every deadline: still not overdue while paused
    assert cases.board(desk["clerk"]).overdue == 0
    assert not cases.get_case(c.number).overdue
    desk["at"](T0 + 49 * H)
    c = cases.set_status(desk["clerk"], c.number, "open")
    assert c.paused_since is None and c.paused_seconds == 48 * 3600
    assert c.resolution_due == T0 + (168 + 48) * H and c.due_at == T0 + 216 * H
    pauses = list(CasePause.select())
    assert [(p.started_at, p.ended_at) for p in pauses] == [(T0 + 1 * H, T0 + 49 * H)]
    # paused again for 10 hours: the deadline moves on by those too
    desk["at"](T0 + 50 * H)
    cases.set_status(desk["clerk"], c.number, "waiting_customer")
    desk["at"](T0 + 60 * H)
    c = cases.set_status(desk["clerk"], c.number, "waiting_supplier")
    assert c.resolution_due == T0 + 226 * H and c.paused_seconds == 58 * 3600
    desk["at"](T0 + 226 * H + dt.timedelta(seconds=1))
    assert cases.get_case(c.number).overdue


def test_changing_the_priority_moves_the_resolution_deadline_counting_pauses(desk):
    c = open_one(desk, priority="low")
    assert c.resolution_due == T0 + 336 * H
    desk["at"](T0 + 1 * H)
    cases.set_status(desk["clerk"], c.number, "waiting_customer")
    desk["at"](T0 + 5 * H)
    c = cases.update_case(desk["clerk"], c.number, CaseChanges(priority="high"))
    assert c.resolution_due == T0 + (72 + 4) * H and c.status == "waiting_customer" and c.due_at is None
    desk["at"](T0 + 7 * H)
    c = cases.set_status(desk["clerk"], c.number, "open")
    assert c.resolution_due == T0 + (72 + 6) * H and c.paused_seconds == 6 * 3600


# ----------------------------------------------------------------------------- the flow


def test_complaint_about_a_sold_item_to_a_followed_up_closed_case(desk):
    d = desk
    c = open_one(d, receipt_no="T-100", product_id=d["kettle"].id, owner_id=d["clerk"].id)
    assert c.receipt_no == "T-100" and c.customer_name == "Ann Example" and c.product_name == "Product KET-1"
    desk["at"](T0 + 1 * H)
    cases.add_note(d["clerk"], c.number, "apology", "Sorry: a kettle should not leak.")
    desk["at"](T0 + 2 * H)
    ret = create_return(d["clerk"], make_request(d["sale"], {1: 1}, customer_id=d["customer"].id))
    c = cases.link_case(d["clerk"], c.number, ret.number)
    assert c.return_number == ret.number
    with pytest.raises(InvalidInput, match="Resolution: link the exchange"):
        cases.resolve(d["clerk"], c.number, "exchange", "Swapped it")
    c = cases.resolve(d["clerk"], c.number, "refund", "Refunded the kettle to the card.")
    assert c.status == "resolved" and c.resolved_at == T0 + 2 * H
    assert c.follow_up.due_at == T0 + 2 * H + dt.timedelta(days=3) and c.follow_up.status == "pending"
    assert (c.due_at, c.due_what) == (c.follow_up.due_at, "follow-up")
    with pytest.raises(NotAllowed, match="only a resolved case"):
        cases.record_follow_up(d["clerk"], open_one(d).number, True, "fine", 5)
    desk["at"](T0 + 73 * H)  # the follow-up is due today at 11:00, then overdue
    assert c.number in [r.number for r in cases.search_cases(CaseQuery(view="due_today"))]
    desk["at"](T0 + 75 * H)
    assert c.number in [r.number for r in cases.search_cases(CaseQuery(view="overdue"))]
    c = cases.record_follow_up(d["clerk"], c.number, False, "No answer")
    assert c.status == "resolved" and c.follow_up.attempts == 1 and c.follow_up.due_at == T0 + 99 * H
    with pytest.raises(InvalidInput, match="Satisfaction"):
        cases.record_follow_up(d["clerk"], c.number, True, "Happy", 6)
    desk["at"](T0 + 99 * H)
    c = cases.record_follow_up(d["clerk"], c.number, True, "Happy with the refund", 4)
    assert c.status == "closed" and c.closed_at == T0 + 99 * H and c.due_at is None
    assert (c.follow_up.status, c.follow_up.satisfaction, c.follow_up.attempts) == ("done", 4, 2)
    assert actions(c.number) == ["case.opened", "case.note", "case.linked", "case.resolved", "case.follow_up", "case.follow_up"]
    assert [(e.from_status, e.to_status) for e in c.events if e.action == "status"] == [("open", "resolved"), ("resolved", "closed")]
    assert ContactLog.select().where(ContactLog.customer == d["customer"].id).count() == 2
    kinds = [e.kind for e in timeline(d["customer"].id)]
    assert kinds[:2] == ["contact", "contact"] and {"case", "return", "sale"} <= set(kinds)
    assert kinds.index("return") < kinds.index("sale")  # newest first
    entry = next(e for e in timeline(d["customer"].id) if e.kind == "case" and e.number == c.number)
    assert (entry.open_kind, entry.open_number) == ("case", c.number)


def test_a_customer_who_cannot_be_reached_closes_after_the_attempts_in_settings(desk):
    settings.update(desk["admin"], {"cases.follow_up_attempts": 2, "cases.follow_up_days": 1})
    c = open_one(desk, type="enquiry")
    c = cases.resolve(desk["clerk"], c.number, "explanation", "Explained the guarantee.")
    assert c.follow_up.due_at == T0 + 24 * H
    c = cases.record_follow_up(desk["clerk"], c.number, False)
    assert c.status == "resolved"
    c = cases.record_follow_up(desk["clerk"], c.number, False, "Voicemail full")
    assert c.status == "closed" and c.follow_up.status == "unreachable" and c.follow_up.attempts == 2


def test_close_and_reopen_need_a_supervisor_and_a_reason(desk):
    c = open_one(desk)
    with pytest.raises(NotAllowed, match="Cleo Clerk"):
        cases.close_case(desk["clerk"], c.number, "duplicate")
    with pytest.raises(InvalidInput, match="Note"):
        cases.close_case(desk["sup"], c.number, " ")
    c = cases.close_case(desk["sup"], c.number, "Duplicate of another case")
    assert c.status == "closed"
    with pytest.raises(NotAllowed, match="is closed"):
        cases.add_note(desk["clerk"], c.number, "note", "more")
    desk["at"](T0 + 5 * H)
    c = cases.reopen(desk["sup"], c.number, "Customer called back")
    assert c.status == "open" and c.resolution_due == T0 + (5 + 168) * H and c.closed_at is None


def test_inputs_are_checked_and_name_the_field(desk):
    with pytest.raises(InvalidInput, match="Summary"):
        open_one(desk, summary="  ")
    with pytest.raises(InvalidInput, match="Type: 'rant' is not one of"):
        open_one(desk, type="rant")
    with pytest.raises(NotFound, match="receipt number T-999"):
        open_one(desk, receipt_no="T-999")
    with pytest.raises(NotFound, match="C-TST01-01-000099"):
        cases.get_case("c-tst01-01-000099")
    with pytest.raises(InvalidInput, match="resolving"):
        cases.add_note(desk["clerk"], open_one(desk).number, "resolution", "done")
    assert cases.is_case_number("c-tst01-01-000001") and not cases.is_case_number("R-TST01-01-000001")


# ----------------------------------------------------------------------------- goodwill


def test_goodwill_within_the_limit_issues_a_goodwill_voucher(desk):
    c = open_one(desk)
    r = cases.give_goodwill(desk["clerk"], c.number, 1500, "A voucher for the trouble.")
    v = Voucher.get(Voucher.code == r.voucher_code)
    assert (v.source, v.amount, v.customer_id) == ("goodwill", 1500, desk["customer"].id)
    assert credit.voucher_view(r.voucher_code).balance == 1500
    assert r.case.status == "resolved" and r.case.resolution_kind == "goodwill" and r.approved_by == ""
    assert r.case.voucher_code == r.voucher_code and r.case.goodwill_amount == 1500
    assert actions(c.number) == ["case.opened", "case.goodwill"]
    assert "voucher" in [e.kind for e in timeline(desk["customer"].id)]


def test_goodwill_above_the_limit_needs_a_manager(desk):
    settings.update(desk["admin"], {"cases.goodwill_limit": 1000})
    c = open_one(desk)
    with pytest.raises(NeedsApproval, match="above the £10.00"):
        cases.give_goodwill(desk["clerk"], c.number, 2500, "Sorry")
    with pytest.raises(AuthFailed):
        cases.give_goodwill(desk["clerk"], c.number, 2500, "Sorry", DeskApproval(MANAGER[0], "000000", ""))
    with pytest.raises(NotAllowed, match="Sam Supervisor"):
        cases.give_goodwill(desk["clerk"], c.number, 2500, "Sorry", DeskApproval(SUPERVISOR[0], SUPERVISOR[1], ""))
    assert Voucher.select().count() == 0 and cases.get_case(c.number).status == "open"
    r = cases.give_goodwill(desk["clerk"], c.number, 2500, "Sorry", DeskApproval(MANAGER[0], MANAGER[1], "ok"))
    assert r.approved_by == "Maja Manager" and Voucher.get(Voucher.code == r.voucher_code).amount == 2500
    ev = AuditEvent.select().where(AuditEvent.action == "case.goodwill").get()
    assert '"approved_by":"' + MANAGER[0] + '"' in ev.details
    # a manager's own goodwill needs nobody else
    r2 = cases.give_goodwill(desk["mgr"], open_one(desk).number, 5000, "Big apology")
    assert r2.approved_by == ""


# ----------------------------------------------------------------------------- categories, lists, figures


def test_managers_keep_the_category_list(desk):
    names = [c.name for c in cases.list_categories()]
    assert names == ["Product quality", "Service", "Delivery", "Pricing", "Staff", "Other"]
    with pytest.raises(NotAllowed):
        cases.add_category(desk["clerk"], "Website")
    web = cases.add_category(desk["mgr"], "Website")
    with pytest.raises(InvalidInput, match="already a category"):
        cases.add_category(desk["mgr"], "website")
    cases.rename_category(desk["mgr"], web.id, "Online shop")
    open_one(desk, category_id=web.id)
    cases.set_category_active(desk["mgr"], web.id, False)
    assert "Online shop" not in [c.name for c in cases.list_categories()]
    row = next(c for c in cases.list_categories(include_inactive=True) if c.id == web.id)
    assert row.cases == 1 and not row.active
    with pytest.raises(InvalidInput, match="no longer used"):
        open_one(desk, category_id=web.id)


def test_search_pages_and_counts(desk):
    numbers = [open_one(desk, summary=f"Case {i}").number for i in range(5)]
    open_one(desk, summary="A delivery question", type="enquiry", customer_id=None)
    q = CaseQuery(view="all")
    assert cases.count_cases(q) == 6
    page = cases.search_cases(q, 2, 2)
    assert len(page) == 2 and [r.number for r in cases.search_cases(q, 0, 6)][2:4] == [r.number for r in page]
    assert cases.count_cases(CaseQuery(view="all", text="delivery")) == 1
    assert cases.count_cases(CaseQuery(view="all", text="ann x")) == 0
    assert cases.count_cases(CaseQuery(view="all", text="Ann")) == 5
    assert cases.count_cases(CaseQuery(view="all", type="enquiry")) == 1
    assert [r.number for r in cases.customer_cases(desk["customer"].id)] == numbers[::-1]


def test_figures_median_p90_satisfaction_by_category_and_product(desk):
    quality = next(c.id for c in cases.list_categories() if c.name == "Product quality")
    hours = [2, 4, 6, 8, 10]
    for i, h in enumerate(hours):
        desk["at"](T0)
        c = open_one(desk, summary=f"Leak {i}", category_id=quality, product_id=desk["kettle"].id)
        desk["at"](T0 + h * H)
        cases.add_note(desk["clerk"], c.number, "explanation", "Known fault")
        desk["at"](T0 + 2 * h * H)
        cases.resolve(desk["clerk"], c.number, "other", "Repaired")
        desk["at"](T0 + 100 * H)
        cases.record_follow_up(desk["clerk"], c.number, True, "ok", 1 + i)
    desk["at"](T0)
    open_one(desk, summary="Rude staff")  # never answered: overdue later
    desk["at"](T0 + 100 * H)
    f = cases.case_figures(T0.date(), T0.date(), desk["mgr"])
    assert f.total.cases == 6 and f.total.resolved == 5 and f.total.overdue == 1
    assert f.total.first_response_median_h == 6 and f.total.first_response_p90_h == 10
    assert f.total.resolution_median_h == 12 and f.total.resolution_p90_h == 20
    assert f.total.satisfaction_avg == 3 and f.total.satisfaction_count == 5
    assert [(r.label, r.cases) for r in f.by_category] == [("Product quality", 5), ("(no category)", 1)]
    assert [(r.label, r.cases, r.satisfaction_avg) for r in f.by_product] == [("Product KET-1", 5, 3)]
    assert f.by_type["complaint"] == 6 and f.by_status == {"open": 1, "waiting_customer": 0, "waiting_supplier": 0,
                                                           "resolved": 0, "closed": 5}
    with pytest.raises(NotAllowed):
        cases.case_figures(T0.date(), T0.date(), desk["clerk"])


def test_resolution_time_leaves_out_the_wait_on_the_customer(desk):
    c = open_one(desk)
    desk["at"](T0 + 1 * H)
    cases.set_status(desk["clerk"], c.number, "waiting_customer")
    desk["at"](T0 + 21 * H)
    cases.set_status(desk["clerk"], c.number, "open")
    desk["at"](T0 + 25 * H)
    cases.resolve(desk["clerk"], c.number, "explanation", "Explained")
    f = cases.case_figures(T0.date(), T0.date())
    assert f.total.resolution_median_h == 5 and f.total.first_response_median_h == 1


# ----------------------------------------------------------------------------- documents


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_case_summary_and_letter_print_on_a4(desk):
    from desk.services import documents

    c = open_one(desk, receipt_no="T-100")
    cases.add_note(desk["clerk"], c.number, "apology", "We are very sorry the kettle leaked.")
    cases.give_goodwill(desk["clerk"], c.number, 1000, "We have refunded the kettle in full.")
    doc = documents.render("case", c.number, desk["clerk"])
    assert doc.paper == "a4" and doc.kind == "case"
    text = _pdf_text(doc.pdf)
    for expected in (c.number, "Kettle leaks after a week", "It leaked all over my worktop.", "Ann Example", "T-100",
                     "We are very sorry", "Goodwill store credit", "£10.00"):
        assert expected in text, expected
    letter = documents.render("case_letter", c.number, desk["clerk"], "letter")
    text = _pdf_text(letter.pdf)
    assert letter.paper == "letter" and "Dear Ann Example," in text and "We are very sorry the kettle leaked." in text
    assert "store credit of £10.00" in text and "Cleo Clerk" in text and "Yours sincerely" in text


def test_desk_print_case_letter_from_the_command_line(desk, db_url, tmp_path, capsys):
    from desk.cli import main

    c = open_one(desk)
    out = tmp_path / "letter.pdf"
    assert main(["--db", db_url, "print", "case", c.number, "--letter", "--out", str(out)]) == 0
    assert "Dear Ann Example" in _pdf_text(out.read_bytes())
    out2 = tmp_path / "case.pdf"
    assert main(["--db", db_url, "print", "case", c.number, "--out", str(out2)]) == 0
    assert "In the customer's words" in _pdf_text(out2.read_bytes())
