"""Shopify's Orders CSV export (Admin > Orders > Export).

One row per line item; an order's first row carries the order's columns, the rows after it
(same ``Name``) only the ``Lineitem *`` columns. See docs/formats.md for what Desk reads.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from desk.io.feeds.common import (
    MAX_CASHIER,
    MAX_CUSTOMER_NAME,
    MAX_EMAIL,
    MAX_PHONE,
    MAX_RECEIPT,
    MAX_REF,
    MAX_SKU,
    MAX_SOURCE_REF,
    MAX_TILL,
    CsvRow,
    Feed,
    FeedCustomer,
    FeedProduct,
    FeedRefund,
    FeedSale,
    Fields,
    RowError,
    RowValues,
    clean_rate,
    csv_rows,
    currency_code,
    iter_groups,
    looks_like_card_number,
    place_refund,
    valid_email,
)
from desk.services.sales import LineInput, SaleInput, TenderInput

REQUIRED = ("Name", "Created at", "Currency", "Total", "Lineitem quantity", "Lineitem name", "Lineitem price")
ORDER_COLUMNS = ("Created at", "Currency", "Total")  # present on an order's first row only
NOT_PAID = ("voided", "expired")  # Financial Status of orders that took no money: not sales


def is_shopify_header(header: list[str]) -> bool:
    return "Name" in header and "Lineitem name" in header and "Lineitem quantity" in header


def parse_created_at(f: Fields, column: str) -> dt.datetime | None:
    raw = f.text(column, required=True)
    if not raw:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return dt.datetime.strptime(raw, fmt)
        except ValueError:
            pass
    try:
        value = dt.datetime.fromisoformat(raw)
        if value.tzinfo is not None:
            return value
    except ValueError:
        pass
    f.bad(column, f"'{raw}' is not a date and time with offset like 2026-10-03 14:22:05 +0100")
    return None


def payment_methods(raw: str) -> list[str]:
    """'Shopify Payments + Gift Card' -> ['card', 'gift_card']."""
    methods = []
    for part in re.split(r"\s*\+\s*|\s*,\s*", raw.strip()):
        if not part:
            continue
        low = part.lower()
        if "gift" in low:
            methods.append("gift_card")
        elif low in ("cash", "cash on delivery (cod)", "cod") or low.startswith("cash"):
            methods.append("cash")
        elif any(k in low for k in ("shopify payments", "card", "stripe", "paypal", "visa", "mastercard", "amex", "apple pay", "google pay", "klarna")):
            methods.append("card")
        else:
            methods.append("other")
    return methods


def tax_rate_from_names(f: Fields, values: RowValues | dict[str, str]) -> tuple[Decimal | None, list[str]]:
    """The order's tax rate: the sum of the percentages in ``Tax 1 Name`` ... ``Tax 5 Name``."""
    rate = Decimal(0)
    names = []
    for n in range(1, 6):
        name = (values.get(f"Tax {n} Name") or "").strip()
        if not name:
            continue
        names.append(name)
        m = re.search(r"(\d+(?:\.\d+)?)\s*%", name)
        if not m:
            f.bad(f"Tax {n} Name", f"'{name}' names no rate (expected something like 'VAT 20%')")
            return None, names
        rate += Decimal(m.group(1))
    return clean_rate(rate), names


def parse(text: str) -> Feed:
    errors: list[RowError] = []
    header, rows = csv_rows(text, errors)
    from desk.io.feeds.common import file_problem

    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise file_problem(f"looks like a Shopify orders export but has no {', '.join(missing)} column")
    sales: list[FeedSale] = []
    not_sales: list[str] = []
    currencies: dict[str, int] = {}
    for name, group in iter_groups(rows, lambda r: r.values.get("Name", "").strip()):
        if not name:
            for r in group:
                errors.append(RowError(r.row, "Name", "is required"))
            continue
        if (group[0].values.get("Financial Status") or "").strip().lower() in NOT_PAID:
            not_sales.append(name)
            continue
        sale = _order(name, group, errors, currencies)
        if sale is not None:
            sales.append(sale)
    currency = None
    if currencies:
        ordered = sorted(currencies.items(), key=lambda kv: kv[1])
        currency = ordered[0][0]
        for code, row in ordered[1:]:
            errors.append(RowError(row, "Currency", f"{code} differs from {currency} on row {ordered[0][1]}: one file, one currency"))
    return Feed(format="shopify", currency=currency, rows=len(rows), sales=sales, errors=errors, not_sales=not_sales)


