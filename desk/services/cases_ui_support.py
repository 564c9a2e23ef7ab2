"""What the Customers and Cases screens need that the customers and cases services do not
offer (yet). Reads only; no Qt.

- ``merge_preview(duplicate_id)``: what a merge would move onto the kept customer, counted per
  kind of record, before the clerk confirms it.
"""

from __future__ import annotations

from desk.services.customers import customer_references

# How a person reads "table.column" (anything else is shown by its table's name).
_LABELS = {
    "sale": "sales",
    "return": "returns",
    "voucher": "vouchers",
    "service_case": "cases",
    "case": "cases",
    "contact_log": "contacts",
    "special_order": "special orders",
}


def merge_preview(duplicate_id: int) -> dict[str, int]:
    """How many records of each kind point at customer ``duplicate_id`` (what a merge moves):
    {"sales": 3, "cases": 1, ...}, only the kinds that have some."""
    moved: dict[str, int] = {}
    for model, fk in customer_references():
        n = model.select().where(fk == duplicate_id).count()
        if n:
            table = model._meta.table_name
            label = _LABELS.get(table, table.replace("_", " "))
            moved[label] = moved.get(label, 0) + n
    return moved


def case_owners(actor) -> list[tuple[int, str]]:
    """Who a case can be assigned to: the active staff of the store as (id, "code — name"), by
    name. Any staff member who works cases may see the list (``staff.list_staff`` needs
    ``staff.view``, which clerks do not have)."""
    from desk.models import Staff
    from desk.services.auth import require

    require(actor, "cases.work")
    return [(s.id, f"{s.code} — {s.name}")
            for s in Staff.select(Staff.id, Staff.code, Staff.name).where(Staff.active == True).order_by(Staff.name)]  # noqa: E712


def document_started_for(receipt_no: str, clerk_id: int, since) -> str:
    """The number of the newest return (or the exchange made with it) that ``clerk_id`` took on
    the sale ``receipt_no`` at or after ``since`` (naive UTC): what a case started a return
    or exchange for, to link to it. "" when there is none yet."""
    from desk.models import Exchange, Return, Sale

    sale = Sale.get_or_none(Sale.receipt_no == (receipt_no or "").strip())
    if sale is None:
        return ""
    ret = (Return.select(Return.id, Return.number).where((Return.sale == sale.id) & (Return.clerk == clerk_id)
                                                         & (Return.created_at >= since))
           .order_by(Return.created_at.desc(), Return.id.desc()).first())
    if ret is None:
        return ""
    ex = Exchange.select(Exchange.number).where(Exchange.ret == ret.id).first()
    return ex.number if ex is not None else ret.number
