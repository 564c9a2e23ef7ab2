"""Service cases (complaints, enquiries, feedback, compliments) with their notes, status changes,
paused intervals and follow-ups; the categories a manager keeps; contacts with customers.

Statuses, kinds and deadlines are the rules of ``desk.services.cases``; these are the tables."""

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from desk.models.base import BaseModel, MoneyField, Record
from desk.models.catalogue import Customer, Product
from desk.models.exchanges import Exchange
from desk.models.returns import Return, Voucher
from desk.models.sales import Sale
from desk.models.staff import Staff
from desk.models.store import Store


class CaseCategory(Record):
    """A category of case (product quality, service, delivery ...): the list a manager keeps."""

    name = CharField(max_length=80, unique=True)
    # a stable key (from the first name, kept on a rename): head office groups cases by it
    code = CharField(max_length=40, unique=True)
    active = BooleanField(default=True)
    position = IntegerField(default=0)


class Case(Record):
    version = IntegerField(default=1)  # bumped by a trigger on every update (migration 0012)
    number = CharField(max_length=48, unique=True)  # C-<store>-<desk>-<seq>
    store = ForeignKeyField(Store, backref="cases", on_delete="RESTRICT")
    desk_code = CharField(max_length=16)
    type = CharField(max_length=12)  # complaint | enquiry | feedback | compliment
    channel = CharField(max_length=12)  # in_person | phone | email | letter
    category = ForeignKeyField(CaseCategory, backref="cases", null=True, on_delete="RESTRICT")
    priority = CharField(max_length=8, default="normal")  # low | normal | high | urgent
    summary = CharField(max_length=200)  # one line a list shows
    customer_words = TextField(default="")  # what the customer said, in their words
    customer = ForeignKeyField(Customer, backref="cases", null=True, on_delete="SET NULL")
    sale = ForeignKeyField(Sale, backref="cases", null=True, on_delete="RESTRICT")
    ret = ForeignKeyField(Return, backref="cases", null=True, on_delete="RESTRICT")
    exchange = ForeignKeyField(Exchange, backref="cases", null=True, on_delete="RESTRICT")
    product = ForeignKeyField(Product, backref="cases", null=True, on_delete="SET NULL")
    # A special order, without depending on its table: its id and number as the orders service gives them.
    order_id = IntegerField(null=True)
    order_number = CharField(max_length=48, default="")
    owner = ForeignKeyField(Staff, backref="cases_owned", null=True, on_delete="RESTRICT")
    opened_by = ForeignKeyField(Staff, backref="cases_opened", on_delete="RESTRICT")
    status = CharField(max_length=20, default="open", index=True)
    first_response_due = DateTimeField()
    first_response_at = DateTimeField(null=True)
    resolution_due = DateTimeField()
    resolved_at = DateTimeField(null=True)
    closed_at = DateTimeField(null=True)
    paused_since = DateTimeField(null=True)  # waiting on the customer since (the clock stopped)
    paused_seconds = IntegerField(default=0)  # total of the closed paused intervals
    next_due_at = DateTimeField(null=True, index=True)  # the deadline that applies now; NULL: none running
    resolution_kind = CharField(max_length=12, default="")  # refund | exchange | goodwill | explanation | other
    resolution = TextField(default="")
    voucher = ForeignKeyField(Voucher, backref="cases", null=True, on_delete="RESTRICT")
    goodwill_amount = MoneyField(default=0)
    goodwill_approved_by = ForeignKeyField(Staff, backref="goodwill_approved", null=True, on_delete="RESTRICT")
    updated_at = DateTimeField()

    class Meta:
        indexes = ((("created_at",), False), (("owner", "status"), False))


class CasePause(BaseModel):
    """An interval in which the case waited on the customer: its deadlines did not run."""

    case = ForeignKeyField(Case, backref="pauses", on_delete="CASCADE", index=True)
    started_at = DateTimeField()
    ended_at = DateTimeField(null=True)


class CaseNote(Record):
    version = IntegerField(default=1)  # bumped by a trigger on every update (migration 0012)
    case = ForeignKeyField(Case, backref="notes", on_delete="CASCADE", index=True)
    staff = ForeignKeyField(Staff, backref="case_notes", on_delete="RESTRICT")
    kind = CharField(max_length=12)  # note | apology | explanation | resolution
    to_customer = BooleanField(default=False)  # said or written to the customer (a response)
    text = TextField()


class CaseEvent(Record):
    """A change of status (or of owner, priority, category, links): the case's history."""

    version = IntegerField(default=1)  # bumped by a trigger on every update (migration 0012)
    case = ForeignKeyField(Case, backref="events", on_delete="CASCADE", index=True)
    staff = ForeignKeyField(Staff, backref="case_events", null=True, on_delete="RESTRICT")
    action = CharField(max_length=24)  # opened | status | assigned | priority | category | linked | goodwill ...
    from_status = CharField(max_length=20, default="")
    to_status = CharField(max_length=20, default="")
    text = TextField(default="")


class FollowUp(Record):
    """The contact after a resolution: due, tried, and what the customer said."""

    version = IntegerField(default=1)  # bumped by a trigger on every update (migration 0012)
    case = ForeignKeyField(Case, backref="follow_ups", on_delete="CASCADE", index=True)
    due_at = DateTimeField(index=True)
    status = CharField(max_length=12, default="pending")  # pending | done | unreachable | cancelled
    attempts = IntegerField(default=0)
    last_attempt_at = DateTimeField(null=True)
    done_at = DateTimeField(null=True)
    staff = ForeignKeyField(Staff, backref="follow_ups", null=True, on_delete="RESTRICT")
    outcome = TextField(default="")
    satisfaction = IntegerField(null=True)  # 1..5


class ContactLog(Record):
    """A contact with a customer: a call, an email, a letter, a visit (the timeline's "contacts")."""

    version = IntegerField(default=1)  # bumped by a trigger on every update (migration 0012)
    customer = ForeignKeyField(Customer, backref="contacts", null=True, on_delete="SET NULL", index=True)
    case = ForeignKeyField(Case, backref="contacts", null=True, on_delete="SET NULL")
    staff = ForeignKeyField(Staff, backref="contacts", on_delete="RESTRICT")
    channel = CharField(max_length=12)  # in_person | phone | email | letter | sms
    direction = CharField(max_length=4, default="out")  # in | out
    reached = BooleanField(default=True)
    summary = TextField(default="")