def _order(name: str, group: list[CsvRow], errors: list[RowError], currencies: dict[str, int]) -> FeedSale | None:
    head = group[0]
    f = Fields(head.row, head.values, errors)
    start = len(errors)
    if len(name) > MAX_RECEIPT:
        f.bad("Name", f"is {len(name)} characters long; at most {MAX_RECEIPT} are allowed")
    if not f.text("Created at"):
        f.bad("Created at", f"order {name}'s first row has no order columns (Created at, Currency, Total); its rows may be out of order")
        return None
    for r in group[1:]:
        if any((r.values.get(c) or "").strip() for c in ORDER_COLUMNS) and (r.values.get("Created at") or "").strip():
            errors.append(RowError(r.row, "Name", f"order {name} appears twice in the file (also on row {head.row})"))
            return None
    sold_at = parse_created_at(f, "Created at")
    currency = currency_code(f, "Currency", f.text("Currency", required=True)) if f.text("Currency") else None
    if not f.text("Currency"):
        f.bad("Currency", "is required")
    if currency:
        currencies.setdefault(currency, head.row)
    total = f.money("Total", currency)
    subtotal = f.money("Subtotal", currency, required=False)
    shipping = f.money("Shipping", currency, required=False)
    taxes = f.money("Taxes", currency, required=False)
    discount_amount = f.money("Discount Amount", currency, required=False)
    refunded = f.money("Refunded Amount", currency, required=False)
    rate, tax_names = tax_rate_from_names(f, head.values)
    if rate is not None and taxes and not tax_names:
        f.bad("Tax 1 Name", f"is empty but Taxes is {f.text('Taxes')}: Desk needs the rate (like 'VAT 20%')")
        rate = None
    included_raw = f.text("Taxes included").lower()
    prices_include_tax: bool | None = None
    if included_raw:
        if included_raw in ("true", "yes", "1"):
            prices_include_tax = True
        elif included_raw in ("false", "no", "0"):
            prices_include_tax = False
        else:
            f.bad("Taxes included", f"'{included_raw}' is not true or false")
    lines: list[LineInput] = []
    line_rows: list[int] = []
    products: list[FeedProduct | None] = []
    for r in group:
        lf = Fields(r.row, r.values, errors)
        before = len(errors)
        qty = lf.integer("Lineitem quantity", positive=True)
        price = lf.money("Lineitem price", currency)
        disc = lf.money("Lineitem discount", currency, required=False)
        desc = lf.text("Lineitem name", required=True)
        sku = lf.text("Lineitem sku", max_len=MAX_SKU)
        taxable = lf.text("Lineitem taxable").lower()
        if len(errors) != before or rate is None:
            continue
        if disc > qty * price:
            lf.bad("Lineitem discount", f"{lf.text('Lineitem discount')} is more than the line's price")
            continue
        line_rate = Decimal(0) if taxable == "false" else rate
        lines.append(LineInput(description=desc, quantity=qty, unit_price=price, tax_rate=line_rate, line_discount=disc, sku=sku))
        line_rows.append(r.row)
        products.append(FeedProduct(sku=sku, barcode="", description=desc, category="",
                                    unit_price=price, tax_rate=line_rate) if sku else None)
    if len(errors) != start or total is None:
        return None
    if shipping:
        method = f.text("Shipping Method")
        lines.append(LineInput(description=f"Shipping{': ' + method if method else ''}", quantity=1, unit_price=shipping, tax_rate=rate))
        line_rows.append(head.row)
        products.append(None)
    line_discounts = sum(l.line_discount for l in lines)
    order_discount = 0
    if discount_amount:
        # Shopify's Discount Amount is the order's whole discount, line discounts included.
        if discount_amount >= line_discounts:
            order_discount = discount_amount - line_discounts
        else:
            f.bad("Discount Amount", f"{f.text('Discount Amount')} is less than the lines' own discounts ({_fmt(line_discounts, currency)})")
            return None
    gross = sum(l.quantity * l.unit_price for l in lines)
    if subtotal is not None and f.text("Subtotal"):
        expected_subtotal = gross - (shipping or 0) - line_discounts - order_discount
        if subtotal != expected_subtotal:
            f.bad("Subtotal", f"is {f.text('Subtotal')} but the lines less discounts come to {_fmt(expected_subtotal, currency)}")
            return None
    if prices_include_tax is None and taxes:
        net = gross - line_discounts - order_discount
        if total == net + taxes:
            prices_include_tax = False
        elif total == net:
            prices_include_tax = True
        else:
            f.bad("Total", f"is {f.text('Total')} but the lines less discounts come to {_fmt(net, currency)}, "
                           f"{_fmt(net + taxes, currency)} with Taxes on top")
            return None
    methods = payment_methods(f.text("Payment Method"))
    reference = f.text("Payment Reference", max_len=MAX_REF, truncate=True)
    if looks_like_card_number(f.text("Payment Reference")):
        f.bad("Payment Reference", "holds what looks like a card number; Desk never stores one (it was not stored)")
        return None
    if len(set(methods)) == 1:
        tenders = [TenderInput(method=methods[0], amount=total, reference=reference)]
    elif methods:
        # The export does not say how much each method paid: one tender that says so.
        label = f.text("Payment Method")
        tenders = [TenderInput(method="other", amount=total, reference=(label + (" " + reference if reference else ""))[:MAX_REF])]
    else:
        tenders = [TenderInput(method="other", amount=total, reference=reference)] if total else []
    email = f.text("Email", max_len=MAX_EMAIL)
    if email and not valid_email(email):
        f.bad("Email", f"'{email}' is not an email address")
        return None
    phone = f.text("Phone", max_len=MAX_PHONE) or f.text("Billing Phone", max_len=MAX_PHONE)
    cust_name = f.text("Billing Name", max_len=MAX_CUSTOMER_NAME, truncate=True)
    customer = FeedCustomer(name=cust_name or email or phone, email=email or None, phone=phone or None) if (cust_name or email or phone) else None
    source_ref = (f.text("Id") or name)[:MAX_SOURCE_REF]
    sale = SaleInput(
        receipt_no=name, sold_at=sold_at, lines=lines, tenders=tenders, order_discount=order_discount,
        till_code=f.text("Device ID", max_len=MAX_TILL, truncate=True),
        cashier=f.text("Employee", max_len=MAX_CASHIER, truncate=True), source_ref=source_ref,
    )
    if len(errors) != start:
        return None
    fs = FeedSale(sale=sale, row=head.row, line_rows=line_rows, customer=customer, products=products,
                  prices_include_tax=prices_include_tax, expected_total=total,
                  expected_tax=taxes if f.text("Taxes") else None, tax_tolerance=len(lines))
    if refunded:
        fs.refunds = _refunds(f, fs, refunded, total, currency)
    return fs


