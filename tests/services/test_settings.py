"""Store-wide settings: typed reads, defaults, range checks, audited changes."""

from __future__ import annotations

import json

import pytest

from desk.errors import InvalidInput, NotAllowed
from desk.models import AuditEvent, Setting, database
from desk.services import settings
from desk.services.staff import add_staff

LABEL = settings.SPECS["idle_lock_minutes"].label


def settings_events():
    return list(AuditEvent.select().where(AuditEvent.action == "settings.changed").order_by(AuditEvent.seq))


def test_default_when_never_set(store):
    assert settings.get("idle_lock_minutes") == 5
    assert settings.get_all() == {key: spec.default for key, spec in settings.SPECS.items()}
    assert settings.get_all()["idle_lock_minutes"] == 5


def test_update_is_typed_and_audited_with_from_and_to(store):
    _, admin = store
    changes = settings.update(admin, {"idle_lock_minutes": "12"})
    assert changes == {"idle_lock_minutes": {"from": 5, "to": 12}}
    assert settings.get("idle_lock_minutes") == 12
    assert isinstance(settings.get("idle_lock_minutes"), int)
    [event] = settings_events()
    assert event.staff_code == "900"
    assert json.loads(event.details) == {"idle_lock_minutes": {"from": 5, "to": 12}}
    settings.update(admin, {"idle_lock_minutes": 0})
    assert settings.get("idle_lock_minutes") == 0
    assert json.loads(settings_events()[-1].details) == {"idle_lock_minutes": {"from": 12, "to": 0}}


def test_unchanged_value_writes_no_event(store):
    _, admin = store
    assert settings.update(admin, {"idle_lock_minutes": 5}) == {}
    assert settings_events() == []


@pytest.mark.parametrize("value, why", [(-1, "at least 0"), (241, "at most 240"), ("ten", "not a whole number"),
                                        ("2.5", "not a whole number"), (True, "not a whole number")])
def test_range_and_type_checks_name_the_field(sqlite_store, value, why):
    _, admin = sqlite_store
    with pytest.raises(InvalidInput) as info:
        settings.update(admin, {"idle_lock_minutes": value})
    assert info.value.field == LABEL
    assert why in info.value.why
    assert settings.get("idle_lock_minutes") == 5
    assert settings_events() == []


def test_unknown_setting_is_named(store):
    _, admin = store
    with pytest.raises(InvalidInput, match="colour_scheme: is not a setting"):
        settings.update(admin, {"colour_scheme": "dark"})


def test_a_clerk_may_not_change_settings(store):
    _, admin = store
    clerk = add_staff(admin, "100", "Cleo Clerk", "clerk", "274951")
    with pytest.raises(NotAllowed, match="change the store's settings"):
        settings.update(clerk, {"idle_lock_minutes": 10})
    assert settings.get("idle_lock_minutes") == 5


def test_a_damaged_stored_value_reads_as_the_default(store):
    with database.atomic():
        Setting.create(key="idle_lock_minutes", value='"banana"')
    assert settings.get("idle_lock_minutes") == 5
    with database.atomic():
        Setting.update(value="9999").where(Setting.key == "idle_lock_minutes").execute()
    assert settings.get("idle_lock_minutes") == 5


def test_a_setting_with_choices_refuses_others(store):
    _, admin = store
    spec = settings.SPECS["paper.receipt"]
    settings.update(admin, {"paper.receipt": " A4 "})
    assert settings.get("paper.receipt") == "a4"
    with pytest.raises(InvalidInput) as info:
        settings.update(admin, {"paper.receipt": "papyrus"})
    assert info.value.field == spec.label and "roll" in info.value.why
    assert settings.get("paper.receipt") == "a4"


def test_several_settings_change_in_one_audited_step(store):
    _, admin = store
    with pytest.raises(InvalidInput):
        settings.update(admin, {"idle_lock_minutes": 9, "paper.receipt": "papyrus"})
    assert settings.get("idle_lock_minutes") == 5  # nothing half-written
    changes = settings.update(admin, {"idle_lock_minutes": 9, "paper.receipt": "letter"})
    assert set(changes) == {"idle_lock_minutes", "paper.receipt"}
    [event] = settings_events()
    assert json.loads(event.details) == {"idle_lock_minutes": {"from": 5, "to": 9}, "paper.receipt": {"from": "roll", "to": "letter"}}


