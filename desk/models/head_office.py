"""Head office: the stores registered with it, the bundles they sent, and what those held.

Imported records live in one table keyed by (store, kind, uuid): the record as it travelled
(``data``, JSON) and the few typed columns the reports group and sum by, filled by each kind's
projection in desk.services.exporters. One table keeps the import a single batched insert per
kind and lets a new kind (special orders, cases) arrive without a migration.
"""

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from desk.clock import utcnow
from desk.models.base import BaseModel


class HoStore(BaseModel):
    code = CharField(max_length=16, unique=True)
    name = CharField(max_length=120)
    key = CharField(max_length=64)  # HMAC-SHA256 key, hex: the store signs its bundles with it
    registered_at = DateTimeField(default=utcnow)
    # the weekdays the store does not trade, e.g. "sun" or "sat,sun" (coverage expects no bundle)
    closed_weekdays = CharField(max_length=32, default="")

    class Meta:
        table_name = "ho_store"


class HoClosedDay(BaseModel):
    """A date a registered store does not trade (a holiday): coverage shows it closed."""

    store = ForeignKeyField(HoStore, backref="closed_days", on_delete="CASCADE")
    day = DateField()

    class Meta:
        table_name = "ho_closed_day"
        indexes = ((("store", "day"), True),)


class HoBundle(BaseModel):
    """A bundle offered to head office: imported, or refused with the reason."""

    store = ForeignKeyField(HoStore, backref="bundles", null=True, on_delete="RESTRICT")
    store_code = CharField(max_length=16, default="")  # as the bundle claimed (an unknown store too)
    number = IntegerField(null=True)
    period_from = DateTimeField(null=True)
    period_to = DateTimeField(null=True)
    status = CharField(max_length=12)  # imported | refused
    reason = TextField(default="")
    file_name = CharField(max_length=255, default="")
    file_sha256 = CharField(max_length=64, default="")
    manifest_sha256 = CharField(max_length=64, default="")
    counts = TextField(default="{}")  # JSON: kind -> records
    added = IntegerField(default=0)
    replaced = IntegerField(default=0)
    unchanged = IntegerField(default=0)
    conflicts = IntegerField(default=0)
    app_version = CharField(max_length=32, default="")
    schema = CharField(max_length=64, default="")
    audit_head_seq = BigIntegerField(null=True)
    audit_head_hash = CharField(max_length=64, default="")
    received_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "ho_bundle"
        indexes = ((("store", "number"), False),)


class HoRecord(BaseModel):
    # no index of its own on store or at: (store, uuid, kind) and (kind, at) cover them (migrations 0016, 0019)
    store = ForeignKeyField(HoStore, backref="records", on_delete="RESTRICT", index=False)
    kind = CharField(max_length=24)
    uuid = CharField(max_length=36)
    version = IntegerField()
    sha256 = CharField(max_length=64)  # of the record's canonical JSON: tells a conflict from a repeat
    bundle = ForeignKeyField(HoBundle, on_delete="RESTRICT", index=False)  # no reader (migration 0019)
    data = TextField()
    # typed columns for the reports (what each means depends on the kind: desk.services.exporters)
    at = DateTimeField(null=True)
    amount = BigIntegerField(null=True)
    currency = CharField(max_length=3, default="")
    status = CharField(max_length=16, default="")
    label = CharField(max_length=80, default="")
    detail = CharField(max_length=32, default="")
    clerk = CharField(max_length=16, default="")
    parent = CharField(max_length=36, default="")
    flag = BooleanField(default=False)

    class Meta:
        table_name = "ho_record"
        indexes = (
            (("store", "uuid", "kind"), True),
            (("kind", "at"), False),
        )


# Over the records that have a parent only (migration 0019; on PostgreSQL a hash index on parent).
HoRecord.add_index(HoRecord.index(HoRecord.kind, HoRecord.parent, name="horecord_parent", where=(HoRecord.parent != "")))


class HoConflict(BaseModel):
    """Two different contents sent with the same uuid and version: kept, never applied."""

    store = ForeignKeyField(HoStore, on_delete="RESTRICT")
    bundle = ForeignKeyField(HoBundle, backref="conflict_rows", on_delete="RESTRICT")
    kind = CharField(max_length=24)
    uuid = CharField(max_length=36)
    version = IntegerField()
    kept_sha256 = CharField(max_length=64)
    offered_sha256 = CharField(max_length=64)
    offered = TextField()
    found_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "ho_conflict"
