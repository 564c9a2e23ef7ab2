"""Square's Item Sales CSV export (Dashboard > Reports > Item sales > Export).

One row per item sold (``Event Type`` ``Payment``) or refunded (``Refund``); a sale's rows
share a ``Transaction ID``. Amounts are written with the currency symbol (``$12.00``,
``-$1.00``, ``(£1.00)``); tax is added on top of ``Net Sales``. See docs/formats.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desk.io.feeds.common import (
    MAX_CUSTOMER_NAME,
    MAX_RECEIPT,
    MAX_REF,
    MAX_SKU,
    MAX_SOURCE_REF,
    MAX_TILL,
    Feed,
    FeedCustomer,
    FeedProduct,
    FeedRefund,
    FeedSale,
    Fields,
    RowError,
    clean_rate,
    csv_rows,
    exponent,
    file_problem,
    iter_groups,
)
from desk.money import round_half_up
from desk.services.sales import LineInput, SaleInput, TenderInput

REQUIRED = ("Date", "Time", "Item", "Qty", "Gross Sales", "Net Sales", "Tax", "Transaction ID")

# Square writes Rails-style zone names; map the common ones to IANA names.
ZONE_NAMES = {
    "Eastern Time (US & Canada)": "America/New_York",
    "Central Time (US & Canada)": "America/Chicago",
    "Mountain Time (US & Canada)": "America/Denver",
    "Pacific Time (US & Canada)": "America/Los_Angeles",
    "Arizona": "America/Phoenix",
    "Alaska": "America/Anchorage",
    "Hawaii": "Pacific/Honolulu",
    "Atlantic Time (Canada)": "America/Halifax",
    "Newfoundland": "America/St_Johns",
    "London": "Europe/London",
    "Edinburgh": "Europe/London",
    "Dublin": "Europe/Dublin",
    "Lisbon": "Europe/Lisbon",
    "Paris": "Europe/Paris",
    "Madrid": "Europe/Madrid",
    "Berlin": "Europe/Berlin",
    "Amsterdam": "Europe/Amsterdam",
    "Brussels": "Europe/Brussels",
    "Rome": "Europe/Rome",
    "Stockholm": "Europe/Stockholm",
    "Copenhagen": "Europe/Copenhagen",
    "Oslo": "Europe/Oslo",
    "Warsaw": "Europe/Warsaw",
    "Helsinki": "Europe/Helsinki",
    "Athens": "Europe/Athens",
    "Tokyo": "Asia/Tokyo",
    "Osaka": "Asia/Tokyo",
    "Sydney": "Australia/Sydney",
    "Melbourne": "Australia/Melbourne",
    "Canberra": "Australia/Sydney",
    "Brisbane": "Australia/Brisbane",
    "Adelaide": "Australia/Adelaide",
    "Perth": "Australia/Perth",
    "Auckland": "Pacific/Auckland",
    "Wellington": "Pacific/Auckland",
    "UTC": "UTC",
    "GMT": "UTC",
}

SYMBOLS = {"£": "GBP", "€": "EUR", "¥": "JPY", "US$": "USD", "CA$": "CAD", "C$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD", "$": None}
MONEY = re.compile(r"^(?P<open>\()?\s*(?P<neg1>-)?\s*(?P<sym>[^\d\s\-().,]*)\s*(?P<neg2>-)?\s*(?P<num>\d[\d,]*(?:\.\d+)?|\.\d+)\s*(?P<close>\))?$")


def is_square_header(header: list[str]) -> bool:
    return "Transaction ID" in header and "Net Sales" in header and "Item" in header


def parse_money(raw: str) -> tuple[Decimal, str]:
    """'$12.00' -> (12.00, '$'); '-$1.00' and '($1.00)' -> (-1.00, '$'). ValueError if not money."""
    m = MONEY.match(raw.strip())
    if not m or bool(m.group("open")) != bool(m.group("close")):
        raise ValueError(raw)
    sym = m.group("sym")
    if sym and sym not in SYMBOLS:
        raise ValueError(raw)
    try:
        value = Decimal(m.group("num").replace(",", ""))
    except InvalidOperation:
        raise ValueError(raw) from None
    if m.group("open") or m.group("neg1") or m.group("neg2"):
        value = -value
    return value, sym


def zone(name: str) -> ZoneInfo | None:
    name = name.strip()
    key = ZONE_NAMES.get(name)
    if key is None:
        m = re.match(r"^\(GMT[+-]\d\d:\d\d\)\s*(.+)$", name)  # "(GMT+00:00) London"
        if m:
            key = ZONE_NAMES.get(m.group(1).strip())
    try:
        return ZoneInfo(key or name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@dataclass
class _Row:
    row: int
    f: Fields
    event: str
    txn: str
    when: dt.datetime | None
    qty: int | None
    amounts: dict[str, Decimal]
    minor: dict[str, int]


MONEY_COLUMNS = ("Gross Sales", "Discounts", "Net Sales", "Tax")


def parse(text: str) -> Feed:
    errors: list[RowError] = []
    header, rows = csv_rows(text, errors)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise file_problem(f"looks like a Square item sales export but has no {', '.join(missing)} column")
    parsed: list[_Row] = []
    symbols: dict[str, int] = {}
    for r in rows:
        f = Fields(r.row, r.values, errors)
        event = f.text("Event Type").lower() or "payment"
        if event not in ("payment", "refund"):
            f.bad("Event Type", f"'{f.text('Event Type')}' is not Payment or Refund")
        txn = f.text("Transaction ID", required=True, max_len=MAX_RECEIPT)
        when = _when(f)
        qty = _quantity(f)
        amounts = {}
        for col in MONEY_COLUMNS:
            raw = f.text(col)
            if not raw:
                if col == "Discounts":
                    amounts[col] = Decimal(0)
                    continue
                f.bad(col, "is required")
                continue
            try:
                value, sym = parse_money(raw)
            except ValueError:
                f.bad(col, f"'{raw}' is not an amount (like $12.00, -$1.00 or (£1.00))")
                continue
            amounts[col] = value
            if sym:
                symbols.setdefault(sym, r.row)
        parsed.append(_Row(r.row, f, event, txn, when, qty, amounts, {}))
    currency, symbol = None, ""
    if symbols:
        ordered = sorted(symbols.items(), key=lambda kv: kv[1])
        symbol = ordered[0][0]
        currency = SYMBOLS[symbol]
        for sym, row in ordered[1:]:
            errors.append(RowError(row, "Gross Sales", f"amounts in {sym} but row {ordered[0][1]} is in {symbol}: one file, one currency"))
    places = exponent(currency) if currency else 2
    for p in parsed:
        for col, value in p.amounts.items():
            scaled = value.scaleb(places)
            if scaled != scaled.to_integral_value():
                p.f.bad(col, f"'{p.f.text(col)}' has more than {places} decimal places")
            else:
                p.minor[col] = int(scaled)
    payments = [p for p in parsed if p.event == "payment"]
    refunds = [p for p in parsed if p.event == "refund"]
    rates = _RateChooser()
    sales: list[FeedSale] = []
    line_keys: dict[str, list[str]] = {}
    for txn, group in iter_groups(payments, lambda p: p.txn):
        if not txn:
            continue
        sale = _sale(txn, group, errors, rates)
        if sale is not None:
            sales.append(sale)
            line_keys[txn] = [_line_key(p.f) for p in group]
    orphans: list[FeedRefund] = []
    by_txn = {s.sale.receipt_no: s for s in sales}
    payment_txns = {p.txn for p in payments}
    for p in refunds:
        refund = _refund(p)
        if refund is None:
            continue
        sale = by_txn.get(p.txn)
        if sale is not None:
            key = _line_key(p.f)
            keys = line_keys[p.txn]
            if key not in keys:
                p.f.bad("Item", f"refund of '{p.f.text('Item')}' which transaction {p.txn} did not sell")
                continue
            refund.line_no = keys.index(key) + 1
            _merge(sale.refunds, refund)
        elif p.txn in payment_txns:
            continue  # the sale itself has bad rows, already reported
        else:
            _merge(orphans, refund)
    return Feed(format="square", currency=currency, rows=len(rows), sales=sales, errors=errors,
                orphan_refunds=orphans, currency_symbol=symbol)


def _merge(refunds: list[FeedRefund], refund: FeedRefund) -> None:
    for r in refunds:
        if (r.receipt_no, r.line_no, r.sku, r.description, r.source_ref) == (
            refund.receipt_no, refund.line_no, refund.sku, refund.description, refund.source_ref
        ):
            r.quantity += refund.quantity
            r.amount += refund.amount
            return
    refunds.append(refund)


def _line_key(f: Fields) -> str:
    sku = f.text("SKU")
    return "sku:" + sku if sku else "item:" + _description(f)


def _description(f: Fields) -> str:
    item = f.text("Item")
    point = f.text("Price Point Name")
    if point and point.lower() != "regular":
        item = f"{item} ({point})"
    mods = f.text("Modifiers Applied")
    if mods:
        item = f"{item} + {mods}"
    return item


def _when(f: Fields) -> dt.datetime | None:
    date, time, tz = f.text("Date", required=True), f.text("Time", required=True), f.text("Time Zone")
    if not date or not time:
        return None
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        f.bad("Date", f"'{date}' is not a date like 2026-10-03")
        return None
    try:
        clock = dt.time.fromisoformat(time)
    except ValueError:
        f.bad("Time", f"'{time}' is not a time like 14:22:05")
        return None
    if not tz:
        f.bad("Time Zone", "is required (like Europe/London or Eastern Time (US & Canada))")
        return None
    info = zone(tz)
    if info is None:
        f.bad("Time Zone", f"'{tz}' is not a time zone Desk knows (use a name like Europe/London)")
        return None
    return dt.datetime.combine(day, clock, tzinfo=info)


def _quantity(f: Fields) -> int | None:
    raw = f.text("Qty", required=True)
    if not raw:
        return None
    try:
        qty = Decimal(raw.replace(",", ""))
        if not qty.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        f.bad("Qty", f"'{raw}' is not a number")
        return None
    if qty != qty.to_integral_value():
        f.bad("Qty", f"{raw} is not a whole number of items (items sold by weight or length cannot be returned at the desk)")
        return None
    if qty == 0:
        f.bad("Qty", "must not be zero")
        return None
    return abs(int(qty))


class _RateChooser:
    """Square's export has the tax amount, not the rate: infer, for each line, a rate that
    reproduces the exported tax exactly, reusing rates already found in the file and
    otherwise the one with the fewest decimal places."""

    def __init__(self):
        self.known: list[Decimal] = []

    def choose(self, net: int, tax: int) -> Decimal | None:
        if tax == 0:
            return Decimal(0)
        if net <= 0:
            return None

        def fits(rate: Decimal) -> bool:
            return round_half_up(Decimal(net) * rate / 100) == tax

        for rate in self.known:
            if fits(rate):
                return rate
        lo = (Decimal(tax) - Decimal("0.5")) * 100 / net
        exact = Decimal(tax) * 100 / net
        for places in range(0, 4):
            q = Decimal(1).scaleb(-places)
            for candidate in (exact.quantize(q), lo.quantize(q, rounding=ROUND_CEILING), exact.quantize(q, rounding=ROUND_FLOOR)):
                if 0 <= candidate <= 100 and fits(candidate):
                    rate = clean_rate(candidate)
                    self.known.append(rate)
                    return rate
        return None


def _sale(txn: str, group: list[_Row], errors: list[RowError], rates: _RateChooser) -> FeedSale | None:
    start = len(errors)
    lines: list[LineInput] = []
    products: list[FeedProduct | None] = []
    paid: list[int] = []
    taxes: list[int] = []
    payments: dict[str, int] = {}
    seen_keys: set[str] = set()
    for p in group:
        f = p.f
        if any(c not in p.minor for c in MONEY_COLUMNS) or p.qty is None or p.when is None:
            continue
        gross, discount, net, tax = (p.minor[c] for c in MONEY_COLUMNS)
        discount = abs(discount)
        if gross < 0 or net < 0 or tax < 0:
            f.bad("Gross Sales" if gross < 0 else "Net Sales" if net < 0 else "Tax", "must not be negative on a Payment row")
            continue
        if gross - discount != net:
            f.bad("Net Sales", f"{f.text('Net Sales')} is not Gross Sales {f.text('Gross Sales')} less Discounts {f.text('Discounts') or '0'}")
            continue
        rate = rates.choose(net, tax)
        if rate is None:
            f.bad("Tax", f"{f.text('Tax')} cannot be tax on Net Sales {f.text('Net Sales')} at any rate")
            continue
        qty = p.qty
        unit = -(-gross // qty)  # round up: the pennies left over go into the line's discount
        line_discount = discount + unit * qty - gross
        sku = f.text("SKU", max_len=MAX_SKU)
        description = _description(f)
        if not description:
            f.bad("Item", "is required")
            continue
        key = _line_key(f)
        if key in seen_keys:
            f.bad("Item", f"'{f.text('Item')}' appears twice in transaction {txn}: a refund could not tell the lines apart")
            continue
        seen_keys.add(key)
        category = f.text("Category", max_len=80, truncate=True)
        lines.append(LineInput(description=description, quantity=qty, unit_price=unit, tax_rate=rate,
                               line_discount=line_discount, sku=sku, category=category))
        products.append(FeedProduct(sku=sku, barcode="", description=f.text("Item"), category=category,
                                    unit_price=unit, tax_rate=rate) if sku else None)
        paid.append(net + tax)
        taxes.append(tax)
        payment = f.text("Payment ID") or txn
        payments[payment] = payments.get(payment, 0) + net + tax
    if len(errors) != start or not lines:
        return None
    head = group[0]
    # Square's item sales export does not say how each payment was made: see docs/formats.md.
    tenders = [TenderInput(method="other", amount=amount, reference=ref[:MAX_REF]) for ref, amount in payments.items()]
    name = head.f.text("Customer Name", max_len=MAX_CUSTOMER_NAME, truncate=True)
    cust_id = head.f.text("Customer ID")
    customer = FeedCustomer(name=name or f"Square customer {cust_id}", external_ref=f"square:{cust_id}" if cust_id else "") if (name or cust_id) else None
    sale = SaleInput(receipt_no=txn, sold_at=head.when, lines=lines, tenders=tenders,
                     till_code=head.f.text("Device Name", max_len=MAX_TILL, truncate=True), source_ref=txn[:MAX_SOURCE_REF])
    return FeedSale(sale=sale, row=head.row, line_rows=[p.row for p in group], customer=customer, products=products,
                    prices_include_tax=False, expected_total=sum(paid), expected_tax=sum(taxes),
                    expected_paid=paid, expected_line_tax=taxes)


def _refund(p: _Row) -> FeedRefund | None:
    f = p.f
    if any(c not in p.minor for c in ("Net Sales", "Tax")) or p.qty is None or p.when is None or not p.txn:
        return None
    amount = abs(p.minor["Net Sales"]) + abs(p.minor["Tax"])
    ref = " ".join(x for x in (f.text("Payment ID"), p.when.isoformat()) if x)[:MAX_SOURCE_REF]
    sku = f.text("SKU")
    return FeedRefund(line_no=None, quantity=p.qty, amount=amount, refunded_at=p.when, source_ref=ref,
                      receipt_no=p.txn, sku=sku, description=_description(f), row=p.row)
