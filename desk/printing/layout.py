"""The shared layout of every desk document: a ``Document`` built from blocks, rendered to a paper.

A document builder (``receipt.py``, later refund slips, vouchers, order slips ...) makes a
``Document`` with the store header, its title and number, adds blocks in reading order and
calls ``render(paper)`` for PDF bytes::

    doc = Document(title="Refund", number="R-LDN01-01-000042", store=header,
                   locale="en_GB", currency="GBP", footer=policy_text)
    doc.banner("REPRINT", "23 Nov 2026, 10:15 · Łucja Wiśniewska (100)")
    doc.fields([("Receipt", "T01-0000123"), ("Date", doc.datetime(sold_at))])
    doc.items([ItemRow("Linen shirt", 1, doc.money(4200), doc.money(4200))])
    doc.totals([TotalRow("Refunded", doc.money(4200), strong=True)])
    pdf = doc.render("roll")          # or "a4", "letter"

Two kinds of paper: the 80 mm ``roll`` (72 mm printable, the page exactly as long as the
content) and sheets (``a4``, ``letter``) with margins, the barcode in the header and a
page line at the foot of every page. Text is DejaVu Sans only (see ``fonts.py``).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Sequence
from xml.sax.saxutils import escape

from babel.dates import format_date, format_time, get_datetime_format
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, Image, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import BaseDocTemplate, PageTemplate
from reportlab.platypus.flowables import HRFlowable

from desk.clock import to_local
from desk.money import format_money
from desk.printing.data import StoreHeader
from desk.printing.fonts import BOLD, REGULAR, register_fonts

__all__ = [
    "PAPERS",
    "Paper",
    "paper_spec",
    "Document",
    "ItemRow",
    "TotalRow",
    "BarcodeFlowable",
    "Grid",
    "GridRow",
    "TextLine",
    "P",
]

from desk.printing.data import PAPERS  # noqa: E402  (one list of papers, in the light module)


@dataclass(frozen=True)
class Paper:
    """A paper's geometry (points) and type sizes. ``height`` None: as long as the content."""

    name: str
    width: float
    height: float | None
    margin_x: float
    margin_y: float
    base: float  # body text
    small: float  # notes, sub-lines, footer
    title: float
    store: float  # the store's name
    min_bar: float  # narrowest barcode module
    max_bar: float
    bar_height: float

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin_x

    @property
    def is_roll(self) -> bool:
        return self.height is None


_PAPERS = {
    # 80 mm roll: 72 mm printable, so 4 mm either side. Nothing under 8 pt; modules >= 0.25 mm.
    "roll": Paper("roll", 80 * mm, None, 4 * mm, 4 * mm, base=9, small=8, title=13, store=12,
                  min_bar=0.25 * mm, max_bar=0.38 * mm, bar_height=12 * mm),
    "a4": Paper("a4", A4[0], A4[1], 18 * mm, 18 * mm, base=10, small=8.5, title=18, store=14,
                min_bar=0.25 * mm, max_bar=0.33 * mm, bar_height=12 * mm),
    "letter": Paper("letter", LETTER[0], LETTER[1], 0.7 * inch, 0.7 * inch, base=10, small=8.5, title=18, store=14,
                    min_bar=0.25 * mm, max_bar=0.33 * mm, bar_height=12 * mm),
}


def paper_spec(name: str) -> Paper:
    """The Paper called ``name`` (roll, a4, letter); ValueError naming the choices otherwise."""
    try:
        return _PAPERS[(name or "").strip().lower()]
    except KeyError:
        raise ValueError(f"unknown paper {name!r}: choose one of {', '.join(PAPERS)}") from None


@dataclass(frozen=True)
class ItemRow:
    """One line of goods. ``unit``/``amount`` are formatted text; None on unpriced documents.

    ``sublines`` are (label, value) pairs printed under the line: discounts, what was paid.
    """

    description: str
    quantity: int
    unit: str | None = None
    amount: str | None = None
    sublines: tuple[tuple[str, str], ...] = ()
    note: str = ""  # e.g. a SKU or a reason, in small type under the description


