"""ReportLab documents: plain data in, PDF bytes out. No Qt, no database.

- ``layout.Document``: the shared layout (store header, blocks, Code128 barcode, footer) on
  the 80 mm ``roll`` or ``a4``/``letter`` sheets; later documents build on it.
- ``data``: the dataclasses services fill (``ReceiptData``, ``GiftReceiptData`` ...).
- ``receipt``: the sale receipt (and its reprint) and the gift receipt.
"""

from desk.printing.data import (
    PAPERS,
    GiftLine,
    GiftReceiptData,
    ReceiptData,
    ReceiptLine,
    StoreHeader,
    TaxRow,
    TenderRow,
    tax_summary,
)

# ReportLab takes a noticeable part of a second to import: the layout and the documents load
# the first time something is printed, not when the app starts.
_LAZY = {
    "Document": "layout", "ItemRow": "layout", "Paper": "layout", "TotalRow": "layout", "paper_spec": "layout",
    "build_gift_receipt": "receipt", "build_receipt": "receipt",
    "gift_receipt_document": "receipt", "receipt_document": "receipt",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'desk.printing' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"desk.printing.{module}"), name)


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
