"""A special order's new customer goes through the customers service: the same checks (named
after "Customer"), the same duplicate match and the same audit event as the Customers screen.
Both backends."""

from __future__ import annotations

import json

import pytest

from desk.errors import InvalidInput
from desk.models import AuditEvent, Customer, SpecialOrder
from desk.services import customers, orders
from desk.services.customers import CustomerInput, create_customer
from tests.services.test_orders import _shop, cash, req


@pytest.fixture
def shop(store, clock_at):
    return _shop(store, clock_at)


def take(shop, **kw):
    return orders.take_order(shop["clerk"], req(shop, cash(800), **kw))


def added_events() -> list[dict]:
    rows = AuditEvent.select().where(AuditEvent.action == "customer.added").order_by(AuditEvent.id)
    return [r.details if isinstance(r.details, dict) else json.loads(r.details) for r in rows]


@pytest.mark.parametrize("kw, field", [
    (dict(customer_phone="123456"), "Phone"),  # six digits: the Customers screen wants 7 to 15
    (dict(customer_phone="0161 496 0000 ext 4"), "Phone"),
    (dict(customer_phone="", customer_email="ann@example"), "Email"),
    (dict(name="A" * 161), "Name"),  # too long for the record: refused, not cut short
])
def test_an_order_refuses_what_the_customers_screen_refuses_naming_the_same_field(shop, kw, field):
    kw = dict(kw)
    name = kw.pop("name", "Ann Lee")
    data = CustomerInput(name, phone=kw.get("customer_phone", "07700 900123"), email=kw.get("customer_email", ""))
    with pytest.raises(InvalidInput) as on_screen:
        create_customer(shop["clerk"], data)
    with pytest.raises(InvalidInput) as on_order:
        take(shop, name=name, **kw)
    assert on_screen.value.field == field
    assert (on_order.value.field, on_order.value.why) == (f"Customer {field.lower()}", on_screen.value.why)
    assert Customer.select().count() == 0 and SpecialOrder.select().count() == 0


def test_a_new_customer_from_an_order_is_audited_as_the_customers_screen_audits_it(shop):
    create_customer(shop["clerk"], CustomerInput("Bo Chen", phone="07700 900456"))
    v = take(shop, name="Ann  Lee", customer_email="ann@example.com")
    screen, order = added_events()
    assert set(order) == set(screen) | {"while"}
    assert order["while"] == "taking a special order" and order["id"] == v.customer_id
    assert order["fields"] == ["email", "phone"]
    ann = customers.get_customer(v.customer_id)
    assert (ann.name, ann.phone, ann.email) == ("Ann Lee", "07700 900123", "ann@example.com")


def test_an_order_finds_the_customer_the_customers_screen_added_but_not_a_merged_one(shop):
    ann = create_customer(shop["clerk"], CustomerInput("Ann Lee", phone="07700 900123"))
    v = take(shop, name="ANN LEE", customer_phone="+44 7700 900123")
    assert v.customer_id == ann.id and len(added_events()) == 1
    assert customers.same_customer("ann lee", email="", phone="07700900123").id == ann.id

    keep = create_customer(shop["clerk"], CustomerInput("Cy Tan", email="cy@example.com"))
    dup = create_customer(shop["clerk"], CustomerInput("Cy Tan", email="CY@example.com"))
    customers.merge_customers(shop["mgr"], keep.id, dup.id)
    v = take(shop, name="Cy Tan", customer_phone="", customer_email="cy@example.com", contact_via="email")
    assert v.customer_id == keep.id
    assert customers.same_customer("Nobody", phone="07700 900123") is None
