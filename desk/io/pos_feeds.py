"""Sales from the tills' files: canonical CSV / JSON Lines, Shopify orders, Square item sales.

Pure parsing, no database. ``read_feed`` turns a file into sales the ledger can take and
collects every bad row (``RowError``: row, column, reason) rather than stopping at the
first; problems with the file as a whole (not UTF-8, empty, unknown format) raise
``InvalidInput("File", ...)``. Row numbers are the file's line numbers where the row
starts: in a CSV file the header is row 1 and the first data row is row 2; in a JSON
Lines file the first line is row 1. See docs/formats.md.
"""

from __future__ import annotations

import csv

from desk.errors import InvalidInput
from desk.io.feeds import canonical, shopify, square
from desk.io.feeds.common import (
    FORMATS,
    Feed,
    FeedCustomer,
    FeedProduct,
    FeedRefund,
    FeedSale,
    RawFile,
    RowError,
    file_problem,
    read_text,
)

__all__ = [
    "FORMATS",
    "Feed",
    "FeedCustomer",
    "FeedProduct",
    "FeedRefund",
    "FeedSale",
    "RowError",
    "detect_format",
    "feed_from_raw",
    "raw_format",
    "read_feed",
    "read_text",
]

FORMAT_LABELS = {
    "canonical": "Desk canonical CSV / JSON Lines",
    "shopify": "Shopify orders export",
    "square": "Square item sales export",
}


def _is_jsonl(text: str) -> bool:
    return text.lstrip().startswith("{")


def _header(text: str) -> list[str]:
    # the first lines only: a header is one record (a quoted name may hold a line break)
    first = text.lstrip("\r\n")[:262144].splitlines(keepends=True)
    try:
        return [h.strip() for h in next(csv.reader(first))]
    except (StopIteration, csv.Error):
        return []


def _detect(raw: RawFile) -> str:
    if _is_jsonl(raw.text):
        return "canonical"
    header = _header(raw.text)
    if canonical.is_canonical_header(header):
        return "canonical"
    if shopify.is_shopify_header(header):
        return "shopify"
    if square.is_square_header(header):
        return "square"
    shown = ", ".join(h for h in header[:5] if h) or "nothing readable"
    raise file_problem(
        f"{raw.filename} is not a file Desk can import: its first line ({shown}) is not the header of "
        "a Desk canonical file, a Shopify orders export or a Square item sales export"
    )


def detect_format(path) -> str:
    """The format of the file at ``path`` from its header: canonical, shopify or square."""
    return _detect(read_text(path))


def read_feed(path, fmt: str | None = None) -> Feed:
    """Read the file at ``path`` (format detected from its header when ``fmt`` is None).

    Bad rows do not raise: they are collected in ``Feed.errors``, sorted by row.
    """
    return feed_from_raw(read_text(path), fmt)


def raw_format(raw: RawFile, fmt: str | None = None) -> str:
    """The format ``read_feed`` reads ``raw`` as: ``fmt`` when the header agrees, else detected."""
    if fmt is not None and fmt not in FORMATS:
        raise InvalidInput("Format", f"'{fmt}' is not one of {', '.join(FORMATS)}")
    detected = _detect(raw) if fmt is None else fmt
    if fmt is not None:
        try:
            actual = _detect(raw)
        except InvalidInput:
            actual = None
        if actual != fmt:
            raise file_problem(f"{raw.filename} does not look like a {FORMAT_LABELS[fmt]}: its header is not one")
    return detected


def is_jsonl(raw: RawFile) -> bool:
    return _is_jsonl(raw.text)


def feed_from_raw(raw: RawFile, fmt: str | None = None) -> Feed:
    """``read_feed`` of a file already read with ``read_text``."""
    detected = raw_format(raw, fmt)
    if detected == "canonical":
        feed = canonical.parse(raw.text, jsonl=_is_jsonl(raw.text))
    elif detected == "shopify":
        feed = shopify.parse(raw.text)
    else:
        feed = square.parse(raw.text)
    feed.filename = raw.filename
    feed.sha256 = raw.sha256
    feed.errors.sort(key=lambda e: e.row)
    return feed
