"""Finding any sale in the ledger: by receipt number, and by date, amount, customer or card.

Every filter runs in SQL and pages come back newest first, so a screen over a ledger of
millions of lines stays quick. What a line has already had returned is worked out in one
place, ``returned_quantities``, from the stored refund rows (the tills' refunds now; the
desk's own returns join it later).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import JOIN, fn

from desk.errors import InvalidInput, NotFound
from desk.models import Customer, Sale, SaleLine, Staff, Store, Tender, database
from desk.money import from_minor
from desk.services.auth import require

UTC = dt.timezone.utc

TENDER_LABELS = {"cash": "Cash", "card": "Card", "gift_card": "Gift card", "other": "Other"}


# ----------------------------------------------------------------------------- views


@dataclass(frozen=True)
class CustomerView:
    id: int
    name: str
    email: str
    phone: str


@dataclass(frozen=True)
class SaleLineView:
    id: int
    line_no: int
    sku: str
    barcode: str
    description: str
    qty: int
    unit_price: int
    line_discount: int
    order_discount_share: int
    tax_rate: Decimal
    tax_amount: int
    paid: int
    returned_qty: int

    @property
    def discount(self) -> int:
        """The line's own discount plus its share of the order discount."""
        return self.line_discount + self.order_discount_share

    @property
    def returnable_qty(self) -> int:
        return max(0, self.qty - self.returned_qty)


@dataclass(frozen=True)
class TenderView:
    method: str
    amount: int
    brand: str
    last4: str
    reference: str

    @property
    def label(self) -> str:
        """How a person reads the tender: 'Visa •••• 4242', 'Cash', 'Gift card'."""
        if self.method == "card":
            name = self.brand or "Card"
            return f"{name} •••• {self.last4}" if self.last4 else name
        return TENDER_LABELS.get(self.method, self.method.replace("_", " ").capitalize())


@dataclass(frozen=True)
class SaleView:
    id: int
    receipt: str
    sold_at: dt.datetime  # aware, UTC
    till: str
    cashier: str
    customer: CustomerView | None
    currency: str
    subtotal: int
    discount_total: int
    tax_total: int
    total: int
    source: str
    lines: list[SaleLineView] = field(default_factory=list)
    tenders: list[TenderView] = field(default_factory=list)
    status: str = "completed"  # completed | voided
    voided_at: dt.datetime | None = None  # aware, UTC
    voided_by: str = ""  # the name of who voided it
    void_reason: str = ""

    @property
    def returned_units(self) -> int:
        return sum(l.returned_qty for l in self.lines)

    @property
    def voided(self) -> bool:
        return self.status == "voided"


@dataclass(frozen=True)
class SaleRow:
    sale_id: int
    receipt: str
    sold_at: dt.datetime  # aware, UTC
    customer: str
    total: int
    currency: str
    tenders: str  # "Visa •••• 4242", "Cash + Mastercard •••• 0007"
    status: str = "completed"  # completed | voided

    @property
    def voided(self) -> bool:
        return self.status == "voided"


@dataclass
class SaleQuery:
    """What to look for. Empty fields do not filter.

    ``date_from``/``date_to`` are local calendar dates (both inclusive); ``tz`` is the zone
    they are in (None: this computer's). Amounts are minor units: ``amount`` exactly, or
    ``amount_min``/``amount_max`` as a range. ``customer`` matches the start of a name or of a
    last name (accents and case ignored), a phone's digits, or the start of an email
    (``customers.customer_match``); ``last4`` the card's last four digits.
    """

    receipt: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    amount: int | None = None
    amount_min: int | None = None
    amount_max: int | None = None
    customer: str = ""
    last4: str = ""
    tz: dt.tzinfo | None = None

    def is_empty(self) -> bool:
        return not (
            self.receipt.strip() or self.date_from or self.date_to or self.amount is not None
            or self.amount_min is not None or self.amount_max is not None
            or self.customer.strip() or self.last4.strip()
        )


# ----------------------------------------------------------------------------- helpers


def _check(actor: Staff | None) -> None:
    if actor is not None:
        require(actor, "sales.view")


