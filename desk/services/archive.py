"""The archive: every printed or saved document kept as a PDF under the data folder.

Files live at ``<data folder>/archive/YYYY/MM/DD/<kind>-<number>[-n].pdf`` (the local date
it was archived); one ``ArchivedDocument`` row per file records its checksum, so a file
that went missing or was changed is named as such instead of being printed.

- ``archive(doc, actor)`` -> ``ArchivedDocument`` (file written first, then the row and its
  audit event in one transaction; the file is removed if the database write fails)
- ``search_archive(kind, number, date_from, date_to, offset, limit)`` -> rows, newest first
- ``count_archive(...)`` with the same filters, for a table that loads lazily
- ``archived_pdf(id)`` -> the bytes, checked against the recorded sha256
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import uuid
from pathlib import Path

import peewee

from desk import clock
from desk.errors import DatabaseProblem, DeskError, NotFound
from desk.models import ArchivedDocument, Staff, database
from desk.models.db import default_data_dir, describe_write_error, first_line
from desk.services import audit
from desk.services.auth import require
from desk.services.documents import RenderedDocument, safe_name

__all__ = [
    "ArchiveDamaged",
    "archive_root",
    "archive",
    "archived_path",
    "archived_pdf",
    "count_archive",
    "search_archive",
]

MAX_LIMIT = 1000


class ArchiveDamaged(DeskError):
    """An archived PDF is missing or no longer matches the checksum recorded when it was archived."""


def archive_root() -> Path:
    """``<data folder>/archive`` (the data folder follows DESK_DATA_DIR when it is set)."""
    return default_data_dir() / "archive"


def _write_problem(exc: OSError, folder: Path) -> DeskError:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        what = f"The disk holding the archive folder {folder} is full ({reason}): free some space and print again."
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        what = f"The archive folder {folder} cannot be written ({reason}): fix its permissions or free the disk."
    else:
        what = f"The document could not be written to the archive folder {folder} ({reason})."
    return DeskError(what + " The document was not archived; nothing was recorded.")


def _taken(path: Path, root: Path) -> bool:
    relative = path.relative_to(root).as_posix()
    return path.exists() or ArchivedDocument.select().where(ArchivedDocument.path == relative).exists()


def _place(tmp: Path, folder: Path, base: str, root: Path) -> Path:
    """Give ``tmp`` its final name ``base[-n].pdf`` without overwriting anything."""
    n = 1
    while True:
        candidate = folder / (f"{base}.pdf" if n == 1 else f"{base}-{n}.pdf")
        n += 1
        if _taken(candidate, root):
            continue
        try:
            os.link(tmp, candidate)  # fails if another desk took the name a moment ago
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            os.replace(tmp, candidate)  # a file system without hard links
            return candidate
        tmp.unlink()
        return candidate


def archive(doc: RenderedDocument, actor: Staff) -> ArchivedDocument:
    """Keep ``doc`` in the archive. Raises DeskError (disk full, read-only folder) having recorded nothing."""
    require(actor, "sales.view")
    root = archive_root()
    now = clock.utcnow()
    local = clock.to_local(now)
    folder = root / f"{local:%Y}" / f"{local:%m}" / f"{local:%d}"
    base = f"{safe_name(doc.kind)}-{safe_name(doc.number)}"
    digest = hashlib.sha256(doc.pdf).hexdigest()
    tmp = folder / f".{base}.{uuid.uuid4().hex}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(tmp, "xb") as fh:
            fh.write(doc.pdf)
            fh.flush()
            os.fsync(fh.fileno())
        final = _place(tmp, folder, base, root)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise _write_problem(exc, folder) from None
    relative = final.relative_to(root).as_posix()
    try:
        with database.atomic():
            row = ArchivedDocument.create(
                kind=doc.kind,
                number=doc.number,
                paper=doc.paper,
                title=doc.title[:160],
                path=relative,
                sha256=digest,
                size=len(doc.pdf),
                staff_code=actor.code,
                created_at=now,
            )
            audit.record(
                "document.archived",
                actor,
                entity="archived_document",
                entity_uuid=row.uuid,
                details={"kind": doc.kind, "number": doc.number, "paper": doc.paper, "path": relative,
                         "sha256": digest, "size": len(doc.pdf)},
            )
    except BaseException as exc:
        final.unlink(missing_ok=True)
        if isinstance(exc, peewee.DatabaseError):
            raise DatabaseProblem(
                f"The document was not archived: {first_line(exc)}. {describe_write_error(exc)}"
            ) from None
        raise
    return row


def _utc_bound(value: dt.date | dt.datetime, end: bool) -> dt.datetime:
    """A local date's start (or the next day's start, for ``end``) in naive UTC; datetimes are naive UTC."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    day = value + dt.timedelta(days=1) if end else value
    local_midnight = dt.datetime.combine(day, dt.time()).astimezone()
    return local_midnight.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _query(kind, number, date_from, date_to):
    query = ArchivedDocument.select()
    if kind:
        query = query.where(ArchivedDocument.kind == kind.strip().lower())
    if number and number.strip():
        query = query.where(ArchivedDocument.number.contains(number.strip()))
    if date_from is not None:
        query = query.where(ArchivedDocument.created_at >= _utc_bound(date_from, end=False))
    if date_to is not None:
        bound = _utc_bound(date_to, end=True)
        if isinstance(date_to, dt.datetime):
            query = query.where(ArchivedDocument.created_at <= bound)
        else:
            query = query.where(ArchivedDocument.created_at < bound)
    return query


def search_archive(
    kind: str | None = None,
    number: str | None = None,
    date_from: dt.date | dt.datetime | None = None,
    date_to: dt.date | dt.datetime | None = None,
    offset: int = 0,
    limit: int = 200,
) -> list[ArchivedDocument]:
    """Archived documents, newest first. ``number`` matches part of the number; dates are local
    days, inclusive (a datetime is taken as an exact naive-UTC bound)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    query = _query(kind, number, date_from, date_to)
    return list(query.order_by(ArchivedDocument.created_at.desc(), ArchivedDocument.id.desc())
                .offset(max(0, int(offset))).limit(limit))


def count_archive(kind=None, number=None, date_from=None, date_to=None) -> int:
    return _query(kind, number, date_from, date_to).count()


def archived_path(row: ArchivedDocument) -> Path:
    return archive_root() / row.path


def archived_pdf(id: int) -> bytes:
    """The archived PDF's bytes. ArchiveDamaged if the file is missing or altered; NotFound for an unknown id."""
    row = ArchivedDocument.get_or_none(ArchivedDocument.id == id)
    if row is None:
        raise NotFound(f"No archived document #{id}.")
    path = archived_path(row)
    what = f"The archived {row.kind} {row.number}"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ArchiveDamaged(f"{what} is missing: {path} is not there any more. Render the document again to reprint it.") from None
    except OSError as exc:
        raise ArchiveDamaged(f"{what} cannot be read from {path}: {exc.strerror or exc}.") from None
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise ArchiveDamaged(
            f"{what} ({path}) has been altered since it was archived: its checksum does not match. "
            "It is not shown; render the document again to reprint it."
        )
    return data
