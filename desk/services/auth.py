"""Staff sign-in, PINs and what each role may do.

PERMISSIONS is the one table of who may do what. Services call ``require`` before they
change anything; the screens only hide what the table forbids.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from desk import clock
from desk.errors import AuthFailed, InvalidInput, NotAllowed
from desk.models import Staff, database
from desk.models.db import is_postgres
from desk.services import audit

MAX_FAILED_PINS = 5
LOCKOUT = dt.timedelta(minutes=5)

ROLES: dict[str, str] = {
    "clerk": "Clerk",
    "supervisor": "Supervisor",
    "manager": "Manager",
    "head_office": "Head office",
    "admin": "Admin",
}

STORE_ROLES = ("clerk", "supervisor", "manager", "admin")
_ALL = frozenset(ROLES)
_SUPERVISORS = frozenset({"supervisor", "manager", "admin"})
_MANAGERS = frozenset({"manager", "admin"})

# permission -> (what it lets one do, roles that have it)
PERMISSIONS: dict[str, tuple[str, frozenset[str]]] = {
    "sales.view": ("look up sales", _ALL),
    "sales.import": ("import sales from the tills", _SUPERVISORS),
    "settings.view": ("see the settings", _MANAGERS),
    "settings.edit": ("change the store's settings", _MANAGERS),
    "staff.view": ("see the staff list", _MANAGERS),
    "staff.manage": ("add, deactivate or reset the PIN of staff", frozenset({"admin"})),
    "audit.verify": ("verify the audit trail", frozenset({"manager", "head_office", "admin"})),
    "reports.view": ("see the day's figures", frozenset({"manager", "head_office", "admin"})),
    "demo.build": ("build the demo store", frozenset({"admin"})),
    "returns.create": ("take returns and give refunds", frozenset(STORE_ROLES)),
    "returns.approve": ("approve returns that need a manager", _SUPERVISORS),
    "returns.override": ("override a return the policy refuses", _MANAGERS),
    "returns.void": ("void a return", _MANAGERS),
    "returns.log": ("see the returns log", frozenset({"supervisor", "manager", "admin", "head_office"})),
    "policy.edit": ("change the return policy", _MANAGERS),
    "vouchers.redeem": ("take store credit in payment", frozenset(STORE_ROLES)),
    "vouchers.view": ("see the vouchers and their balances", frozenset(STORE_ROLES)),
    "exchanges.create": ("exchange goods for others", frozenset(STORE_ROLES)),
    "exchanges.void": ("void an exchange", _MANAGERS),
    "customers.view": ("look up customers and their history", _ALL),
    "customers.edit": ("add and edit customers", frozenset(STORE_ROLES)),
    "customers.merge": ("merge duplicate customers", _SUPERVISORS),
    "customers.erase": ("erase a customer's personal data", _MANAGERS),
    "cases.view": ("see service cases", _ALL),
    "cases.work": ("open and work service cases", frozenset(STORE_ROLES)),
    "cases.close": ("close or reopen a case without its follow-up", _SUPERVISORS),
    "cases.categories": ("keep the list of case categories", _MANAGERS),
    "cases.goodwill": ("give goodwill store credit from a case", frozenset(STORE_ROLES)),
    "cases.goodwill_approve": ("approve goodwill store credit above the limit", _MANAGERS),
    "cases.figures": ("see the service case figures", frozenset({"manager", "head_office", "admin"})),
}

# Argon2id with OWASP's minimum memory-hard settings: 19 MiB, 2 passes.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

_PIN_RE = re.compile(r"^[0-9]{4,8}$")
_CODE_RE = re.compile(r"^[A-Za-z0-9]{1,16}$")


def can(staff: Staff | None, permission: str) -> bool:
    if staff is None or not staff.active:
        return False
    return staff.role in PERMISSIONS[permission][1]


def require(staff: Staff | None, permission: str) -> None:
    """Raise NotAllowed unless ``staff`` may do ``permission``."""
    if permission not in PERMISSIONS:
        raise KeyError(permission)
    if staff is not None and staff.id:
        # Check the role and state as stored now, not as they were at sign-in: someone
        # demoted or deactivated at another desk loses the right at once.
        current = Staff.get_or_none(Staff.id == staff.id)
        if current is None:
            raise NotAllowed(f"{staff.name} is no longer a member of staff here.")
        staff = current
    if not can(staff, permission):
        who = f"{staff.name} ({ROLES.get(staff.role, staff.role)})" if staff else "Nobody signed in"
        needed = ", ".join(ROLES[r] for r in ROLES if r in PERMISSIONS[permission][1])
        raise NotAllowed(f"{who} may not {PERMISSIONS[permission][0]}. Ask: {needed}.")


def validate_pin(pin: str, field: str = "PIN") -> str:
    pin = (pin or "").strip()
    if not _PIN_RE.match(pin):
        raise InvalidInput(field, "must be 4 to 8 digits")
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise InvalidInput(field, f"{pin} is too easy to guess (repeated or consecutive digits)")
    return pin


def validate_code(code: str, field: str = "Staff code") -> str:
    code = (code or "").strip()
    if not _CODE_RE.match(code):
        raise InvalidInput(field, "must be 1 to 16 letters or digits")
    return code


def hash_pin(pin: str) -> str:
    return _hasher.hash(pin)


def _verify(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


@dataclass
class _Attempt:
    staff: Staff | None
    message: str = ""


def sign_in(code: str, pin: str) -> Staff:
    """Check a staff code and PIN. Five wrong PINs lock the account for five minutes.

    Every attempt is audited; a failed attempt raises AuthFailed after its audit event
    has been committed.
    """
    code = (code or "").strip()
    pin = (pin or "").strip()
    with database.atomic():
        result = _attempt(code, pin)
    if result.staff is None:
        raise AuthFailed(result.message)
    return result.staff


def _attempt(code: str, pin: str, success_action: str | None = "auth.sign_in", during: str = "") -> _Attempt:
    """Check ``pin`` for ``code`` inside the caller's transaction, counting wrong PINs.

    ``success_action`` is the audit event of a right PIN (None: the caller audits what it
    does with it); ``during`` says in failure events what the PIN was typed for.
    """
    now = clock.utcnow()
    staff = None
    if code:
        query = Staff.select().where(Staff.code == code)
        if is_postgres():
            # Two desks trying PINs for one code at once: count every wrong PIN.
            query = query.for_update()
        staff = query.first()
    extra = {"during": during} if during else {}
    if staff is None:
        audit.record("auth.sign_in_failed", staff_code=code[:16], details={"reason": "unknown code", **extra})
        return _Attempt(None, f"No staff member has the code '{code}'." if code else "Enter your staff code.")
    if not staff.active:
        audit.record("auth.sign_in_failed", staff, entity="staff", entity_uuid=staff.uuid, details={"reason": "inactive", **extra})
        return _Attempt(None, f"{staff.name}'s account is deactivated. An admin can reactivate it.")
    if staff.locked_until and staff.locked_until > now:
        audit.record("auth.sign_in_failed", staff, entity="staff", entity_uuid=staff.uuid, details={"reason": "locked", **extra})
        return _Attempt(None, _locked_message(staff, now))
    if not _verify(staff.pin_hash, pin):
        failed = staff.failed_attempts + 1
        if failed >= MAX_FAILED_PINS:
            staff.failed_attempts = 0
            staff.locked_until = now + LOCKOUT
            staff.save()
            audit.record("auth.locked", staff, entity="staff", entity_uuid=staff.uuid, details={"until": staff.locked_until.isoformat(), **extra})
            return _Attempt(None, _locked_message(staff, now))
        staff.failed_attempts = failed
        staff.save()
        audit.record("auth.sign_in_failed", staff, entity="staff", entity_uuid=staff.uuid, details={"reason": "wrong pin", "attempt": failed, **extra})
        left = MAX_FAILED_PINS - failed
        return _Attempt(None, f"Wrong PIN. {left} more wrong {'PIN' if left == 1 else 'PINs'} and the account locks for 5 minutes.")
    if _hasher.check_needs_rehash(staff.pin_hash):
        staff.pin_hash = hash_pin(pin)
    staff.failed_attempts = 0
    staff.locked_until = None
    staff.save()
    if success_action:
        audit.record(success_action, staff, entity="staff", entity_uuid=staff.uuid)
    return _Attempt(staff)


def verify_approver(code: str, pin: str, permission: str, during: str) -> Staff:
    """A second staff member's code and PIN typed to approve something at the desk.

    Runs in its own transaction (call it before the change it approves): a wrong PIN counts
    toward that staff member's lockout and is audited even though the change is not made.
    Raises AuthFailed for a wrong code or PIN, NotAllowed without ``permission``.
    """
    code = (code or "").strip()
    pin = (pin or "").strip()
    with database.atomic():
        result = _attempt(code, pin, success_action=None, during=during)
    if result.staff is None:
        raise AuthFailed(result.message)
    require(result.staff, permission)
    return result.staff


def _locked_message(staff: Staff, now: dt.datetime) -> str:
    seconds = max(1, int((staff.locked_until - now).total_seconds()))
    minutes = (seconds + 59) // 60
    return (
        f"{staff.name}'s account is locked after {MAX_FAILED_PINS} wrong PINs. Try again in "
        f"{minutes} minute{'s' if minutes != 1 else ''}, or ask an admin to reset the PIN."
    )


def sign_out(staff: Staff, reason: str = "sign out") -> None:
    with database.atomic():
        audit.record("auth.sign_out", staff, entity="staff", entity_uuid=staff.uuid, details={"reason": reason})


def refresh(staff: Staff) -> Staff:
    """The staff member as stored now (role or active may have changed)."""
    return Staff.get_by_id(staff.id)


def command_line_actor() -> Staff:
    """Who acts when a job runs from the `desk` command line on the store's machine.

    Whoever can run commands there can read the database file anyway; the command line
    acts as an admin that is never stored, and its audit events carry the code "cli".
    """
    return Staff(id=0, code="cli", name="Command line", role="admin", active=True, pin_hash="!")
