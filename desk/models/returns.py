"""Returns at the desk: returns and their lines, refund tenders, store-credit vouchers with their
ledger, manager approvals and the per-desk document number counters."""

from peewee import SQL, BooleanField, CharField, Check, DateTimeField, ForeignKeyField, IntegerField, TextField

from desk.models.base import BaseModel, MoneyField, Record
from desk.models.catalogue import Customer, Product
from desk.models.sales import Sale, SaleLine, Tender
from desk.models.staff import Staff
from desk.models.store import Store


class DocumentCounter(BaseModel):
    """The last number given out per store, desk and kind of document (R, ...): gap-free."""

    store_code = CharField(max_length=16)
    desk_code = CharField(max_length=16)
    kind = CharField(max_length=8)
    last = IntegerField(default=0)

    class Meta:
        indexes = ((("store_code", "desk_code", "kind"), True),)


class Approval(Record):
    """A return that needs a manager's word, sent to the queue; answered from any desk."""

    store = ForeignKeyField(Store, backref="approvals", on_delete="RESTRICT")
    status = CharField(max_length=12, index=True)  # pending | approved | refused | used | withdrawn
    clerk = ForeignKeyField(Staff, backref="approvals_asked", on_delete="RESTRICT")
    desk_code = CharField(max_length=16, default="")
    outcome = CharField(max_length=16)  # the policy's decision asked about: needs_approval | refused
    reasons = TextField(default="[]")  # JSON list of the policy's reasons
    summary = TextField(default="")  # one line a manager reads in the queue
    amount = MoneyField(default=0)  # the refund asked for, minor units
    request = TextField()  # the return request as JSON
    fingerprint = CharField(max_length=64)  # sha256 of the request: the return must match it
    decided_by = ForeignKeyField(Staff, backref="approvals_given", null=True, on_delete="RESTRICT")
    decided_at = DateTimeField(null=True)
    note = TextField(default="")
    used_at = DateTimeField(null=True)


class Return(Record):
    number = CharField(max_length=48, unique=True)
    store = ForeignKeyField(Store, backref="returns", on_delete="RESTRICT")
    desk_code = CharField(max_length=16)
    kind = CharField(max_length=12)  # receipted | gift | unverified | blind
    sale = ForeignKeyField(Sale, backref="returns", null=True, on_delete="RESTRICT", index=True)
    gift_code = CharField(max_length=40, default="")
    customer = ForeignKeyField(Customer, backref="returns", null=True, on_delete="SET NULL")
    customer_name = CharField(max_length=160, default="")
    customer_phone = CharField(max_length=40, default="", index=True)
    customer_email = CharField(max_length=254, default="", index=True)
    clerk = ForeignKeyField(Staff, backref="returns", on_delete="RESTRICT", index=True)
    currency = CharField(max_length=3)
    total = MoneyField(constraints=[Check("total >= 0")])  # refunded, after fees
    fee_total = MoneyField(default=0)  # restocking fees kept
    refund_to = CharField(max_length=16)  # original | store_credit | cash
    status = CharField(max_length=12, default="completed", index=True)  # completed | voided
    decision = CharField(max_length=16)  # allowed | needs_approval | refused (the policy's word)
    policy_reasons = TextField(default="[]")  # JSON list
    approval = ForeignKeyField(Approval, backref="returns", null=True, on_delete="RESTRICT")
    approved_by = ForeignKeyField(Staff, backref="returns_approved", null=True, on_delete="RESTRICT")
    approved_at = DateTimeField(null=True)
    approval_note = TextField(default="")
    override = BooleanField(default=False)  # a refusal a manager overrode
    note = TextField(default="")
    voided_at = DateTimeField(null=True)
    voided_by = ForeignKeyField(Staff, backref="returns_voided", null=True, on_delete="RESTRICT")
    void_reason = TextField(default="")

    class Meta:
        indexes = ((("created_at",), False),)


class ReturnLine(Record):
    ret = ForeignKeyField(Return, backref="lines", on_delete="CASCADE")
    line_no = IntegerField()
    sale_line = ForeignKeyField(SaleLine, backref="return_lines", null=True, on_delete="RESTRICT", index=True)
    product = ForeignKeyField(Product, backref="return_lines", null=True, on_delete="SET NULL")
    sku = CharField(max_length=64, default="")
    description = TextField()
    category = CharField(max_length=80, default="")
    quantity = IntegerField(constraints=[Check("quantity > 0")])
    value = MoneyField()  # the units' share of what the line paid, before the fee
    fee = MoneyField(default=0)  # restocking fee kept
    refund = MoneyField()  # value - fee
    reason = CharField(max_length=32)
    reason_text = TextField(default="")
    condition = CharField(max_length=12)  # unopened | opened | damaged | defective
    disposition = CharField(max_length=12)  # stock | write_off | vendor

    class Meta:
        indexes = ((("ret", "line_no"), True),)


class Voucher(Record):
    """Store credit: its balance is the sum of its entries."""

    code = CharField(max_length=32, unique=True)
    store = ForeignKeyField(Store, backref="vouchers", on_delete="RESTRICT")
    currency = CharField(max_length=3)
    amount = MoneyField()  # issued
    customer = ForeignKeyField(Customer, backref="vouchers", null=True, on_delete="SET NULL")
    customer_name = CharField(max_length=160, default="")
    issued_by_return = ForeignKeyField(Return, backref="vouchers", null=True, on_delete="RESTRICT")
    status = CharField(max_length=12, default="active")  # active | cancelled
    source = CharField(max_length=12, default="return", constraints=[SQL("DEFAULT 'return'")])  # return | exchange | goodwill (0010)


class VoucherEntry(Record):
    voucher = ForeignKeyField(Voucher, backref="entries", on_delete="CASCADE", index=True)
    kind = CharField(max_length=8)  # issue | redeem | cancel
    amount = MoneyField()  # signed: issue +, redeem and cancel -
    reference = CharField(max_length=80, default="")
    staff_code = CharField(max_length=16, default="")


class RefundTender(Record):
    ret = ForeignKeyField(Return, backref="tenders", on_delete="CASCADE")
    seq = IntegerField()
    method = CharField(max_length=16)  # cash | card | gift_card | other | store_credit
    amount = MoneyField(constraints=[Check("amount >= 0")])
    original_tender = ForeignKeyField(Tender, backref="refunds", null=True, on_delete="RESTRICT", index=True)
    card_brand = CharField(max_length=20, default="")
    card_last4 = CharField(max_length=4, default="")
    reference = CharField(max_length=80, default="")
    voucher = ForeignKeyField(Voucher, backref="refund_tenders", null=True, on_delete="RESTRICT")
