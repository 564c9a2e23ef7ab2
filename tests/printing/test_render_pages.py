"""Pages rendered to pixels (QtPdf, as the preview shows them): not blank, and the barcode reads back."""

from __future__ import annotations

import pytest

from desk.printing import build_gift_receipt, build_receipt
from desk.printing.layout import BarcodeFlowable, paper_spec
from tests.printing.pdfcheck import ink_fraction, render_gray
from desk.printing.samples import gift_data, receipt_data

DOCUMENTS = {
    "receipt": (lambda paper: build_receipt(receipt_data(5), paper), "T01-0004217"),
    "gift": (lambda paper: build_gift_receipt(gift_data(3), paper), "G-DEMO-7KQ2MX9PRT"),
}


@pytest.mark.parametrize("paper", ["roll", "a4"])
@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_page_one_renders_with_ink_on_it(qapp, kind, paper):
    build, _ = DOCUMENTS[kind]
    image = render_gray(build(paper), dpi=100)
    ink = ink_fraction(image)
    assert 0.01 < ink < 0.5, f"page 1 of the {kind} on {paper} looks blank or black ({ink:.3f} ink)"


@pytest.mark.parametrize("paper,dpi", [("roll", 203), ("a4", 150)])  # 203 dpi: a thermal receipt printer
@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_the_barcode_reads_back_as_the_document_number(qapp, kind, paper, dpi):
    build, number = DOCUMENTS[kind]
    pdf = build(paper)
    try:
        import zxingcpp
    except ImportError:  # no decoder: at least the symbol carries the number
        barcode = BarcodeFlowable(number, paper_spec(paper))
        barcode.wrap(paper_spec(paper).content_width, 1000)
        assert barcode.barcode.value == number
        pytest.skip("zxing-cpp is not installed: the barcode was not decoded from pixels")
    found = zxingcpp.read_barcodes(render_gray(pdf, dpi=dpi))
    assert [b.text for b in found] == [number]
    assert found[0].format == zxingcpp.BarcodeFormat.Code128
