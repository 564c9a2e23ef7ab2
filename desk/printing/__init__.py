"""ReportLab documents: plain data in, PDF bytes out. No Qt, no database.

- ``layout.Document``: the shared layout (store header, blocks, Code128 barcode, footer) on
  the 80 mm ``roll`` or ``a4``/``letter`` sheets; later documents build on it.
- ``data``: the dataclasses services fill (``ReceiptData``, ``GiftReceiptData`` ...).
- ``receipt``: the sale receipt (and its reprint) and the gift receipt.
"""

from desk.printing.data import (
    GiftLine,
    GiftReceiptData,
    ReceiptData,
    ReceiptLine,
    StoreHeader,
    TaxRow,
    TenderRow,
    tax_summary,
)
from desk.printing.layout import PAPERS, Document, ItemRow, Paper, TotalRow, paper_spec
from desk.printing.receipt import build_gift_receipt, build_receipt, gift_receipt_document, receipt_document

__all__ = [
    "PAPERS",
    "Document",
    "ItemRow",
    "Paper",
    "TotalRow",
    "paper_spec",
    "StoreHeader",
    "ReceiptData",
    "ReceiptLine",
    "TaxRow",
    "TenderRow",
    "GiftLine",
    "GiftReceiptData",
    "tax_summary",
    "build_receipt",
    "build_gift_receipt",
    "receipt_document",
    "gift_receipt_document",
]
