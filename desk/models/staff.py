"""Staff members who sign in at the desk."""

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField

from desk.clock import utcnow
from desk.models.base import Record
from desk.models.store import Store


class Staff(Record):
    store = ForeignKeyField(Store, backref="staff", null=True, on_delete="RESTRICT")
    code = CharField(max_length=16, unique=True)
    name = CharField(max_length=120)
    role = CharField(max_length=16)  # see desk.services.auth.ROLES
    pin_hash = CharField(max_length=255)
    active = BooleanField(default=True)
    failed_attempts = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    updated_at = DateTimeField(default=utcnow)