@dataclass(frozen=True)
class TotalRow:
    label: str
    value: str
    strong: bool = False


# --- blocks: what a document is made of, independent of the paper -----------------------

@dataclass
class _Banner:
    text: str
    detail: str = ""


@dataclass
class _Fields:
    pairs: list[tuple[str, str]]


@dataclass
class _Items:
    rows: list[ItemRow]
    priced: bool
    headings: tuple[str, ...]


@dataclass
class _Totals:
    rows: list[TotalRow]


@dataclass
class _Table:
    header: list[str]
    rows: list[list[str]]
    align: str
    widths: list[float]
    caption: str = ""


@dataclass
class _Text:
    text: str
    small: bool = False
    bold: bool = False
    center: bool = False


@dataclass
class _Rule:
    pass


@dataclass
class _Space:
    height_mm: float


# --- the barcode ---------------------------------------------------------------------------

def _code128(value: str, bar_width: float, bar_height: float, quiet: bool = True) -> Code128:
    return Code128(
        value,
        barWidth=bar_width,
        barHeight=bar_height,
        quiet=1 if quiet else 0,
        lquiet=10 * bar_width,
        rquiet=10 * bar_width,
        humanReadable=0,
    )


def code128_modules(value: str) -> int:
    """How many modules wide ``value``'s Code128 symbol is, without its quiet zones."""
    probe = _code128(value, 1.0, 10.0, quiet=False)
    probe._calculate()
    return int(round(probe.width))


def barcode_encodable(value: str) -> bool:
    return bool(value) and all(32 <= ord(ch) < 127 for ch in value)


class BarcodeFlowable(Flowable):
    """A Code128 symbol with its value printed under it in DejaVu Sans.

    The module width is as wide as fits between ``min_bar`` and ``max_bar``; on the roll
    it never goes under 0.25 mm (what a desk scanner reads off thermal paper).
    """

    def __init__(self, value: str, paper: Paper, align: str = "CENTER", caption: str | None = None):
        super().__init__()
        self.value = value
        self.paper = paper
        self.align = align
        self.caption = value if caption is None else caption
        self.caption_size = paper.base
        self.modules = code128_modules(value)
        self.bar_width = paper.max_bar
        self.barcode: Code128 | None = None

    def _layout(self, avail_width: float) -> None:
        fitting = avail_width / (self.modules + 20)  # 10 modules of quiet zone either side
        # As wide as fits, up to max_bar. A number too long for min_bar is narrowed to fit rather
        # than clipped by the paper's edge (document numbers are short: this is a last resort).
        self.bar_width = min(self.paper.max_bar, fitting)
        self.barcode = _code128(self.value, self.bar_width, self.paper.bar_height)
        self.barcode._calculate()

    def wrap(self, availWidth, availHeight):
        self._layout(availWidth)
        self.width = availWidth
        self.height = self.paper.bar_height + 1.5 * mm + self.caption_size * 1.2
        return self.width, self.height

    @property
    def symbol_width(self) -> float:
        """The symbol's width with its quiet zones, in points."""
        return self.barcode.width if self.barcode is not None else 0.0

    def draw(self):
        canv = self.canv
        width = self.symbol_width
        if self.align == "RIGHT":  # bars flush right; the quiet zone runs into the margin
            x = self.width - width + 10 * self.bar_width
        elif self.align == "LEFT":
            x = 0
        else:
            x = (self.width - width) / 2
        caption_h = self.caption_size * 1.2 + 1.5 * mm
        canv.saveState()
        canv.setFillColor(colors.black)
        self.barcode.drawOn(canv, x, caption_h)
        canv.setFont(REGULAR, self.caption_size)
        text_y = self.caption_size * 0.35
        if self.align == "RIGHT":
            canv.drawRightString(x + width - 10 * self.bar_width, text_y, self.caption)
        elif self.align == "LEFT":
            canv.drawString(x + 10 * self.bar_width, text_y, self.caption)
        else:
            canv.drawCentredString(self.width / 2, text_y, self.caption)
        canv.restoreState()


# --- text cells ------------------------------------------------------------------------------

