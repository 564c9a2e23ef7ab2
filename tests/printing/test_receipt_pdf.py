"""The receipt and gift receipt PDFs, built from in-memory data: what they say, their size, their fonts."""

from __future__ import annotations

import re

import pytest
from reportlab import rl_config

from desk.printing import build_gift_receipt, build_receipt, paper_spec
from desk.printing.data import StoreHeader, TenderRow, tax_summary
from desk.printing.layout import BarcodeFlowable, Document, ItemRow, _styles
from tests.printing.pdfcheck import MM, fonts_of, page_sizes_mm, reader, text_of
from desk.printing.samples import PRINTED_AT, SOLD_AT, STORE, gift_data, receipt_data

PAPERS = ["roll", "a4", "letter"]


def flat(text: str) -> str:
    """Extracted text with line breaks as spaces (wrapped names come out on two lines)."""
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("paper", PAPERS)
def test_reprint_shows_lines_totals_tenders_and_who_reprinted_it_when(paper):
    data = receipt_data(5)
    text = flat(text_of(build_receipt(data, paper)))
    doc = Document("x", "y", STORE)
    assert "REPRINT" in text
    assert f"Reprinted {doc.datetime(PRINTED_AT)} by Łucja Wiśniewska (100)" in text
    assert doc.datetime(SOLD_AT) in text  # when it was sold
    for line in data.lines:
        assert flat(line.description) in text
    assert "2 × £18.00" in text or "£18.00" in text  # unit price
    assert "Discount -£3.00" in text
    assert "Paid £33.00" in text
    assert "Subtotal £133.49" in text
    assert "Discounts -£4.00" in text
    assert "Total £129.49" in text
    assert "Tax included £20.25" in text
    assert "Card Visa ****4242 £109.49" in text
    assert "Cash £20.00" in text
    assert "20% £101.25 £20.25 £121.50" in text  # the tax summary by rate
    assert "0% £7.99 £0.00 £7.99" in text
    assert "Harbour Street Home & Style" in text and "Tax no. GB 123 4567 89" in text
    assert "returned within 30 days" in text  # the footer's returns policy
    assert "T01-0004217" in text


def test_an_original_receipt_is_not_marked_reprint():
    text = text_of(build_receipt(receipt_data(3, reprint=False), "roll"))
    assert "REPRINT" not in text and "Reprinted" not in text
    assert "Total" in text


def test_a_card_prints_as_brand_and_last_four_only():
    assert TenderRow("card", 100, "Mastercard", "5454").label == "Card Mastercard ****5454"
    assert TenderRow("cash", 100).label == "Cash"
    assert TenderRow("gift_card", 100).label == "Gift card"


def test_tax_summary_groups_lines_by_rate():
    rows = tax_summary(receipt_data(5).lines)
    assert [str(r.rate) for r in rows] == ["20", "0"]
    top = rows[0]
    assert top.gross == top.net + top.tax and top.tax == 2025


@pytest.mark.parametrize("paper", PAPERS)
def test_gift_receipt_lists_items_and_code_and_no_price_at_all(paper):
    data = gift_data(3)
    text = text_of(build_gift_receipt(data, paper))
    assert "G-DEMO-7KQ2MX9PRT" in text
    for line in data.lines:
        assert flat(line.description) in flat(text)
    assert "2 ×" in text  # the quantity
    assert "£" not in text and "GBP" not in text
    assert not re.search(r"\d+[.,]\d\d(?!\d)", text), "a gift receipt must not show an amount"
    assert "Total" not in text and "Paid" not in text


def test_roll_is_80mm_wide_and_as_long_as_its_content():
    short = page_sizes_mm(build_receipt(receipt_data(2), "roll"))
    long = page_sizes_mm(build_receipt(receipt_data(20), "roll"))
    assert len(short) == len(long) == 1  # one page, however long
    (w1, h1), (w2, h2) = short[0], long[0]
    assert w1 == pytest.approx(80, abs=0.01) and w2 == pytest.approx(80, abs=0.01)
    assert h2 > h1 + 100  # 18 more lines, each at least 5 mm
    assert 100 < h1 < 300


def test_roll_content_stays_inside_the_72mm_printable_width_and_the_page():
    pdf = build_receipt(receipt_data(5), "roll")
    page = reader(pdf).pages[0]
    xs, ys, sizes = [], [], []

    def visitor(text, cm, tm, font_dict, font_size):
        if text.strip():
            xs.append(tm[4] * cm[0] + cm[4])
            ys.append(tm[5] * cm[3] + cm[5])
            sizes.append(font_size * tm[3] * cm[3])

    page.extract_text(visitor_text=visitor)
    assert min(sizes) >= 8  # nothing smaller than 8 pt on the roll
    assert xs and min(xs) >= 4 * MM - 0.5  # the left margin
    height = float(page.mediabox.height)
    assert min(ys) > 0 and max(ys) < height  # nothing clipped at either end
    assert height - max(ys) < 20 * MM and min(ys) < 20 * MM  # and no paper wasted


