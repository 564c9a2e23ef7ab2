"""The return policy: every branch of evaluate(), validation naming the field, audited saving."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from desk.errors import InvalidInput, NotAllowed
from desk.models import AuditEvent, Setting
from desk.services.policy import (
    ALLOWED,
    NEEDS_APPROVAL,
    REFUSED,
    Policy,
    PolicyFacts,
    PolicyLine,
    PolicyRequest,
    evaluate,
    load_policy,
    save_policy,
)

NOW = dt.datetime(2026, 11, 20, 14, 0)


def line(category="Clothing", value=2000, condition="unopened", sku="SKU-1", description="Linen shirt", qty=1):
    return PolicyLine(description, category, sku, qty, value, condition)


def facts(days_ago=5, no_receipt=0):
    sold = NOW - dt.timedelta(days=days_ago) if days_ago is not None else None
    return PolicyFacts(now=NOW, sold_at=sold, no_receipt_returns_90_days=no_receipt)


def receipted(*lines, refund_to="original", methods=("card",)):
    return PolicyRequest("receipted", list(lines) or [line()], refund_to, list(methods))


def no_receipt(kind="unverified", value=2000, refund_to="store_credit", name="Ann Lee", contact="07700900123"):
    return PolicyRequest(kind, [line(value=value)], refund_to, [], name, contact)


def test_an_ordinary_return_inside_the_window_is_allowed():
    d = evaluate(receipted(), facts(5), Policy())
    assert d.outcome == ALLOWED and d.reasons == []


def test_outside_the_default_window_is_refused_and_says_why():
    d = evaluate(receipted(), facts(31), Policy(window_days=30))
    assert d.outcome == REFUSED and d.overridable
    assert d.reasons == ["Linen shirt: bought 31 days ago; the return window is 30 days"]
    assert evaluate(receipted(), facts(30), Policy(window_days=30)).outcome == ALLOWED


def test_a_category_has_its_own_window():
    policy = Policy(window_days=60, category_window_days={"Footwear": 30})
    d = evaluate(receipted(line(category="Footwear", description="Boots")), facts(41), policy)
    assert d.outcome == REFUSED
    assert d.reasons == ["Boots: bought 41 days ago; the window for Footwear is 30 days"]
    assert evaluate(receipted(line(category="Clothing")), facts(41), policy).outcome == ALLOWED


def test_final_sale_categories_and_products_are_refused_for_good():
    policy = Policy(final_sale_categories=["Clearance"], final_sale_skus=["SKU-9"])
    d = evaluate(receipted(line(category="Clearance")), facts(), policy)
    assert d.outcome == REFUSED and not d.overridable
    assert "final sale" in d.reasons[0] and "Clearance" in d.reasons[0]
    d = evaluate(receipted(line(sku="SKU-9")), facts(), policy)
    assert d.outcome == REFUSED and not d.overridable and "this product" in d.reasons[0]


def test_opened_item_rules_per_category():
    policy = Policy(opened_rules={"Kitchen": NEEDS_APPROVAL, "Toys": REFUSED})
    d = evaluate(receipted(line(category="Kitchen", condition="opened")), facts(), policy)
    assert d.outcome == NEEDS_APPROVAL and "opened Kitchen need a manager's approval" in d.reasons[0]
    d = evaluate(receipted(line(category="Toys", condition="opened")), facts(), policy)
    assert d.outcome == REFUSED and d.overridable and "cannot be returned" in d.reasons[0]
    assert evaluate(receipted(line(category="Kitchen", condition="unopened")), facts(), policy).outcome == ALLOWED
    assert evaluate(receipted(line(category="Books", condition="opened")), facts(), policy).outcome == ALLOWED


def test_refunds_above_an_amount_need_approval():
    policy = Policy(approval_above=10000)
    d = evaluate(receipted(line(value=10001)), facts(), policy)
    assert d.outcome == NEEDS_APPROVAL and "£100.01 is over £100.00" in d.reasons[0]
    assert evaluate(receipted(line(value=10000)), facts(), policy).outcome == ALLOWED


def test_approval_above_compares_the_refund_after_fees_not_the_value():
    policy = Policy(approval_above=10000)
    kept = PolicyLine("Boots", "Footwear", "", 1, 11000, fee=1100)
    assert evaluate(receipted(kept), facts(), policy).outcome == ALLOWED  # £99.00 back
    more = PolicyLine("Boots", "Footwear", "", 1, 11200, fee=1100)
    d = evaluate(receipted(more), facts(), policy)
    assert d.outcome == NEEDS_APPROVAL and "a refund of £101.00 is over £100.00" in d.reasons[0]


def test_restocking_fee_is_a_note_and_is_computed_per_category():
    policy = Policy(restocking_fee_percent={"Footwear": "15"})
    d = evaluate(receipted(line(category="Footwear")), facts(), policy)
    assert d.outcome == ALLOWED and d.notes == ["restocking fee 15% on Footwear"]
    assert policy.restocking_fee("Footwear", 12001) == 1800  # 1800.15 rounds half up
    assert policy.restocking_fee("footwear", 10) == 2  # 1.5 rounds up; names ignore case
    assert policy.restocking_fee("Clothing", 12000) == 0


def test_refund_method_table():
    policy = Policy(refund_methods={"cash": ["cash", "store_credit"], "card": ["card", "store_credit"],
                                    "gift_card": ["store_credit"], "other": ["other"]})
    assert evaluate(receipted(refund_to="original", methods=("card",)), facts(), policy).outcome == ALLOWED
    assert evaluate(receipted(refund_to="store_credit", methods=("card", "cash")), facts(), policy).outcome == ALLOWED
    d = evaluate(receipted(refund_to="cash", methods=("card",)), facts(), policy)
    assert d.outcome == REFUSED and not d.overridable and d.reasons == ["a card payment can be refunded only as card or store credit"]
    d = evaluate(receipted(refund_to="original", methods=("gift_card",)), facts(), policy)
    assert d.outcome == REFUSED and d.reasons == ["a gift card payment can be refunded only as store credit"]
    d = evaluate(receipted(refund_to="store_credit", methods=("other",)), facts(), policy)
    assert d.outcome == REFUSED and d.reasons == ["a other payment cannot be refunded as store credit"]


def test_gift_receipt_returns_are_store_credit_only():
    req = PolicyRequest("gift", [line()], "store_credit", ["card"])
    d = evaluate(req, facts(), Policy())
    assert d.outcome == ALLOWED and "gift receipt: refunded as store credit at the price paid" in d.notes
    req.refund_to = "original"
    d = evaluate(req, facts(), Policy())
    assert d.outcome == REFUSED and not d.overridable


def test_unverified_return_within_limits_is_allowed_as_store_credit():
    d = evaluate(no_receipt(), facts(None), Policy())
    assert d.outcome == ALLOWED and "no receipt: refunded as store credit only" in d.notes


def test_no_receipt_return_must_be_store_credit_when_the_policy_says_so():
    d = evaluate(no_receipt(refund_to="cash"), facts(None), Policy())
    assert d.outcome == REFUSED and not d.overridable
    assert d.reasons == ["an unverified return can be refunded only as store credit"]
    assert evaluate(no_receipt(refund_to="cash"), facts(None), Policy(no_receipt_store_credit_only=False)).outcome == ALLOWED


def test_no_receipt_return_needs_name_and_a_phone_or_email():
    d = evaluate(no_receipt(contact=""), facts(None), Policy())
    assert d.outcome == REFUSED and not d.overridable
    assert d.reasons == ["an unverified return needs the customer's name and a phone number or email"]
    assert evaluate(no_receipt(name=" "), facts(None), Policy()).outcome == REFUSED


def test_no_receipt_returns_are_limited_per_customer_in_90_days():
    d = evaluate(no_receipt(), PolicyFacts(NOW, None, 2), Policy(no_receipt_limit_90_days=2))
    assert d.outcome == REFUSED and d.overridable
    assert d.reasons == ["the customer already made 2 no-receipt returns in the last 90 days; the limit is 2"]
    assert evaluate(no_receipt(), PolicyFacts(NOW, None, 1), Policy(no_receipt_limit_90_days=2)).outcome == ALLOWED


def test_a_receipt_is_required_above_an_amount():
    d = evaluate(no_receipt(value=5001), facts(None), Policy(receipt_required_above=5000))
    assert d.outcome == REFUSED and d.overridable
    assert d.reasons == ["£50.01 without a receipt; a receipt is required above £50.00"]
    assert evaluate(no_receipt(value=5000), facts(None), Policy(receipt_required_above=5000)).outcome == ALLOWED
    assert evaluate(no_receipt(value=999999), facts(None), Policy(receipt_required_above=None)).outcome == ALLOWED


def test_blind_returns_need_approval_unless_the_policy_drops_it():
    d = evaluate(no_receipt(kind="blind"), facts(None), Policy())
    assert d.outcome == NEEDS_APPROVAL and d.reasons == ["a blind return (no proof of purchase) needs a manager's approval"]
    assert evaluate(no_receipt(kind="blind"), facts(None), Policy(blind_needs_approval=False)).outcome == ALLOWED


def test_refusals_come_first_and_approval_reasons_are_kept():
    policy = Policy(window_days=10, opened_rules={"Kitchen": NEEDS_APPROVAL})
    d = evaluate(receipted(line(category="Kitchen", condition="opened")), facts(20), policy)
    assert d.outcome == REFUSED
    assert d.reasons[0].startswith("Linen shirt: bought 20 days ago") and "approval" in d.reasons[1]


@pytest.mark.parametrize("field,value,named", [
    ("window_days", -1, "window_days"),
    ("window_days", "thirty", "window_days"),
    ("category_window_days", {"Footwear": 1.5}, "category_window_days Footwear"),
    ("final_sale_categories", ["", "x"], "final_sale_categories"),
    ("receipt_required_above", -5, "receipt_required_above"),
    ("no_receipt_limit_90_days", True, "no_receipt_limit_90_days"),
    ("restocking_fee_percent", {"Shoes": "150"}, "restocking_fee_percent Shoes"),
    ("restocking_fee_percent", {"Shoes": "abc"}, "restocking_fee_percent Shoes"),
    ("opened_rules", {"Toys": "maybe"}, "opened_rules Toys"),
    ("refund_methods", {"cash": ["cash"], "card": ["cheque"], "gift_card": ["gift_card"], "other": ["other"]}, "refund_methods card"),
    ("refund_methods", {"cash": ["cash"], "card": [], "gift_card": ["gift_card"], "other": ["other"]}, "refund_methods card"),
    ("reasons", [], "reasons"),
    ("colour", "red", "colour"),
])
def test_validation_names_the_field(field, value, named):
    data = Policy().to_json()
    data[field] = value
    with pytest.raises(InvalidInput) as err:
        Policy.from_json(data)
    assert err.value.field == named


def test_the_policy_round_trips_through_json():
    policy = Policy(window_days=14, category_window_days={"Footwear": 30}, restocking_fee_percent={"Footwear": "12.5"},
                    opened_rules={"Toys": REFUSED})
    again = Policy.from_json(json.loads(json.dumps(policy.to_json())))
    assert again == policy and again.reason("other").needs_text


def test_save_policy_is_a_managers_audited_change(store):
    from tests.services.test_returns import add_team

    _, admin = store
    clerk, _, _, manager = add_team(store[0])
    with pytest.raises(NotAllowed):
        save_policy(clerk, Policy(window_days=10))
    assert load_policy().window_days == 30
    with pytest.raises(InvalidInput) as err:
        save_policy(manager, Policy(window_days=-3))
    assert err.value.field == "window_days"
    assert Setting.get_or_none(Setting.key == "returns.policy") is None
    save_policy(manager, Policy(window_days=10, category_window_days={"Footwear": 30}))
    assert load_policy().window_days == 10 and load_policy().window_for("footwear")[0] == 30
    event = AuditEvent.select().where(AuditEvent.action == "policy.changed").get()
    assert event.staff_code == manager.code and json.loads(event.details)["window_days"] == {"from": 30, "to": 10}
