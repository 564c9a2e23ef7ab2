"""Sign-in, lockout, PIN rules and the permission table."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from desk.errors import AuthFailed, InvalidInput, NotAllowed
from desk.models import AuditEvent, Staff, database
from desk.services import audit, auth
from desk.services.staff import add_staff, create_staff

PIN = "482913"
T0 = dt.datetime(2026, 3, 2, 10, 0, 0)


def events(action=None):
    q = AuditEvent.select().order_by(AuditEvent.seq)
    if action:
        q = q.where(AuditEvent.action == action)
    return list(q)


def fail(code, pin):
    with pytest.raises(AuthFailed) as info:
        auth.sign_in(code, pin)
    return str(info.value)


def test_sign_in_succeeds_and_is_audited(store):
    _, admin = store
    staff = auth.sign_in("900", PIN)
    assert staff.id == admin.id
    [event] = events("auth.sign_in")
    assert event.staff_code == "900"
    assert event.entity_uuid == str(admin.uuid)
    assert audit.verify_chain().ok


def test_wrong_pin_says_how_many_tries_are_left_and_is_audited(store):
    message = fail("900", "111222")
    assert "Wrong PIN" in message and "4 more wrong PINs" in message
    assert "3 more wrong PINs" in fail("900", "111222")
    fail("900", "111222")
    assert "1 more wrong PIN and" in fail("900", "111222")
    failed = events("auth.sign_in_failed")
    assert [json.loads(e.details)["attempt"] for e in failed] == [1, 2, 3, 4]
    assert Staff.get(Staff.code == "900").failed_attempts == 4


def test_five_wrong_pins_lock_for_five_minutes_then_unlock(store, clock_at):
    clock_at(T0)
    for _ in range(4):
        fail("900", "111222")
    message = fail("900", "111222")
    assert "locked" in message and "5 minutes" in message
    assert Staff.get(Staff.code == "900").locked_until == T0 + dt.timedelta(minutes=5)
    assert len(events("auth.locked")) == 1

    # Locked: even the right PIN is refused, and the refusal is audited.
    clock_at(T0 + dt.timedelta(minutes=4, seconds=59))
    message = fail("900", PIN)
    assert "locked" in message and "1 minute" in message
    assert json.loads(events("auth.sign_in_failed")[-1].details) == {"reason": "locked"}

    # Five minutes on, the right PIN works again and clears the lock.
    clock_at(T0 + dt.timedelta(minutes=5, seconds=1))
    staff = auth.sign_in("900", PIN)
    assert staff.locked_until is None and staff.failed_attempts == 0
    assert audit.verify_chain().ok


def test_wrong_pins_after_a_lockout_start_counting_again(store, clock_at):
    clock_at(T0)
    for _ in range(5):
        fail("900", "111222")
    clock_at(T0 + dt.timedelta(minutes=6))
    assert "4 more wrong PINs" in fail("900", "111222")


def test_a_right_pin_resets_the_count_of_wrong_ones(store):
    for _ in range(4):
        fail("900", "111222")
    auth.sign_in("900", PIN)
    assert "4 more wrong PINs" in fail("900", "111222")


def test_inactive_account_is_refused(store):
    _, admin = store
    clerk = add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    with database.atomic():
        Staff.update(active=False).where(Staff.id == clerk.id).execute()
    message = fail("100", "274951")
    assert "deactivated" in message and "Cleo Clerk" in message
    assert json.loads(events("auth.sign_in_failed")[-1].details) == {"reason": "inactive"}


def test_unknown_code_is_refused_and_audited(store):
    assert "No staff member has the code '777'" in fail("777", PIN)
    event = events("auth.sign_in_failed")[-1]
    assert event.staff_code == "777"
    assert "Enter your staff code" in fail("", PIN)


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", "12 34"])
def test_pin_must_be_4_to_8_digits(pin):
    with pytest.raises(InvalidInput, match="4 to 8 digits"):
        auth.validate_pin(pin)


@pytest.mark.parametrize("pin", ["0000", "1111111", "1234", "12345678", "9876", "3456"])
def test_pin_too_easy_is_refused(pin):
    with pytest.raises(InvalidInput, match="too easy"):
        auth.validate_pin(pin)


def test_good_pins_pass():
    for pin in ["4829", "274951", "94627103"]:
        assert auth.validate_pin(pin) == pin


def test_pins_are_stored_only_as_argon2_hashes(sqlite_store):
    _, admin = sqlite_store
    add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    fail("100", "318604")
    auth.sign_in("100", "274951")
    for staff in Staff.select():
        assert staff.pin_hash.startswith("$argon2id$")
    raw = database.obj.execute_sql("SELECT * FROM staff").fetchall()
    dump = repr(raw) + repr(database.obj.execute_sql("SELECT details, action FROM audit_event").fetchall())
    for pin in ("274951", "318604", PIN):
        assert pin not in dump


def test_require_names_the_role_and_the_permission(store):
    _, admin = store
    clerk = add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    with pytest.raises(NotAllowed) as info:
        auth.require(clerk, "staff.manage")
    message = str(info.value)
    assert "Cleo Clerk (Clerk)" in message
    assert "add, deactivate or reset the PIN of staff" in message
    assert "Ask: Admin" in message
    with pytest.raises(NotAllowed, match="Nobody signed in"):
        auth.require(None, "sales.view")
    with pytest.raises(KeyError):
        auth.require(admin, "no.such.permission")


def test_require_reads_the_actors_current_role_and_state(store):
    """A staff member demoted or deactivated at another desk loses the rights at once."""
    _, admin = store
    other = add_staff(admin, "901", "Bo Admin", "admin", "274951")
    stale = Staff.get_by_id(other.id)
    auth.require(stale, "staff.manage")
    with database.atomic():
        Staff.update(role="clerk").where(Staff.id == other.id).execute()
    with pytest.raises(NotAllowed, match="Clerk"):
        auth.require(stale, "staff.manage")
    with database.atomic():
        Staff.update(role="admin", active=False).where(Staff.id == other.id).execute()
    with pytest.raises(NotAllowed):
        auth.require(stale, "staff.manage")


EXPECTED = {
    "clerk": {"sales.view", "returns.create", "vouchers.redeem", "vouchers.view", "exchanges.create"},
    "supervisor": {"sales.view", "sales.import", "returns.create", "returns.approve", "returns.log", "vouchers.redeem",
                   "vouchers.view", "exchanges.create"},
    "manager": {"sales.view", "sales.import", "settings.view", "settings.edit", "staff.view", "audit.verify", "reports.view",
                "returns.create", "returns.approve", "returns.override", "returns.void", "returns.log", "policy.edit",
                "vouchers.redeem", "vouchers.view", "exchanges.create", "exchanges.void"},
    "head_office": {"sales.view", "audit.verify", "reports.view", "returns.log"},
    "admin": set(auth.PERMISSIONS),
}
# Customers and service cases (issue 8)
_CASES_ALL = {"customers.view", "cases.view"}
_CASES_STORE = _CASES_ALL | {"customers.edit", "cases.work", "cases.goodwill"}
EXPECTED["clerk"] |= _CASES_STORE
EXPECTED["supervisor"] |= _CASES_STORE | {"customers.merge", "cases.close"}
EXPECTED["manager"] |= _CASES_STORE | {"customers.merge", "cases.close", "customers.erase", "cases.categories",
                                       "cases.goodwill_approve", "cases.figures"}
EXPECTED["head_office"] |= _CASES_ALL | {"cases.figures"}


@pytest.mark.parametrize("role", list(auth.ROLES))
def test_permission_table(role):
    staff = Staff(code="x", name="X", role=role, pin_hash="", active=True)
    allowed = {perm for perm in auth.PERMISSIONS if auth.can(staff, perm)}
    assert allowed == EXPECTED[role]
    inactive = Staff(code="x", name="X", role=role, pin_hash="", active=False)
    assert not any(auth.can(inactive, perm) for perm in auth.PERMISSIONS)


def test_key_rights():
    def staff(role):
        return Staff(code="x", name="X", role=role, pin_hash="", active=True)

    assert not auth.can(staff("clerk"), "staff.manage")
    assert not auth.can(staff("clerk"), "settings.edit")
    assert auth.can(staff("admin"), "staff.manage")
    assert auth.can(staff("admin"), "settings.edit")
    assert auth.can(staff("head_office"), "audit.verify")
    assert not auth.can(staff("head_office"), "staff.manage")


def test_sign_out_is_audited(store):
    _, admin = store
    auth.sign_out(admin, "idle lock")
    [event] = events("auth.sign_out")
    assert json.loads(event.details) == {"reason": "idle lock"}


def test_create_staff_outside_a_service_is_hashed(sqlite_db):
    with database.atomic():
        staff = create_staff("5", "Five", "clerk", "274951", None)
    assert auth._verify(staff.pin_hash, "274951")
    assert not auth._verify(staff.pin_hash, "274950")


def test_wrong_pins_from_two_desks_at_once_are_all_counted(store):
    """Two desks trying PINs for the same code at the same moment: no wrong PIN goes uncounted."""
    import threading

    errors, messages = [], []
    barrier = threading.Barrier(2)

    def desk():
        try:
            database.connect(reuse_if_open=True)
            barrier.wait()
            for _ in range(3):
                try:
                    auth.sign_in("900", "111222")
                except AuthFailed as exc:
                    messages.append(str(exc))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=desk) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert len(messages) == 6
    attempts = sorted(json.loads(e.details)["attempt"] for e in events("auth.sign_in_failed") if "attempt" in e.details)
    assert attempts == [1, 2, 3, 4]
    assert len(events("auth.locked")) == 1
    with pytest.raises(AuthFailed, match="locked"):
        auth.sign_in("900", PIN)
    assert audit.verify_chain().ok