@pytest.mark.parametrize("paper,size", [("a4", (210, 297)), ("letter", (215.9, 279.4))])
def test_sheets_are_their_paper_size(paper, size):
    sizes = page_sizes_mm(build_receipt(receipt_data(5), paper))
    assert sizes == [pytest.approx(size, abs=0.1)]


def test_a_long_receipt_runs_over_a4_pages_and_loses_no_line():
    data = receipt_data(70)
    pdf = build_receipt(data, "a4")
    sizes = page_sizes_mm(pdf)
    assert len(sizes) > 1
    text = text_of(pdf)
    assert text.count("Wool socks, L, Oat") == 14
    assert text.count("Item") == len(sizes) - (0 if "Item" in reader(pdf).pages[-1].extract_text() else 1)
    assert f"page {len(sizes)}" in text


@pytest.mark.parametrize("paper", ["roll", "a4"])
@pytest.mark.parametrize("build", [lambda p: build_receipt(receipt_data(5), p), lambda p: build_gift_receipt(gift_data(3), p)],
                         ids=["receipt", "gift"])
def test_only_dejavu_is_used_and_it_is_embedded(paper, build):
    fonts = fonts_of(build(paper))
    assert fonts, "no fonts found"
    for name, embedded in fonts.items():
        assert re.fullmatch(r"/([A-Z]{6}\+)?DejaVuSans(-Bold)?", name), f"unexpected font {name}"
        assert embedded, f"{name} is not embedded"


def test_names_in_any_script_of_europe_print():
    store = StoreHeader("Sklep Łódź", ("ul. Piotrkowska 1", "90-001 Łódź"), "PL 123", code="LDZ")
    data = receipt_data(5, store=store, locale="pl_PL", currency="PLN")
    text = flat(text_of(build_receipt(data, "roll")))
    for name in ("Łucja Wiśniewska", "Świeca sojowa – Łąka", "Zoë Ødegård", "Sklep Łódź", "90-001 Łódź"):
        assert name in text
    assert "zł" in text  # złoty, in the Polish way
    gift = flat(text_of(build_gift_receipt(gift_data(1), "a4")))
    assert "Świeca sojowa – Łąka" in gift


@pytest.mark.parametrize("paper", ["roll", "a4"])
def test_invariant_mode_gives_the_same_bytes_every_time(monkeypatch, paper):
    monkeypatch.setattr(rl_config, "invariant", 1)
    first = build_receipt(receipt_data(5), paper)
    assert build_receipt(receipt_data(5), paper) == first
    assert build_receipt(receipt_data(6), paper) != first


def test_unknown_paper_is_named():
    with pytest.raises(ValueError, match="'a5'.*roll, a4, letter"):
        build_receipt(receipt_data(1), "a5")


def test_roll_type_and_barcode_are_big_enough_to_read():
    roll = paper_spec("roll")
    assert min(style.fontSize for style in _styles(roll).values()) >= 8
    for value in ("T01-0004217", "G-DEMO-7KQ2MX9PRT", "R-LDN01-01-000042"):
        barcode = BarcodeFlowable(value, roll)
        barcode.wrap(roll.content_width, 1000)
        assert barcode.bar_width >= 0.25 * MM - 1e-9
        assert barcode.symbol_width <= roll.content_width + 1e-6
        assert barcode.barcode.value == value


def test_the_store_logo_prints_and_a_missing_one_is_skipped(tmp_path):
    from PIL import Image as PILImage

    logo = tmp_path / "logo.png"
    PILImage.new("RGB", (300, 100), (20, 60, 120)).save(logo)
    with_logo = StoreHeader("Logo Store", ("1 Road",), logo_path=str(logo))
    missing = StoreHeader("Logo Store", ("1 Road",), logo_path=str(tmp_path / "gone.png"))

    def images(pdf):
        page = reader(pdf).pages[0]
        xobjects = page["/Resources"].get("/XObject", {})
        return [x for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"]

    for paper in ("roll", "a4"):
        assert len(images(build_receipt(receipt_data(1, store=with_logo), paper))) == 1
        pdf = build_receipt(receipt_data(1, store=missing), paper)
        assert images(pdf) == [] and "Logo Store" in text_of(pdf)


def test_the_document_builder_serves_other_documents():
    """A later document (a refund slip, say) builds from the same blocks on both papers."""
    doc = Document(title="Refund", number="R-DEMO-01-000042", store=STORE, footer="Keep this slip.")
    doc.fields([("Original receipt", "T01-0004217"), ("Reason", "Faulty")])
    doc.items([ItemRow("Wool socks, L, Oat", 1, doc.money(1200), doc.money(-1200))])
    doc.table(["Refunded to", "Amount"], [["Card Visa ****4242", doc.money(1200)]], align="LR")
    doc.text("Signed: ____________", small=True)
    for paper in ("roll", "a4"):
        text = flat(text_of(doc.render(paper)))
        assert "REFUND" in text.upper() and "R-DEMO-01-000042" in text and "Faulty" in text
        assert "-£12.00" in text and "Keep this slip." in text