def test_a_yes_no_setting_reads_no_as_no(sqlite_store, monkeypatch):
    _, admin = sqlite_store
    spec = settings.SettingSpec("print_twice", "Print two copies", bool, False)
    monkeypatch.setitem(settings.SPECS, "print_twice", spec)
    settings.update(admin, {"print_twice": "yes"})
    assert settings.get("print_twice") is True
    settings.update(admin, {"print_twice": "false"})
    assert settings.get("print_twice") is False
    with pytest.raises(InvalidInput) as info:
        settings.update(admin, {"print_twice": "maybe"})
    assert info.value.field == "Print two copies"


def test_every_setting_names_a_section_of_the_settings_screen():
    assert {spec.section for spec in settings.SPECS.values()} <= set(settings.SECTIONS)
    assert all(spec.section for spec in settings.SPECS.values())
    assert settings.SPECS["smtp.port"].section == "email"
    assert settings.SPECS["paper.case"].section == "printing"


def test_the_smtp_password_never_goes_into_the_audit_trail(store):
    """The audit trail travels to head office in every bundle: a secret setting is recorded as
    set, changed or cleared, never with its value."""
    _, admin = store
    assert settings.update(admin, {"smtp.password": "hunter2"}) == {"smtp.password": {"from": "", "to": settings.HIDDEN}}
    assert settings.get("smtp.password") == "hunter2"  # the value itself is kept: the desk sends mail with it
    settings.update(admin, {"smtp.password": "correct horse"})
    settings.update(admin, {"smtp.password": ""})
    details = [json.loads(e.details)["smtp.password"] for e in settings_events()]
    assert details == [{"from": "", "to": settings.HIDDEN}, {"from": settings.HIDDEN, "to": settings.HIDDEN},
                       {"from": settings.HIDDEN, "to": ""}]
    assert not any("hunter2" in e.details or "horse" in e.details for e in AuditEvent.select())


@pytest.mark.parametrize("key, value, why", [
    (settings.KEEP_BUNDLES_KEY, 6, "at least 7"),
    (settings.KEEP_BUNDLES_KEY, 0, "at least 7"),
    (settings.KEEP_DAYS_KEY, 13, "at least 14"),
    (settings.KEEP_DAYS_KEY, "a month", "not a whole number"),
    (settings.KEEP_DAYS_KEY, 3651, "at most 3650"),
])
def test_the_change_log_limits_refuse_too_little_naming_the_field(sqlite_store, key, value, why):
    """A store must not prune what head office may still ask for again (a lost bundle's days)."""
    _, admin = sqlite_store
    with pytest.raises(InvalidInput) as info:
        settings.update(admin, {"idle_lock_minutes": 9, key: value})
    assert info.value.field == settings.SPECS[key].label
    assert why in info.value.why
    assert settings.get(key) == {settings.KEEP_BUNDLES_KEY: 30, settings.KEEP_DAYS_KEY: 90}[key]
    assert settings.get("idle_lock_minutes") == 5  # nothing half-written
    assert settings_events() == []


def test_the_change_log_limits_default_to_30_bundles_and_90_days_and_changes_are_audited(store):
    _, admin = store
    assert settings.SPECS[settings.KEEP_BUNDLES_KEY].section == settings.SPECS[settings.KEEP_DAYS_KEY].section == "export"
    assert (settings.get(settings.KEEP_BUNDLES_KEY), settings.get(settings.KEEP_DAYS_KEY)) == (30, 90)
    settings.update(admin, {settings.KEEP_BUNDLES_KEY: 7, settings.KEEP_DAYS_KEY: "14"})
    assert (settings.get(settings.KEEP_BUNDLES_KEY), settings.get(settings.KEEP_DAYS_KEY)) == (7, 14)
    [event] = settings_events()
    assert json.loads(event.details) == {settings.KEEP_BUNDLES_KEY: {"from": 30, "to": 7},
                                         settings.KEEP_DAYS_KEY: {"from": 90, "to": 14}}
