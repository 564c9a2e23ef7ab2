"""Head office's reports on special orders and service cases (registered in
``desk.services.ho_reports.REPORTS``). They read the typed columns the exporters of
``desk.services.exporters_orders_cases`` fill, and for the case times the records themselves.

"As of" is the end of the report's range, or now if that is sooner: an order is late when the
date it waits for (the supplier's expected date, or the collection deadline) is before the local
day of that moment. Orders report their status as head office last received it.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from decimal import Decimal

from peewee import fn

from desk import clock
from desk.models import HoRecord, HoStore
from desk.services.cases import category_code
from desk.services.exporters_orders_cases import WAITING_ON_CUSTOMER, WAITING_ON_SUPPLIER
from desk.services.ho_reports import ChartSpec, Report, register_report

ORDER_STATUSES = ("requested", "ordered", "arrived", "contacted")  # open: not collected, not cancelled


def _as_of(end: dt.datetime) -> dt.datetime:
    return min(end, clock.utcnow())


def _local_day(when: dt.datetime) -> str:
    return clock.to_local(when).date().isoformat()


def _stores() -> dict[int, str]:
    return {s.id: s.code for s in HoStore.select(HoStore.id, HoStore.code)}


def orders_overdue(start: dt.datetime, end: dt.datetime) -> Report:
    """Open orders taken before the end of the range that are late as of then, by store."""
    as_of = _as_of(end)
    today = _local_day(as_of)
    R = HoRecord
    q = (R.select(R.store, R.currency, R.status, R.detail, R.amount)
         .where((R.kind == "orders") & R.status.in_(WAITING_ON_SUPPLIER + WAITING_ON_CUSTOMER) & (R.at < end)
                & (R.detail != "")).tuples())
    figures: dict[tuple[str, str], list] = {}
    codes = _stores()
    for store_id, currency, status, due, amount in q:
        if due >= today:
            continue
        row = figures.setdefault((codes[store_id], currency), [0, 0, 0, 0])
        row[0 if status in WAITING_ON_SUPPLIER else 1] += 1
        row[2] += amount or 0
        late = (dt.date.fromisoformat(today) - dt.date.fromisoformat(due)).days
        row[3] = max(row[3], late)
    rows = [[code, cur, *vals[:2], vals[0] + vals[1], vals[2], vals[3]] for (code, cur), vals in sorted(figures.items())]
    return Report("orders_overdue", "Special orders overdue",
                  ["Store", "Currency", "Late from supplier", "Not collected by deadline", "Overdue", "Value",
                   "Most days late"], rows, money={"Value"})


def open_orders_by_status(start: dt.datetime, end: dt.datetime) -> Report:
    """Open orders (as head office last heard) taken before the end of the range, by store and status."""
    R = HoRecord
    q = (R.select(HoStore.code, R.currency, R.status, fn.COUNT(R.id), fn.SUM(R.amount)).join(HoStore)
         .where((R.kind == "orders") & R.status.in_(ORDER_STATUSES) & (R.at < end))
         .group_by(HoStore.code, R.currency, R.status).tuples())
    order = {s: i for i, s in enumerate(ORDER_STATUSES)}
    rows = sorted(([code, cur, status, n, total] for code, cur, status, n, total in q),
                  key=lambda r: (r[0], r[1], order[r[2]]))
    return Report("open_orders_by_status", "Open special orders by status",
                  ["Store", "Currency", "Status", "Orders", "Value"], rows, money={"Value"})


def _hours(later: str | None, earlier: str | None, paused: int = 0) -> float | None:
    if not later or not earlier:
        return None
    delta = dt.datetime.fromisoformat(later) - dt.datetime.fromisoformat(earlier)
    return max(0.0, delta.total_seconds() / 3600 - paused / 3600)


def _median(values: list[float]) -> Decimal | None:
    return Decimal(str(round(statistics.median(values), 1))) if values else None


def cases_by_category(start: dt.datetime, end: dt.datetime) -> Report:
    """Cases opened in the range by store and category: how many, still open, overdue as of the
    end of the range, and the median hours to the first response and to resolution (leaving out
    the time a case waited on the customer).

    Cases group by their category's code, so a category renamed at the store, or the same
    default category at every store, is one row; it shows the newest name head office has
    seen for that code. Bundles from before categories had codes carry only the name: its
    code is made from the name the way the store makes it (desk.services.cases.category_code)."""
    as_of = _as_of(end)
    R = HoRecord
    q = (R.select(R.store, R.label, R.data, R.at)
         .where((R.kind == "cases") & (R.at >= start) & (R.at < end)).order_by(R.at, R.id).tuples())
    stores = _stores()
    groups: dict[tuple[str, str], list[dict]] = {}
    names: dict[str, str] = {}  # code -> the newest name (rows come oldest first)
    for store_id, category, data, _at in q:
        record = json.loads(data)
        key = record.get("category_code") or (category_code(category) if category else "")
        if key:
            names[key] = category or names.get(key, key)
        groups.setdefault((stores[store_id], key), []).append(record)
    rows = []
    for (code, key), cases in sorted(groups.items(), key=lambda g: (g[0][0], names.get(g[0][1], "(no category)"))):
        category = names.get(key, "(no category)")
        first = [h for c in cases if (h := _hours(c.get("first_response_at"), c.get("created_at"))) is not None]
        resolved = [h for c in cases if (h := _hours(c.get("resolved_at"), c.get("created_at"),
                                                     c.get("paused_seconds") or 0)) is not None]
        overdue = sum(1 for c in cases if c.get("next_due_at")
                      and dt.datetime.fromisoformat(c["next_due_at"]) < as_of)
        still_open = sum(1 for c in cases if not c.get("resolved_at") and not c.get("closed_at"))
        rows.append([code, category, key, len(cases), still_open, overdue, _median(first), _median(resolved)])
    return Report("cases_by_category", "Cases by category",
                  ["Store", "Category", "Code", "Cases", "Open", "Overdue", "First response (median h)",
                   "Resolution (median h)"], rows)


def satisfaction_by_store(start: dt.datetime, end: dt.datetime) -> Report:
    """Follow-ups done in the range that have a satisfaction score (1 to 5): the average, by store."""
    R = HoRecord
    q = (R.select(HoStore.code, fn.COUNT(R.id), fn.SUM(R.amount)).join(HoStore)
         .where((R.kind == "follow_ups") & R.amount.is_null(False) & (R.at >= start) & (R.at < end))
         .group_by(HoStore.code).order_by(HoStore.code).tuples())
    rows = [[code, n, (Decimal(int(total)) / n).quantize(Decimal("0.01"))] for code, n, total in q]
    return Report("satisfaction_by_store", "Customer satisfaction by store", ["Store", "Scores", "Average (1-5)"],
                  rows)


for _name, _title, _run, _chart in (
    ("orders_overdue", "Special orders overdue", orders_overdue,
     ChartSpec(("Store",), ("Late from supplier", "Not collected by deadline"), "Overdue special orders by store",
               unit="Orders")),
    ("open_orders_by_status", "Open special orders by status", open_orders_by_status,
     ChartSpec(("Status",), ("Orders",), "Open special orders by status, all stores",
               unit="Orders")),
    ("cases_by_category", "Cases by category", cases_by_category,
     ChartSpec(("Category",), ("Cases", "Open", "Overdue"), "Cases by category, all stores", largest_first=True,
               unit="Cases")),
    ("satisfaction_by_store", "Customer satisfaction by store", satisfaction_by_store,
     ChartSpec(("Store",), ("Average (1-5)",), "Average satisfaction (1-5) by store",
               unit="Score", axis_max=5)),
):
    register_report(_name, _title, _run, _chart)
