"""Managing staff: every change checked by the service and audited in its own transaction."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from desk.errors import AuthFailed, DeskError, InvalidInput, NotAllowed, NotFound
from desk.models import AuditEvent, Staff
from desk.services import audit, auth, staff as staff_service
from desk.services.staff import add_staff, change_own_pin, list_staff, reset_pin, set_active, set_role

PIN = "482913"


def actions():
    return [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]


def last_event():
    return AuditEvent.select().order_by(AuditEvent.seq.desc()).get()


def test_add_staff_stores_and_audits(store):
    _, admin = store
    clerk = add_staff(admin, " 100 ", " Cleo Clerk ", "clerk", "274951")
    stored = Staff.get(Staff.code == "100")
    assert (stored.name, stored.role, stored.active) == ("Cleo Clerk", "clerk", True)
    assert stored.store_id is not None
    event = last_event()
    assert event.action == "staff.added" and event.staff_code == "900"
    assert event.entity_uuid == str(clerk.uuid)
    assert json.loads(event.details) == {"code": "100", "name": "Cleo Clerk", "role": "clerk"}
    assert auth.sign_in("100", "274951").id == clerk.id
    head_office = add_staff(admin, "800", "Hal Office", "head_office", "946271")
    assert Staff.get_by_id(head_office.id).store_id is None


def test_duplicate_code_is_refused_and_writes_nothing(store):
    _, admin = store
    add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    before = actions()
    with pytest.raises(InvalidInput, match="Staff code: 100 is already taken"):
        add_staff(admin, "100", "Other", "clerk", "318604")
    assert actions() == before
    assert Staff.select().count() == 2


@pytest.mark.parametrize(
    "code, name, role, pin, field",
    [
        ("", "N", "clerk", "274951", "Staff code"),
        ("a b", "N", "clerk", "274951", "Staff code"),
        ("101", "  ", "clerk", "274951", "Name"),
        ("101", "N", "boss", "274951", "Role"),
        ("101", "N", "clerk", "1234", "PIN"),
    ],
)
def test_bad_input_names_the_field(sqlite_store, code, name, role, pin, field):
    _, admin = sqlite_store
    before = actions()
    with pytest.raises(InvalidInput) as info:
        add_staff(admin, code, name, role, pin)
    assert info.value.field == field
    assert actions() == before


def test_a_clerk_cannot_add_staff(store):
    _, admin = store
    clerk = add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    before = actions()
    with pytest.raises(NotAllowed, match="Cleo Clerk"):
        add_staff(clerk, "101", "Sneaky", "admin", "318604")
    with pytest.raises(NotAllowed):
        reset_pin(clerk, "900", "318604")
    with pytest.raises(NotAllowed):
        set_active(clerk, "900", False)
    with pytest.raises(NotAllowed):
        list_staff(clerk)
    assert not Staff.select().where(Staff.code == "101").exists()
    assert actions() == before


def test_deactivate_and_reactivate(store):
    _, admin = store
    add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    set_active(admin, "100", False)
    assert not Staff.get(Staff.code == "100").active
    assert last_event().action == "staff.deactivated"
    with pytest.raises(AuthFailed, match="deactivated"):
        auth.sign_in("100", "274951")
    set_active(admin, "100", True)
    assert last_event().action == "staff.activated"
    assert auth.sign_in("100", "274951").code == "100"
    rows = {r.code: r for r in list_staff(admin)}
    assert rows["100"].active and rows["100"].role_label == "Clerk"
    with pytest.raises(NotFound, match="'555'"):
        set_active(admin, "555", False)


def test_cannot_deactivate_self(store):
    _, admin = store
    add_staff(admin, "901", "Bo Admin", "admin", "274951")
    before = actions()
    with pytest.raises(DeskError, match="your own account"):
        set_active(admin, "900", False)
    assert Staff.get(Staff.code == "900").active
    assert actions() == before


def test_cannot_deactivate_or_demote_the_last_admin(store):
    _, admin = store
    cli = auth.command_line_actor()  # an admin that is not stored, so Ada is the last one
    add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    before = actions()
    with pytest.raises(DeskError, match="Ada Admin is the last active admin"):
        set_active(cli, "900", False)
    with pytest.raises(DeskError, match="last active admin"):
        set_role(cli, "900", "manager")
    with pytest.raises(DeskError, match="last active admin"):
        set_role(admin, "900", "clerk")
    ada = Staff.get(Staff.code == "900")
    assert ada.active and ada.role == "admin"
    assert actions() == before
    # With a second admin, either change is allowed.
    set_role(admin, "100", "admin")
    set_role(cli, "900", "manager")
    assert Staff.get(Staff.code == "900").role == "manager"


def test_last_admin_cannot_be_deactivated_by_another_admin(store):
    _, admin = store
    bo = add_staff(admin, "901", "Bo Admin", "admin", "274951")
    set_active(bo, "900", False)  # two admins: allowed
    with pytest.raises(DeskError, match="your own account"):
        set_active(bo, "901", False)
    # Reactivate Ada and make Bo a clerk: Ada is the last admin.
    set_active(bo, "900", True)
    set_role(admin, "901", "clerk")
    set_active(admin, "901", True)
    with pytest.raises(NotAllowed):
        set_active(bo, "900", False)  # Bo is a clerk now


def test_role_change_is_audited_with_from_and_to(store):
    _, admin = store
    add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    set_role(admin, "100", "supervisor")
    event = last_event()
    assert event.action == "staff.role_changed"
    assert json.loads(event.details) == {"code": "100", "from": "clerk", "to": "supervisor"}
    with pytest.raises(InvalidInput, match="Role"):
        set_role(admin, "100", "emperor")


def test_reset_pin_lifts_a_lockout(store):
    _, admin = store
    add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    for _ in range(5):
        with pytest.raises(AuthFailed):
            auth.sign_in("100", "999111")
    with pytest.raises(AuthFailed, match="locked"):
        auth.sign_in("100", "274951")
    reset_pin(admin, "100", "318604")
    assert last_event().action == "staff.pin_reset"
    assert auth.sign_in("100", "318604").code == "100"
    with pytest.raises(InvalidInput, match="New PIN"):
        reset_pin(admin, "100", "1111")


def test_change_own_pin(store):
    _, admin = store
    clerk = add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    before = actions()
    with pytest.raises(AuthFailed, match="current PIN is wrong"):
        change_own_pin(clerk, "000000", "318604")
    assert actions() == before + ["auth.sign_in_failed"]  # counted and audited, PIN unchanged
    assert json.loads(last_event().details)["during"] == "PIN change"
    change_own_pin(clerk, "274951", "318604")
    assert last_event().action == "staff.pin_changed"
    assert last_event().staff_code == "100"
    with pytest.raises(AuthFailed):
        auth.sign_in("100", "274951")
    assert auth.sign_in("100", "318604").code == "100"


def test_a_change_whose_audit_fails_is_not_written(store, monkeypatch):
    _, admin = store
    add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    before = actions()

    def broken(*args, **kwargs):
        raise RuntimeError("audit write failed")

    monkeypatch.setattr(audit, "record", broken)
    monkeypatch.setattr(staff_service.audit, "record", broken)
    with pytest.raises(RuntimeError):
        add_staff(admin, "101", "Dee", "clerk", "318604")
    with pytest.raises(RuntimeError):
        set_active(admin, "100", False)
    with pytest.raises(RuntimeError):
        reset_pin(admin, "100", "318604")
    with pytest.raises(RuntimeError):
        set_role(admin, "100", "manager")
    monkeypatch.undo()
    assert not Staff.select().where(Staff.code == "101").exists()
    cleo = Staff.get(Staff.code == "100")
    assert cleo.active and cleo.role == "clerk"
    assert auth._verify(cleo.pin_hash, "274951")
    assert actions() == before
    assert audit.verify_chain().ok


def test_list_staff_shows_locks(store, clock_at):
    _, admin = store
    add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    clock_at(dt.datetime(2026, 1, 1, 12, 0))
    for _ in range(5):
        with pytest.raises(AuthFailed):
            auth.sign_in("100", "999111")
    rows = {r.code: r for r in list_staff(admin)}
    assert rows["100"].locked and not rows["900"].locked
    clock_at(dt.datetime(2026, 1, 1, 12, 6))
    assert not {r.code: r for r in list_staff(admin)}["100"].locked


def test_wrong_current_pins_count_towards_the_lockout(store):
    """Changing one's PIN is no way round the five-wrong-PINs lock (a desk left signed in)."""
    _, admin = store
    clerk = add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    with pytest.raises(AuthFailed, match="current PIN is wrong.*4 more wrong PINs"):
        change_own_pin(clerk, "000001", "318604")
    failed = last_event()
    assert failed.action == "auth.sign_in_failed" and failed.staff_code == "100"
    for _ in range(3):
        with pytest.raises(AuthFailed):
            change_own_pin(clerk, "000001", "318604")
    with pytest.raises(AuthFailed, match="locked"):
        change_own_pin(clerk, "000001", "318604")
    assert last_event().action == "auth.locked"
    with pytest.raises(AuthFailed, match="locked"):
        change_own_pin(clerk, "274951", "318604")  # even the right PIN, while locked
    with pytest.raises(AuthFailed, match="locked"):
        auth.sign_in("100", "274951")
    assert auth._verify(Staff.get(Staff.code == "100").pin_hash, "274951")


