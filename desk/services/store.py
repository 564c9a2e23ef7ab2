"""The store: first-run set-up and its details."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies

from desk.errors import DeskError, InvalidInput
from desk.models import Desk, Staff, Store, database
from desk.models.db import is_postgres
from desk.services import audit
from desk.services.auth import require
from desk.services.staff import create_staff

_SETUP_LOCK = 0x5EA_F002  # PostgreSQL advisory lock held while a store is created
_STORE_CODE_RE = re.compile(r"^[A-Z0-9]{2,8}$")


@dataclass
class StoreDetails:
    name: str
    code: str
    currency: str = "GBP"
    locale: str = "en_GB"
    address: str = ""
    tax_number: str = ""
    prices_include_tax: bool = True

    def cleaned(self) -> "StoreDetails":
        name = (self.name or "").strip()
        if not name:
            raise InvalidInput("Store name", "is required")
        code = (self.code or "").strip().upper()
        if not _STORE_CODE_RE.match(code):
            raise InvalidInput("Store code", "must be 2 to 8 letters or digits, e.g. LDN01")
        currency = (self.currency or "").strip().upper()
        if currency not in list_currencies():
            raise InvalidInput("Currency", f"'{self.currency}' is not an ISO 4217 currency code such as GBP, EUR or USD")
        locale = (self.locale or "").strip()
        try:
            locale = str(Locale.parse(locale.replace("-", "_")))  # en-gb -> en_GB
        except (UnknownLocaleError, ValueError, TypeError):
            raise InvalidInput("Locale", f"'{self.locale}' is not a known locale such as en_GB, de_DE or pl_PL") from None
        return StoreDetails(
            name=name[:120],
            code=code,
            currency=currency,
            locale=locale,
            address=(self.address or "").strip(),
            tax_number=(self.tax_number or "").strip()[:40],
            prices_include_tax=bool(self.prices_include_tax),
        )


def current_store() -> Store | None:
    return Store.select().order_by(Store.id).first()


def require_store() -> Store:
    store = current_store()
    if store is None:
        raise DeskError("This database has no store yet: run the first-run set-up or `desk init`.")
    return store


def details_of(store: Store) -> StoreDetails:
    return StoreDetails(**{f.name: getattr(store, f.name) for f in fields(StoreDetails)})


def init_store(details: StoreDetails, admin_code: str, admin_pin: str, admin_name: str = "Administrator", *, is_demo: bool = False) -> tuple[Store, Staff]:
    """Create the store, this desk and the first admin, in one transaction."""
    details = details.cleaned()
    with database.atomic():
        if is_postgres():
            # Two desks running the first-run set-up at once: the second sees the first's store.
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))
        existing = current_store()
        if existing is not None:
            raise DeskError(f"This database already belongs to store {existing.code} ({existing.name}); nothing was changed.")
        store = Store.create(**vars(details), is_demo=is_demo)
        desk = Desk.create(store=store, code="01", name="Service desk 1", kind="desk")
        admin = create_staff(admin_code, admin_name, "admin", admin_pin, store)
        audit.record("store.created", admin, entity="store", entity_uuid=store.uuid, details={**vars(details), "demo": is_demo})
        audit.record("desk.created", admin, entity="desk", entity_uuid=desk.uuid, details={"code": desk.code})
        audit.record("staff.added", admin, entity="staff", entity_uuid=admin.uuid, details={"code": admin.code, "name": admin.name, "role": "admin"})
    return store, admin


def update_store(actor: Staff, details: StoreDetails) -> dict:
    """Change the store's details. The store code and currency are fixed once sales exist."""
    require(actor, "settings.edit")
    details = details.cleaned()
    with database.atomic():
        store = require_store()
        from desk.models import Sale

        changes = {}
        for f in fields(StoreDetails):
            old, new = getattr(store, f.name), getattr(details, f.name)
            if old != new:
                changes[f.name] = {"from": old, "to": new}
        if ("code" in changes or "currency" in changes) and Sale.select().exists():
            field = "Store code" if "code" in changes else "Currency"
            raise InvalidInput(field, "cannot change once the store has sales")
        if changes:
            for name, change in changes.items():
                setattr(store, name, change["to"])
            store.save()
            audit.record("store.changed", actor, entity="store", entity_uuid=store.uuid, details=changes)
    return changes