class TextLine(Flowable):
    """One line of plain text in a paragraph style: what most cells are, at a fraction of a
    Paragraph's cost. Text that does not fit its width becomes a wrapped Paragraph."""

    def __init__(self, text: str, style: ParagraphStyle):
        super().__init__()
        self.text = text
        self.style = style
        self._para: Paragraph | None = None
        self._text_width: float | None = None

    def wrap(self, availWidth, availHeight):
        st = self.style
        if self._text_width is None:
            self._text_width = stringWidth(self.text, st.fontName, st.fontSize)
        if self._text_width > availWidth - st.leftIndent + 0.01:
            if self._para is None:
                self._para = Paragraph(_text(self.text), st)
            self.width, self.height = self._para.wrap(availWidth, availHeight)
            return self.width, self.height
        self._para = None
        self.width, self.height = availWidth, st.leading
        return self.width, self.height

    def draw(self):
        if self._para is not None:
            self._para.drawOn(self.canv, 0, 0)
            return
        st = self.style
        canv = self.canv
        canv.setFont(st.fontName, st.fontSize)
        canv.setFillColor(st.textColor)
        y = self.height - st.fontSize
        if st.alignment == TA_RIGHT:
            canv.drawRightString(self.width, y, self.text)
        elif st.alignment == TA_CENTER:
            canv.drawCentredString(self.width / 2, y, self.text)
        else:
            canv.drawString(st.leftIndent, y, self.text)


def P(text, style: ParagraphStyle) -> Flowable:
    """A cell or line of ``text``: a cheap TextLine unless it has several lines."""
    text = str(text)
    if "\n" in text:
        return Paragraph(_text(text), style)
    return TextLine(text, style)


# --- a light table ------------------------------------------------------------------------

@dataclass
class GridRow:
    cells: list  # a Flowable, a list of Flowables stacked, "" or None per column
    pad_top: float = 1.0
    pad_bottom: float = 1.0
    line_above: tuple | None = None  # (thickness, colour)
    line_below: tuple | None = None
    keep_with_next: bool = False  # a line and its sub-lines stay on one page


class Grid(Flowable):
    """Rows of cells in fixed-width columns: what receipts are made of.

    Much cheaper than a platypus Table (a receipt has hundreds of cells and must build in a
    few milliseconds) and splits between rows across pages, repeating its header rows.
    """

    def __init__(self, rows: list[GridRow], widths: list[float], header_rows: int = 0, hAlign: str = "LEFT"):
        super().__init__()
        self.rows = rows
        self.widths = widths
        self.header_rows = header_rows
        self.hAlign = hAlign
        self._heights: list[float] = []
        self._sizes: list[list[list[tuple[float, float]]]] = []

    @staticmethod
    def _stack(cell) -> list[Flowable]:
        if cell is None or cell == "":
            return []
        return list(cell) if isinstance(cell, (list, tuple)) else [cell]

    def _measure(self) -> None:
        self._heights, self._sizes = [], []
        for row in self.rows:
            row_sizes, tallest = [], 0.0
            for cell, width in zip(row.cells, self.widths):
                sizes = [f.wrap(width, 1e6) for f in self._stack(cell)]
                row_sizes.append(sizes)
                tallest = max(tallest, sum(h for _, h in sizes))
            self._sizes.append(row_sizes)
            self._heights.append(row.pad_top + tallest + row.pad_bottom)

    def wrap(self, availWidth, availHeight):
        if not self._heights:  # the columns are fixed: one measure serves every wrap
            self._measure()
        self.width = sum(self.widths)
        self.height = sum(self._heights)
        return self.width, self.height

    def split(self, availWidth, availHeight):
        if not self._heights:
            self._measure()
        used, fit = 0.0, 0
        for h in self._heights:
            if used + h > availHeight + 1e-6:
                break
            used += h
            fit += 1
        while fit > self.header_rows and self.rows[fit - 1].keep_with_next:
            fit -= 1
        if fit <= self.header_rows or fit >= len(self.rows):
            return []
        head = self.rows[: self.header_rows]
        return [Grid(self.rows[:fit], self.widths, self.header_rows, self.hAlign),
                Grid(head + self.rows[fit:], self.widths, self.header_rows, self.hAlign)]

    def draw(self):
        canv = self.canv
        top = self.height
        for row, height, row_sizes in zip(self.rows, self._heights, self._sizes):
            x = 0.0
            for cell, width, sizes in zip(row.cells, self.widths, row_sizes):
                y = top - row.pad_top
                for flowable, (w, h) in zip(self._stack(cell), sizes):
                    y -= h
                    flowable.drawOn(canv, x, y, _sW=width - w)
                x += width
            for line, at in ((row.line_above, top), (row.line_below, top - height)):
                if line is not None:
                    canv.saveState()
                    canv.setLineWidth(line[0])
                    canv.setStrokeColor(line[1])
                    canv.line(0, at, self.width, at)
                    canv.restoreState()
            top -= height


