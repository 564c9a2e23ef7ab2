"""The tamper-evident audit trail: each event stores the hash of the one before."""

from peewee import BigIntegerField, CharField, DateTimeField, TextField

from desk.clock import utcnow
from desk.models.base import BaseModel, Record


class AuditEvent(Record):
    seq = BigIntegerField(unique=True)
    at = DateTimeField(default=utcnow)
    store_code = CharField(max_length=16, default="")
    staff_code = CharField(max_length=16, default="")
    action = CharField(max_length=64, index=True)
    entity = CharField(max_length=32, default="")
    entity_uuid = CharField(max_length=36, default="")
    details = TextField(default="{}")  # canonical JSON
    prev_hash = CharField(max_length=64)
    hash = CharField(max_length=64)


class AuditHead(BaseModel):
    """One row: the chain's last sequence number and hash, locked to append."""

    id = BigIntegerField(primary_key=True)
    seq = BigIntegerField(default=0)
    hash = CharField(max_length=64)
    updated_at = DateTimeField(default=utcnow)
