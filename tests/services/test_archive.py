"""The archive: PDFs kept under the data folder, found again, and checked before they are shown."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os

import peewee
import pytest

from desk.errors import DatabaseProblem, DeskError, NotFound
from desk.models import ArchivedDocument, AuditEvent
from desk.services import archive as archive_service
from desk.services.archive import ArchiveDamaged, archive, archive_root, archived_pdf, count_archive, search_archive
from desk.services.audit import verify_chain
from desk.services.documents import RenderedDocument

NOON = dt.datetime(2026, 11, 23, 12, 0)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("DESK_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def admin(store, data_dir, clock_at):
    clock_at(NOON)
    return store[1]


def doc(number="T1-0000042", kind="receipt", body=b"%PDF-1.4 a receipt"):
    return RenderedDocument(kind, number, "roll", body, f"{kind} {number}")


def day_folder(when: dt.datetime) -> str:
    local = when.replace(tzinfo=dt.timezone.utc).astimezone()
    return f"{local:%Y/%m/%d}"


def test_archive_writes_the_file_and_records_it_with_an_audit_event(admin, data_dir):
    row = archive(doc(), admin)
    assert archive_root() == data_dir / "archive"
    assert row.path == f"{day_folder(NOON)}/receipt-T1-0000042.pdf"
    path = data_dir / "archive" / row.path
    assert path.read_bytes() == b"%PDF-1.4 a receipt"
    assert row.sha256 == hashlib.sha256(b"%PDF-1.4 a receipt").hexdigest() and row.size == 18
    assert (row.kind, row.number, row.paper, row.staff_code, row.created_at) == ("receipt", "T1-0000042", "roll", "900", NOON)
    event = AuditEvent.select().where(AuditEvent.action == "document.archived").get()
    assert event.entity_uuid == str(row.uuid) and row.sha256 in event.details
    assert verify_chain().ok
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind
    assert archived_pdf(row.id) == b"%PDF-1.4 a receipt"


def test_the_same_document_twice_gets_a_numbered_file(admin, data_dir):
    first = archive(doc(body=b"one"), admin)
    second = archive(doc(body=b"two"), admin)
    third = archive(doc(number="odd/number: 7", body=b"three"), admin)
    assert second.path.endswith("receipt-T1-0000042-2.pdf")
    assert third.path.endswith("receipt-odd_number_7.pdf") and third.number == "odd/number: 7"
    assert archived_pdf(first.id) == b"one" and archived_pdf(second.id) == b"two"


def test_search_by_kind_number_and_local_days(admin, clock_at):
    days = [dt.datetime(2026, 11, d, 12, 0) for d in (20, 21, 22)]
    for i, when in enumerate(days):
        clock_at(when)
        archive(doc(number=f"T1-00000{i}"), admin)
        archive(doc(kind="gift", number=f"G-TST01-AAAAAAAAA{i}"), admin)
    assert count_archive() == 6
    newest = search_archive()
    assert [r.created_at for r in newest] == sorted((r.created_at for r in newest), reverse=True)
    assert [r.number for r in search_archive(kind="receipt")] == ["T1-000002", "T1-000001", "T1-000000"]
    assert [r.number for r in search_archive(number="000001")] == ["T1-000001"]
    assert [r.number for r in search_archive(kind="gift", number="g-tst01")] == [
        "G-TST01-AAAAAAAAA2", "G-TST01-AAAAAAAAA1", "G-TST01-AAAAAAAAA0"]
    local = lambda when: when.replace(tzinfo=dt.timezone.utc).astimezone().date()  # noqa: E731
    between = search_archive(date_from=local(days[1]), date_to=local(days[1]))
    assert {r.created_at for r in between} == {days[1]}
    assert len(search_archive(date_from=local(days[1]))) == 4
    assert count_archive(date_to=local(days[0])) == 2
    assert [r.number for r in search_archive(kind="receipt", offset=1, limit=1)] == ["T1-000001"]


def test_an_altered_or_missing_file_is_named_and_not_returned(admin, data_dir):
    row = archive(doc(), admin)
    path = data_dir / "archive" / row.path
    path.write_bytes(b"%PDF-1.4 a receipt, changed")
    with pytest.raises(ArchiveDamaged, match=r"receipt T1-0000042 .*altered.*checksum"):
        archived_pdf(row.id)
    path.unlink()
    with pytest.raises(ArchiveDamaged, match=r"receipt T1-0000042 is missing"):
        archived_pdf(row.id)
    with pytest.raises(NotFound, match="#999"):
        archived_pdf(999)


@pytest.mark.parametrize("code,words", [(errno.ENOSPC, "is full"), (errno.EROFS, "cannot be written"),
                                        (errno.EIO, "could not be written")])
def test_a_full_or_read_only_disk_records_nothing(admin, data_dir, monkeypatch, code, words):
    def fail(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(archive_service.os, "fsync", fail)
    events = AuditEvent.select().count()
    with pytest.raises(DeskError, match=f"{words}.*nothing was recorded"):
        archive(doc(), admin)
    assert ArchivedDocument.select().count() == 0 and AuditEvent.select().count() == events
    assert [p for p in (data_dir / "archive").rglob("*") if p.is_file()] == []


def test_a_data_folder_that_is_a_file_is_a_clear_error(store, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("DESK_DATA_DIR", str(blocker))
    with pytest.raises(DeskError, match="archive folder .*not-a-folder.*nothing was recorded"):
        archive(doc(), store[1])
    assert ArchivedDocument.select().count() == 0


def test_a_failed_database_write_removes_the_file(admin, data_dir, monkeypatch):
    def broken(*args, **kwargs):
        raise peewee.OperationalError("database or disk is full")

    monkeypatch.setattr(archive_service.audit, "record", broken)
    with pytest.raises(DatabaseProblem, match="not archived.*disk is full"):
        archive(doc(), admin)
    assert ArchivedDocument.select().count() == 0
    assert [p for p in (data_dir / "archive").rglob("*") if p.is_file()] == []
