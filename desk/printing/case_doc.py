"""The case summary and the letter to the customer, on A4 or Letter.

Plain data in (``CaseDocData``, filled by ``desk.services.cases.case_data``), PDF bytes out. The
summary is the store's record of the case: what the customer said, links, deadlines, every note
and the resolution and follow-up. The letter is what the customer receives: the apology or
explanation given and what was done, signed by the case's owner.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desk.printing.data import StoreHeader
from desk.printing.layout import Document, paper_spec


@dataclass(frozen=True)
class CaseDocNote:
    at: dt.datetime
    staff: str
    kind_label: str
    to_customer: bool
    text: str


@dataclass(frozen=True)
class CaseDocData:
    store: StoreHeader
    locale: str
    currency: str
    number: str
    opened_at: dt.datetime  # naive UTC
    opened_by: str
    type_label: str
    channel_label: str
    category: str
    priority_label: str
    status_label: str
    summary: str
    customer_words: str = ""
    customer_name: str = ""
    customer_phone: str = ""
    customer_email: str = ""
    receipt_no: str = ""
    return_number: str = ""
    exchange_number: str = ""
    order_number: str = ""
    product_name: str = ""
    owner_name: str = ""
    first_response_due: dt.datetime | None = None
    first_response_at: dt.datetime | None = None
    resolution_due: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    resolution_label: str = ""
    resolution: str = ""
    voucher_code: str = ""
    goodwill_amount: int = 0
    notes: tuple[CaseDocNote, ...] = ()
    follow_up_due: dt.datetime | None = None
    follow_up_status: str = ""
    follow_up_outcome: str = ""
    satisfaction: int | None = None
    letter: bool = False
    signed_by: str = ""
    printed_at: dt.datetime | None = None  # naive UTC: the letter's date


def case_summary_document(data: CaseDocData) -> Document:
    doc = Document(title=f"Case: {data.type_label}", number=data.number, store=data.store, locale=data.locale,
                   currency=data.currency)
    when = lambda v: doc.datetime(v) if v else ""  # noqa: E731
    doc.fields([
        ("Opened", f"{when(data.opened_at)} by {data.opened_by}"),
        ("Status", data.status_label),
        ("Channel", data.channel_label),
        ("Category", data.category),
        ("Priority", data.priority_label),
        ("Owner", data.owner_name or "Unassigned"),
        ("Customer", data.customer_name),
        ("Phone", data.customer_phone),
        ("Email", data.customer_email),
        ("Receipt", data.receipt_no),
        ("Return", data.return_number),
        ("Exchange", data.exchange_number),
        ("Order", data.order_number),
        ("Product", data.product_name),
    ])
    doc.space(2)
    doc.text(data.summary, bold=True)
    if data.customer_words:
        doc.text("In the customer's words", bold=True)
        doc.text(f"\u201c{data.customer_words}\u201d")
    doc.table(["Deadline", "Due", "Met"], [
        ["First response", when(data.first_response_due), when(data.first_response_at)],
        ["Resolution", when(data.resolution_due), when(data.resolved_at)],
    ], align="LLL", widths=[1.2, 1.5, 1.5])
    if data.notes:
        doc.space(2)
        doc.table(["When", "Who", "What", "Note"],
                  [[when(n.at), n.staff, n.kind_label + (" (to the customer)" if n.to_customer and n.kind_label == "Note" else ""),
                    n.text] for n in data.notes], align="LLLL", widths=[1.3, 1.0, 0.9, 3.2], caption="History")
    if data.resolution:
        doc.space(2)
        doc.text("Resolution" + (f": {data.resolution_label}" if data.resolution_label else ""), bold=True)
        doc.text(data.resolution)
        if data.voucher_code:
            doc.fields([("Store credit", f"{data.voucher_code}, {doc.money(data.goodwill_amount)}")])
    if data.follow_up_status:
        doc.space(2)
        status = (f"due {when(data.follow_up_due)}" if data.follow_up_status == "Due"
                  else data.follow_up_status.lower())
        doc.fields([
            ("Follow-up", status),
            ("Outcome", data.follow_up_outcome),
            ("Satisfaction", f"{data.satisfaction} of 5" if data.satisfaction else ""),
        ])
    if data.closed_at:
        doc.fields([("Closed", when(data.closed_at))])
    return doc


def _first_name(name: str) -> str:
    return (name or "").split(" ")[0]


def case_letter_document(data: CaseDocData) -> Document:
    """A letter to the customer: reference, what they told us, the apology or explanation, what was done."""
    doc = Document(title="", number=data.number, store=data.store, locale=data.locale, currency=data.currency,
                   barcode_value="")
    doc.fields([("Date", doc.date(data.printed_at or data.opened_at)), ("Our reference", data.number), ("To", data.customer_name),
                ("Email", data.customer_email)])
    doc.space(4)
    doc.text(f"Dear {data.customer_name or 'customer'},")
    doc.space(2)
    opened = doc.date(data.opened_at)
    what = {"Complaint": "your complaint", "Enquiry": "your enquiry", "Feedback": "your feedback",
            "Compliment": "your kind words"}.get(data.type_label, "your message")
    paragraphs = [f"Thank you for contacting us on {opened} about {what} (\u201c{data.summary}\u201d)."]
    paragraphs += [n.text for n in data.notes if n.to_customer and n.kind_label in ("Apology", "Explanation")]
    if data.resolution:
        paragraphs.append(data.resolution)
        if data.voucher_code:
            paragraphs.append(f"As a gesture of goodwill we have given you store credit of "
                              f"{doc.money(data.goodwill_amount)} (voucher {data.voucher_code}), which you can use in the store.")
    else:
        paragraphs.append("We are looking into this and will be in touch as soon as we can.")
    paragraphs.append("If anything is still not right, please contact us and quote the reference above.")
    for text in paragraphs:
        doc.text(text)
        doc.space(2)
    doc.space(4)
    doc.text("Yours sincerely,")
    doc.space(8)
    doc.text(data.signed_by, bold=True)
    doc.text(f"Customer service, {data.store.name}", small=True)
    return doc


def build_case_document(data: CaseDocData, paper: str = "a4") -> bytes:
    spec = paper_spec(paper)
    if spec.is_roll:
        raise ValueError("case documents print on A4 or Letter")
    doc = case_letter_document(data) if data.letter else case_summary_document(data)
    return doc.render(paper)
