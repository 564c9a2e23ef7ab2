"""Building small stores and sales for the returns tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from desk import clock
from desk.models import Category, Product, SaleLine, database
from desk.services.returns import ReturnLineRequest, ReturnRequest
from desk.services.sale_lookup import find_receipt
from desk.services.sales import LineInput, SaleInput, TenderInput, record_sales
from desk.services.staff import create_staff

CLERK = ("100", "274951")
CLERK2 = ("101", "318604")
SUPERVISOR = ("200", "605172")
MANAGER = ("300", "731846")


def add_team(store):
    with database.atomic():
        clerk = create_staff(CLERK[0], "Cleo Clerk", "clerk", CLERK[1], store)
        clerk2 = create_staff(CLERK2[0], "Colin Clerk", "clerk", CLERK2[1], store)
        sup = create_staff(SUPERVISOR[0], "Sam Supervisor", "supervisor", SUPERVISOR[1], store)
        mgr = create_staff(MANAGER[0], "Maja Manager", "manager", MANAGER[1], store)
    return clerk, clerk2, sup, mgr


def product(sku: str, category: str = "Clothing", price: int = 1000, stock: int = 5) -> Product:
    with database.atomic():
        cat, _ = Category.get_or_create(name=category)
        return Product.create(sku=sku, barcode=None, name=f"Product {sku}", category=cat, price=price,
                              tax_rate=Decimal("20"), stock_on_hand=stock)


def sale(store, receipt: str, lines, tenders=None, order_discount: int = 0, days_ago: int = 1, customer_id=None):
    """lines: (description, qty, unit_price, line_discount, category[, product]) tuples."""
    items = []
    for l in lines:
        desc, qty, unit, disc, cat = l[:5]
        prod = l[5] if len(l) > 5 else None
        items.append(LineInput(description=desc, quantity=qty, unit_price=unit, tax_rate=Decimal("20"), line_discount=disc,
                               category=cat, sku=prod.sku if prod else "", product_id=prod.id if prod else None))
    total = sum(i.quantity * i.unit_price - i.line_discount for i in items) - order_discount
    if tenders is None:
        tenders = [TenderInput("card", total, card_brand="Visa", card_last4="4242", reference="AUTH1")]
    sold_at = clock.utcnow() - dt.timedelta(days=days_ago)
    with database.atomic():
        record_sales(store, [SaleInput(receipt_no=receipt, sold_at=sold_at, lines=items, tenders=tenders,
                                       order_discount=order_discount, customer_id=customer_id)], "canonical")
    return find_receipt(receipt)


def req(view, picks, **kw) -> ReturnRequest:
    """picks: {line_no: qty} or [(line_no, qty, reason, condition, disposition)]."""
    by_no = {l.line_no: l for l in view.lines}
    lines = []
    if isinstance(picks, dict):
        picks = [(n, q) for n, q in picks.items()]
    for p in picks:
        n, q = p[0], p[1]
        reason = p[2] if len(p) > 2 else "wrong_size"
        cond = p[3] if len(p) > 3 else "unopened"
        disp = p[4] if len(p) > 4 else "stock"
        lines.append(ReturnLineRequest(quantity=q, reason=reason, condition=cond, disposition=disp, sale_line_id=by_no[n].id))
    return ReturnRequest(lines=lines, kind="receipted", sale_id=view.id, **kw)
