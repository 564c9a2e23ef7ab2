"""The one print path every screen calls: archive the document, then preview, print or save it.

Commit first, print second: a document handed here was rendered from data already committed.
Printing it never writes business data; archiving it may fail (a full disk, a read-only
folder), and that is shown in the preview but never stops the customer's paper.

- ``print_document(ctx, parent, doc)``: archive ``doc`` (emitting "archive"), then open the preview
- ``print_receipt(ctx, parent, receipt_no)``: reprint a sale's receipt
- ``print_gift_receipt(ctx, parent, receipt_no, line_numbers=None)``: issue and print a gift receipt
"""

from __future__ import annotations

from typing import Iterable

from PySide6.QtWidgets import QWidget

from desk.errors import DeskError
from desk.services import archive, documents
from desk.services.documents import RenderedDocument
from desk.ui.context import AppContext
from desk.ui.messages import attempt, describe

__all__ = ["print_document", "print_receipt", "print_gift_receipt", "archive_document"]


def archive_document(ctx: AppContext, doc: RenderedDocument) -> str:
    """Keep ``doc`` in the archive. Returns '' when archived, else what went wrong (nothing is raised)."""
    try:
        archive.archive(doc, ctx.staff)
    except DeskError as exc:
        return describe(exc)
    ctx.events.emit_changed("archive")
    return ""


def print_document(ctx: AppContext, parent: QWidget | None, doc: RenderedDocument) -> bool:
    """Archive ``doc`` and open its preview (Print, Save as PDF, Close).

    Returns True when the document was printed or saved from the preview. An archive failure
    is shown in the preview; printing and saving still work.
    """
    from desk.ui.dialogs.print_preview import PrintPreviewDialog

    problem = archive_document(ctx, doc)
    note = f"Not archived: {problem}" if problem else ""
    return bool(PrintPreviewDialog.show_document(ctx, parent, doc, note=note))


def print_receipt(ctx: AppContext, parent: QWidget | None, receipt_no: str, paper: str | None = None) -> bool:
    """Reprint the receipt of sale ``receipt_no`` (marked REPRINT, with who and when)."""
    ok, doc = attempt(parent, documents.render, "receipt", receipt_no, ctx.staff, paper)
    if not ok or doc is None:
        return False
    return print_document(ctx, parent, doc)


def print_gift_receipt(
    ctx: AppContext,
    parent: QWidget | None,
    receipt_no: str,
    line_numbers: Iterable[int] | None = None,
    paper: str | None = None,
) -> bool:
    """Issue a gift receipt for sale ``receipt_no`` (every line or ``line_numbers``) and print it."""
    ok, data = attempt(parent, documents.gift_receipt, ctx.staff, receipt_no, line_numbers)
    if not ok or data is None:
        return False
    # The gift receipt is issued (committed) now; rendering it cannot undo that.
    ok, doc = attempt(parent, documents.render_gift, data, paper)
    if not ok or doc is None:
        return False
    return print_document(ctx, parent, doc)