# --- styles -------------------------------------------------------------------------------

def _styles(p: Paper) -> dict[str, ParagraphStyle]:
    def style(name, size, font=REGULAR, align=TA_LEFT, leading=None, **kw):
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or round(size * 1.25, 2),
                              alignment=align, spaceBefore=0, spaceAfter=0, textColor=colors.black, **kw)

    centre_head = TA_CENTER if p.is_roll else TA_LEFT
    return {
        "body": style("body", p.base),
        "body_bold": style("body_bold", p.base, BOLD),
        "body_right": style("body_right", p.base, align=TA_RIGHT),
        "body_bold_right": style("body_bold_right", p.base, BOLD, TA_RIGHT),
        "body_center": style("body_center", p.base, align=TA_CENTER),
        "small": style("small", p.small),
        "small_right": style("small_right", p.small, align=TA_RIGHT),
        "small_center": style("small_center", p.small, align=TA_CENTER),
        "sub": style("sub", p.small, leftIndent=3 * mm),
        "strong": style("strong", p.base + 2, BOLD),
        "strong_right": style("strong_right", p.base + 2, BOLD, TA_RIGHT),
        "title": style("title", p.title, BOLD, TA_CENTER if p.is_roll else TA_RIGHT),
        "number": style("number", p.base, align=TA_CENTER if p.is_roll else TA_RIGHT),
        "store": style("store", p.store, BOLD, centre_head),
        "address": style("address", p.small if p.is_roll else p.base - 0.5, align=centre_head),
        "banner": style("banner", p.title, BOLD, TA_CENTER),
        "banner_detail": style("banner_detail", p.base, align=TA_CENTER),
        "head": style("head", p.small, BOLD),
        "head_right": style("head_right", p.small, BOLD, TA_RIGHT),
        "head_center": style("head_center", p.small, BOLD, TA_CENTER),
        "footer": style("footer", p.small, align=TA_CENTER if p.is_roll else TA_LEFT),
    }


_STYLE_CACHE: dict[str, dict[str, ParagraphStyle]] = {}


def _text(value) -> str:
    """Plain text made safe for a Paragraph: escaped, newlines kept."""
    return escape(str(value)).replace("\n", "<br/>")


# --- the document -------------------------------------------------------------------------

