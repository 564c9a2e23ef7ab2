"""Special orders and cases travel to head office: store -> bundle -> head office with orders and
cases (SQLite and PostgreSQL), a status change sent again, and the orders and cases reports on a
small known data set."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from decimal import Decimal

import pytest

from desk.models import (
    Case,
    CaseEvent,
    CaseNote,
    ContactAttempt,
    ContactLog,
    FollowUp,
    HoRecord,
    OrderEvent,
    OrderTender,
    SpecialOrder,
    SpecialOrderLine,
)
from desk.services import cases, ho_reports, orders
from desk.services import head_office as ho
from desk.services.cases import CaseInput
from desk.services.customers import CustomerInput, create_customer
from desk.services.exchanges import SettlementTender
from desk.services.export import export_bundle
from desk.services.orders import OrderLineInput, OrderRequest
from tests.services.test_head_office import records, register
from tests.services.test_returns import add_team, make_product

T0 = dt.datetime(2026, 3, 2, 9, 0)  # naive UTC, a Monday
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
KINDS = {"orders": SpecialOrder, "order_lines": SpecialOrderLine, "order_events": OrderEvent,
         "order_contacts": ContactAttempt, "order_tenders": OrderTender, "cases": Case, "case_notes": CaseNote,
         "case_events": CaseEvent, "follow_ups": FollowUp, "contact_logs": ContactLog}


@pytest.fixture
def utc_local_time(monkeypatch):
    """Local time is UTC while the test runs (reports count local days)."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _order(d, expected=None, supplier="Kettles Ltd"):
    request = OrderRequest(lines=[OrderLineInput(1, product_id=d["kettle"].id)], customer_name="Ann Lee",
                           customer_phone="07700 900123", deposit_tenders=[SettlementTender("cash", 800)],
                           expected_date=expected, supplier=supplier)
    return orders.take_order(d["clerk"], request)


def _case(d, summary, category=None):
    return cases.open_case(d["clerk"], CaseInput(type="complaint", channel="in_person", summary=summary,
                                                 customer_words="It leaked.", customer_id=d["customer"].id,
                                                 category_id=category))


@pytest.fixture
def shop(store, clock_at, utc_local_time):
    return make_shop(*store, clock_at)


def make_shop(st, admin, clock_at):
    """Three orders (one late from the supplier, one not yet due, one arrived and not collected) and
    three cases (two answered, resolved and followed up; one never answered) on a fixed clock."""
    clock_at(T0)
    clerk, clerk2, sup, mgr = add_team(st)
    register(admin)
    d = dict(store=st, admin=admin, clerk=clerk, mgr=mgr, at=clock_at,
             kettle=make_product("KET-1", category="Kitchen", price=4000, stock=0),
             customer=create_customer(clerk, CustomerInput("Ann Example", phone="07700 900555",
                                                           email="ann@example.com")))
    late = _order(d, T0.date() + 2 * D)
    orders.mark_ordered(clerk, late.number, "KL-1")
    d["waiting"] = _order(d, T0.date() + 30 * D)
    arrived = _order(d, supplier="Pans plc")
    orders.receive(clerk, arrived.number, 1)  # collection deadline: 14 days on
    orders.log_contact(clerk, arrived.number, "phone", "no_answer")
    d["late"], d["arrived"] = late, arrived

    quality = next(c.id for c in cases.list_categories() if c.name == "Product quality")
    for summary, first, resolved, score in (("Leak", 2, 4, 4), ("Crack", 6, 10, 2)):
        clock_at(T0)
        c = _case(d, summary, quality)
        clock_at(T0 + first * H)
        cases.add_note(clerk, c.number, "apology", "Sorry about that.")
        clock_at(T0 + resolved * H)
        cases.resolve(clerk, c.number, "other", "Replaced it.")
        clock_at(T0 + 100 * H)
        cases.record_follow_up(clerk, c.number, True, "fine", score)
    clock_at(T0)
    d["unanswered"] = _case(d, "Rude staff")
    return d


