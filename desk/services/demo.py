"""The demo store: a believable shop to learn on, built through the same services the app uses."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from desk import clock
from desk.models import Category, Customer, Product, database
from desk.services import audit
from desk.services.customers import search_keys
from desk.services.sales import LineInput, SaleInput, TenderInput, record_sales
from desk.services.staff import create_staff
from desk.services.store import StoreDetails, init_store


@dataclass(frozen=True)
class DemoStaff:
    code: str
    name: str
    role: str
    pin: str


# Shown on the sign-in screen of a demo store only. Not secrets: anyone may learn on the demo.
DEMO_STAFF = (
    DemoStaff("900", "Ada Admin", "admin", "482913"),
    DemoStaff("300", "Maja Manager", "manager", "731846"),
    DemoStaff("200", "Sam Supervisor", "supervisor", "605172"),
    DemoStaff("100", "Łucja Wiśniewska", "clerk", "274951"),
    DemoStaff("101", "Zoë Ødegård", "clerk", "318604"),
    DemoStaff("800", "Harriet Head-Office", "head_office", "946271"),
)

DEMO_STORE = StoreDetails(
    name="Harbour Street Home & Style",
    code="DEMO",
    currency="GBP",
    locale="en_GB",
    address="12 Harbour Street\nBristol BS1 4RN\nUnited Kingdom",
    tax_number="GB 123 4567 89",
    prices_include_tax=True,
)

# category -> (tax rate, [(name, price in pence, sizes or None, colours or None)])
CATALOGUE: dict[str, tuple[str, list[tuple[str, int, list[str] | None, list[str] | None]]]] = {
    "Clothing": ("20", [
        ("Organic cotton T-shirt", 1800, ["S", "M", "L", "XL"], ["White", "Navy"]),
        ("Merino crew jumper", 6500, ["S", "M", "L"], ["Charcoal"]),
        ("Linen shirt", 4200, ["M", "L"], ["Sand"]),
        ("Waxed rain jacket", 8900, ["S", "M", "L"], ["Olive"]),
        ("Wool socks", 1200, ["M", "L"], ["Oat"]),
    ]),
    "Footwear": ("20", [
        ("Canvas trainers", 4500, ["38", "40", "42", "44"], ["White"]),
        ("Leather Chelsea boots", 12000, ["40", "42", "44"], ["Brown"]),
        ("Wool slippers", 2800, ["M", "L"], ["Grey"]),
    ]),
    "Home": ("20", [
        ("Świeca sojowa – Łąka", 1650, None, None),
        ("Stoneware vase", 3400, None, ["Sage", "Cream"]),
        ("Linen cushion cover", 2200, None, ["Rust", "Olive", "Oat"]),
        ("Wool throw", 7900, None, ["Charcoal"]),
        ("Café au lait mug", 950, None, None),
        ("Beeswax wraps (3)", 1200, None, None),
    ]),
    "Kitchen": ("20", [
        ("Cast iron skillet 26 cm", 4800, None, None),
        ("Chef's knife 20 cm", 8900, None, None),
        ("Olive wood board", 3200, None, None),
        ("Espresso pot 6-cup", 3900, None, None),
        ("Glass storage jar 1 l", 850, None, None),
        ("Enamel colander", 2400, None, ["Blue", "Yellow"]),
        ("Linen tea towel", 900, None, None),
        ("Pepper mill", 2900, None, None),
    ]),
    "Toys": ("20", [
        ("Wooden train set", 3600, None, None),
        ("Knitted rabbit", 2200, None, None),
        ("Jigsaw 1000 pieces – Fjord", 1999, None, None),
        ("Stacking rings", 1400, None, None),
        ("Kite – Ørsted", 2700, None, None),
        ("Felt finger puppets", 1100, None, None),
        ("Marble run", 3400, None, None),
    ]),
    "Books": ("0", [
        ("The Quiet Kitchen (hardback)", 2500, None, None),
        ("Mending by Hand", 1499, None, None),
        ("Walks of the Severn", 1299, None, None),
        ("Notebook A5 dotted", 899, None, None),
        ("Atlas of Small Islands", 3000, None, None),
        ("Żółć i miód: stories", 1099, None, None),
        ("Birds of the Estuary", 1800, None, None),
        ("Children's picture atlas", 1400, None, None),
    ]),
}

FIRST = ["Oliver", "Amelia", "Harry", "Isla", "Jack", "Ava", "George", "Mia", "Noah", "Sophie", "Łucja", "Zoë",
         "Siobhán", "Mateusz", "Aoife", "Björn", "Priya", "Mohammed", "Chloé", "José", "Agnieszka", "Kofi", "Mei", "Ioana"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Evans", "Wiśniewska", "Ødegård",
        "O'Connor", "Nowak", "Patel", "Khan", "Müller", "García", "Nguyen", "MacLeod", "Kowalczyk", "Ferreira"]
BRANDS = ["Visa", "Mastercard", "Amex", "Maestro"]


def ean13(body12: str) -> str:
    digits = [int(c) for c in body12]
    check = (10 - (sum(digits[0::2]) + 3 * sum(digits[1::2])) % 10) % 10
    return body12 + str(check)


def _products(rng: random.Random) -> list[Product]:
    products = []
    n = 0
    for cat_name, (rate, items) in CATALOGUE.items():
        category = Category.create(name=cat_name)
        for name, price, sizes, colours in items:
            for colour in colours or [""]:
                for size in sizes or [""]:
                    n += 1
                    label = name + (f", {colour}" if colour else "") + (f", {size}" if size else "")
                    products.append(
                        Product.create(
                            sku=f"{cat_name[:3].upper()}-{n:04d}",
                            barcode=ean13(f"50{n:010d}"),
                            name=label,
                            category=category,
                            price=price,
                            tax_rate=Decimal(rate),
                            stock_on_hand=rng.choice([0, 0, 2, 3, 5, 8, 12, 20, 35]),
                            size=size,
                            colour=colour,
                        )
                    )
    return products


_PLAIN_LETTERS = str.maketrans({"ø": "o", "ł": "l", "æ": "ae", "ß": "ss", "đ": "d", "'": "", " ": ""})


def email_local(first: str, last: str) -> str:
    """The part of a demo email before the number: ``Chloé Müller`` -> ``chloe.muller`` (the
    accents dropped, not the letters), as a person with that name would write it."""
    import unicodedata

    text = f"{first}.{last}".lower().translate(_PLAIN_LETTERS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.encode("ascii", "ignore").decode() or "customer"


def _customers(rng: random.Random, count: int) -> list[int]:
    rows = []
    now = clock.utcnow()
    import uuid as uuidlib

    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email_name = email_local(first, last)
        name, phone = f"{first} {last}", f"07{rng.randrange(100000000, 999999999)}"
        rows.append({
            "uuid": uuidlib.uuid4(),
            "created_at": now,
            "name": name,
            "email": f"{email_name}{i}@example.com",
            "phone": phone,
            "notes": "",
            **search_keys(name, phone),
        })
    for i in range(0, len(rows), 2000):
        Customer.insert_many(rows[i : i + 2000]).execute()
    return [c.id for c in Customer.select(Customer.id).order_by(Customer.id)]


def _sales(rng: random.Random, products: list[Product], customer_ids: list[int], lines_wanted: int, days: int, now: dt.datetime):
    """Yield SaleInputs until ``lines_wanted`` sale lines have been made, oldest first."""
    made = 0
    seq = 0
    start = now - dt.timedelta(days=days)
    span = (now - start).total_seconds()
    # Spread sales evenly over the period in time order.
    average_lines = 2.375  # mean of the line counts chosen below
    expected_sales = max(1, int(lines_wanted / average_lines))
    step = span / expected_sales
    t = 0.0
    while made < lines_wanted:
        seq += 1
        t += rng.uniform(0.2, 1.8) * step
        sold_at = start + dt.timedelta(seconds=min(t, span - 60))
        # shops open 9:00-18:00 local; keep the demo's times believable
        sold_at = min(sold_at.replace(hour=9 + (seq * 7) % 9, minute=(seq * 13) % 60), now - dt.timedelta(minutes=1))
        n_lines = min(lines_wanted - made, rng.choice([1, 1, 1, 2, 2, 3, 4, 5]))
        chosen = rng.sample(products, n_lines)
        lines = []
        for p in chosen:
            qty = rng.choice([1, 1, 1, 1, 1, 2, 2, 3])
            disc = 0
            if rng.random() < 0.08:
                disc = (qty * p.price * rng.choice([10, 15, 20])) // 100
            lines.append(LineInput(description=p.name, quantity=qty, unit_price=p.price, tax_rate=p.tax_rate,
                                   line_discount=disc, sku=p.sku, barcode=p.barcode or "",
                                   category=p.category.name if p.category_id else "", product_id=p.id))
        gross = sum(l.quantity * l.unit_price - l.line_discount for l in lines)
        order_discount = gross * 10 // 100 if rng.random() < 0.06 else 0
        total = gross - order_discount  # prices include tax in the demo store
        tenders = _tenders(rng, total, seq)
        till = rng.choice(["T1", "T2", "T3"])
        yield SaleInput(
            receipt_no=f"{till}-{seq:07d}",
            sold_at=sold_at,
            lines=lines,
            tenders=tenders,
            order_discount=order_discount,
            till_code=till,
            cashier=rng.choice(["Tom", "Ewa", "Raj", "Lena"]),
            customer_id=rng.choice(customer_ids) if customer_ids and rng.random() < 0.35 else None,
        )
        made += n_lines


def _card(rng: random.Random, amount: int, seq: int) -> TenderInput:
    return TenderInput("card", amount, card_brand=rng.choice(BRANDS), card_last4=f"{rng.randrange(10000):04d}",
                       reference=f"AUTH{seq:08d}")


def _tenders(rng: random.Random, total: int, seq: int) -> list[TenderInput]:
    roll = rng.random()
    if roll < 0.30:
        return [TenderInput("cash", total)]
    if roll < 0.85:
        return [_card(rng, total, seq)]
    if roll < 0.90:
        return [TenderInput("gift_card", total, reference=f"GC{rng.randrange(10**8):08d}")]
    part = total * rng.choice([20, 30, 50]) // 100
    first = TenderInput("gift_card", part, reference=f"GC{rng.randrange(10**8):08d}") if rng.random() < 0.4 else TenderInput("cash", part)
    return [first, _card(rng, total - part, seq)]


@dataclass
class DemoResult:
    store_code: str
    products: int
    customers: int
    sales: int
    lines: int
    returns: int = 0  # returns made at the desk (not the returned half of an exchange)
    exchanges: int = 0


def build_demo(
    seed: int = 1,
    lines: int = 20_000,
    customers: int = 2_000,
    days: int = 120,
    progress: Callable[[str, int, int], None] | None = None,
) -> DemoResult:
    """Create the demo store in an empty database, in one transaction."""
    rng = random.Random(seed)
    now = clock.utcnow()
    admin_spec = next(s for s in DEMO_STAFF if s.role == "admin")
    with database.atomic():
        store, admin = init_store(DEMO_STORE, admin_spec.code, admin_spec.pin, admin_spec.name, is_demo=True)
        for spec in DEMO_STAFF:
            if spec is not admin_spec:
                staff = create_staff(spec.code, spec.name, spec.role, spec.pin, store if spec.role != "head_office" else None)
                audit.record("staff.added", admin, entity="staff", entity_uuid=staff.uuid, details={"code": staff.code, "name": staff.name, "role": staff.role})
        products = _products(rng)
        customer_ids = _customers(rng, customers)
        if progress:
            progress("sales", 0, lines)
        counted = {"lines": 0}

        def gen():
            for sale in _sales(rng, products, customer_ids, lines, days, now):
                counted["lines"] += len(sale.lines)
                yield sale

        written = record_sales(store, gen(), "demo",
                               progress=(lambda n: progress("sales", counted["lines"], lines)) if progress else None)
        from desk.services import demo_exchanges, demo_returns

        old_voucher = demo_exchanges.add_old_voucher(store, rng, now)
        history = demo_returns.add_history(store, rng, now, count=max(6, min(40, lines // 40)))
        exchanges = demo_exchanges.add_history(store, rng, now, count=max(6, min(16, lines // 100)))
        from desk.services.demo_orders import add_orders

        add_orders(store, rng, now)
        from desk.services.demo_cases import add_cases

        add_cases(store, rng, now)  # customers with histories, and cases in every state
        audit.record("demo.built", admin, entity="store", entity_uuid=store.uuid,
                     details={"seed": seed, "products": len(products), "customers": len(customer_ids), "sales": written, "lines": counted["lines"]})
    return DemoResult(store.code, len(products), len(customer_ids), written, counted["lines"],
                      history.returns + (1 if old_voucher else 0), exchanges.exchanges + exchanges.voided)
