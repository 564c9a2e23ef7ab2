"""peewee tables only: fields, indexes, constraints, no business rules."""

from desk.models.audit import AuditEvent, AuditHead
from desk.models.base import BaseModel, database
from desk.models.catalogue import Category, Customer, Product
from desk.models.cases import Case, CaseCategory, CaseEvent, CaseNote, CasePause, ContactLog, FollowUp
from desk.models.exchanges import Exchange, ExchangeTender
from desk.models.exports import ChangeLog, ExportBundle
from desk.models.head_office import HoBundle, HoClosedDay, HoConflict, HoRecord, HoStore
from desk.models.imports import SaleImport, TillRefund
from desk.models.orders import ContactAttempt, OrderEvent, OrderTender, SpecialOrder, SpecialOrderLine
from desk.models.printing import ArchivedDocument, GiftReceipt
from desk.models.returns import Approval, DocumentCounter, RefundTender, Return, ReturnLine, Voucher, VoucherEntry
from desk.models.sales import Sale, SaleLine, Tender
from desk.models.staff import Staff
from desk.models.store import Desk, Setting, Store

ALL_MODELS = [
    Store,
    Desk,
    Setting,
    Staff,
    Customer,
    Category,
    Product,
    Sale,
    SaleLine,
    Tender,
    SaleImport,
    TillRefund,
    GiftReceipt,
    ArchivedDocument,
    DocumentCounter,
    Approval,
    Return,
    ReturnLine,
    Voucher,
    VoucherEntry,
    RefundTender,
    Exchange,
    ExchangeTender,
    SpecialOrder,
    SpecialOrderLine,
    OrderEvent,
    ContactAttempt,
    OrderTender,
    CaseCategory,
    Case,
    CasePause,
    CaseNote,
    CaseEvent,
    FollowUp,
    ContactLog,
    AuditEvent,
    AuditHead,
    ChangeLog,
    ExportBundle,
    HoStore,
    HoBundle,
    HoRecord,
    HoConflict,
    HoClosedDay,
]

__all__ = ["database", "BaseModel", "ALL_MODELS"] + [m.__name__ for m in ALL_MODELS]