def test_orders_and_cases_round_trip_to_head_office(shop, tmp_path):
    admin = shop["admin"]
    result = export_bundle(admin, tmp_path)
    for kind, model in KINDS.items():
        assert result.counts[kind] == model.select().count(), kind
    assert result.counts["orders"] == 3 and result.counts["cases"] == 3 and result.counts["follow_ups"] == 2
    assert result.counts["customers"] == 2  # the order's customer and the cases' customer
    with zipfile.ZipFile(result.path) as zf:
        order = json.loads(zf.read("data/orders.jsonl").splitlines()[0])
        case = json.loads(zf.read("data/cases.jsonl").splitlines()[0])
        assert "csv/orders.csv" in zf.namelist() and "csv/cases.csv" in zf.namelist()
    assert order["number"] == shop["late"].number and order["store"] == "TST01" and order["status"] == "ordered"
    assert not {"customer_name", "customer_phone", "customer_email", "note"} & set(order)
    assert order["customer_uuid"] and order["expected_date"] == (T0.date() + 2 * D).isoformat()
    assert case["category"] == "Product quality" and "customer_words" not in case
    assert case["category_code"] == "product_quality"

    imported = ho.import_bundle(admin, result.path)
    assert imported.status == "imported", imported.reason
    assert imported.added == result.records and imported.conflicts == []
    for kind in KINDS:
        assert records(kind).count() == result.counts[kind], kind
    late = records("orders").where(HoRecord.uuid == str(SpecialOrder.get(
        SpecialOrder.number == shop["late"].number).uuid)).get()
    assert (late.status, late.detail, late.amount, late.label) == (
        "ordered", (T0.date() + 2 * D).isoformat(), 4000, "Kettles Ltd")
    assert {r.label for r in records("cases")} == {"Product quality", ""}
    assert sorted(r.amount for r in records("follow_ups")) == [2, 4]

    # A status change at the store goes out again and replaces head office's copy.
    shop["at"](T0 + 3 * D)
    orders.mark_ordered(shop["clerk"], shop["waiting"].number, "KL-2")
    cases.add_note(shop["clerk"], shop["unanswered"].number, "apology", "We are looking into it.")
    again = export_bundle(admin, tmp_path)
    assert again.number == 2 and again.counts["orders"] == 1 and again.counts["cases"] == 1
    assert again.counts["order_events"] == 1 and again.counts["case_notes"] == 1
    second = ho.import_bundle(admin, again.path)
    assert second.status == "imported" and second.conflicts == []
    assert second.replaced >= 2
    waiting = records("orders").where(HoRecord.uuid == str(SpecialOrder.get(
        SpecialOrder.number == shop["waiting"].number).uuid)).get()
    assert waiting.status == "ordered" and waiting.version > 1
    assert json.loads(waiting.data)["ordered_at"].startswith((T0 + 3 * D).date().isoformat())
    case = records("cases").where(HoRecord.uuid == str(Case.get(Case.number == shop["unanswered"].number).uuid)).get()
    assert json.loads(case.data)["first_response_at"].startswith((T0 + 3 * D).date().isoformat())


def _report(admin, name, first, last):
    report = ho_reports.run_report(admin, name, first, last)
    return [dict(zip(report.columns, row)) for row in report.rows]


def test_orders_and_cases_reports_on_a_known_data_set(shop, tmp_path):
    admin = shop["admin"]
    ho.import_bundle(admin, export_bundle(admin, tmp_path).path)
    shop["at"](T0 + 40 * D)
    first, last = T0.date(), T0.date() + 20 * D  # as of the end of 22 March

    overdue = _report(admin, "orders_overdue", first, last)
    assert overdue == [{"Store": "TST01", "Currency": "GBP", "Late from supplier": 1, "Not collected by deadline": 1,
                        "Overdue": 2, "Value": 8000, "Most days late": 19}]  # expected 4 March; deadline 16 March
    assert _report(admin, "orders_overdue", first, first + D) == []  # due by the end of 4 March: not late on the 3rd

    by_status = _report(admin, "open_orders_by_status", first, last)
    assert [(r["Status"], r["Orders"], r["Value"]) for r in by_status] == [
        ("requested", 1, 4000), ("ordered", 1, 4000), ("arrived", 1, 4000)]

    by_category = _report(admin, "cases_by_category", first, first + 5 * D)
    assert by_category == [
        {"Store": "TST01", "Category": "(no category)", "Code": "", "Cases": 1, "Open": 1, "Overdue": 1,
         "First response (median h)": None, "Resolution (median h)": None},
        {"Store": "TST01", "Category": "Product quality", "Code": "product_quality", "Cases": 2, "Open": 0, "Overdue": 0,
         "First response (median h)": Decimal("4.0"), "Resolution (median h)": Decimal("7.0")},
    ]
    # as of the end of the day the cases were opened, the unanswered one was not yet late
    assert [r["Overdue"] for r in _report(admin, "cases_by_category", first, first)] == [0, 0]

    assert _report(admin, "satisfaction_by_store", first, last) == [
        {"Store": "TST01", "Scores": 2, "Average (1-5)": Decimal("3.00")}]
    assert _report(admin, "satisfaction_by_store", first, first) == []  # the follow-ups came on day 5


def test_the_new_reports_are_listed():
    assert {"orders_overdue", "open_orders_by_status", "cases_by_category", "satisfaction_by_store"} <= set(
        ho_reports.REPORTS)