def _aware(value) -> dt.datetime:
    if isinstance(value, str):  # SQLite can hand back text
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _local_midnight_utc(day: dt.date, tz: dt.tzinfo | None) -> dt.datetime:
    """The UTC instant (naive, as stored) at which local ``day`` begins."""
    local = dt.datetime.combine(day, dt.time.min)
    local = local.replace(tzinfo=tz) if tz is not None else local.astimezone()
    return local.astimezone(UTC).replace(tzinfo=None)


def _next_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (code-point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if ord(prefix[-1]) < 0x10FFFF else prefix + "\U0010ffff"


def _prefix_range(column, prefix: str):
    """``column`` starts with ``prefix``, as a range an ordinary index serves (SQLite's binary
    collation and PostgreSQL's C collation both compare by code point)."""
    return (column >= prefix) & (column < _next_prefix(prefix))


def _any_store():
    """Every store in the database (one at a desk, many at head office). Receipt numbers are
    unique per store, and the (store, receipt_no) index serves a lookup only with the store;
    the ids go in as a list (a subquery here makes SQLite scan for a receipt prefix)."""
    return Sale.store.in_([s.id for s in Store.select(Store.id).order_by(Store.id)])


def _receipt_is(variants: list[str]):
    return _any_store() & Sale.receipt_no.in_(variants)


def _case_variants(text: str) -> list[str]:
    seen: list[str] = []
    for v in (text, text.upper(), text.lower()):
        if v not in seen:
            seen.append(v)
    return seen


# ----------------------------------------------------------------------------- returned quantities


def returned_quantities(line_ids) -> dict[int, int]:
    """Units already returned per sale line id: every line asked for is in the answer (0 if none).

    The one place that adds up returns against a sale line: the tills' refunds that came in
    with the sales files (TillRefund) and the desk's own returns that were not voided
    (ReturnLine of a completed Return). Inside a return's write transaction this reads the
    rows as stored now, which is what the returns service relies on.
    """
    ids = [int(i) for i in line_ids]
    result = {i: 0 for i in ids}
    if not ids:
        return result
    from desk.models.imports import TillRefund
    from desk.models.returns import Return, ReturnLine

    table = TillRefund._meta.table_name
    line_col = TillRefund.sale_line.column_name
    rl_table, ret_table = ReturnLine._meta.table_name, Return._meta.table_name
    rl_line, rl_ret = ReturnLine.sale_line.column_name, ReturnLine.ret.column_name
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = database.execute_sql(
            _sql(f'SELECT "{line_col}", COALESCE(SUM("quantity"), 0) FROM "{table}" '
                 f'WHERE "{line_col}" IN ({_marks(len(chunk))}) GROUP BY "{line_col}"'), chunk).fetchall()
        for line_id, qty in rows:
            result[int(line_id)] += int(qty)
        # the desk's own returns, voided ones left out
        rows = database.execute_sql(
            _sql(f'SELECT l."{rl_line}", COALESCE(SUM(l."quantity"), 0) FROM "{rl_table}" l '
                 f'JOIN "{ret_table}" r ON r."id" = l."{rl_ret}" '
                 f'WHERE l."{rl_line}" IN ({_marks(len(chunk))}) AND r."status" = ? GROUP BY l."{rl_line}"'),
            (*chunk, "completed")).fetchall()
        for line_id, qty in rows:
            result[int(line_id)] += int(qty)
    return result


# ----------------------------------------------------------------------------- one sale


def _sql(text: str) -> str:
    """Hand-written SQL (the one-sale queries run on every scan: no query building) with the
    database's parameter marks for ``?``."""
    param = database.obj.param
    return text if param == "?" else text.replace("?", param)


def _marks(n: int) -> str:
    return ", ".join(["?"] * n)


def _store_ids() -> list[int]:
    return [r[0] for r in database.execute_sql('SELECT "id" FROM "store" ORDER BY "id"').fetchall()]


def find_receipt(code: str, actor: Staff | None = None) -> SaleView | None:
    """The sale with this receipt number, or None. Spaces around the code are ignored and
    the case need not match (the number as typed, upper- or lower-cased, through the index)."""
    _check(actor)
    code = (code or "").strip()
    if not code:
        return None
    variants = _case_variants(code)
    stores = _store_ids()  # the (store, receipt_no) index serves the lookup only with the store
    if not stores:
        return None
    rows = database.execute_sql(
        _sql(f'SELECT "id", "receipt_no" FROM "sale" WHERE "store_id" IN ({_marks(len(stores))}) '
             f'AND "receipt_no" IN ({_marks(len(variants))}) ORDER BY "id"'),
        (*stores, *variants)).fetchall()
    found: dict[str, int] = {}
    for sale_id, receipt in rows:
        found.setdefault(receipt, sale_id)
    for v in variants:
        if v in found:
            return sale_view(found[v])
    return None


_SALE_SQL = (
    'SELECT s."id", s."receipt_no", s."sold_at", s."cashier", s."currency", s."subtotal", s."discount_total", '
    's."tax_total", s."total", s."source", s."customer_id", d."code", c."name", c."email", c."phone", '
    's."status", s."voided_at", s."void_reason", v."name" '
    'FROM "sale" s LEFT OUTER JOIN "desk" d ON s."till_id" = d."id" '
    'LEFT OUTER JOIN "customer" c ON s."customer_id" = c."id" '
    'LEFT OUTER JOIN "staff" v ON s."voided_by_id" = v."id" WHERE s."id" = ?'
)
_LINES_SQL = (
    'SELECT "id", "line_no", "sku", "barcode", "description", "quantity", "unit_price", "line_discount", '
    '"order_discount_share", "tax_rate", "tax_amount", "paid" FROM "sale_line" WHERE "sale_id" = ? ORDER BY "line_no"'
)
_TENDERS_SQL = (
    'SELECT "method", "amount", "card_brand", "card_last4", "reference" FROM "tender" WHERE "sale_id" = ? ORDER BY "seq"'
)


def sale_view(sale_id: int, actor: Staff | None = None) -> SaleView:
    """Everything the desk shows about one sale: header, lines with what is left to return, tenders."""
    _check(actor)
    sale = database.execute_sql(_sql(_SALE_SQL), (sale_id,)).fetchone()
    if sale is None:
        raise NotFound(f"There is no sale with id {sale_id}.")
    (sid, receipt, sold_at, cashier, currency, subtotal, discount_total, tax_total, total, source,
     customer_id, till, c_name, c_email, c_phone, status, voided_at, void_reason, voided_by) = sale
    lines = database.execute_sql(_sql(_LINES_SQL), (sale_id,)).fetchall()
    returned = returned_quantities(l[0] for l in lines)
    tenders = database.execute_sql(_sql(_TENDERS_SQL), (sale_id,)).fetchall()
    customer = None
    if customer_id is not None and c_name is not None:
        customer = CustomerView(customer_id, c_name, c_email or "", c_phone or "")
    rate = SaleLine.tax_rate.python_value
    return SaleView(
        id=sid,
        receipt=receipt,
        sold_at=_aware(sold_at),
        till=till or "",
        cashier=cashier or "",
        customer=customer,
        currency=currency,
        subtotal=subtotal,
        discount_total=discount_total,
        tax_total=tax_total,
        total=total,
        source=source,
        lines=[
            SaleLineView(
                id=lid,
                line_no=line_no,
                sku=sku,
                barcode=barcode,
                description=description,
                qty=quantity,
                unit_price=unit_price,
                line_discount=line_discount,
                order_discount_share=share,
                tax_rate=rate(tax_rate),
                tax_amount=tax_amount,
                paid=paid,
                returned_qty=returned.get(lid, 0),
            )
            for (lid, line_no, sku, barcode, description, quantity, unit_price, line_discount, share, tax_rate,
                 tax_amount, paid) in lines
        ],
        tenders=[TenderView(method, amount, brand, last4, reference) for method, amount, brand, last4, reference in tenders],
        status=status or "completed",
        voided_at=_aware(voided_at) if voided_at else None,
        voided_by=voided_by or "",
        void_reason=void_reason or "",
    )


def sale_json(receipt_no: str, actor: Staff | None = None) -> dict:
    """The sale as `desk show-sale RECEIPT --json` prints it: money as decimal strings."""
    view = find_receipt(receipt_no, actor)
    if view is None:
        raise NotFound(f"No sale has the receipt number '{(receipt_no or '').strip()}'.")
    cur = view.currency

    def money(minor: int) -> str:
        return str(from_minor(minor, cur))

    return {
        "receipt": view.receipt,
        "date": view.sold_at.isoformat(),
        "currency": cur,
        "lines": [
            {
                "line": l.line_no,
                "sku": l.sku,
                "description": l.description,
                "qty": l.qty,
                "unit_price": money(l.unit_price),
                "discount": money(l.discount),
                "tax": money(l.tax_amount),
                "paid": money(l.paid),
                "returned_qty": l.returned_qty,
            }
            for l in view.lines
        ],
        "tenders": [
            {"method": t.method, "amount": money(t.amount), "last4": t.last4, "reference": t.reference}
            for t in view.tenders
        ],
        "total": money(view.total),
        "status": view.status,
    }


# ----------------------------------------------------------------------------- search


def _where(query: SaleQuery):
    """The query's filters as one peewee expression (None: no filter)."""
    conds = []
    receipt = query.receipt.strip()
    if receipt:
        variants = _case_variants(receipt)
        expr = None
        stores = _any_store()
        for v in variants:  # the store in every branch: SQLite then seeks (store, receipt range) for each
            part = stores & _prefix_range(Sale.receipt_no, v)
            expr = part if expr is None else (expr | part)
        conds.append(expr)
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise InvalidInput("Date to", "is before the date from")
    if query.date_from:
        conds.append(Sale.sold_at >= _local_midnight_utc(query.date_from, query.tz))
    if query.date_to:
        conds.append(Sale.sold_at < _local_midnight_utc(query.date_to + dt.timedelta(days=1), query.tz))
    if query.amount is not None:
        conds.append(Sale.total == int(query.amount))
    if query.amount_min is not None:
        conds.append(Sale.total >= int(query.amount_min))
    if query.amount_max is not None:
        conds.append(Sale.total <= int(query.amount_max))
    if query.amount_min is not None and query.amount_max is not None and query.amount_min > query.amount_max:
        raise InvalidInput("Amount", "the lowest amount is more than the highest")
    text = query.customer.strip()
    if text:
        from desk.services.customers import customer_match

        expr = None
        for cond in customer_match(text):  # one subquery per index-served condition
            part = Sale.customer.in_(Customer.select(Customer.id).where(cond))
            expr = part if expr is None else (expr | part)
        conds.append(expr)
    last4 = query.last4.strip()
    if last4:
        if not (len(last4) == 4 and last4.isdigit()):
            raise InvalidInput("Card last four", f"'{last4}' is not four digits")
        conds.append(Sale.id.in_(Tender.select(Tender.sale).where(Tender.card_last4 == last4)))
    expr = None
    for c in conds:
        expr = c if expr is None else (expr & c)
    return expr


def count_sales(query: SaleQuery, actor: Staff | None = None) -> int:
    _check(actor)
    q = Sale.select(fn.COUNT(Sale.id))
    where = _where(query)
    if where is not None:
        q = q.where(where)
    return int(q.scalar() or 0)


def search_sales(query: SaleQuery, offset: int = 0, limit: int = 200, actor: Staff | None = None) -> list[SaleRow]:
    """One page of the sales that match, newest first."""
    _check(actor)
    q = (
        Sale.select(Sale.id, Sale.receipt_no, Sale.sold_at, Sale.total, Sale.currency, Customer.name, Sale.status)
        .join(Customer, JOIN.LEFT_OUTER, on=(Sale.customer == Customer.id))
    )
    where = _where(query)
    if where is not None:
        q = q.where(where)
    rows = list(q.order_by(Sale.sold_at.desc(), Sale.id.desc()).offset(max(0, offset)).limit(max(0, limit)).tuples())
    summaries = tender_summaries([r[0] for r in rows])
    return [
        SaleRow(sale_id=r[0], receipt=r[1], sold_at=_aware(r[2]), customer=r[5] or "", total=r[3], currency=r[4],
                tenders=summaries.get(r[0], ""), status=r[6] or "completed")
        for r in rows
    ]


def tender_summaries(sale_ids) -> dict[int, str]:
    """'Cash + Visa •••• 4242' per sale id, for result lists."""
    ids = list(sale_ids)
    out: dict[int, list[str]] = {}
    if not ids:
        return {}
    rows = (
        Tender.select(Tender.sale, Tender.method, Tender.card_brand, Tender.card_last4)
        .where(Tender.sale.in_(ids))
        .order_by(Tender.sale, Tender.seq)
        .tuples()
    )
    for sale_id, method, brand, last4 in rows:
        out.setdefault(sale_id, []).append(TenderView(method, 0, brand, last4, "").label)
    return {k: " + ".join(v) for k, v in out.items()}
