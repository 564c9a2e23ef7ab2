"""Importing the tills' files into the ledger: all or nothing, once, audited, on both backends."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from desk.errors import InvalidInput, NotAllowed
from desk.models import AuditEvent, Category, Customer, Product, Sale, SaleImport, SaleLine, Tender, TillRefund
from desk.services import audit, sales_import
from desk.services.auth import command_line_actor
from desk.services.sales_import import ImportCancelled, ImportRefused, import_file, preview
from desk.services.staff import create_staff

DATA = Path(__file__).resolve().parent.parent / "data"


def counts():
    return {
        "sales": Sale.select().count(),
        "lines": SaleLine.select().count(),
        "tenders": Tender.select().count(),
        "refunds": TillRefund.select().count(),
        "products": Product.select().count(),
        "customers": Customer.select().count(),
        "categories": Category.select().count(),
        "imports": SaleImport.select().count(),
        "events": AuditEvent.select().count(),
    }


def sale(receipt):
    s = Sale.get(Sale.receipt_no == receipt)
    lines = list(s.lines.order_by(SaleLine.line_no))
    tenders = list(s.tenders.order_by(Tender.seq))
    return s, lines, tenders


# ------------------------------------------------------------------ each format, both backends

def test_canonical_import_stores_what_was_paid(store):
    _, admin = store
    result = import_file(admin, DATA / "canonical_good.csv")
    assert (result.format, result.sales_added, result.sales_skipped, result.lines_added) == ("canonical", 3, 0, 5)
    assert (result.products_created, result.customers_created, result.already_imported) == (4, 3, False)

    s, lines, tenders = sale("R1001")
    assert (s.total, s.subtotal, s.discount_total, s.tax_total, s.currency, s.source) == (3950, 4550, 600, 659, "GBP", "canonical")
    assert s.sold_at == dt.datetime(2026, 10, 3, 13, 22, 5)  # UTC
    assert s.till.code == "T1" and s.cashier == "Sam"
    assert [(l.sku, l.quantity, l.unit_price, l.line_discount, l.order_discount_share, l.paid, l.tax_rate, l.tax_amount) for l in lines] == [
        ("TSH-M-WHT", 2, 1800, 0, 404, 3196, Decimal(20), 533),
        ("MUG-01", 1, 950, 100, 96, 754, Decimal(20), 126),
    ]
    assert [(t.method, t.amount, t.card_brand, t.card_last4, t.reference) for t in tenders] == [
        ("card", 3000, "Visa", "4242", "AUTH123"),
        ("cash", 950, "", "", ""),
    ]
    assert s.customer.name == "Łucja Wiśniewska" and s.customer.email == "lucja@example.pl"
    assert lines[0].product.sku == "TSH-M-WHT" and lines[0].product.category.name == "Clothing"
    assert lines[0].product.barcode == "5012345678900"

    s2, lines2, _ = sale("R1002")
    assert lines2[0].description == "Lavender candle\n(hand-poured, 200 g)"
    assert lines2[1].product is None and lines2[1].tax_amount == 0
    assert s2.customer.name == "Zoë Ødegård" and s2.customer.phone == "07700 900123"

    imp = SaleImport.get()
    assert (imp.filename, imp.format, imp.rows, imp.sales_added, imp.sales_skipped, imp.lines_added, imp.staff_code) == (
        "canonical_good.csv", "canonical", 9, 3, 0, 5, "900")
    assert len(imp.sha256) == 64
    event = AuditEvent.get(AuditEvent.action == "sales.imported")
    details = json.loads(event.details)
    assert (event.staff_code, details["filename"], details["sha256"], details["sales_added"], details["lines_added"]) == (
        "900", "canonical_good.csv", imp.sha256, 3, 5)
    assert audit.verify_chain().ok


def test_shopify_import(store):
    _, admin = store
    result = import_file(admin, DATA / "shopify_orders_good.csv")
    assert (result.sales_added, result.lines_added, result.refunds_added) == (4, 6, 1)
    s, lines, tenders = sale("#1002")
    assert [(l.line_discount, l.order_discount_share, l.paid, l.tax_amount) for l in lines] == [(500, 98, 3902, 650), (0, 102, 4098, 683)]
    assert (s.total, s.tax_total) == (8000, 1333)
    assert [(t.method, t.amount) for t in tenders] == [("other", 8000)]
    s4, lines4, _ = sale("#1004")  # tax on top in the file; the ledger stores what was paid
    assert (s4.total, s4.tax_total, lines4[0].paid, lines4[0].tax_amount) == (1800, 300, 1800, 300)
    assert Product.get(Product.sku == "TT-01").price == 600  # the shelf price as this store shows prices: with tax
    _, lines3, _ = sale("#1003")
    [refund] = list(lines3[0].till_refunds)
    assert (refund.quantity, refund.amount, refund.source, refund.source_ref) == (1, 2800, "shopify", "#1003 refunded 2800")


def test_square_import_with_till_refunds(store):
    _, admin = store
    result = import_file(admin, DATA / "square_item_sales_good.csv")
    assert (result.sales_added, result.lines_added, result.refunds_added, result.customers_created) == (3, 5, 1, 2)
    s, lines, tenders = sale("Kx1aB2cD3eF4")
    assert [(l.paid, l.tax_amount, l.tax_rate) for l in lines] == [(3240, 540, Decimal(20)), (1140, 190, Decimal(20))]
    assert (s.total, s.tax_total) == (4380, 730)
    assert [(t.method, t.amount, t.reference) for t in tenders] == [("other", 3240, "PAY-0001"), ("other", 1140, "PAY-0002")]
    assert s.till.code == "Front Counter iP"
    [refund] = list(lines[0].till_refunds)
    assert (refund.quantity, refund.amount, refund.refunded_at, refund.source) == (1, 1620, dt.datetime(2026, 10, 5, 11, 0), "square")
    assert not list(lines[1].till_refunds)

    # A refund made a week later, in the next export, lands on the line already in the ledger.
    later = import_file(admin, DATA / "square_later_refund.csv")
    assert (later.sales_added, later.refunds_added) == (0, 1)
    _, lines2, _ = sale("Lm3cD4eF5gH6")
    assert [(r.quantity, r.amount) for r in lines2[0].till_refunds] == [(1, 660)]


# ------------------------------------------------------------------ once only

def test_reimporting_changes_nothing(sqlite_store):
    _, admin = sqlite_store
    import_file(admin, DATA / "square_item_sales_good.csv")
    before = counts()
    again = import_file(admin, DATA / "square_item_sales_good.csv")
    assert again.already_imported and again.sales_added == 0
    assert counts() == before
    assert preview(DATA / "square_item_sales_good.csv").already_imported


def test_same_sales_in_another_file_are_skipped(sqlite_store, tmp_path):
    _, admin = sqlite_store
    import_file(admin, DATA / "canonical_good.csv")
    before = counts()
    result = import_file(admin, DATA / "canonical_good.jsonl")  # same sales, another file
    assert (result.already_imported, result.sales_added, result.sales_skipped) == (False, 0, 3)
    after = counts()
    assert after["imports"] == before["imports"] + 1 and after["events"] == before["events"] + 1
    assert {k: v for k, v in after.items() if k not in ("imports", "events")} == {k: v for k, v in before.items() if k not in ("imports", "events")}
    # The Square refund file, imported again under another name, does not double the refund.
    import_file(admin, DATA / "square_item_sales_good.csv")
    copy = tmp_path / "copy.csv"
    copy.write_bytes((DATA / "square_item_sales_good.csv").read_bytes() + b"\n")
    result = import_file(admin, copy)
    assert (result.sales_skipped, result.refunds_added) == (3, 0)
    assert TillRefund.select().count() == 1


def test_overlapping_file_adds_only_the_new_sales(sqlite_store):
    _, admin = sqlite_store
    import_file(admin, DATA / "canonical_good.csv")
    p = preview(DATA / "canonical_overlap.csv")
    assert (p.sales, p.new_sales, p.already_in_ledger, p.total, p.errors) == (2, 1, 1, 3800, [])
    result = import_file(admin, DATA / "canonical_overlap.csv")
    assert (result.sales_added, result.sales_skipped, result.products_created, result.customers_created) == (1, 1, 0, 0)
    s, lines, _ = sale("R1004")
    assert s.customer.name == "Łucja Wiśniewska"  # matched by email, whatever its case
    assert lines[0].product.sku == "MUG-01"
    assert Sale.select().where(Sale.receipt_no == "R1003").count() == 1


# ------------------------------------------------------------------ refusals

@pytest.mark.parametrize(
    "name, first",
    [
        ("canonical_broken.csv", "row 2, quantity: 'two' is not a number"),
        ("shopify_orders_broken.csv", "row 3, Lineitem quantity: 'two' is not a number"),
        ("square_item_sales_broken.csv", "row 2, Qty: 'two' is not a number"),
    ],
)
def test_a_file_with_bad_rows_imports_nothing(sqlite_store, name, first):
    _, admin = sqlite_store
    before = counts()
    with pytest.raises(ImportRefused) as err:
        import_file(admin, DATA / name)
    assert counts() == before
    assert str(err.value.errors[0]) == first
    assert first in str(err.value)
    assert f"has {len(err.value.errors)} bad rows; nothing was imported" in str(err.value)
    assert all(e.row and e.column and e.reason for e in err.value.errors)


def test_every_bad_row_is_listed_including_sums_that_do_not_add_up(sqlite_store):
    _, admin = sqlite_store
    with pytest.raises(ImportRefused) as err:
        import_file(admin, DATA / "canonical_broken.csv")
    assert [(e.row, e.column) for e in err.value.errors] == [
        (2, "quantity"), (3, "unit_price"), (4, "tax_rate"), (5, "card_last4"), (6, "method"), (7, "timestamp"), (10, "amount"),
    ]
    assert "the tenders add up to 6.00 but the lines come to 7.00" in str(err.value.errors[-1])
    p = preview(DATA / "canonical_broken.csv")
    assert len(p.errors) == 7 and p.new_sales == 2


def test_refused_message_lists_the_first_twenty(tmp_path, sqlite_store):
    _, admin = sqlite_store
    header = (DATA / "canonical_good.csv").read_text(encoding="utf-8").splitlines()[0]
    rows = [f"line,R{n},2026-10-03T10:00:00+01:00,,,1,,,Thing,,lots,1.00,,20,GBP" + "," * 9 for n in range(25)]
    path = tmp_path / "many.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as err:
        import_file(admin, path)
    assert len(err.value.errors) == 25
    text = str(err.value)
    assert "row 21, quantity" in text and "row 22, quantity" not in text and "and 5 more" in text


@pytest.mark.parametrize("name, currency", [("canonical_usd.csv", "USD"), ("shopify_orders_eur.csv", "EUR"), ("square_item_sales_usd.csv", "$")])
def test_other_currency_is_refused(sqlite_store, name, currency):
    _, admin = sqlite_store
    before = counts()
    with pytest.raises(InvalidInput) as err:
        import_file(admin, DATA / name)
    assert err.value.field == "Currency"
    assert currency in str(err.value) and "GBP" in str(err.value)
    with pytest.raises(InvalidInput):
        preview(DATA / name)
    assert counts() == before


def test_square_dollars_import_into_a_dollar_store(sqlite_db):
    from tests.conftest import make_store

    _, admin = make_store(currency="USD", locale="en_US", prices_include_tax=False)
    result = import_file(admin, DATA / "square_item_sales_usd.csv")
    assert result.sales_added == 3
    s, lines, _ = sale("Kx1aB2cD3eF4")
    assert (s.currency, s.total, lines[0].unit_price) == ("USD", 4380, 1500)


def test_bom_file_imports(sqlite_store):
    _, admin = sqlite_store
    assert import_file(admin, DATA / "canonical_bom.csv").sales_added == 3
    assert sale("R1001")[0].total == 3950


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
def test_other_encodings_are_refused(sqlite_store, tmp_path, encoding):
    _, admin = sqlite_store
    path = tmp_path / "tills.csv"
    text = (DATA / "canonical_good.csv").read_text(encoding="utf-8").replace("Łucja Wiśniewska", "Lucía Wisniewska")
    path.write_bytes(text.encode(encoding))
    with pytest.raises(InvalidInput) as err:
        import_file(admin, path)
    assert err.value.field == "File" and "UTF-8" in str(err.value)
    assert Sale.select().count() == 0


def test_truncated_file_imports_nothing(sqlite_store, tmp_path):
    _, admin = sqlite_store
    text = (DATA / "shopify_orders_good.csv").read_text(encoding="utf-8")
    path = tmp_path / "cut.csv"
    path.write_text(text[: text.index("please wrap")], encoding="utf-8")
    with pytest.raises(ImportRefused, match="cut short"):
        import_file(admin, path)
    assert Sale.select().count() == 0


def test_clerk_may_not_import(sqlite_store):
    store, _ = sqlite_store
    clerk = create_staff("101", "Zoë Ødegård", "clerk", "318604", store)
    with pytest.raises(NotAllowed):
        import_file(clerk, DATA / "canonical_good.csv")
    assert Sale.select().count() == 0


def test_command_line_actor_is_audited_as_cli(sqlite_store):
    import_file(command_line_actor(), DATA / "canonical_good.csv")
    assert SaleImport.get().staff_code == "cli"
    assert AuditEvent.get(AuditEvent.action == "sales.imported").staff_code == "cli"


def test_refund_of_an_unknown_sale_is_a_bad_row(sqlite_store):
    _, admin = sqlite_store
    with pytest.raises(ImportRefused) as err:
        import_file(admin, DATA / "square_later_refund.csv")
    [e] = err.value.errors
    assert (e.row, e.column) == (2, "Transaction ID") and "neither in this file nor in the ledger" in e.reason
    assert TillRefund.select().count() == 0 and SaleImport.select().count() == 0


def test_refund_of_more_than_was_sold_is_a_bad_row(sqlite_store, tmp_path):
    _, admin = sqlite_store
    import_file(admin, DATA / "square_item_sales_good.csv")
    text = (DATA / "square_later_refund.csv").read_text(encoding="utf-8").replace(",-1,", ",-4,")
    path = tmp_path / "too_many.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportRefused, match="refunds 4 of 'Lavender candle' but sale Lm3cD4eF5gH6 sold 3"):
        import_file(admin, path)


# ------------------------------------------------------------------ cancel and progress

def test_cancel_leaves_nothing(sqlite_store):
    _, admin = sqlite_store
    before = counts()
    with pytest.raises(ImportCancelled, match="nothing was imported"):
        import_file(admin, DATA / "canonical_good.csv", cancel=lambda: True)
    assert counts() == before


def test_cancel_after_some_batches_leaves_nothing(sqlite_store, monkeypatch):
    _, admin = sqlite_store
    monkeypatch.setattr(sales_import, "BATCH", 1)
    before = counts()
    asked = []

    def cancel():
        asked.append(1)
        return len(asked) >= 3  # after two sales were written

    with pytest.raises(ImportCancelled):
        import_file(admin, DATA / "canonical_good.csv", cancel=cancel)
    assert len(asked) == 3
    assert counts() == before
    # and the same file imports fine afterwards
    assert import_file(admin, DATA / "canonical_good.csv").sales_added == 3


def test_progress_counts_sales(sqlite_store, monkeypatch):
    _, admin = sqlite_store
    monkeypatch.setattr(sales_import, "BATCH", 2)
    seen = []
    import_file(admin, DATA / "canonical_good.csv", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 3), (2, 3), (3, 3)]


# ------------------------------------------------------------------ products and customers

def test_products_and_customers_matched_before_created(sqlite_store):
    _, admin = sqlite_store
    kitchen = Category.create(name="Kitchen")
    mug = Product.create(sku="MUG-01", name="Mug (catalogue)", category=kitchen, price=950, tax_rate=Decimal(20))
    book = Product.create(sku="BK-ODYSSEY", barcode="9780140449136", name="Odyssey", price=1299, tax_rate=Decimal(0))
    lucja = Customer.create(name="Łucja W.", email="Lucja@Example.pl")
    zoe = Customer.create(name="Zoë", phone="07700 900123")
    result = import_file(admin, DATA / "canonical_good.csv")
    assert (result.products_created, result.customers_created) == (2, 1)  # T-shirt and candle; reader@example.com
    _, lines, _ = sale("R1001")
    assert lines[1].product_id == mug.id
    assert sale("R1003")[1][0].product_id == book.id  # matched by barcode
    assert sale("R1001")[0].customer_id == lucja.id  # by email
    assert sale("R1002")[0].customer_id == zoe.id  # by phone
    assert sale("R1003")[0].customer.email == "reader@example.com"
    assert Product.get(Product.sku == "CAND-LAV").category.name == "Home"  # new category
    assert Category.select().where(Category.name == "Kitchen").count() == 1


def test_square_customers_matched_by_their_square_id(sqlite_store, tmp_path):
    _, admin = sqlite_store
    import_file(admin, DATA / "square_item_sales_good.csv")
    text = (DATA / "square_item_sales_good.csv").read_text(encoding="utf-8").replace("Kx1aB2cD3eF4", "Zz9yY8xX7wW6")
    text = "\n".join(l for l in text.splitlines() if "Refund" not in l) + "\n"
    path = tmp_path / "next_day.csv"
    path.write_text(text, encoding="utf-8")
    result = import_file(admin, path)
    assert (result.sales_added, result.customers_created) == (1, 0)
    assert sale("Zz9yY8xX7wW6")[0].customer_id == sale("Kx1aB2cD3eF4")[0].customer_id


# ------------------------------------------------------------------ preview

def test_preview_writes_nothing_and_says_what_would_happen(sqlite_store):
    before = counts()
    p = preview(DATA / "square_item_sales_good.csv")
    assert counts() == before
    assert (p.format, p.filename, p.rows, p.sales, p.lines, p.new_sales, p.already_in_ledger, p.refunds) == (
        "square", "square_item_sales_good.csv", 6, 3, 5, 3, 0, 1)
    assert (p.total, p.currency, p.errors, p.already_imported) == (4380 + 3279 + 1200, "GBP", [], False)
    assert p.first == dt.datetime(2026, 10, 3, 10, 15, 2) and p.last == dt.datetime(2026, 10, 4, 9, 5)


def test_preview_of_broken_shopify_lists_rows(sqlite_store):
    p = preview(DATA / "shopify_orders_broken.csv")
    assert [str(e) for e in p.errors][0] == "row 3, Lineitem quantity: 'two' is not a number"
    assert [e.row for e in p.errors] == [3, 4, 5, 6]


# ------------------------------------------------------------------ Shopify's growing Refunded Amount

def _shopify_with_refund(tmp_path, name, amount):
    text = (DATA / "shopify_orders_good.csv").read_text(encoding="utf-8").replace("Cash,,28.00,", f"Cash,,{amount},")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shopify_refunded_amount_grows_between_exports(sqlite_store, tmp_path):
    _, admin = sqlite_store
    import_file(admin, DATA / "shopify_orders_good.csv")  # #1003: 28.00 of 56.00 refunded: one slipper
    later = import_file(admin, _shopify_with_refund(tmp_path, "later.csv", "56.00"))  # now all of it
    assert (later.sales_added, later.sales_skipped, later.refunds_added) == (0, 4, 1)
    _, lines, _ = sale("#1003")
    assert sorted((r.quantity, r.amount, r.source_ref) for r in lines[0].till_refunds) == [
        (1, 2800, "#1003 refunded 2800"), (1, 2800, "#1003 refunded 5600")]
    again = import_file(admin, _shopify_with_refund(tmp_path, "again.csv", "56.00 "))  # another file, same state
    assert again.refunds_added == 0
    assert TillRefund.select().count() == 2


def test_shopify_refund_that_cannot_be_placed_is_a_bad_row(sqlite_store, tmp_path):
    _, admin = sqlite_store
    with pytest.raises(ImportRefused) as err:
        import_file(admin, _shopify_with_refund(tmp_path, "odd.csv", "30.00"))
    [e] = err.value.errors
    assert (e.row, e.column) == (7, "Refunded Amount") and "does not say which items were refunded" in e.reason
    assert Sale.select().count() == 0
    with pytest.raises(ImportRefused):
        import_file(admin, _shopify_with_refund(tmp_path, "too_much.csv", "60.00"))


def test_a_race_with_another_desk_leaves_nothing_half_done(store, monkeypatch, tmp_path):
    """Another desk imports the same sales between our check and our write: the ledger's unique
    receipt number stops us, the whole transaction rolls back, and the message says what to do."""
    from desk.errors import DeskError

    _, admin = store
    import_file(admin, DATA / "canonical_good.csv")
    before = counts()
    monkeypatch.setattr(sales_import, "_existing_receipts", lambda receipts, store: set())  # we do not see them
    with pytest.raises(DeskError, match="being imported on another desk at the same moment; nothing was imported"):
        import_file(admin, DATA / "canonical_good.jsonl")
    assert counts() == before


def test_barcode_only_line_finds_a_product_kept_under_that_code(sqlite_store, tmp_path):
    _, admin = sqlite_store
    existing = Product.create(sku="9780140449136", name="Odyssey", price=1299, tax_rate=Decimal(0))
    text = (DATA / "canonical_good.csv").read_text(encoding="utf-8").replace("BOOK-17,9780140449136", ",9780140449136")
    path = tmp_path / "barcode_only.csv"
    path.write_text(text, encoding="utf-8")
    assert import_file(admin, path).sales_added == 3
    assert sale("R1003")[1][0].product_id == existing.id
