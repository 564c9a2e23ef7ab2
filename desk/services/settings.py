"""Store-wide settings: typed reads with defaults, audited writes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from desk import clock
from desk.errors import InvalidInput
from desk.models import Setting, Staff, database
from desk.services import audit
from desk.services.auth import require


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    type: type
    default: Any
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()  # allowed values of a str setting
    section: str = ""  # where the Settings screen shows it: a key of SECTIONS
    secret: bool = False  # its value never goes into the audit trail (which travels to head office)


# The Settings screen's sections, in order: key -> title. Each spec names its section; "store"
# (the store's details), "policy" (the return policy) have editors of their own and no spec.
SECTIONS: dict[str, str] = {
    "store": "Store",
    "desk": "This desk",
    "printing": "Receipts and printing",
    "policy": "Return policy",
    "vouchers": "Vouchers",
    "orders": "Special orders",
    "email": "Email to customers",
    "cases": "Service cases",
    "export": "Head office export",
}

PAPER_CHOICES = ("roll", "a4", "letter")
RETURNS_POLICY = (
    "Unused items in their original condition can be returned within 30 days with this receipt "
    "for a refund to the original payment. Items returned with a gift receipt are refunded as "
    "store credit. Your statutory rights are not affected."
)

# The change log's limits (Head office export). At least a week of daily bundles and two weeks
# of days: head office checks coverage day by day and may ask for a lost or refused bundle's days
# again; those changes must still be there to be re-sent.
KEEP_BUNDLES_KEY = "export.keep_bundles"
KEEP_DAYS_KEY = "export.keep_days"
KEEP_BUNDLES_MIN = 7
KEEP_DAYS_MIN = 14

KEEP_DEPOSIT_CHOICES = ("never", "after_deadline", "always")
SMTP_TLS_CHOICES = ("starttls", "ssl", "none")
# Placeholders: {customer} {order} {items} {store} {store_address} {balance} {deadline}
ORDER_EMAIL_SUBJECT = "Your order {order} has arrived at {store}"
ORDER_EMAIL_BODY = (
    "Dear {customer},\n\n"
    "Good news: your order {order} has arrived and is waiting for you at the service desk.\n\n"
    "{items}\n\n"
    "Still to pay: {balance}. Please collect it by {deadline}, and bring your order slip.\n\n"
    "Kind regards,\n{store}\n{store_address}\n"
)

SPECS: dict[str, SettingSpec] = {
    s.key: s
    for s in (
        SettingSpec("idle_lock_minutes", "Lock the desk after this many idle minutes (0 = never)", int, 5, 0, 240, section="desk"),
        SettingSpec("paper.receipt", "Paper for receipts (roll, a4 or letter)", str, "roll", choices=PAPER_CHOICES, section="printing"),
        SettingSpec("paper.gift", "Paper for gift receipts (roll, a4 or letter)", str, "roll", choices=PAPER_CHOICES, section="printing"),
        SettingSpec("paper.refund", "Paper for refund slips (roll, a4 or letter)", str, "roll", choices=PAPER_CHOICES, section="printing"),
        SettingSpec("paper.voucher", "Paper for store-credit vouchers (roll, a4 or letter)", str, "roll", choices=PAPER_CHOICES, section="printing"),
        SettingSpec("returns_policy_text", "Returns policy printed at the foot of every document", str, RETURNS_POLICY, section="printing"),
        SettingSpec("paper.exchange", "Paper for exchange slips (roll, a4 or letter)", str, "roll", choices=PAPER_CHOICES, section="printing"),
        SettingSpec("voucher_expiry_days", "Store credit expires after this many days (0 = never)", int, 0, 0, 3650, section="vouchers"),
        SettingSpec("logo_path", "Logo printed at the top of documents (a PNG or JPEG file; empty for none)", str, "", section="printing"),
        SettingSpec("export.auto", "Export the day's bundle for head office automatically after closing time", bool, False, section="export"),
        SettingSpec("export.closing_time", "Closing time (HH:MM): the automatic export runs at the first sign-out or close after it", str, "18:00", section="export"),
        SettingSpec("export.folder", "Folder the automatic export writes bundles to", str, "", section="export"),
        # What an export may prune: change records of bundles older than the last N *and* older
        # than N days (desk.services.export.prune_change_log). The minimums keep what head office
        # may still ask for again: a lost bundle's days are re-sent with `desk export --day`.
        SettingSpec(KEEP_BUNDLES_KEY, "Keep the change records of the last N bundles", int, 30,
                    KEEP_BUNDLES_MIN, 3650, section="export"),
        SettingSpec(KEEP_DAYS_KEY, "Keep the change records for at least N days", int, 90,
                    KEEP_DAYS_MIN, 3650, section="export"),
        SettingSpec("orders.deposit_percent", "Special orders: deposit asked, as a percentage of the price (0 = none)", int, 20, 0, 100, section="orders"),
        SettingSpec("orders.reminder_days", "Special orders: remind a customer who has not collected after this many days", int, 3, 1, 60, section="orders"),
        SettingSpec("orders.collection_days", "Special orders: days a customer has to collect after arrival", int, 14, 1, 365, section="orders"),
        SettingSpec("orders.keep_deposit", "Special orders: a cancelled order's deposit may be kept (never, after_deadline or always; a manager approves)",
                    str, "after_deadline", choices=KEEP_DEPOSIT_CHOICES, section="orders"),
        SettingSpec("paper.order", "Paper for order slips (roll, a4 or letter)", str, "roll", choices=PAPER_CHOICES, section="printing"),
        SettingSpec("paper.collection", "Paper for collection slips (roll, a4 or letter)", str, "roll", choices=PAPER_CHOICES, section="printing"),
        SettingSpec("smtp.server", "Email: SMTP server (empty: email not used; the desk lists whom to phone)", str, "", section="email"),
        SettingSpec("smtp.port", "Email: SMTP port", int, 587, 1, 65535, section="email"),
        SettingSpec("smtp.tls", "Email: encryption (starttls, ssl or none)", str, "starttls", choices=SMTP_TLS_CHOICES, section="email"),
        SettingSpec("smtp.user", "Email: SMTP user name (empty: no sign-in)", str, "", section="email"),
        SettingSpec("smtp.password", "Email: SMTP password", str, "", section="email", secret=True),
        SettingSpec("smtp.sender", "Email: sender address (From)", str, "", section="email"),
        SettingSpec("orders.email_subject", "Email to a customer whose order arrived: subject", str, ORDER_EMAIL_SUBJECT, section="email"),
        SettingSpec("orders.email_body", "Email to a customer whose order arrived: text", str, ORDER_EMAIL_BODY, section="email"),
        SettingSpec("cases.first_response_hours", "Cases: first response due within this many hours", int, 24, 1, 720, section="cases"),
        SettingSpec("cases.resolve_hours.urgent", "Cases: an urgent case resolved within this many hours", int, 24, 1, 2160, section="cases"),
        SettingSpec("cases.resolve_hours.high", "Cases: a high-priority case resolved within this many hours", int, 72, 1, 2160, section="cases"),
        SettingSpec("cases.resolve_hours.normal", "Cases: a normal case resolved within this many hours", int, 168, 1, 2160, section="cases"),
        SettingSpec("cases.resolve_hours.low", "Cases: a low-priority case resolved within this many hours", int, 336, 1, 2160, section="cases"),
        SettingSpec("cases.follow_up_days", "Cases: follow up this many days after the resolution", int, 3, 0, 60, section="cases"),
        SettingSpec("cases.follow_up_attempts", "Cases: close as unreachable after this many failed follow-up calls", int, 3, 1, 10, section="cases"),
        SettingSpec("cases.goodwill_limit", "Cases: goodwill store credit above this amount (minor units: pence, cents) needs a manager", int, 2000, 0, 10_000_000, section="cases"),
        SettingSpec("paper.case", "Paper for case summaries and letters (a4 or letter)", str, "a4", choices=("a4", "letter"), section="printing"),
    )
}


def _check(spec: SettingSpec, value: Any) -> Any:
    if spec.type is int:
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                value = int(str(value).strip())
            except ValueError:
                raise InvalidInput(spec.label, f"{value!r} is not a whole number") from None
        if spec.minimum is not None and value < spec.minimum:
            raise InvalidInput(spec.label, f"must be at least {spec.minimum}")
        if spec.maximum is not None and value > spec.maximum:
            raise InvalidInput(spec.label, f"must be at most {spec.maximum}")
    elif spec.type is bool:
        if not isinstance(value, bool):
            text = str(value).strip().lower()
            if text in ("true", "yes", "on", "1"):
                value = True
            elif text in ("false", "no", "off", "0"):
                value = False
            else:  # bool("false") would be True: refuse rather than guess
                raise InvalidInput(spec.label, f"{value!r} is not yes or no")
    elif spec.type is str:
        value = str(value)
        if spec.choices:
            value = value.strip().lower()
            if value not in spec.choices:
                raise InvalidInput(spec.label, f"{value!r} is not one of: {', '.join(spec.choices)}")
    return value


def get(key: str) -> Any:
    """The typed value of a setting, or its default."""
    spec = SPECS[key]
    row = Setting.get_or_none(Setting.key == key)
    if row is None:
        return spec.default
    try:
        return _check(spec, json.loads(row.value))
    except (ValueError, InvalidInput):
        return spec.default


def get_all() -> dict[str, Any]:
    return {key: get(key) for key in SPECS}


HIDDEN = "(hidden)"  # what the audit trail says of a secret setting's value (empty stays empty)


def _shown(spec: SettingSpec, value: Any) -> Any:
    return HIDDEN if spec.secret and value else value


def store_text(key: str, text: str) -> None:
    """Insert or replace one row of the settings table, as the text stored (JSON for a setting).
    No check and no audit: the caller, in its transaction, checks and audits the change."""
    now = clock.utcnow()
    Setting.insert(key=key, value=text, updated_at=now).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: text, Setting.updated_at: now}
    ).execute()


def update(actor: Staff, values: dict[str, Any]) -> dict[str, Any]:
    """Change settings; one audit event lists what changed from what to what (a secret one,
    the SMTP password, only that it was set, changed or cleared: never its value)."""
    require(actor, "settings.edit")
    clean = {}
    for key, value in values.items():
        if key not in SPECS:
            raise InvalidInput(key, "is not a setting")
        clean[key] = _check(SPECS[key], value)
    with database.atomic():
        changes = {}
        for key, value in clean.items():
            old = get(key)
            if old == value:
                continue
            store_text(key, json.dumps(value))
            changes[key] = {"from": _shown(SPECS[key], old), "to": _shown(SPECS[key], value)}
        if changes:
            audit.record("settings.changed", actor, entity="settings", details=changes)
    return changes
