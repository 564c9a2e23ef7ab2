"""The store: first-run set-up, its details, and what may not change once there are sales."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal

import pytest

from desk.errors import DeskError, InvalidInput, NotAllowed
from desk.models import AuditEvent, Desk, Staff, Store, database
from desk.services import audit, auth
from desk.services.sales import LineInput, SaleInput, TenderInput, record_sales
from desk.services.staff import add_staff
from desk.services.store import StoreDetails, current_store, details_of, init_store, require_store, update_store

DETAILS = StoreDetails(name="Corner Shop", code="cs01", currency="eur", locale="de_DE", address=" Hauptstr. 1 ",
                       tax_number="DE123", prices_include_tax=False)


def actions():
    return [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]


def test_init_store_creates_store_desk_and_admin_in_one_audited_step(db):
    store, admin = init_store(DETAILS, "900", "482913", "Ada Admin")
    stored = Store.get_by_id(store.id)
    assert (stored.code, stored.currency, stored.locale, stored.address) == ("CS01", "EUR", "de_DE", "Hauptstr. 1")
    assert stored.prices_include_tax is False and stored.is_demo is False
    assert Desk.get(Desk.store == store).code == "01"
    assert Staff.get_by_id(admin.id).role == "admin"
    assert actions() == ["store.created", "desk.created", "staff.added"]
    assert AuditEvent.get(AuditEvent.action == "store.created").store_code == "CS01"
    assert audit.verify_chain().ok
    assert current_store().id == store.id and require_store().id == store.id
    assert details_of(stored).code == "CS01"


def test_require_store_on_an_empty_database(db):
    assert current_store() is None
    with pytest.raises(DeskError, match="no store yet"):
        require_store()


def test_init_store_refuses_a_second_store(store):
    before = actions()
    with pytest.raises(DeskError, match="already belongs to store TST01"):
        init_store(replace(DETAILS, code="OTHER"), "901", "318604")
    assert Store.select().count() == 1
    assert not Staff.select().where(Staff.code == "901").exists()
    assert actions() == before


def test_init_store_with_a_bad_admin_pin_leaves_nothing(db):
    with pytest.raises(InvalidInput, match="PIN"):
        init_store(DETAILS, "900", "1111")
    assert Store.select().count() == 0 and Desk.select().count() == 0
    assert AuditEvent.select().count() == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": "  "}, "Store name"),
        ({"code": "x"}, "Store code"),
        ({"code": "TOO-LONG-CODE"}, "Store code"),
        ({"currency": "QQQ"}, "Currency"),
        ({"currency": ""}, "Currency"),
        ({"locale": "xx_ZZ"}, "Locale"),
        ({"locale": ""}, "Locale"),
        ({"locale": "not a locale"}, "Locale"),
    ],
)
def test_bad_details_name_the_field(sqlite_db, change, field):
    with pytest.raises(InvalidInput) as info:
        init_store(replace(DETAILS, **change), "900", "482913")
    assert info.value.field == field
    assert Store.select().count() == 0


def test_update_store_is_audited_with_from_and_to(store):
    _, admin = store
    current = details_of(require_store())
    changes = update_store(admin, replace(current, name="Test Store Two", address="2 High Street"))
    assert changes == {"name": {"from": "Test Store", "to": "Test Store Two"},
                       "address": {"from": "1 High Street", "to": "2 High Street"}}
    assert require_store().name == "Test Store Two"
    event = AuditEvent.select().order_by(AuditEvent.seq.desc()).get()
    assert event.action == "store.changed"
    assert json.loads(event.details) == changes
    assert update_store(admin, details_of(require_store())) == {}


def test_code_and_currency_can_change_before_any_sale(store):
    _, admin = store
    current = details_of(require_store())
    update_store(admin, replace(current, code="TST02", currency="EUR"))
    assert (require_store().code, require_store().currency) == ("TST02", "EUR")


def _one_sale(store_row):
    with database.atomic():
        record_sales(store_row, [SaleInput("R1", dt.datetime(2026, 1, 5, 10), [LineInput("Mug", 1, 950, Decimal("20"))],
                                           [TenderInput("cash", 950)])], "canonical")


@pytest.mark.parametrize("change, field", [({"code": "TST02"}, "Store code"), ({"currency": "EUR"}, "Currency")])
def test_code_and_currency_are_fixed_once_there_are_sales(store, change, field):
    store_row, admin = store
    _one_sale(store_row)
    before = actions()
    with pytest.raises(InvalidInput) as info:
        update_store(admin, replace(details_of(require_store()), name="Renamed", **change))
    assert info.value.field == field and "sales" in info.value.why
    assert require_store().name == "Test Store"
    assert actions() == before
    update_store(admin, replace(details_of(require_store()), name="Renamed"))
    assert require_store().name == "Renamed"


def test_a_clerk_may_not_change_the_store(store):
    _, admin = store
    clerk = add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    with pytest.raises(NotAllowed):
        update_store(clerk, replace(details_of(require_store()), name="Mine now"))
    assert require_store().name == "Test Store"


def test_two_desks_setting_up_at_once_make_one_store(db):
    """First-run on two desks sharing one database at the same moment: one store, not two."""
    import threading

    results, errors = [], []
    barrier = threading.Barrier(2)

    def desk(code, admin_code):
        try:
            database.connect(reuse_if_open=True)
            barrier.wait()
            init_store(replace(DETAILS, code=code), admin_code, "482913")
            results.append("ok")
        except DeskError as exc:
            results.append(str(exc))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=desk, args=("AAA1", "900")), threading.Thread(target=desk, args=("BBB1", "901"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert results.count("ok") == 1, results
    assert any("already belongs to store" in r for r in results)
    assert Store.select().count() == 1 and Staff.select().count() == 1
    assert audit.verify_chain().ok


@pytest.mark.parametrize("typed, stored", [("en-GB", "en_GB"), ("en_gb", "en_GB"), ("de", "de"), (" pl_PL ", "pl_PL")])
def test_a_locale_is_stored_in_its_canonical_form(typed, stored):
    assert replace(DETAILS, locale=typed).cleaned().locale == stored