@dataclass
class Document:
    """A desk document: header, blocks in reading order, barcode, footer. ``render`` gives PDF bytes."""

    title: str
    number: str
    store: StoreHeader
    locale: str = "en_GB"
    currency: str = "GBP"
    footer: str = ""
    barcode_value: str | None = None  # defaults to ``number``; "" for no barcode
    blocks: list = field(default_factory=list)

    # formatting helpers every builder uses -------------------------------------------
    def money(self, minor: int) -> str:
        return format_money(int(minor), self.currency, self.locale)

    def datetime(self, value: dt.datetime) -> str:
        """A stored naive-UTC timestamp in local time, the store's way: '23 Nov 2026, 10:15'."""
        local = to_local(value)
        pattern = str(get_datetime_format("medium", locale=self.locale))
        day = format_date(local, format="medium", locale=self.locale)
        time = format_time(local, format="short", locale=self.locale)
        return pattern.replace("{1}", day).replace("{0}", time).replace("'", "")

    def date(self, value: dt.datetime | dt.date) -> str:
        if isinstance(value, dt.datetime):
            value = to_local(value).date()
        return format_date(value, format="medium", locale=self.locale)

    # blocks ---------------------------------------------------------------------------
    def banner(self, text: str, detail: str = "") -> "Document":
        """A boxed, bold line such as REPRINT, with a smaller detail under it."""
        self.blocks.append(_Banner(text, detail))
        return self

    def reprint_banner(self, printed_at: dt.datetime | None = None, printed_by: str = "",
                       printed_by_code: str = "") -> "Document":
        """REPRINT, with when and by whom it was printed again (every reprinted document)."""
        detail = []
        if printed_at is not None:
            detail.append(f"Reprinted {self.datetime(printed_at)}")
        if printed_by:
            detail.append("by " + printed_by + (f" ({printed_by_code})" if printed_by_code else ""))
        return self.banner("REPRINT", " ".join(detail))

    def fields(self, pairs: Sequence[tuple[str, str]]) -> "Document":
        """Label/value pairs: receipt number, date, till, served by ..."""
        self.blocks.append(_Fields([(str(a), str(b)) for a, b in pairs if b not in (None, "")]))
        return self

    def items(self, rows: Sequence[ItemRow], priced: bool = True,
              headings: tuple[str, ...] = ("Item", "Qty", "Price", "Amount")) -> "Document":
        """Goods lines. Unpriced (gift receipts): quantity and description only."""
        self.blocks.append(_Items(list(rows), priced, headings))
        return self

    def totals(self, rows: Sequence[TotalRow]) -> "Document":
        self.blocks.append(_Totals(list(rows)))
        return self

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "",
              widths: Sequence[float] = (), caption: str = "") -> "Document":
        """A small table (tax summary, tenders, a case's history). ``align``: one of L/R/C per column."""
        n = len(header)
        align = (align or "L" * n).upper().ljust(n, "L")
        widths = list(widths) or [1.0] * n
        self.blocks.append(_Table(list(header), [list(map(str, r)) for r in rows], align, widths, caption))
        return self

    def text(self, text: str, small: bool = False, bold: bool = False, center: bool = False) -> "Document":
        self.blocks.append(_Text(text, small, bold, center))
        return self

    def rule(self) -> "Document":
        self.blocks.append(_Rule())
        return self

    def space(self, height_mm: float = 2) -> "Document":
        self.blocks.append(_Space(height_mm))
        return self

    # rendering ------------------------------------------------------------------------
    def render(self, paper: str = "roll") -> bytes:
        register_fonts()
        p = paper_spec(paper)
        story = self.flowables(p)
        if p.is_roll:
            return self._render_roll(p, story)
        return self._render_sheet(p, story)

    @property
    def pdf_title(self) -> str:
        return f"{self.title} {self.number}".strip()

    def _barcode(self) -> str:
        value = self.number if self.barcode_value is None else self.barcode_value
        return value if barcode_encodable(value) else ""

    def flowables(self, p: Paper) -> list[Flowable]:
        """The story for paper ``p``: header, blocks, barcode (roll) and footer."""
        s = _STYLE_CACHE.setdefault(p.name, _styles(p))
        cw = p.content_width
        story: list[Flowable] = []
        story += self._header(p, s, cw)
        for block in self.blocks:
            story += self._block(block, p, s, cw)
        code = self._barcode()
        if p.is_roll and code:
            story.append(Spacer(1, 3 * mm))
            story.append(BarcodeFlowable(code, p))
        if self.footer.strip():
            story.append(Spacer(1, 3 * mm))
            story.append(HRFlowable(width="100%", thickness=0.5, color=colors.black, spaceBefore=0, spaceAfter=0))
            story.append(Spacer(1, 1.5 * mm))
            story.append(P(self.footer.strip(), s["footer"]))
        return story

    def _logo(self, max_w: float, max_h: float) -> Image | None:
        path = self.store.logo_path or ""
        if not path:
            return None
        try:
            reader = ImageReader(path)
            iw, ih = reader.getSize()
        except Exception:
            return None  # a missing or unreadable logo never stops a receipt
        scale = min(max_w / iw, max_h / ih)
        return Image(path, width=iw * scale, height=ih * scale)

    def _store_lines(self, p: Paper, s) -> list[Flowable]:
        out: list[Flowable] = []
        logo = self._logo(50 * mm if p.is_roll else 60 * mm, 18 * mm if p.is_roll else 20 * mm)
        if logo is not None:
            logo.hAlign = "CENTER" if p.is_roll else "LEFT"
            out += [logo, Spacer(1, 1.5 * mm)]
        out.append(P(self.store.name, s["store"]))
        for line in self.store.address_lines:
            out.append(P(line, s["address"]))
        tax_number = self.store.tax_number
        if tax_number:
            out.append(P(f"Tax no. {tax_number}", s["address"]))
        return out

    def _header(self, p: Paper, s, cw: float) -> list[Flowable]:
        if p.is_roll:
            out = self._store_lines(p, s)
            out += [Spacer(1, 3 * mm), P(self.title.upper(), s["title"])]
            if self.number:
                out.append(P(self.number, s["number"]))
            out.append(Spacer(1, 2 * mm))
            return out
        left = self._store_lines(p, s)
        right: list[Flowable] = [P(self.title, s["title"]), Spacer(1, 2 * mm)]
        code = self._barcode()
        if code:
            right.append(BarcodeFlowable(code, p, align="RIGHT", caption=self.number))
        elif self.number:
            right.append(P(self.number, s["number"]))
        right_w = 80 * mm
        table = Table([[left, right]], colWidths=[cw - right_w, right_w])
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), REGULAR),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]))
        return [table, Spacer(1, 4 * mm),
                HRFlowable(width="100%", thickness=0.8, color=colors.black, spaceBefore=0, spaceAfter=0),
                Spacer(1, 4 * mm)]

    def _block(self, block, p: Paper, s, cw: float) -> list[Flowable]:
        if isinstance(block, _Banner):
            return self._banner(block, p, s, cw)
        if isinstance(block, _Fields):
            return self._fields(block, p, s, cw)
        if isinstance(block, _Items):
            return self._items(block, p, s, cw)
        if isinstance(block, _Totals):
            return self._totals(block, p, s, cw)
        if isinstance(block, _Table):
            return self._table(block, p, s, cw)
        if isinstance(block, _Text):
            key = ("small" if block.small else "body") + ("_center" if block.center else "")
            style = s[key] if key in s else s["body"]
            text = f"<b>{_text(block.text)}</b>" if block.bold else _text(block.text)
            return [Paragraph(text, style), Spacer(1, 1 * mm)]
        if isinstance(block, _Rule):
            return [Spacer(1, 1 * mm), HRFlowable(width="100%", thickness=0.5, color=colors.black, dash=(2, 2) if p.is_roll else None,
                                                 spaceBefore=0, spaceAfter=0), Spacer(1, 1.5 * mm)]
        if isinstance(block, _Space):
            return [Spacer(1, block.height_mm * mm)]
        raise TypeError(f"unknown block {block!r}")

    @staticmethod
    def _grid(data, widths, extra=(), pad=1.2) -> "Grid":
        """A Grid of ``data`` rows; ``extra`` takes TableStyle-like per-row commands
        (TOPPADDING, BOTTOMPADDING, LINEABOVE, LINEBELOW on one row)."""
        rows = [GridRow(list(cells), pad, pad) for cells in data]
        for command in extra:
            name, (_, r0), (_, r1) = command[0], command[1], command[2]
            for r in range(r0 % len(rows), r1 % len(rows) + 1):
                row = rows[r]
                if name == "TOPPADDING":
                    row.pad_top = command[3]
                elif name == "BOTTOMPADDING":
                    row.pad_bottom = command[3]
                elif name == "LINEABOVE":
                    row.line_above = (command[3], command[4])
                elif name == "LINEBELOW":
                    row.line_below = (command[3], command[4])
                elif name == "KEEPWITHNEXT":
                    row.keep_with_next = True
        header = 1 if any(c[0] == "LINEBELOW" and c[1][1] == 0 for c in extra) and len(rows) > 1 else 0
        return Grid(rows, list(widths), header_rows=header)

    def _banner(self, block: _Banner, p: Paper, s, cw: float) -> list[Flowable]:
        cell = [P(block.text, s["banner"])]
        if block.detail:
            cell.append(P(block.detail, s["banner_detail"]))
        width = cw if p.is_roll else min(cw, 110 * mm)
        table = Table([[cell]], colWidths=[width], hAlign="CENTER" if p.is_roll else "LEFT")
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), REGULAR),
            ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
            ("LEFTPADDING", (0, 0), (-1, -1), 2 * mm),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2 * mm),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5 * mm),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
        ]))
        return [table, Spacer(1, 3 * mm)]

    def _fields(self, block: _Fields, p: Paper, s, cw: float) -> list[Flowable]:
        if not block.pairs:
            return []
        label_w = 26 * mm if p.is_roll else 38 * mm
        width = cw if p.is_roll else min(cw, 130 * mm)
        data = [[P(a, s["body"]), P(b, s["body"])] for a, b in block.pairs]
        return [self._grid(data, [label_w, width - label_w], pad=0.6), Spacer(1, 2.5 * mm)]

    def _items(self, block: _Items, p: Paper, s, cw: float) -> list[Flowable]:
        if not block.rows:
            return []
        if not block.priced:
            qty_w = 12 * mm if p.is_roll else 18 * mm
            data = [[P("Qty", s["head"]), P(block.headings[0], s["head"])]]
            for row in block.rows:
                desc = [P(row.description, s["body"])]
                if row.note:
                    desc.append(P(row.note, s["small"]))
                data.append([P(f"{row.quantity} ×", s["body"]), desc])
            extra = [("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black), ("TOPPADDING", (0, 1), (-1, -1), 2)]
            return [self._grid(data, [qty_w, cw - qty_w], extra), Spacer(1, 3 * mm)]

        if p.is_roll:
            amount_w = 22 * mm
            data = []
            extra = []
            for row in block.rows:
                first = len(data)
                desc = [P(row.description, s["body"])]
                if row.note:
                    desc.append(P(row.note, s["small"]))
                data.append([desc, P(row.amount or "", s["body_right"])])
                if row.quantity != 1 and row.unit:
                    data.append([P(f"{row.quantity} × {row.unit}", s["sub"]), ""])
                for label, value in row.sublines:
                    data.append([P(label, s["sub"]), P(value, s["small_right"])])
                extra.append(("TOPPADDING", (0, first), (-1, first), 2.5))
                if len(data) - 1 > first:
                    extra.append(("KEEPWITHNEXT", (0, first), (-1, len(data) - 2)))
            return [self._grid(data, [cw - amount_w, amount_w], extra, pad=0.4), Spacer(1, 2 * mm),
                    HRFlowable(width="100%", thickness=0.5, color=colors.black, dash=(2, 2), spaceBefore=0, spaceAfter=0),
                    Spacer(1, 1.5 * mm)]

        qty_w, unit_w, amount_w = 16 * mm, 28 * mm, 30 * mm
        desc_w = cw - qty_w - unit_w - amount_w
        h = block.headings
        data = [[P(h[0], s["head"]), P(h[1], s["head_right"]),
                 P(h[2], s["head_right"]), P(h[3], s["head_right"])]]
        extra = [("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black)]
        for row in block.rows:
            first = len(data)
            desc = [P(row.description, s["body"])]
            if row.note:
                desc.append(P(row.note, s["small"]))
            data.append([desc, P(str(row.quantity), s["body_right"]),
                         P(row.unit or "", s["body_right"]), P(row.amount or "", s["body_right"])])
            for label, value in row.sublines:
                data.append([P(label, s["sub"]), "", "", P(value, s["small_right"])])
            extra.append(("TOPPADDING", (0, first), (-1, first), 4))
            if len(data) - 1 > first:
                extra.append(("KEEPWITHNEXT", (0, first), (-1, len(data) - 2)))
            if first > 1:
                extra.append(("LINEABOVE", (0, first), (-1, first), 0.25, colors.HexColor("#999999")))
        return [self._grid(data, [desc_w, qty_w, unit_w, amount_w], extra, pad=1), Spacer(1, 1 * mm),
                HRFlowable(width="100%", thickness=0.8, color=colors.black, spaceBefore=0, spaceAfter=0),
                Spacer(1, 2 * mm)]

    def _totals(self, block: _Totals, p: Paper, s, cw: float) -> list[Flowable]:
        if not block.rows:
            return []
        value_w = 28 * mm if p.is_roll else 34 * mm
        width = cw if p.is_roll else min(cw, 95 * mm)
        data, extra = [], []
        for i, row in enumerate(block.rows):
            if row.strong:
                data.append([P(row.label, s["strong"]), P(row.value, s["strong_right"])])
                extra += [("LINEABOVE", (0, i), (-1, i), 0.8, colors.black), ("TOPPADDING", (0, i), (-1, i), 3),
                          ("BOTTOMPADDING", (0, i), (-1, i), 3)]
            else:
                data.append([P(row.label, s["body"]), P(row.value, s["body_right"])])
        table = self._grid(data, [width - value_w, value_w], extra, pad=0.8)
        table.hAlign = "LEFT" if p.is_roll else "RIGHT"
        return [table, Spacer(1, 3 * mm)]

    def _table(self, block: _Table, p: Paper, s, cw: float) -> list[Flowable]:
        total = sum(block.widths) or 1
        width = cw if p.is_roll else min(cw, 130 * mm)
        widths = [width * w / total for w in block.widths]
        style_of = {"L": "small", "R": "small_right", "C": "small_center"}
        head_of = {"L": "head", "R": "head_right", "C": "head_center"}
        data = [[P(h, s[head_of[a]]) for h, a in zip(block.header, block.align)]]
        for row in block.rows:
            data.append([P(c, s[style_of[a]]) for c, a in zip(row, block.align)])
        out: list[Flowable] = []
        if block.caption:
            out.append(P(block.caption, s["body_bold"]))
            out.append(Spacer(1, 0.8 * mm))
        out.append(self._grid(data, widths, [("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black)], pad=0.6))
        out.append(Spacer(1, 3 * mm))
        return out

    # paper-specific rendering ---------------------------------------------------------
    def _metadata(self, canv: Canvas) -> None:
        canv.setTitle(self.pdf_title)
        canv.setAuthor(self.store.name)
        canv.setSubject(self.title)
        canv.setCreator("Desk")

    def _render_roll(self, p: Paper, story: list[Flowable]) -> bytes:
        """One page exactly as long as the content: each flowable wrapped once, drawn top down."""
        cw = p.content_width
        sizes = [f.wrap(cw, 1e6) for f in story]
        height = sum(h for _, h in sizes) + 2 * p.margin_y
        buf = io.BytesIO()
        canv = Canvas(buf, pagesize=(p.width, height), initialFontName=REGULAR, initialFontSize=p.base)
        self._metadata(canv)
        y = height - p.margin_y
        for flowable, (w, h) in zip(story, sizes):
            y -= h
            flowable.drawOn(canv, p.margin_x, y, _sW=cw - w)
        canv.showPage()
        canv.save()
        return buf.getvalue()

    def _render_sheet(self, p: Paper, story: list[Flowable]) -> bytes:
        buf = io.BytesIO()
        doc = BaseDocTemplate(
            buf, pagesize=(p.width, p.height), leftMargin=p.margin_x, rightMargin=p.margin_x,
            topMargin=p.margin_y, bottomMargin=p.margin_y, title=self.pdf_title, author=self.store.name,
            subject=self.title, creator="Desk", initialFontName=REGULAR, initialFontSize=p.base,
        )
        frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        label = self.pdf_title

        def page_line(canv: Canvas, d) -> None:
            canv.saveState()
            canv.setFont(REGULAR, p.small)
            canv.setFillColor(colors.black)
            canv.drawRightString(p.width - p.margin_x, p.margin_y / 2, f"{label} · page {d.page}")
            canv.restoreState()

        doc.addPageTemplates([PageTemplate("page", frames=[frame], onPage=page_line)])
        doc.build(story)
        return buf.getvalue()

