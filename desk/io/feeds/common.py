"""What every till file format shares: the parsed shapes, reading the file, rows, fields."""

from __future__ import annotations

import csv
import io
import datetime as dt
import hashlib
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterator

from functools import lru_cache

from desk.errors import InvalidInput
from desk.money import exponent as _exponent
from desk.services.sales import SaleInput

FORMATS = ("canonical", "shopify", "square")


_WHOLE = re.compile(r"[+-]?[\d,]+(\.0*)?")
_AMOUNT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DIGIT_RUN = re.compile(r"\d[\d -]{11,}\d")
_NOT_DIGIT = re.compile(r"\D")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@lru_cache(maxsize=64)
def exponent(currency: str) -> int:
    """The currency's decimal places (cached: babel's lookup is slow per row)."""
    return _exponent(currency)

# Lengths the ledger's columns hold (PostgreSQL enforces them).
MAX_RECEIPT = 64
MAX_SKU = 64
MAX_BARCODE = 64
MAX_CATEGORY = 80
MAX_TILL = 16
MAX_CASHIER = 80
MAX_REF = 80
MAX_SOURCE_REF = 128
MAX_CUSTOMER_NAME = 160
MAX_EMAIL = 254
MAX_PHONE = 40
MAX_BRAND = 20
MAX_PRODUCT_NAME = 200


@dataclass(slots=True)
class RowError:
    row: int  # the file's line number of the row's first line; a CSV header is row 1
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.reason}"


@dataclass(slots=True)
class FeedCustomer:
    name: str
    email: str | None = None
    phone: str | None = None
    external_ref: str = ""  # the till's own customer id (Square's Customer ID), kept in the customer's notes

    def key(self) -> str:
        if self.email:
            return "e:" + self.email.lower()
        if self.phone:
            return "p:" + self.phone
        if self.external_ref:
            return "x:" + self.external_ref
        return "n:" + self.name


@dataclass(slots=True)
class FeedProduct:
    sku: str
    barcode: str
    description: str
    category: str
    unit_price: int  # minor units, as the file prices it (see FeedSale.prices_include_tax)
    tax_rate: Decimal


@dataclass(slots=True)
class FeedRefund:
    """A refund the till already made against a line it sold."""

    line_no: int | None  # the sale's line (1-based) when the sale is in the same file
    quantity: int
    amount: int  # positive minor units refunded, tax included
    refunded_at: dt.datetime  # aware
    source_ref: str
    receipt_no: str = ""
    sku: str = ""
    description: str = ""
    row: int = 0


@dataclass(slots=True)
class FeedSale:
    sale: SaleInput  # customer_id and product_id are left for the import to fill in
    row: int  # the row of the sale's first line
    line_rows: list[int] = field(default_factory=list)  # the row of each line
    customer: FeedCustomer | None = None
    products: list[FeedProduct | None] = field(default_factory=list)  # one per line; None: no SKU/barcode
    refunds: list[FeedRefund] = field(default_factory=list)
    prices_include_tax: bool | None = None  # None: prices as the store shows them
    expected_total: int | None = None  # what the file says the customer paid
    expected_tax: int | None = None  # the file's tax total
    tax_tolerance: int = 0  # minor units the tax total may differ by (the file rounded per line)
    expected_paid: list[int] | None = None  # per line, when the file says it (Square)
    expected_line_tax: list[int] | None = None
    refunded_total: int | None = None  # Shopify: what the till had refunded on the order by the time of the export


def place_refund(lines: list[tuple[int, int, int, int]], amount: int) -> list[tuple[int, int, int]] | None:
    """Which units an order-level refund of ``amount`` was, when the file does not say.

    ``lines`` are (quantity sold, paid, quantity already refunded, amount already refunded).
    The answer is everything still unrefunded, or some units of one line worth exactly
    ``amount`` as the desk would refund them (cumulatively, from what the line paid):
    a list of (line index, quantity, amount), or None when it is neither.
    """
    remaining = [(i, q - dq, p - dp) for i, (q, p, dq, dp) in enumerate(lines) if q - dq > 0]
    if remaining and amount == sum(r[2] for r in remaining):
        return [(i, q, a) for i, q, a in remaining]
    from desk.money import cumulative_share

    for i, (q, p, dq, _) in enumerate(lines):
        for k in range(1, q - dq + 1):
            if cumulative_share(p, dq, k, q) == amount:
                return [(i, k, amount)]
    return None


@dataclass
class Feed:
    format: str
    currency: str | None
    rows: int
    sales: list[FeedSale]
    errors: list[RowError]
    orphan_refunds: list[FeedRefund] = field(default_factory=list)  # refunds of sales not in this file
    not_sales: list[str] = field(default_factory=list)  # receipts the file lists that were never paid (Shopify voided orders)
    currency_symbol: str = ""  # Square writes "$" without saying which dollar
    filename: str = ""
    sha256: str = ""


def file_problem(why: str) -> InvalidInput:
    return InvalidInput("File", why)


@dataclass
class RawFile:
    text: str
    sha256: str
    filename: str


