"""Head office's reports across stores: each a function of a date range that returns rows,
with a CSV copy. They read the typed columns of the imported records (desk.models.head_office).

A report is one entry in REPORTS. Special orders and cases add theirs when their exporters
arrive, e.g. (in the module that registers the ``orders`` exporter)::

    register_report("orders_overdue", "Special orders overdue", orders_overdue)

where ``orders_overdue(start, end) -> Report`` reads ``HoRecord`` rows of kind ``orders``
(their exporter's projection decides what ``status``, ``label`` and ``at`` hold).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from peewee import JOIN, Case, fn

from desk.errors import InvalidInput, NotFound
from desk.models import HoRecord, HoStore, Staff
from desk.money import from_minor
from desk.services.auth import require
from desk.services.export import local_day_bounds


@dataclass
class Report:
    name: str
    title: str
    columns: list[str]
    rows: list[list]
    money: set[str] = field(default_factory=set)  # columns in minor units of the row's "Currency"
    percent: set[str] = field(default_factory=set)  # columns holding a Decimal percentage

    def as_text(self, row: list, column: str) -> str:
        value = row[self.columns.index(column)]
        if value is None:
            return ""
        if column in self.money and "Currency" in self.columns:
            return str(from_minor(int(value), row[self.columns.index("Currency")]))
        if column in self.percent:
            return f"{value:.1f}"
        return str(value)


@dataclass(frozen=True)
class ChartSpec:
    """How a report is drawn: one bar group per distinct value of ``by`` (columns joined with
    " · "), one bar set per column of ``values`` (all in one unit: counts, money or percent).
    Rows sharing a group are added up, so ``by`` may leave out the store (reasons across the
    chain); a column that cannot be added up (a percentage, an average, a median) needs ``by``
    to name one row. ``largest_first`` sorts the groups by the first value; at most ``top``
    groups are drawn (the table has them all)."""

    by: tuple[str, ...]
    values: tuple[str, ...]
    title: str
    largest_first: bool = False
    top: int = 12
    unit: str = ""  # the value axis' title when it is not money (the currency) or a percentage
    axis_max: int | None = None  # a fixed top for the value axis (a 1-5 score: 5)


@dataclass
class ChartData:
    """What a chart draws. ``series`` values are plain numbers in the unit of ``axis``: counts
    (int), money in major units of ``currency`` (Decimal) or a Decimal (percent, hours, score)."""

    title: str
    axis: str
    categories: list[str]
    series: list[tuple[str, list]]
    money: bool = False
    currency: str = ""
    note: str = ""
    axis_max: int | None = None


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    run: Callable[[dt.datetime, dt.datetime], Report]
    chart: ChartSpec | None = None


REPORTS: dict[str, ReportSpec] = {}


def register_report(name: str, title: str, run: Callable[[dt.datetime, dt.datetime], Report],
                    chart: ChartSpec | None = None) -> None:
    REPORTS[name] = ReportSpec(name, title, run, chart)


def chart_data(report: Report) -> ChartData | None:
    """The chart of a report, as its registered ChartSpec says; None when it has none.

    Money columns are added up in minor units and only then turned into major units (Decimal).
    A chart shows one currency: the one with the most rows; rows in other currencies are left
    out and the note says so."""
    spec = REPORTS[report.name].chart if report.name in REPORTS else None
    if spec is None:
        return None
    col = {c: i for i, c in enumerate(report.columns)}
    money = any(v in report.money for v in spec.values)
    rows = report.rows
    currency, note = "", []
    if money and "Currency" in col:
        counts: dict[str, int] = {}
        for r in rows:
            counts[r[col["Currency"]]] = counts.get(r[col["Currency"]], 0) + 1
        if counts:
            currency = max(sorted(counts), key=lambda c: counts[c])
            left_out = len(rows) - counts[currency]
            rows = [r for r in rows if r[col["Currency"]] == currency]
            if left_out:
                note.append(f"{left_out} rows in other currencies are in the table only")
    groups: dict[str, list] = {}
    for r in rows:
        key = " · ".join(str(r[col[b]]) if r[col[b]] not in (None, "") else "(none)" for b in spec.by)
        values = [r[col[v]] for v in spec.values]
        if key not in groups:
            groups[key] = [v if v is not None else 0 for v in values]
            continue
        for i, v in enumerate(values):
            if not isinstance(v, int) or isinstance(v, bool):
                raise ValueError(f"report {report.name}: {spec.values[i]} cannot be added up by {spec.by}")
            groups[key][i] += v
    keys = list(groups)
    if spec.largest_first:
        keys.sort(key=lambda k: groups[k][0], reverse=True)
    if len(keys) > spec.top:
        note.append(f"the {spec.top} largest of {len(keys)} shown" if spec.largest_first
                    else f"the first {spec.top} of {len(keys)} shown")
        keys = keys[:spec.top]
    series = []
    for i, name in enumerate(spec.values):
        values = [groups[k][i] for k in keys]
        if name in report.money:
            values = [from_minor(int(v), currency) for v in values]
        series.append((name, values))
    axis = f"Amount ({currency})" if money else ("%" if any(v in report.percent for v in spec.values) else spec.unit)
    return ChartData(spec.title, axis, keys, series, money=money, currency=currency,
                     note="; ".join(note).capitalize() + ("." if note else ""), axis_max=spec.axis_max)


def run_report(actor: Staff, name: str, date_from: dt.date, date_to: dt.date) -> Report:
    """Run a report over local days ``date_from`` to ``date_to`` (inclusive)."""
    require(actor, "ho.reports")
    spec = REPORTS.get(name)
    if spec is None:
        raise NotFound(f"There is no report called {name!r}. Reports: {', '.join(REPORTS)}.")
    if date_to < date_from:
        raise InvalidInput("Dates", "the last day is before the first")
    start, _ = local_day_bounds(date_from)
    _, end = local_day_bounds(date_to)
    return spec.run(start, end)


def write_csv(report: Report, path: str | Path) -> int:
    """The report as CSV (amounts in major units, e.g. 12.50); returns the rows written."""
    path = Path(path).expanduser()
    try:
        with open(path, "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(report.columns)
            for row in report.rows:
                writer.writerow([report.as_text(row, c) for c in report.columns])
    except OSError as exc:
        raise InvalidInput("File", f"{path} cannot be written ({exc.strerror})") from None
    return len(report.rows)


def _pct(part, whole):
    from decimal import Decimal

    return (Decimal(part or 0) * 100 / Decimal(whole)) if whole else Decimal(0)


def _completed_returns(start: dt.datetime, end: dt.datetime, alias=HoRecord):
    return (alias.kind == "returns") & (alias.status == "completed") & (alias.at >= start) & (alias.at < end)


def refunds_by_store(start, end) -> Report:
    R = HoRecord
    q = (R.select(HoStore.code, HoStore.name, R.currency, fn.COUNT(R.id), fn.SUM(R.amount))
         .join(HoStore).where(_completed_returns(start, end)).group_by(HoStore.code, HoStore.name, R.currency)
         .order_by(HoStore.code, R.currency).tuples())
    return Report("refunds_by_store", "Refunds by store", ["Store", "Name", "Currency", "Returns", "Refunded"],
                  [list(r) for r in q], money={"Refunded"})


def _by_child(kind: str, start, end):
    R, C = HoRecord.alias(), HoRecord.alias()
    # parent <> '' lets the database use the index of records that have a parent (migration 0019)
    on = (R.store == C.store) & (R.uuid == C.parent) & (R.kind == "returns") & (C.parent != "")
    return R, C, (C.select(HoStore.code, C.label, R.currency, fn.COUNT(C.id), fn.SUM(C.amount))
                  .join(R, on=on).join_from(C, HoStore, on=(C.store == HoStore.id))
                  .where((C.kind == kind) & _completed_returns(start, end, R))
                  .group_by(HoStore.code, C.label, R.currency).order_by(HoStore.code, fn.SUM(C.amount).desc()))


def refunds_by_reason(start, end) -> Report:
    _, _, q = _by_child("return_lines", start, end)
    return Report("refunds_by_reason", "Refunds by reason", ["Store", "Reason", "Currency", "Lines", "Refunded"],
                  [list(r) for r in q.tuples()], money={"Refunded"})


def refunds_by_tender(start, end) -> Report:
    _, _, q = _by_child("refund_tenders", start, end)
    return Report("refunds_by_tender", "Refunds by tender", ["Store", "Tender", "Currency", "Tenders", "Refunded"],
                  [list(r) for r in q.tuples()], money={"Refunded"})


def refunds_by_clerk(start, end) -> Report:
    R = HoRecord
    q = (R.select(HoStore.code, R.clerk, R.currency, fn.COUNT(R.id), fn.SUM(R.amount),
                  fn.SUM(Case(None, [(R.label.in_(["unverified", "blind"]), 1)], 0)))
         .join(HoStore).where(_completed_returns(start, end)).group_by(HoStore.code, R.clerk, R.currency)
         .order_by(HoStore.code, fn.SUM(R.amount).desc()).tuples())
    return Report("refunds_by_clerk", "Refunds by clerk",
                  ["Store", "Clerk", "Currency", "Returns", "Refunded", "Without receipt"], [list(r) for r in q],
                  money={"Refunded"})


def approval_rates(start, end) -> Report:
    R = HoRecord
    needed = fn.SUM(Case(None, [(R.detail != "allowed", 1)], 0))
    overrides = fn.SUM(Case(None, [(R.flag == True, 1)], 0))  # noqa: E712 - SQL, not Python
    q = (R.select(HoStore.code, fn.COUNT(R.id), needed, overrides).join(HoStore)
         .where(_completed_returns(start, end)).group_by(HoStore.code).order_by(HoStore.code).tuples())
    A = HoRecord.alias()
    asked = {code: (n, ok, no) for code, n, ok, no in (
        A.select(HoStore.code, fn.COUNT(A.id), fn.SUM(Case(None, [(A.status.in_(["approved", "used"]), 1)], 0)),
                 fn.SUM(Case(None, [(A.status == "refused", 1)], 0)))
        .join(HoStore, on=(A.store == HoStore.id))
        .where((A.kind == "approvals") & (A.at >= start) & (A.at < end)).group_by(HoStore.code).tuples())}
    rows = []
    codes = sorted({r[0] for r in q} | set(asked))
    by_code = {r[0]: r for r in q}
    for code in codes:
        _, total, need, over = by_code.get(code, (code, 0, 0, 0))
        n, ok, no = asked.get(code, (0, 0, 0))
        rows.append([code, total, need or 0, _pct(need, total), over or 0, _pct(over, total), n, ok or 0, no or 0,
                     _pct(ok, n)])
    return Report("approval_rates", "Approval and override rates",
                  ["Store", "Returns", "Needed approval", "Approval %", "Overrides", "Override %",
                   "Requests", "Approved", "Refused", "Requests approved %"], rows,
                  percent={"Approval %", "Override %", "Requests approved %"})


def no_receipt_returns(start, end) -> Report:
    R = HoRecord
    no_receipt = R.label.in_(["unverified", "blind"])
    q = (R.select(HoStore.code, R.currency, fn.COUNT(R.id), fn.SUM(Case(None, [(no_receipt, 1)], 0)),
                  fn.SUM(Case(None, [(no_receipt, R.amount)], 0)))
         .join(HoStore).where(_completed_returns(start, end)).group_by(HoStore.code, R.currency)
         .order_by(HoStore.code).tuples())
    rows = [[code, cur, n or 0, total, amount or 0, _pct(n, total)] for code, cur, total, n, amount in q]
    return Report("no_receipt_returns", "Returns without a receipt",
                  ["Store", "Currency", "Without receipt", "Returns", "Refunded without receipt", "Share %"], rows,
                  money={"Refunded without receipt"}, percent={"Share %"})


def vouchers_outstanding(start, end) -> Report:
    """Store credit still to be spent at the end of the range: active vouchers issued before
    it, their balance the sum of their ledger entries up to then."""
    V, E = HoRecord.alias(), HoRecord.alias()
    balances = (E.select(E.store, E.parent, fn.SUM(E.amount).alias("balance"))
                .where((E.kind == "voucher_entries") & (E.at < end)).group_by(E.store, E.parent)).alias("b")
    q = (V.select(HoStore.code, V.currency, fn.COUNT(V.id), fn.SUM(balances.c.balance))
         .join(balances, JOIN.INNER, on=((balances.c.store_id == V.store) & (balances.c.parent == V.uuid)))
         .join_from(V, HoStore, on=(V.store == HoStore.id))
         .where((V.kind == "vouchers") & (V.status == "active") & (V.at < end) & (balances.c.balance > 0))
         .group_by(HoStore.code, V.currency).order_by(HoStore.code).tuples())
    return Report("vouchers_outstanding", "Vouchers outstanding", ["Store", "Currency", "Vouchers", "Outstanding"],
                  [list(r) for r in q], money={"Outstanding"})


for _name, _title, _run, _chart in (
    ("refunds_by_store", "Refunds by store", refunds_by_store,
     ChartSpec(("Store",), ("Refunded",), "Refunded by store")),
    ("refunds_by_reason", "Refunds by reason", refunds_by_reason,
     ChartSpec(("Reason",), ("Refunded",), "Refunded by reason, all stores", largest_first=True)),
    ("refunds_by_tender", "Refunds by tender", refunds_by_tender,
     ChartSpec(("Tender",), ("Refunded",), "Refunded by tender, all stores", largest_first=True)),
    ("refunds_by_clerk", "Refunds by clerk", refunds_by_clerk,
     ChartSpec(("Store", "Clerk"), ("Refunded",), "Refunded by clerk", largest_first=True)),
    ("approval_rates", "Approval and override rates", approval_rates,
     ChartSpec(("Store",), ("Approval %", "Override %"), "Approval and override rates by store")),
    ("no_receipt_returns", "Returns without a receipt", no_receipt_returns,
     ChartSpec(("Store",), ("Refunded without receipt",), "Refunded without a receipt by store")),
    ("vouchers_outstanding", "Vouchers outstanding", vouchers_outstanding,
     ChartSpec(("Store",), ("Outstanding",), "Store credit outstanding by store")),
):
    register_report(_name, _title, _run, _chart)

# Special orders and cases register theirs.
from desk.services import ho_reports_orders_cases  # noqa: E402,F401
