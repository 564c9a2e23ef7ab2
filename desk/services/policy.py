"""The return policy: rules in, a Decision (allowed / needs approval / refused, and why) out.

No Qt and no writes here except ``save_policy`` (a manager's audited change of the policy,
kept as the JSON setting ``returns.policy``). ``evaluate(request, facts, policy)`` is pure: the
returns service gathers the facts (when the sale was, how many no-receipt returns the
customer made lately) and acts on the decision.

Reasons are written for the clerk, the manager and the customer to read, e.g.
"bought 41 days ago; the window for Footwear is 30 days".
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from desk import clock
from desk.errors import InvalidInput
from desk.models import Setting, Staff, database
from desk.money import round_half_up

ALLOWED = "allowed"
NEEDS_APPROVAL = "needs_approval"
REFUSED = "refused"
OUTCOME_LABELS = {ALLOWED: "Allowed", NEEDS_APPROVAL: "Needs approval", REFUSED: "Refused"}

KINDS = ("receipted", "gift", "unverified", "blind")
KIND_LABELS = {"receipted": "with a receipt", "gift": "with a gift receipt", "unverified": "unverified (no receipt found)",
               "blind": "blind (no proof of purchase)"}
CONDITIONS = ("unopened", "opened", "damaged", "defective")
DISPOSITIONS = ("stock", "write_off", "vendor")
DISPOSITION_LABELS = {"stock": "Back to stock", "write_off": "Write off", "vendor": "Return to vendor"}
TENDERS = ("cash", "card", "gift_card", "other")
REFUND_METHODS = ("cash", "card", "gift_card", "other", "store_credit")
OPENED_RULES = (ALLOWED, NEEDS_APPROVAL, REFUSED)

SETTING_KEY = "returns.policy"

DEFAULT_REASONS = (
    ("damaged", "Damaged"),
    ("defective", "Defective"),
    ("wrong_size", "Wrong size"),
    ("not_as_described", "Not as described"),
    ("changed_mind", "Changed mind"),
    ("other", "Other"),
)


@dataclass
class Reason:
    code: str
    label: str
    needs_text: bool = False  # "other": the clerk must say what


@dataclass
class Policy:
    """Everything a manager sets. Money in minor units; percentages as decimal strings."""

    window_days: int = 30
    category_window_days: dict[str, int] = field(default_factory=dict)
    final_sale_categories: list[str] = field(default_factory=list)
    final_sale_skus: list[str] = field(default_factory=list)
    receipt_required_above: int | None = 5000  # a no-receipt return worth more is refused
    approval_above: int | None = None  # any return refunding more needs approval
    no_receipt_store_credit_only: bool = True
    no_receipt_limit_90_days: int = 2  # no-receipt returns per customer in 90 days
    blind_needs_approval: bool = True
    restocking_fee_percent: dict[str, str] = field(default_factory=dict)  # category -> "15"
    opened_rules: dict[str, str] = field(default_factory=dict)  # category -> allowed | needs_approval | refused
    refund_methods: dict[str, list[str]] = field(default_factory=lambda: {
        "cash": ["cash", "store_credit"],
        "card": ["card", "store_credit"],
        "gift_card": ["gift_card", "store_credit"],
        "other": ["other", "store_credit"],
    })
    reasons: list[Reason] = field(default_factory=lambda: [Reason(c, l, c == "other") for c, l in DEFAULT_REASONS])

    # --- reading --------------------------------------------------------------------------
    def window_for(self, category: str) -> tuple[int, str]:
        """(days, what to call the window) for a category."""
        for name, days in self.category_window_days.items():
            if name.casefold() == (category or "").casefold():
                return days, f"the window for {name} is {days} days"
        return self.window_days, f"the return window is {self.window_days} days"

    def fee_percent(self, category: str) -> Decimal:
        for name, pct in self.restocking_fee_percent.items():
            if name.casefold() == (category or "").casefold():
                return Decimal(str(pct))
        return Decimal(0)

    def restocking_fee(self, category: str, value: int) -> int:
        """The fee kept on ``value`` minor units returned in ``category`` (rounded half up)."""
        pct = self.fee_percent(category)
        return round_half_up(Decimal(value) * pct / 100) if pct else 0

    def opened_rule(self, category: str) -> str:
        for name, rule in self.opened_rules.items():
            if name.casefold() == (category or "").casefold():
                return rule
        return ALLOWED

    def is_final_sale(self, category: str, sku: str) -> bool:
        cats = {c.casefold() for c in self.final_sale_categories}
        return (category or "").casefold() in cats or (sku and sku in set(self.final_sale_skus))

    def reason(self, code: str) -> Reason | None:
        return next((r for r in self.reasons if r.code == code), None)

    def allowed_refunds(self, method: str) -> list[str]:
        return list(self.refund_methods.get(method, ["store_credit"]))

    # --- JSON -----------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Policy":
        """A policy from its JSON form, validated: InvalidInput names the field that is wrong."""
        if not isinstance(data, dict):
            raise InvalidInput("policy", "must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInput(unknown[0], "is not a policy setting")
        values = dict(data)
        if "reasons" in values:
            raw = values["reasons"]
            if not isinstance(raw, list):
                raise InvalidInput("reasons", "must be a list")
            reasons = []
            for i, r in enumerate(raw, 1):
                if isinstance(r, Reason):
                    reasons.append(r)
                elif isinstance(r, dict) and r.get("code") and r.get("label"):
                    reasons.append(Reason(str(r["code"]), str(r["label"]), bool(r.get("needs_text", False))))
                else:
                    raise InvalidInput(f"reasons {i}", "needs a code and a label")
            values["reasons"] = reasons
        policy = cls(**values)
        validate(policy)
        return policy


def _whole(name: str, value, minimum: int = 0, maximum: int = 3650, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(name, f"{value!r} is not a whole number")
    if value < minimum or value > maximum:
        raise InvalidInput(name, f"must be from {minimum} to {maximum}, not {value}")


def _names(name: str, value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InvalidInput(name, "must be a list of names")


def validate(policy: Policy) -> Policy:
    """Raise InvalidInput naming the first field that is wrong."""
    _whole("window_days", policy.window_days)
    if not isinstance(policy.category_window_days, dict):
        raise InvalidInput("category_window_days", "must map categories to days")
    for cat, days in policy.category_window_days.items():
        _whole(f"category_window_days {cat}", days)
    _names("final_sale_categories", policy.final_sale_categories)
    _names("final_sale_skus", policy.final_sale_skus)
    _whole("receipt_required_above", policy.receipt_required_above, 0, 10**12, optional=True)
    _whole("approval_above", policy.approval_above, 0, 10**12, optional=True)
    _whole("no_receipt_limit_90_days", policy.no_receipt_limit_90_days, 0, 1000)
    for flag in ("no_receipt_store_credit_only", "blind_needs_approval"):
        if not isinstance(getattr(policy, flag), bool):
            raise InvalidInput(flag, "must be yes or no")
    if not isinstance(policy.restocking_fee_percent, dict):
        raise InvalidInput("restocking_fee_percent", "must map categories to percentages")
    for cat, pct in policy.restocking_fee_percent.items():
        try:
            value = Decimal(str(pct)) if not isinstance(pct, float) else None
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0 or value > 100:
            raise InvalidInput(f"restocking_fee_percent {cat}", f"{pct!r} is not a percentage from 0 to 100")
        policy.restocking_fee_percent[cat] = str(value)
    if not isinstance(policy.opened_rules, dict):
        raise InvalidInput("opened_rules", "must map categories to a rule")
    for cat, rule in policy.opened_rules.items():
        if rule not in OPENED_RULES:
            raise InvalidInput(f"opened_rules {cat}", f"'{rule}' is not one of {', '.join(OPENED_RULES)}")
    if not isinstance(policy.refund_methods, dict):
        raise InvalidInput("refund_methods", "must map each payment method to the refund methods allowed")
    for method in TENDERS:
        allowed = policy.refund_methods.get(method)
        if not isinstance(allowed, list) or not allowed:
            raise InvalidInput(f"refund_methods {method}", "needs at least one refund method")
        bad = [m for m in allowed if m not in REFUND_METHODS]
        if bad:
            raise InvalidInput(f"refund_methods {method}", f"'{bad[0]}' is not one of {', '.join(REFUND_METHODS)}")
    extra = sorted(set(policy.refund_methods) - set(TENDERS))
    if extra:
        raise InvalidInput(f"refund_methods {extra[0]}", "is not a payment method")
    if not policy.reasons:
        raise InvalidInput("reasons", "keep at least one reason")
    codes = [r.code for r in policy.reasons]
    if len(set(codes)) != len(codes):
        raise InvalidInput("reasons", "two reasons have the same code")
    return policy


# --- loading and saving -------------------------------------------------------------------------


def load_policy() -> Policy:
    """The store's policy (the default one until a manager saves another)."""
    row = Setting.get_or_none(Setting.key == SETTING_KEY)
    if row is None:
        return Policy()
    try:
        return Policy.from_json(json.loads(row.value))
    except (ValueError, InvalidInput, TypeError):
        return Policy()