def read_text(path) -> RawFile:
    """The file as text: UTF-8 with or without a BOM, anything else refused."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise file_problem(f"{p} does not exist") from None
    except IsADirectoryError:
        raise file_problem(f"{p} is a folder, not a file") from None
    except OSError as exc:
        raise file_problem(f"cannot read {p}: {exc.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        raise file_problem(f"{p.name} is encoded as UTF-16/UTF-32; export it again as UTF-8 (with or without BOM)")
    if b"\x00" in data[:4096]:
        raise file_problem(f"{p.name} contains NUL bytes: it is not a UTF-8 text file (UTF-16?); export it again as UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise file_problem(
            f"{p.name} is not UTF-8 (byte 0x{data[exc.start]:02X} on line {line}); "
            "export it again as UTF-8 (with or without BOM)"
        ) from None
    if not text or text.isspace():
        raise file_problem(f"{p.name} is empty")
    return RawFile(text=text, sha256=digest, filename=p.name)


@dataclass(slots=True)
class CsvRow:
    row: int
    values: RowValues | dict[str, str]


class RowValues:
    """One CSV row's values, read by column name (``get``) as a dict of them would be, for about
    a quarter of a dict's memory: the row keeps the list ``csv`` made and the file's one map of
    column names to places (a repeated name: its last place, as in a dict)."""

    __slots__ = ("_values", "_columns")

    def __init__(self, values: list[str], columns: dict[str, int]):
        self._values, self._columns = values, columns

    def get(self, name: str, default: str | None = None) -> str | None:
        at = self._columns.get(name)
        return default if at is None else self._values[at]


TEXT_PIECE = 1 << 20  # characters


def text_lines(text: str, piece: int = TEXT_PIECE) -> Iterator[str]:
    """The lines of ``text``, ends kept, as ``io.StringIO(text, newline="")`` gives them to a
    ``csv.reader``, a piece of about ``piece`` characters at a time. A StringIO keeps four bytes
    for every character of its text (320 MB for an 80 MB file of sales); a piece cut just after
    a newline ends a line, so each piece is read on its own and the reader sees the same lines
    (a quoted value spanning lines is read across pieces as across lines)."""

    def pieces() -> Iterator[io.StringIO]:
        start, end = 0, len(text)
        while start < end:
            cut = text.find("\n", start + piece)
            cut = end if cut < 0 else cut + 1
            yield io.StringIO(text[start:cut], newline="")
            start = cut

    return itertools.chain.from_iterable(pieces())


def header_row(reader: Iterator[list[str]], *, lower: bool = True) -> list[str]:
    """The first row of ``reader`` that names anything, each name stripped (and lower-cased):
    a file's header, blank lines before it skipped. Raises StopIteration when no row does, and
    what the reader raises (csv.Error) when the row cannot be read."""
    header: list[str] = []
    while not any(h.strip() for h in header):
        header = next(reader)
    return [h.strip().lower() if lower else h.strip() for h in header]


def csv_rows(text: str, errors: list[RowError], *, lower: bool = False) -> tuple[list[str], list[CsvRow]]:
    """The header and the data rows, each with the file line where it starts.

    Blank lines are skipped. A row with the wrong number of fields, or a quoted field that
    is never closed (a file cut short), becomes a RowError.
    """
    reader = csv.reader(text_lines(text), strict=True)
    try:
        header = header_row(reader, lower=lower)
    except StopIteration:
        raise file_problem("has no header row") from None
    except csv.Error as exc:
        raise file_problem(f"its header cannot be read: {exc}") from None
    columns = {name: at for at, name in enumerate(header)}
    rows: list[CsvRow] = []
    short: RowError | None = None  # the last row read, if it had too few fields
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "end of data" in str(exc):
                errors.append(RowError(start, "whole row", "a quoted field is never closed; the file looks cut short"))
            else:
                errors.append(RowError(start, "whole row", f"cannot be read: {exc} (a quote inside a quoted field must be doubled)"))
            short = None
            break
        if not values or all(not v.strip() for v in values) and len(values) <= 1:
            start = reader.line_num + 1
            continue
        short = None
        if len(values) != len(header):
            error = RowError(start, "whole row", f"has {len(values)} fields but the header has {len(header)}")
            errors.append(error)
            if len(values) < len(header):
                short = error
        else:
            rows.append(CsvRow(start, RowValues(values, columns)))
        start = reader.line_num + 1
    if short is not None:
        short.reason += "; the file looks cut short"
    if not rows and not errors:
        raise file_problem("has a header but no rows")
    return header, rows


class Fields:
    """Reads typed values out of one row, appending a RowError for each bad one."""

    def __init__(self, row: int, values: RowValues | dict[str, str], errors: list[RowError]):
        self.row = row
        self.values = values
        self.errors = errors
        self.ok = True

    def bad(self, column: str, reason: str) -> None:
        self.ok = False
        self.errors.append(RowError(self.row, column, reason))

    def text(self, column: str, *, required: bool = False, max_len: int | None = None, truncate: bool = False) -> str:
        value = (self.values.get(column) or "").strip()
        if required and not value:
            self.bad(column, "is required")
        if max_len is not None and len(value) > max_len:
            if truncate:
                value = value[:max_len]
            else:
                self.bad(column, f"is {len(value)} characters long; at most {max_len} are allowed")
        return value

    def integer(self, column: str, *, positive: bool = False, default: int | None = None, allow_negative: bool = False) -> int | None:
        raw = self.text(column)
        if not raw:
            if default is None:
                self.bad(column, "is required")
            return default
        try:
            number = Decimal(raw.replace(",", "")) if _WHOLE.fullmatch(raw) else None
        except InvalidOperation:
            number = None
        if number is None:
            self.bad(column, f"'{raw}' is not a whole number" if _looks_numeric(raw) else f"'{raw}' is not a number")
            return default
        value = int(number)
        if positive and value <= 0:
            self.bad(column, f"must be more than zero, not {raw}")
            return default
        if not allow_negative and value < 0:
            self.bad(column, f"must not be negative ({raw})")
            return default
        return value

    def decimal(self, column: str, *, default: Decimal | None = None) -> Decimal | None:
        raw = self.text(column)
        if not raw:
            if default is None:
                self.bad(column, "is required")
            return default
        try:
            value = Decimal(raw)
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.bad(column, f"'{raw}' is not a number")
            return default
        return value

    def money(self, column: str, currency: str | None, *, required: bool = True, allow_negative: bool = False) -> int | None:
        """A plain decimal amount in major units ("12.50") to minor units."""
        raw = self.text(column)
        if not raw:
            if required:
                self.bad(column, "is required")
                return None
            return 0
        if not _AMOUNT.fullmatch(raw):
            self.bad(column, f"'{raw}' is not an amount (write it like 12.50)")
            return None
        return self._minor(column, raw, Decimal(raw), currency, allow_negative)

    def _minor(self, column: str, raw: str, value: Decimal, currency: str | None, allow_negative: bool) -> int | None:
        if value < 0 and not allow_negative:
            self.bad(column, f"must not be negative ({raw})")
            return None
        places = exponent(currency) if currency else 2
        scaled = value.scaleb(places)
        if scaled != scaled.to_integral_value():
            self.bad(column, f"'{raw}' has more than {places} decimal places" + (f" for {currency}" if currency else ""))
            return None
        return int(scaled)


def _to_minor_places(value: Decimal, places: int, raw: str) -> int:
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"'{raw}' has more than {places} decimal places")
    return int(scaled)


def _looks_numeric(raw: str) -> bool:
    try:
        Decimal(raw)
        return True
    except InvalidOperation:
        return False


def parse_tax_rate(f: Fields, column: str, raw: str) -> Decimal | None:
    """A tax rate in percent ("20", "20%", "8.875"): 0 to 100, at most 3 decimal places."""
    text = raw.strip().rstrip("%").strip()
    try:
        rate = Decimal(text)
        if not rate.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        f.bad(column, f"'{raw}' is not a tax rate (write it like 20 or 8.875)")
        return None
    if rate < 0 or rate > 100:
        f.bad(column, f"{raw} is not between 0 and 100 percent")
        return None
    if rate != rate.quantize(Decimal("0.001")):
        f.bad(column, f"{raw} has more than 3 decimal places")
        return None
    return clean_rate(rate)


def clean_rate(rate: Decimal) -> Decimal:
    """20.000 -> 20, 8.8750 -> 8.875 (never 2E+1)."""
    rate = rate.normalize()
    return rate.quantize(Decimal(1)) if rate == rate.to_integral_value() else rate


def currency_code(f: Fields, column: str, raw: str) -> str | None:
    code = raw.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        f.bad(column, f"'{raw}' is not a currency code like GBP or EUR")
        return None
    try:
        exponent(code)
    except Exception:
        f.bad(column, f"'{raw}' is not a currency Desk knows")
        return None
    return code


def looks_like_card_number(text: str) -> bool:
    """True if ``text`` holds 13 to 19 digits in a row (spaces or dashes between them allowed)
    that pass the Luhn check: a card number, which Desk never stores."""
    if len(text) < 13:  # too short to hold 13 digits
        return False
    for run in _DIGIT_RUN.findall(text):
        digits = _NOT_DIGIT.sub("", run)
        if 13 <= len(digits) <= 19:
            total = 0
            for i, ch in enumerate(reversed(digits)):
                d = int(ch)
                if i % 2:
                    d = d * 2 - 9 if d > 4 else d * 2
                total += d
            if total % 10 == 0:
                return True
    return False


def valid_email(value: str) -> bool:
    return bool(_EMAIL.fullmatch(value))


def tax_inclusive_to_exclusive(price: int, rate: Decimal) -> int:
    from desk.money import round_half_up

    return round_half_up(Decimal(price) * 100 / (100 + rate))


def tax_exclusive_to_inclusive(price: int, rate: Decimal) -> int:
    from desk.money import round_half_up

    return round_half_up(Decimal(price) * (100 + rate) / 100)


def iter_groups(rows: list, key) -> Iterator[tuple[str, list]]:
    """Rows grouped by ``key(row)`` in the order each key first appears."""
    groups: dict[str, list] = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    yield from groups.items()
