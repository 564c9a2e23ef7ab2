"""What the Orders screens need that desk.services.orders does not offer: products found in the
catalogue with their stock on hand (taking an order shows it, usually 0). Reads only; no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

from desk.models import Product
from desk.services.auth import require
from desk.services.returns_ui_support import find_products


@dataclass(frozen=True)
class OrderProductChoice:
    id: int
    sku: str
    barcode: str
    name: str
    category: str
    price: int  # what one unit costs now, tax included
    stock_on_hand: int


def find_products_for_order(actor, text: str, limit: int = 20) -> list[OrderProductChoice]:
    """``returns_ui_support.find_products`` (barcode or SKU exactly first, then names), with each
    product's stock on hand."""
    require(actor, "orders.take")
    found = find_products(actor, text, limit)
    stock = dict(Product.select(Product.id, Product.stock_on_hand).where(Product.id.in_([p.id for p in found])).tuples()) \
        if found else {}
    return [OrderProductChoice(p.id, p.sku, p.barcode, p.name, p.category, p.unit_value, int(stock.get(p.id, 0)))
            for p in found]
