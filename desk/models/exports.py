"""The store's side of head office: what changed since the last bundle, and the bundles sent.

``ChangeLog`` is filled by database triggers (migration 0011), not by the services: every
insert or update of an exportable table writes one row in the same transaction and bumps the
row's ``version``, so no change can miss the next bundle, whichever code made it.
"""

from peewee import BigAutoField, BigIntegerField, CharField, DateTimeField, IntegerField, TextField

from desk.clock import utcnow
from desk.models.base import BaseModel


class ChangeLog(BaseModel):
    """One insert or update of an exportable row; ``bundle_no`` set once a bundle carried it."""

    id = BigAutoField()
    tbl = CharField(max_length=40)
    row_id = BigIntegerField()
    at = DateTimeField(default=utcnow)
    bundle_no = IntegerField(null=True)

    class Meta:
        table_name = "change_log"


class ExportBundle(BaseModel):
    """A bundle this store wrote: numbered per store without gaps."""

    number = IntegerField(unique=True)
    mode = CharField(max_length=12)  # since_last | day
    period_from = DateTimeField()
    period_to = DateTimeField()
    created_at = DateTimeField(default=utcnow)
    staff_code = CharField(max_length=16, default="")
    audit_seq_to = BigIntegerField(default=0)  # the audit chain's head when it was written
    counts = TextField(default="{}")  # JSON: kind -> records
    file_name = CharField(max_length=200)
    manifest_sha256 = CharField(max_length=64)

    class Meta:
        table_name = "export_bundle"


# The rows no bundle has carried yet (what the next export reads), and the day's changes.
ChangeLog.add_index(ChangeLog.index(ChangeLog.tbl, ChangeLog.row_id, name="change_log_pending",
                                    where=ChangeLog.bundle_no.is_null()))
ChangeLog.add_index(ChangeLog.index(ChangeLog.at, name="change_log_at"))