def test_a_right_current_pin_clears_earlier_wrong_ones(store):
    _, admin = store
    clerk = add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    with pytest.raises(AuthFailed):
        change_own_pin(clerk, "000001", "318604")
    change_own_pin(clerk, "274951", "318604")
    assert Staff.get(Staff.code == "100").failed_attempts == 0
    assert "auth.sign_in" not in actions()  # changing a PIN is not a sign-in


def test_two_admins_removing_each_other_at_once_leave_one(store):
    """Two admins at two desks each deactivating the other at the same moment: one must stay."""
    import threading

    from desk.models import database

    _, ada = store
    bo = add_staff(ada, "901", "Bo Admin", "admin", "274951")
    results, errors = [], []
    barrier = threading.Barrier(2)

    def desk(actor, target):
        try:
            database.connect(reuse_if_open=True)
            barrier.wait()
            set_active(actor, target, False)
            results.append("ok")
        except (DeskError,) as exc:
            results.append(str(exc))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=desk, args=(ada, "901")), threading.Thread(target=desk, args=(bo, "900"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert results.count("ok") == 1, results
    assert Staff.select().where(Staff.role == "admin", Staff.active == True).count() == 1  # noqa: E712
    assert audit.verify_chain().ok


def test_two_admins_adding_the_same_code_at_once(store):
    import threading

    from desk.models import database

    _, ada = store
    bo = add_staff(ada, "901", "Bo Admin", "admin", "274951")
    results, errors = [], []
    barrier = threading.Barrier(2)

    def desk(actor, name):
        try:
            database.connect(reuse_if_open=True)
            barrier.wait()
            add_staff(actor, "100", name, "clerk", "318604")
            results.append("ok")
        except InvalidInput as exc:
            results.append(str(exc))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=desk, args=(ada, "Cleo")), threading.Thread(target=desk, args=(bo, "Cleo Too"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert sorted(results) == ["Staff code: 100 is already taken", "ok"]
    assert Staff.select().where(Staff.code == "100").count() == 1
    assert [e.action for e in AuditEvent.select().where(AuditEvent.action == "staff.added")].count("staff.added") == 3