def save_policy(actor: Staff, policy: Policy) -> Policy:
    """A manager's change to the policy, validated, in one transaction with its audit event."""
    from desk.services import audit, settings
    from desk.services.auth import require

    require(actor, "policy.edit")
    clean = Policy.from_json(json.loads(json.dumps(policy.to_json())))
    with database.atomic():
        old = load_policy().to_json()
        new = clean.to_json()
        text = json.dumps(new, sort_keys=True)
        settings.store_text(SETTING_KEY, text)
        changes = {k: {"from": old.get(k), "to": v} for k, v in new.items() if old.get(k) != v}
        audit.record("policy.changed", actor, entity="policy", details=changes)
    return clean


# --- deciding -------------------------------------------------------------------------------------


@dataclass
class PolicyLine:
    description: str
    category: str
    sku: str
    quantity: int
    value: int  # what the units are worth, minor units (before any fee)
    condition: str = "unopened"
    fee: int = 0  # the restocking fee kept on them: the refund is value - fee


@dataclass
class PolicyRequest:
    kind: str  # receipted | gift | unverified | blind
    lines: list[PolicyLine]
    refund_to: str = "original"  # original | store_credit | cash
    original_methods: list[str] = field(default_factory=list)  # the sale's tenders' methods
    customer_name: str = ""
    customer_contact: str = ""  # a phone number or an email


