"""Managing staff: add, deactivate, reactivate, reset a PIN, change one's own PIN."""

from __future__ import annotations

from dataclasses import dataclass

from desk import clock
from desk.errors import AuthFailed, DeskError, InvalidInput, NotFound
from desk.models import Staff, Store, database
from desk.models.db import is_postgres
from desk.services import audit
from desk.services.auth import ROLES, hash_pin, require, validate_code, validate_pin


@dataclass(frozen=True)
class StaffRow:
    code: str
    name: str
    role: str
    role_label: str
    active: bool
    locked: bool


def list_staff(actor: Staff) -> list[StaffRow]:
    require(actor, "staff.view")
    now = clock.utcnow()
    return [
        StaffRow(s.code, s.name, s.role, ROLES.get(s.role, s.role), s.active, bool(s.locked_until and s.locked_until > now))
        for s in Staff.select().order_by(Staff.active.desc(), Staff.code)
    ]


def _validate_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Name", "is required")
    if len(name) > 120:
        raise InvalidInput("Name", "is longer than 120 characters")
    return name


def _validate_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput("Role", f"'{role}' is not one of {', '.join(ROLES)}")
    return role


def create_staff(code: str, name: str, role: str, pin: str, store: Store | None) -> Staff:
    """Insert a staff member (no permission check: for setting up a store). Inside a transaction."""
    code = validate_code(code)
    name = _validate_name(name)
    role = _validate_role(role)
    pin = validate_pin(pin)
    if Staff.select().where(Staff.code == code).exists():
        raise InvalidInput("Staff code", f"{code} is already taken")
    return Staff.create(code=code, name=name, role=role, pin_hash=hash_pin(pin), store=store)


def add_staff(actor: Staff, code: str, name: str, role: str, pin: str) -> Staff:
    require(actor, "staff.manage")
    with database.atomic():
        _lock_staff_changes(actor)  # two admins adding the same code at once: the second is told
        store = Store.select().order_by(Store.id).first()
        staff = create_staff(code, name, role, pin, store if role != "head_office" else None)
        audit.record("staff.added", actor, entity="staff", entity_uuid=staff.uuid, details={"code": staff.code, "name": staff.name, "role": staff.role})
    return staff


def _get(code: str) -> Staff:
    staff = Staff.get_or_none(Staff.code == (code or "").strip())
    if staff is None:
        raise NotFound(f"No staff member has the code '{code}'.")
    return staff


_STAFF_LOCK = 0x5EA_F001  # PostgreSQL advisory lock: one staff change at a time


def _lock_staff_changes(actor: Staff) -> None:
    """Inside the transaction: wait for other staff changes, then check the actor again.

    SQLite's IMMEDIATE transactions already write one at a time; on PostgreSQL two
    admins deactivating each other at once would otherwise both see the other one left.
    """
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_STAFF_LOCK,))
    require(actor, "staff.manage")


def find_staff(code: str) -> Staff:
    """The staff member with this code, read-only (no sign-in, no audit). NotFound if none."""
    return _get(code)


def _active_admins_besides(staff: Staff) -> int:
    return Staff.select().where(Staff.role == "admin", Staff.active == True, Staff.id != staff.id).count()  # noqa: E712


def set_active(actor: Staff, code: str, active: bool) -> Staff:
    require(actor, "staff.manage")
    with database.atomic():
        _lock_staff_changes(actor)
        staff = _get(code)
        if staff.active == active:
            return staff
        if not active:
            if staff.id == actor.id:
                raise DeskError("You cannot deactivate your own account while signed in with it.")
            if staff.role == "admin" and _active_admins_besides(staff) == 0:
                raise DeskError(f"{staff.name} is the last active admin; add another admin first.")
        staff.active = active
        staff.updated_at = clock.utcnow()
        staff.save()
        audit.record("staff.activated" if active else "staff.deactivated", actor, entity="staff", entity_uuid=staff.uuid, details={"code": staff.code})
    return staff


def set_role(actor: Staff, code: str, role: str) -> Staff:
    require(actor, "staff.manage")
    role = _validate_role(role)
    with database.atomic():
        _lock_staff_changes(actor)
        staff = _get(code)
        if staff.role == role:
            return staff
        if staff.role == "admin" and staff.active and _active_admins_besides(staff) == 0:
            raise DeskError(f"{staff.name} is the last active admin; make someone else admin first.")
        old = staff.role
        staff.role = role
        staff.updated_at = clock.utcnow()
        staff.save()
        audit.record("staff.role_changed", actor, entity="staff", entity_uuid=staff.uuid, details={"code": staff.code, "from": old, "to": role})
    return staff


def reset_pin(actor: Staff, code: str, new_pin: str) -> Staff:
    """An admin sets a new PIN; this also lifts a lockout."""
    require(actor, "staff.manage")
    new_pin = validate_pin(new_pin, "New PIN")
    with database.atomic():
        staff = _get(code)
        staff.pin_hash = hash_pin(new_pin)
        staff.failed_attempts = 0
        staff.locked_until = None
        staff.updated_at = clock.utcnow()
        staff.save()
        audit.record("staff.pin_reset", actor, entity="staff", entity_uuid=staff.uuid, details={"code": staff.code})
    return staff


def change_own_pin(actor: Staff, current_pin: str, new_pin: str) -> None:
    """Change one's own PIN. A wrong current PIN counts towards the lockout like a sign-in."""
    from desk.services.auth import _attempt  # the one PIN check, with its lockout

    new_pin = validate_pin(new_pin, "New PIN")
    with database.atomic():
        result = _attempt(actor.code, (current_pin or "").strip(), success_action=None, during="PIN change")
        if result.staff is not None:
            staff = result.staff
            staff.pin_hash = hash_pin(new_pin)
            staff.updated_at = clock.utcnow()
            staff.save()
            audit.record("staff.pin_changed", staff, entity="staff", entity_uuid=staff.uuid)
    if result.staff is None:
        # Committed above: the wrong PIN is counted and audited.
        if result.message.startswith("Wrong PIN."):
            raise AuthFailed("The current PIN is wrong; the PIN was not changed." + result.message[len("Wrong PIN."):])
        raise AuthFailed("The PIN was not changed. " + result.message)
