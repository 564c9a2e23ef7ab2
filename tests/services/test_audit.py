"""The hash-chained audit trail: whole after many events, tampering named, two writers at once."""

from __future__ import annotations

import threading

import pytest

from desk.models import AuditEvent, AuditHead, database
from desk.services import audit, auth, settings


def write_events(admin, n):
    for i in range(n):
        with database.atomic():
            audit.record("test.event", admin, entity="thing", details={"i": i, "name": "Łucja ✓"})


def test_chain_verifies_after_many_events(store):
    _, admin = store
    write_events(admin, 120)
    report = audit.verify_chain()
    assert report.ok, report.message()
    assert report.checked == AuditEvent.select().count() == report.head_seq
    assert "Audit chain is whole" in report.message()
    seqs = [e.seq for e in AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq)]
    assert seqs == list(range(1, len(seqs) + 1))


def test_record_refuses_to_run_outside_a_transaction(store):
    _, admin = store
    with pytest.raises(RuntimeError, match="inside the change's transaction"):
        audit.record("test.event", admin)


def test_altered_details_are_named_by_seq(store):
    _, admin = store
    write_events(admin, 10)
    target = AuditEvent.get(AuditEvent.seq == 7)
    with database.atomic():
        AuditEvent.update(details='{"i":999}').where(AuditEvent.id == target.id).execute()
    report = audit.verify_chain()
    assert not report.ok
    assert report.bad_seq == 7
    assert "#7" in report.message() and "altered" in report.message()


def test_altered_action_is_named_by_seq(store):
    _, admin = store
    write_events(admin, 10)
    with database.atomic():
        AuditEvent.update(action="test.innocent").where(AuditEvent.seq == 4).execute()
    report = audit.verify_chain()
    assert (report.ok, report.bad_seq) == (False, 4)


def test_rewritten_event_with_a_fresh_hash_breaks_the_next_link(store):
    _, admin = store
    write_events(admin, 10)
    event = AuditEvent.get(AuditEvent.seq == 5)
    event.details = '{"i":-1}'
    event.hash = audit.event_hash(event.prev_hash, event.seq, audit._fields(event))
    with database.atomic():
        event.save()
    report = audit.verify_chain()
    assert (report.ok, report.bad_seq) == (False, 6)


def test_deleted_event_is_detected(store):
    _, admin = store
    write_events(admin, 10)
    with database.atomic():
        AuditEvent.delete().where(AuditEvent.seq == 6).execute()
    report = audit.verify_chain()
    assert not report.ok and report.bad_seq == 6
    assert "missing" in report.message()


def test_deleted_last_event_is_detected_by_the_head(store):
    _, admin = store
    write_events(admin, 10)
    last = AuditEvent.select().order_by(AuditEvent.seq.desc()).get()
    with database.atomic():
        AuditEvent.delete().where(AuditEvent.id == last.id).execute()
    report = audit.verify_chain()
    assert not report.ok
    assert report.bad_seq == last.seq
    assert f"#{last.seq}" in report.message()


def test_head_rewound_with_the_events_is_still_whole_but_head_hash_tamper_is_not(store):
    _, admin = store
    write_events(admin, 3)
    with database.atomic():
        AuditHead.update(hash="f" * 64).execute()
    report = audit.verify_chain()
    assert not report.ok and "head" in report.message()


def _writer(admin, n, errors, barrier, kind):
    try:
        database.connect(reuse_if_open=True)
        barrier.wait()
        for i in range(n):
            if kind == "settings":
                settings.update(admin, {"idle_lock_minutes": 100 + i})
            else:
                auth.sign_out(admin, f"writer {i}")
    except BaseException as exc:  # noqa: BLE001 - reported to the main thread
        errors.append(exc)
    finally:
        database.close()


def test_two_writers_at_once_keep_one_whole_chain(store):
    """Two desks writing audited changes at the same moment: no lost or duplicate seq.

    peewee keeps one connection per thread, so each thread opens its own connection to
    the database, as a second desk would.
    """
    _, admin = store
    start = AuditEvent.select().count()
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(target=_writer, args=(admin, 50, errors, barrier, kind)) for kind in ("settings", "sign_out")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    seqs = [e.seq for e in AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq)]
    assert len(seqs) == start + 100
    assert seqs == list(range(1, start + 101))
    report = audit.verify_chain()
    assert report.ok, report.message()
    assert report.head_seq == start + 100


def test_a_deleted_head_with_trimmed_events_is_detected(store):
    _, admin = store
    write_events(admin, 5)
    with database.atomic():
        AuditEvent.delete().where(AuditEvent.seq >= 6).execute()
        AuditHead.delete().execute()
    report = audit.verify_chain()
    assert not report.ok and "head" in report.message()


def test_an_empty_chain_is_whole(db):
    report = audit.verify_chain()
    assert report.ok and report.checked == 0
