"""Reading the tills' files: every format into the right amounts, every bad row reported."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.errors import InvalidInput
from desk.io.feeds.square import parse_money, zone
from desk.io.pos_feeds import FORMATS, RowError, detect_format, read_feed
from desk.money import allocate
from desk.services.sales import price_sale

DATA = Path(__file__).resolve().parent.parent / "data"


def by_receipt(feed):
    return {s.sale.receipt_no: s for s in feed.sales}


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("canonical_good.csv", "canonical"),
        ("canonical_good.jsonl", "canonical"),
        ("canonical_bom.csv", "canonical"),
        ("shopify_orders_good.csv", "shopify"),
        ("square_item_sales_good.csv", "square"),
    ],
)
def test_detect_format_from_the_header(name, fmt):
    assert detect_format(DATA / name) == fmt
    assert fmt in FORMATS


def test_row_error_reads_as_a_sentence():
    assert str(RowError(3, "Lineitem quantity", "'two' is not a number")) == "row 3, Lineitem quantity: 'two' is not a number"


# ------------------------------------------------------------------ canonical

def test_canonical_csv_lines_tenders_and_customer():
    feed = read_feed(DATA / "canonical_good.csv")
    assert (feed.format, feed.currency, feed.rows, feed.errors) == ("canonical", "GBP", 9, [])
    sales = by_receipt(feed)
    r1 = sales["R1001"]
    assert r1.row == 2
    assert r1.sale.sold_at == dt.datetime(2026, 10, 3, 13, 22, 5, tzinfo=dt.timezone.utc)
    assert r1.sale.till_code == "T1"
    assert r1.sale.order_discount == 500
    assert [(l.sku, l.description, l.quantity, l.unit_price, l.line_discount, l.tax_rate) for l in r1.sale.lines] == [
        ("TSH-M-WHT", "Organic cotton T-shirt, M, white", 2, 1800, 0, Decimal(20)),
        ("MUG-01", "Stoneware mug", 1, 950, 100, Decimal(20)),
    ]
    assert [(t.method, t.amount, t.card_brand, t.card_last4, t.reference) for t in r1.sale.tenders] == [
        ("card", 3000, "Visa", "4242", "AUTH123"),
        ("cash", 950, "", "", ""),
    ]
    assert (r1.customer.name, r1.customer.email, r1.customer.phone) == ("Łucja Wiśniewska", "lucja@example.pl", "+48 600 100 200")
    assert r1.products[0].barcode == "5012345678900" and r1.products[0].category == "Clothing"
    # The quoted description runs over two lines of the file: the next receipt starts on row 6.
    r2 = sales["R1002"]
    assert r2.row == 6
    assert r2.sale.lines[0].description == "Lavender candle\n(hand-poured, 200 g)"
    assert r2.products[1] is None  # gift wrap: no SKU, no barcode
    assert r2.customer.name == "Zoë Ødegård"


def test_canonical_priced_by_hand():
    """R1001 in a store whose prices include tax: 2 x 18.00 and 9.50 less 1.00, order discount 5.00."""
    sale = by_receipt(read_feed(DATA / "canonical_good.csv"))["R1001"].sale
    priced = price_sale(sale, prices_include_tax=True)
    # Grosses 3600 and 850; 5.00 spread 404.49 / 95.51 -> 404 / 96 by largest remainder.
    assert [l.order_discount_share for l in priced.lines] == [404, 96]
    assert [l.paid for l in priced.lines] == [3196, 754]
    # Tax inside the price at 20%: 3196 - round(3196 / 1.2) = 533; 754 - 628 = 126.
    assert [l.tax_amount for l in priced.lines] == [533, 126]
    assert (priced.total, priced.tax_total) == (3950, 659)
    assert sum(t.amount for t in sale.tenders) == 3950


def test_jsonl_reads_the_same_as_csv():
    csv_feed, jsonl_feed = read_feed(DATA / "canonical_good.csv"), read_feed(DATA / "canonical_good.jsonl")
    assert [s.sale for s in csv_feed.sales] == [s.sale for s in jsonl_feed.sales]
    assert [s.row for s in jsonl_feed.sales] == [1, 5, 8]  # JSON Lines: the first line is row 1


def test_bom_file_reads_like_the_plain_one():
    plain, bom = read_feed(DATA / "canonical_good.csv"), read_feed(DATA / "canonical_bom.csv")
    assert [s.sale for s in bom.sales] == [s.sale for s in plain.sales]
    assert bom.sha256 != plain.sha256


def test_canonical_broken_reports_every_bad_row():
    feed = read_feed(DATA / "canonical_broken.csv")
    assert [str(e) for e in feed.errors] == [
        "row 2, quantity: 'two' is not a number",
        "row 3, unit_price: '12,50' is not an amount (write it like 12.50)",
        "row 4, tax_rate: 'abc' is not a tax rate (write it like 20 or 8.875)",
        "row 5, card_last4: has 16 digits: give only the last four digits, never a card number (it was not stored)",
        "row 6, method: 'cheque' is not one of cash, card, gift_card, other",
        "row 7, timestamp: '2026-10-03 10:15:00' has no UTC offset (write it like 2026-10-03T14:22:05+01:00)",
    ]
    assert "4242424242424242" not in " ".join(str(e) for e in feed.errors)
    assert sorted(by_receipt(feed)) == ["R9005", "R9006"]  # the sales without bad rows


def write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode(encoding))
    return path


@pytest.mark.parametrize(
    "content, encoding, says",
    [
        ("", "utf-8", "is empty"),
        ("\n\n  \n", "utf-8", "is empty"),
        ((DATA / "canonical_good.csv").read_text(encoding="utf-8"), "utf-16", "UTF-16"),
        ("record,receipt,description\nline,R1,Café crème\n", "latin-1", "is not UTF-8 (byte 0xE9 on line 2)"),
        ("date,amount,what\n2026-10-03,12.00,coffee\n", "utf-8", "is not a file Desk can import"),
    ],
)
def test_file_level_problems_are_refused_clearly(tmp_path, content, encoding, says):
    path = write(tmp_path, "tills.csv", content, encoding)
    with pytest.raises(InvalidInput) as err:
        read_feed(path)
    assert err.value.field == "File"
    assert says in str(err.value)


def test_header_only_file_is_refused(tmp_path):
    header = (DATA / "shopify_orders_good.csv").read_text(encoding="utf-8").splitlines()[0] + "\n"
    with pytest.raises(InvalidInput, match="has a header but no rows"):
        read_feed(write(tmp_path, "orders.csv", header))


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match="does not exist"):
        read_feed(tmp_path / "nothing.csv")


def test_truncated_in_a_quoted_field_is_a_row_error(tmp_path):
    text = (DATA / "canonical_good.csv").read_text(encoding="utf-8")
    cut = text[: text.index("(hand-poured") + 5]  # stops inside the quoted description of row 6
    feed = read_feed(write(tmp_path, "cut.csv", cut))
    assert [(e.row, e.column) for e in feed.errors] == [(6, "whole row")]
    assert "cut short" in feed.errors[0].reason


def test_truncated_last_row_is_a_row_error(tmp_path):
    text = (DATA / "square_item_sales_good.csv").read_text(encoding="utf-8")
    cut = text[: text.rindex("RFD-0001") + 3]
    feed = read_feed(write(tmp_path, "cut.csv", cut))
    assert len(feed.errors) == 1
    assert feed.errors[0].column == "whole row" and "cut short" in feed.errors[0].reason


def test_truncated_jsonl_is_a_row_error(tmp_path):
    text = (DATA / "canonical_good.jsonl").read_text(encoding="utf-8")
    feed = read_feed(write(tmp_path, "cut.jsonl", text[:-30]))
    assert feed.errors[-1].row == 9 and "cut short" in feed.errors[-1].reason


def test_a_format_that_does_not_match_the_header_is_refused():
    with pytest.raises(InvalidInput, match="does not look like a Shopify orders export"):
        read_feed(DATA / "canonical_good.csv", "shopify")
    with pytest.raises(InvalidInput, match="not one of"):
        read_feed(DATA / "canonical_good.csv", "lightspeed")


def test_mixed_currencies_in_one_file_are_bad_rows(tmp_path):
    text = (DATA / "canonical_good.csv").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    lines[-2] = lines[-2].replace(",GBP,", ",EUR,")  # R1003's line row
    feed = read_feed(write(tmp_path, "mixed.csv", "".join(lines)))
    assert any(e.column == "currency" and "one file, one currency" in e.reason for e in feed.errors)


# ------------------------------------------------------------------ shopify

def test_shopify_orders_grouped_by_name_with_discounts_tax_and_tenders():
    feed = read_feed(DATA / "shopify_orders_good.csv")
    assert (feed.format, feed.currency, feed.rows, feed.errors) == ("shopify", "GBP", 6, [])
    orders = by_receipt(feed)
    assert list(orders) == ["#1001", "#1002", "#1003", "#1004"]

    o1 = orders["#1001"]  # continuation row (socks) carries only Lineitem columns
    assert [(l.description, l.quantity, l.unit_price) for l in o1.sale.lines] == [("Merino crew jumper - M", 1, 6500), ("Wool socks - L", 2, 1200)]
    assert o1.sale.order_discount == 890 and o1.prices_include_tax is True  # Total == Subtotal: tax included
    assert o1.sale.sold_at == dt.datetime(2026, 10, 3, 13, 22, 5, tzinfo=dt.timezone.utc)
    priced = price_sale(o1.sale, True)
    assert [l.order_discount_share for l in priced.lines] == [650, 240]
    assert [l.paid for l in priced.lines] == [5850, 2160]
    assert [l.tax_amount for l in priced.lines] == [975, 360] and priced.tax_total == 1335  # Taxes 13.35
    assert [(t.method, t.amount) for t in o1.sale.tenders] == [("card", 8010)]
    assert o1.customer.name == "Łucja Wiśniewska"

    o2 = orders["#1002"]  # 7.00 Discount Amount: 5.00 of it on the trainers' line, 2.00 for the order
    assert [l.line_discount for l in o2.sale.lines] == [500, 0] and o2.sale.order_discount == 200
    priced = price_sale(o2.sale, True)
    # 2.00 over 40.00 and 42.00: 97.56 / 102.44 -> 98 / 102.
    assert [l.order_discount_share for l in priced.lines] == [98, 102]
    assert [l.paid for l in priced.lines] == [3902, 4098] and priced.total == 8000
    assert [l.tax_amount for l in priced.lines] == [650, 683]
    # Two payment methods and no split in the export: one tender that says so.
    assert [(t.method, t.amount, t.reference) for t in o2.sale.tenders] == [("other", 8000, "Shopify Payments + Gift Card c23450102.1")]
    assert o2.customer.name == "Zoë Ødegård" and o2.customer.phone == "+47 912 34 567"

    o3 = orders["#1003"]  # Refunded Amount 28.00 of 2 x 28.00: one unit of the line
    assert [(r.line_no, r.quantity, r.amount) for r in o3.refunds] == [(1, 1, 2800)]
    assert [(t.method, t.amount) for t in o3.sale.tenders] == [("cash", 5600)]

    o4 = orders["#1004"]  # Total 18.00 = Subtotal 15.00 + Taxes 3.00: tax on top
    assert o4.prices_include_tax is False
    priced = price_sale(o4.sale, False)
    assert (priced.total, priced.tax_total) == (1800, 300)
    assert [(t.method, t.amount) for t in o4.sale.tenders] == [("gift_card", 1800)]


def test_shopify_broken_reports_every_bad_row():
    feed = read_feed(DATA / "shopify_orders_broken.csv")
    assert [(e.row, e.column) for e in feed.errors] == [
        (3, "Lineitem quantity"),
        (4, "Total"),
        (5, "Lineitem price"),
        (6, "Created at"),
    ]
    assert str(feed.errors[0]) == "row 3, Lineitem quantity: 'two' is not a number"
    assert list(by_receipt(feed)) == ["#2005"]


def test_shopify_taxes_included_column_wins(tmp_path):
    text = (DATA / "shopify_orders_good.csv").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    lines[0] = lines[0].rstrip("\n") + ",Taxes included\n"
    lines = [lines[0]] + [l.rstrip("\n") + (",true\n" if l.startswith("#1001,lucja") else ",\n") for l in lines[1:] if l.startswith("#")]
    feed = read_feed(write(tmp_path, "orders.csv", "".join(lines)))
    assert by_receipt(feed)["#1001"].prices_include_tax is True


# ------------------------------------------------------------------ square

@pytest.mark.parametrize(
    "raw, value, symbol",
    [
        ("$12.00", Decimal("12.00"), "$"),
        ("-$1.00", Decimal("-1.00"), "$"),
        ("£3.50", Decimal("3.50"), "£"),
        ("(£1.00)", Decimal("-1.00"), "£"),
        ("$1,234.50", Decimal("1234.50"), "$"),
        ("€0.99", Decimal("0.99"), "€"),
        ("12.00", Decimal("12.00"), ""),
    ],
)
def test_square_money(raw, value, symbol):
    assert parse_money(raw) == (value, symbol)


@pytest.mark.parametrize("raw", ["12 dollars", "$", "(£1.00", "£1.2.3", "₿1.00"])
def test_square_money_refused(raw):
    with pytest.raises(ValueError):
        parse_money(raw)


def test_square_time_zone_names():
    assert zone("Eastern Time (US & Canada)").key == "America/New_York"
    assert zone("Europe/London").key == "Europe/London"
    assert zone("Pacific Time (US & Canada)").key == "America/Los_Angeles"
    assert zone("Mars/Olympus") is None


def test_square_item_sales_by_hand():
    feed = read_feed(DATA / "square_item_sales_good.csv")
    assert (feed.format, feed.currency, feed.rows, feed.errors) == ("square", "GBP", 6, [])
    sales = by_receipt(feed)
    t1 = sales["Kx1aB2cD3eF4"]
    assert t1.sale.sold_at == dt.datetime(2026, 10, 3, 10, 15, 2, tzinfo=dt.timezone.utc)  # 11:15:02 BST
    assert t1.sale.till_code == "Front Counter iP"  # the ledger keeps 16 characters of a till's name
    assert [(l.description, l.quantity, l.unit_price, l.line_discount, l.tax_rate) for l in t1.sale.lines] == [
        ("Organic cotton T-shirt (M / White)", 2, 1500, 300, Decimal(20)),
        ("Stoneware mug", 1, 950, 0, Decimal(20)),
    ]
    assert t1.prices_include_tax is False
    priced = price_sale(t1.sale, False)  # tax on top of Net Sales
    assert [l.paid for l in priced.lines] == [3240, 1140] == t1.expected_paid  # 27.00 + 5.40, 9.50 + 1.90
    assert [l.tax_amount for l in priced.lines] == [540, 190]
    # Two payments (split): one tender each, method unknown to the export.
    assert [(t.method, t.amount, t.reference) for t in t1.sale.tenders] == [("other", 3240, "PAY-0001"), ("other", 1140, "PAY-0002")]
    assert (t1.customer.name, t1.customer.external_ref) == ("Łucja Wiśniewska", "square:CUST-001")
    assert [(r.line_no, r.quantity, r.amount) for r in t1.refunds] == [(1, 1, 1620)]  # 13.50 + 2.70
    assert t1.refunds[0].refunded_at == dt.datetime(2026, 10, 5, 11, 0, tzinfo=dt.timezone.utc)

    t2 = sales["Lm3cD4eF5gH6"]  # (£1.50) discount; the quoted Notes run over two lines
    assert t2.row == 4 and t2.line_rows == [4, 6]
    priced = price_sale(t2.sale, False)
    assert [l.paid for l in priced.lines] == [1980, 1299]
    assert [l.tax_rate for l in t2.sale.lines] == [Decimal(20), Decimal(0)]

    t3 = sales["Np5eF6gH7iJ8"]  # 3 for £10.00: 3.34 each, the 2p left over as the line's discount
    line = t3.sale.lines[0]
    assert (line.quantity, line.unit_price, line.line_discount) == (3, 334, 2)
    assert price_sale(t3.sale, False).lines[0].paid == 1200


def test_square_dollars_leave_the_currency_open():
    feed = read_feed(DATA / "square_item_sales_usd.csv")
    assert (feed.currency, feed.currency_symbol) == (None, "$")
    t1 = by_receipt(feed)["Kx1aB2cD3eF4"]
    assert t1.sale.sold_at == dt.datetime(2026, 10, 3, 15, 15, 2, tzinfo=dt.timezone.utc)  # 11:15 EDT


def test_square_broken_reports_every_bad_row():
    feed = read_feed(DATA / "square_item_sales_broken.csv")
    assert [(e.row, e.column) for e in feed.errors] == [(2, "Qty"), (3, "Net Sales"), (4, "Time Zone"), (5, "Gross Sales")]
    assert list(by_receipt(feed)) == ["GOOD-5"]


def test_square_refund_of_a_sale_in_another_file_waits_for_the_ledger():
    feed = read_feed(DATA / "square_later_refund.csv")
    assert feed.sales == [] and feed.errors == []
    [refund] = feed.orphan_refunds
    assert (refund.receipt_no, refund.sku, refund.quantity, refund.amount, refund.line_no) == ("Lm3cD4eF5gH6", "CAND-LAV", 1, 660, None)


# ------------------------------------------------------------------ properties

SHOPIFY_HEADER = "Name,Currency,Created at,Subtotal,Taxes,Total,Discount Amount,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Lineitem discount,Tax 1 Name,Payment Method\n"


def _amount(minor: int) -> str:
    return str(Decimal(minor).scaleb(-2).quantize(Decimal("0.01")))


@st.composite
def shopify_orders(draw):
    lines = draw(st.lists(st.tuples(st.integers(1, 5), st.integers(0, 20_000), st.integers(0, 100)), min_size=1, max_size=6))
    lines = [(q, p, min(d, q * p)) for q, p, d in lines]
    net = sum(q * p - d for q, p, d in lines)
    order_discount = draw(st.integers(0, net))
    return lines, order_discount


@settings(max_examples=60, deadline=None)
@given(shopify_orders())
def test_shopify_discounts_are_spread_without_losing_a_cent(order):
    lines, order_discount = order
    gross = sum(q * p for q, p, _ in lines)
    line_discounts = sum(d for _, _, d in lines)
    total = gross - line_discounts - order_discount
    rows = []
    for n, (q, p, d) in enumerate(lines):
        head = n == 0
        rows.append(",".join([
            "#1", "GBP" if head else "", "2026-10-03 10:00:00 +0100" if head else "",
            _amount(total) if head else "", "0.00" if head else "", _amount(total) if head else "",
            _amount(line_discounts + order_discount) if head else "",
            str(q), f"Item {n}", _amount(p), f"SKU-{n}", _amount(d), "VAT 20%" if head else "", "Cash" if head else "",
        ]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.csv"
        path.write_text(SHOPIFY_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
        feed = read_feed(path)
    assert feed.errors == []
    sale = feed.sales[0].sale
    assert sale.order_discount == order_discount
    priced = price_sale(sale, True)
    shares = [l.order_discount_share for l in priced.lines]
    assert sum(shares) == order_discount  # no cent lost or made
    assert priced.total == total == sum(t.amount for t in sale.tenders)
    nets = [q * p - d for q, p, d in lines]
    for share, net in zip(shares, nets):
        assert 0 <= share <= net
        if sum(nets):
            assert abs(Decimal(share) - Decimal(order_discount) * net / sum(nets)) < 1  # in proportion
    assert shares == allocate(order_discount, nets)


SQUARE_HEADER = "Date,Time,Time Zone,Item,Qty,SKU,Gross Sales,Discounts,Net Sales,Tax,Transaction ID,Payment ID,Event Type\n"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 12), st.integers(0, 50_000), st.integers(0, 100), st.sampled_from(["0", "5", "8.875", "20", "21"])),
        min_size=1, max_size=5,
    )
)
def test_square_lines_store_exactly_what_the_file_says_was_paid(lines):
    from desk.money import round_half_up

    rows, expected = [], []
    for n, (qty, gross, pct, rate) in enumerate(lines):
        discount = gross * pct // 100
        net = gross - discount
        tax = round_half_up(Decimal(net) * Decimal(rate) / 100)
        expected.append((net + tax, tax))
        rows.append(f"2026-10-03,10:00:00,Europe/London,Item {n},{qty},SKU-{n},${_amount(gross)},-${_amount(discount)},${_amount(net)},${_amount(tax)},TX1,PAY1,Payment")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "items.csv"
        path.write_text(SQUARE_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
        feed = read_feed(path)
    assert feed.errors == []
    fs = feed.sales[0]
    priced = price_sale(fs.sale, fs.prices_include_tax)
    assert [(l.paid, l.tax_amount) for l in priced.lines] == expected
    assert sum(t.amount for t in fs.sale.tenders) == priced.total


# ------------------------------------------------------------------ the documentation's examples

DOCS = Path(__file__).resolve().parents[2] / "docs" / "formats.md"


def _doc_block(kind: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(f"```{kind}\n") + len(kind) + 4
    return text[start : text.index("```", start)]


@pytest.mark.parametrize("kind, suffix", [("csv", ".csv"), ("json", ".jsonl")])
def test_the_documented_example_reads_as_documented(tmp_path, kind, suffix):
    path = write(tmp_path, "example" + suffix, _doc_block(kind))
    feed = read_feed(path)
    assert feed.errors == []
    [fs] = feed.sales
    priced = price_sale(fs.sale, prices_include_tax=True)
    assert [(l.order_discount_share, l.paid, l.tax_amount) for l in priced.lines] == [(404, 3196, 533), (96, 754, 126)]
    assert [(t.method, t.amount) for t in fs.sale.tenders] == [("card", 3000), ("cash", 950)]
    assert fs.customer.name == "Łucja Wiśniewska"


def test_a_card_number_anywhere_in_a_tender_reference_is_refused(tmp_path):
    from desk.io.feeds.common import looks_like_card_number

    assert looks_like_card_number("ref 4242 4242 4242 4242")
    assert not looks_like_card_number("AUTH123") and not looks_like_card_number("5550001001")
    text = (DATA / "canonical_good.csv").read_text(encoding="utf-8").replace("AUTH777", "4000-0566-5566-5556")
    feed = read_feed(write(tmp_path, "pan.csv", text))
    assert [(e.row, e.column) for e in feed.errors] == [(11, "reference")]
    assert "5556" not in str(feed.errors[0])


def test_windows_line_ends_and_unicode_line_separators(tmp_path):
    text = (DATA / "canonical_good.csv").read_text(encoding="utf-8")
    crlf = read_feed(write(tmp_path, "crlf.csv", text.replace("\n", "\r\n")))
    assert crlf.errors == [] and [s.row for s in crlf.sales] == [2, 6, 10]
    assert crlf.sales[1].sale.lines[0].description == "Lavender candle\r\n(hand-poured, 200 g)"
    # U+2028 and NEL are characters in a field, not line ends.
    odd = read_feed(write(tmp_path, "odd.csv", text.replace("Stoneware mug", "Stone\x85ware\u2028mug")))
    assert odd.errors == [] and odd.sales[0].sale.lines[1].description == "Stone\x85ware\u2028mug"
    jsonl = (DATA / "canonical_good.jsonl").read_text(encoding="utf-8").replace("Stoneware mug", "Stoneware\u2028mug")
    feed = read_feed(write(tmp_path, "odd.jsonl", jsonl))
    assert feed.errors == [] and feed.sales[0].sale.lines[1].description == "Stoneware\u2028mug"


def test_bad_quoting_in_the_middle_is_named(tmp_path):
    text = (DATA / "canonical_good.csv").read_text(encoding="utf-8").replace('"Organic cotton T-shirt, M, white"', '"Organic "cotton" T-shirt"')
    feed = read_feed(write(tmp_path, "quotes.csv", text))
    assert feed.errors[0].row == 2 and "must be doubled" in feed.errors[0].reason


def test_shopify_voided_orders_are_not_sales(tmp_path):
    text = (DATA / "shopify_orders_good.csv").read_text(encoding="utf-8").replace("#1004,reader@example.com,paid,", "#1004,reader@example.com,voided,")
    feed = read_feed(write(tmp_path, "voided.csv", text))
    assert list(by_receipt(feed)) == ["#1001", "#1002", "#1003"]
    assert feed.not_sales == ["#1004"] and feed.errors == []


def test_canonical_header_without_a_required_column_is_refused(tmp_path):
    text = (DATA / "canonical_good.csv").read_text(encoding="utf-8").replace("tax_rate,currency", "vat,currency", 1)
    with pytest.raises(InvalidInput, match="its header has no tax_rate column"):
        read_feed(write(tmp_path, "novat.csv", text))


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet='ab,"\r\n\u2028é€', max_size=60), piece=st.integers(min_value=1, max_value=8))
def test_a_file_read_in_pieces_gives_the_lines_and_rows_of_a_file_read_whole(text, piece):
    """Lines ending in \\n, \\r\\n or a lone \\r, a quoted value across lines, no newline at the
    end, a character StringIO does not end a line at: the same lines and the same CSV rows."""
    import csv
    import io

    from desk.io.feeds.common import text_lines

    assert list(text_lines(text, piece)) == list(io.StringIO(text, newline=""))

    def rows(lines):
        try:
            return list(csv.reader(lines, strict=True))
        except csv.Error as exc:
            return str(exc)

    assert rows(text_lines(text, piece)) == rows(io.StringIO(text, newline=""))


def test_a_rows_values_read_by_name_as_a_dict_of_them_would():
    """Each row's values by column name, a repeated name giving its last column, an unknown name
    the default, as dict(zip(header, values)) gives them."""
    from desk.io.feeds.common import csv_rows

    text = 'Name,Qty,Note,Qty\n#1001,2,"a, b",3\n#1002,,,\n'
    errors: list = []
    header, rows = csv_rows(text, errors)
    assert errors == [] and header == ["Name", "Qty", "Note", "Qty"]
    expected = [dict(zip(header, ["#1001", "2", "a, b", "3"])), dict(zip(header, ["#1002", "", "", ""]))]
    for row, values in zip(rows, expected):
        for name in ("Name", "Qty", "Note", "Price"):
            assert row.values.get(name) == values.get(name)
            assert row.values.get(name, "-") == values.get(name, "-")
    assert [r.row for r in rows] == [2, 3]


@settings(max_examples=400)
@given(st.text(alphabet="0123456789.,-+ e\u0663\u00b2", max_size=9), st.sampled_from([0, 2, 3]))
def test_the_fast_money_reader_reads_a_plain_amount_as_a_decimal_would_and_nothing_else(raw, places):
    """``canonical._fast_money`` ('12.50' -> 1250): digits with at most ``places`` decimals,
    read as Decimal reads them; anything else (a sign, a comma, an exponent, a digit that is
    not ASCII, more decimals) is left to the exact reader."""
    from desk.io.feeds.canonical import _fast_money, _Unusual

    whole, dot, frac = raw.partition(".")
    plain = (raw.isascii() and whole.isdigit() and (not dot or frac == "" or frac.isdigit())
             and len(frac) <= places and (places > 0 or not dot or not frac))
    if plain:
        assert _fast_money(raw, places) == int(Decimal(raw) * 10**places)
    else:
        with pytest.raises(_Unusual):
            _fast_money(raw, places)
