"""What the Return screen needs that the returns service does not offer (yet): finding a
product in the catalogue for a return without a receipt. Reads only; no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from peewee import JOIN

from desk.models import Category, Product, Store
from desk.money import round_half_up
from desk.services.auth import require


@dataclass(frozen=True)
class ProductChoice:
    id: int
    sku: str
    barcode: str
    name: str
    category: str
    unit_value: int  # what one unit is worth now, minor units, tax included (what a no-receipt return refunds)
    stock_on_hand: int = 0  # what the Exchange screen shows next to a replacement


def _unit_value(product: Product, prices_include_tax: bool) -> int:
    value = product.price
    if not prices_include_tax:
        value += round_half_up(Decimal(value) * product.tax_rate / 100)
    return value


def find_products(actor, text: str, limit: int = 20) -> list[ProductChoice]:
    """Products whose barcode or SKU is ``text`` exactly (first), then whose SKU or name starts
    with or contains it, active ones only."""
    require(actor, "returns.create")
    text = (text or "").strip()
    if not text:
        return []
    store = Store.select().order_by(Store.id).first()
    include_tax = store.prices_include_tax if store is not None else True
    base = Product.select(Product, Category).join(Category, on=(Product.category == Category.id), join_type=JOIN.LEFT_OUTER)
    found: dict[int, Product] = {}
    exact = base.where((Product.barcode == text) | (Product.sku == text) | (Product.sku == text.upper()))
    for p in exact.limit(limit):
        found[p.id] = p
    if len(found) < limit:
        words = [w for w in text.split() if w]
        cond = Product.active == True  # noqa: E712
        for w in words:
            variants = {w, w.lower(), w.capitalize(), w.upper()}
            match = None
            for v in variants:
                m = Product.name.contains(v) | Product.sku.startswith(v)
                match = m if match is None else (match | m)
            cond = cond & match
        for p in base.where(cond).order_by(Product.name).limit(limit):
            found.setdefault(p.id, p)
            if len(found) >= limit:
                break
    out = []
    for p in list(found.values())[:limit]:
        cat = p.category.name if p.category_id else ""
        out.append(ProductChoice(p.id, p.sku, p.barcode or "", p.name, cat, _unit_value(p, include_tax),
                                   p.stock_on_hand))
    return out