@dataclass
class PolicyFacts:
    now: dt.datetime  # naive UTC
    sold_at: dt.datetime | None = None  # naive UTC; None without a sale
    no_receipt_returns_90_days: int = 0  # this customer's earlier unverified/blind returns
    currency: str = "GBP"
    locale: str = "en_GB"


@dataclass
class Decision:
    outcome: str  # allowed | needs_approval | refused
    reasons: list[str] = field(default_factory=list)  # refusals first, then what needs approval
    overridable: bool = True  # a refusal a manager may override (with a note)
    notes: list[str] = field(default_factory=list)  # printed on the slip: fees, store credit only ...

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def allowed(self) -> bool:
        return self.outcome == ALLOWED


def _days_ago(now: dt.datetime, sold_at: dt.datetime) -> int:
    return (clock.to_local(now).date() - clock.to_local(sold_at).date()).days


def evaluate(request: PolicyRequest, facts: PolicyFacts, policy: Policy | None = None) -> Decision:
    """What the policy says about this return, and why."""
    from desk.money import format_money

    policy = policy or load_policy()

    def money(minor: int) -> str:
        return format_money(minor, facts.currency, facts.locale)

    refused: list[str] = []
    hard: list[str] = []  # refusals no manager may override
    approval: list[str] = []
    notes: list[str] = []
    total = sum(l.value for l in request.lines)
    refund = total - sum(l.fee for l in request.lines)  # what the customer gets back, after fees
    no_receipt = request.kind in ("unverified", "blind")

    if request.kind not in KINDS:
        raise InvalidInput("kind", f"'{request.kind}' is not one of {', '.join(KINDS)}")

    for line in request.lines:
        name = line.description or line.sku or "item"
        if policy.is_final_sale(line.category, line.sku):
            what = f"the {line.category} category" if line.category and line.category.casefold() in {
                c.casefold() for c in policy.final_sale_categories} else "this product"
            hard.append(f"{name} is final sale ({what} cannot be returned)")
        if facts.sold_at is not None:
            days, window = policy.window_for(line.category)
            ago = _days_ago(facts.now, facts.sold_at)
            if ago > days:
                refused.append(f"{name}: bought {ago} days ago; {window}")
        if line.condition == "opened":
            rule = policy.opened_rule(line.category)
            if rule == NEEDS_APPROVAL:
                approval.append(f"{name} is opened; opened {line.category or 'items'} need a manager's approval")
            elif rule == REFUSED:
                refused.append(f"{name} is opened; opened {line.category or 'items'} cannot be returned")
        pct = policy.fee_percent(line.category)
        if pct:
            notes.append(f"restocking fee {pct.normalize():f}% on {line.category}")

    if no_receipt:
        label = "an unverified return" if request.kind == "unverified" else "a blind return"
        if not request.customer_name.strip() or not request.customer_contact.strip():
            hard.append(f"{label} needs the customer's name and a phone number or email")
        if policy.no_receipt_store_credit_only:
            notes.append("no receipt: refunded as store credit only")
            if request.refund_to != "store_credit":
                hard.append(f"{label} can be refunded only as store credit")
        if facts.no_receipt_returns_90_days >= policy.no_receipt_limit_90_days:
            refused.append(
                f"the customer already made {facts.no_receipt_returns_90_days} no-receipt "
                f"return{'s' if facts.no_receipt_returns_90_days != 1 else ''} in the last 90 days; "
                f"the limit is {policy.no_receipt_limit_90_days}")
        if policy.receipt_required_above is not None and total > policy.receipt_required_above:
            refused.append(f"{money(total)} without a receipt; a receipt is required above {money(policy.receipt_required_above)}")
        if request.kind == "blind" and policy.blind_needs_approval:
            approval.append("a blind return (no proof of purchase) needs a manager's approval")
    elif request.kind == "gift":
        notes.append("gift receipt: refunded as store credit at the price paid")
        if request.refund_to != "store_credit":
            hard.append("a gift receipt return can be refunded only as store credit")
    else:
        if request.refund_to not in ("original", "store_credit"):
            for method in dict.fromkeys(request.original_methods):
                if request.refund_to not in policy.allowed_refunds(method):
                    hard.append(f"a {method.replace('_', ' ')} payment can be refunded only as "
                                + " or ".join(m.replace("_", " ") for m in policy.allowed_refunds(method)))
        if request.refund_to == "original":
            for method in dict.fromkeys(request.original_methods):
                if method not in policy.allowed_refunds(method):
                    hard.append(f"a {method.replace('_', ' ')} payment can be refunded only as "
                                + " or ".join(m.replace("_", " ") for m in policy.allowed_refunds(method)))
        if request.refund_to == "store_credit":
            for method in dict.fromkeys(request.original_methods):
                if "store_credit" not in policy.allowed_refunds(method):
                    hard.append(f"a {method.replace('_', ' ')} payment cannot be refunded as store credit")

    if policy.approval_above is not None and refund > policy.approval_above:
        approval.append(f"a refund of {money(refund)} is over {money(policy.approval_above)} and needs a manager's approval")

    if hard or refused:
        return Decision(REFUSED, hard + refused + approval, overridable=not hard, notes=notes)
    if approval:
        return Decision(NEEDS_APPROVAL, approval, notes=notes)
    return Decision(ALLOWED, [], notes=notes)