def refund_ref(name: str, refunded: int) -> str:
    """Shopify's Refunded Amount grows as more is refunded: each stage is its own refund."""
    return f"{name} refunded {refunded}"


def _refunds(f: Fields, fs: FeedSale, refunded: int, total: int, currency: str | None) -> list[FeedRefund]:
    """Shopify's export gives only the order's refunded amount: find which units it was.

    The whole order, or some units of one line (worked out from what the line paid, the
    same way the desk refunds). Anything else cannot be placed and is a bad row.
    """
    from desk.services.sales import price_sale

    fs.refunded_total = refunded
    if refunded > total:
        f.bad("Refunded Amount", f"{f.text('Refunded Amount')} is more than the order's Total")
        return []
    try:
        priced = price_sale(fs.sale, bool(fs.prices_include_tax) if fs.prices_include_tax is not None else True)
    except Exception:
        return []  # the service reports the sale's own problem
    placed = place_refund([(l.quantity, p.paid, 0, 0) for l, p in zip(fs.sale.lines, priced.lines)], refunded)
    if placed is None:
        return []  # maybe the rest of a refund imported before: the import decides, with the ledger
    return [FeedRefund(line_no=i + 1, quantity=q, amount=a, refunded_at=fs.sale.sold_at, source_ref=refund_ref(fs.sale.receipt_no, refunded),
                       receipt_no=fs.sale.receipt_no, row=fs.row) for i, q, a in placed]


def _fmt(minor: int, currency: str | None) -> str:
    from desk.money import from_minor

    return str(from_minor(minor, currency)) if currency else str(Decimal(minor).scaleb(-2))
