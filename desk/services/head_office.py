"""Head office: registered stores, the import of their bundles, and which bundles arrived.

An import checks the bundle whole before reading a record (desk.io.bundles.open_bundle), then
writes it in one transaction with the store's row locked, so two head-office desks importing
the same bundle cannot both apply it and a killed import leaves nothing behind. A record is
kept by (store, kind, uuid): a higher version replaces it; the same version with the same
content changes nothing; the same version with other content is a conflict, recorded and
never applied.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import threading
import uuid as uuidlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from desk import clock
from desk.errors import DeskError, InvalidInput
from desk.io.bundles import BundleRefused, key_fingerprint, open_bundle
from desk.models import HoBundle, HoClosedDay, HoConflict, HoRecord, HoStore, Staff, database
from desk.models.db import is_postgres
from desk.services import audit
from desk.services.auth import require
from desk.services.export import local_day_bounds
from desk.services.store import _STORE_CODE_RE  # the one rule for store codes
from desk.services import ho_stream
from desk.services.exporters import EXPORTERS, TYPED_COLUMNS, BadRecord, typed_row

BATCH = 1000

Progress = Callable[[int, int], None]  # (records done, records in the bundle)


class ImportCancelled(DeskError):
    """The person stopped the import: its transaction rolled back, nothing was imported."""


# --------------------------------------------------------------------------- stores


def register_store(actor: Staff, code: str, name: str) -> tuple[HoStore, str]:
    """Register a store; returns it and the key the store enters once (shown only now)."""
    require(actor, "ho.stores")
    code = (code or "").strip().upper()
    name = (name or "").strip()
    if not _STORE_CODE_RE.match(code):
        raise InvalidInput("Store code", "must be 2 to 8 letters or digits, e.g. LDN01")
    if not name:
        raise InvalidInput("Store name", "give the store's name")
    key = secrets.token_hex(32)
    with database.atomic():
        if HoStore.select().where(HoStore.code == code).exists():
            raise InvalidInput("Store code", f"{code} is registered already")
        store = HoStore.create(code=code, name=name[:120], key=key, registered_at=clock.utcnow())
        audit.record("ho.store_registered", actor, entity="ho_store",
                     details={"code": code, "name": store.name, "fingerprint": key_fingerprint(key)})
    return store, key


def list_stores() -> list[HoStore]:
    return list(HoStore.select().order_by(HoStore.code))


# --------------------------------------------------------------------------- trading days

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass
class TradingCalendar:
    """The days a store trades: every day but ``closed_weekdays`` (0 = Monday) and ``closed_dates``."""

    code: str
    closed_weekdays: tuple[int, ...] = ()
    closed_dates: tuple[dt.date, ...] = ()

    def is_closed(self, day: dt.date) -> bool:
        return day.weekday() in self.closed_weekdays or day in self.closed_dates

    def describe(self) -> str:
        weekdays = ", ".join(WEEKDAYS[d] for d in self.closed_weekdays) or "none"
        dates = ", ".join(d.isoformat() for d in self.closed_dates) or "none"
        return f"{self.code}: closed on {weekdays}; closed dates {dates}"


def parse_weekdays(text: str) -> tuple[int, ...]:
    """'sat,sun' (or 'none', or blank) to weekday numbers; a bad name is refused by name."""
    days = set()
    for part in (text or "").replace(" ", ",").split(","):
        part = part.strip().lower()
        if not part or part == "none":
            continue
        if part not in WEEKDAYS and part not in _WEEKDAY_NAMES:
            raise InvalidInput("Closed weekdays", f"'{part}' is not a weekday: write mon, tue, wed, thu, fri, sat "
                                                  "or sun")
        days.add(WEEKDAYS.index(part[:3]))
    if len(days) == 7:
        raise InvalidInput("Closed weekdays", "a store closed every day of the week sends no bundles at all")
    return tuple(sorted(days))


def parse_dates(text: str) -> tuple[dt.date, ...]:
    """'2026-12-25, 2026-12-26' (commas, spaces or new lines) to dates; a bad one is refused by name."""
    days = set()
    for part in (text or "").replace("\n", ",").replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            days.add(dt.date.fromisoformat(part))
        except ValueError:
            raise InvalidInput("Closed dates", f"'{part}' is not a date: write it as YYYY-MM-DD") from None
    return tuple(sorted(days))


def _store(code: str) -> HoStore:
    store = HoStore.get_or_none(HoStore.code == (code or "").strip().upper())
    if store is None:
        raise InvalidInput("Store code", f"no store {code!r} is registered")
    return store


def _calendar(store: HoStore, closed: Iterable[dt.date] | None = None) -> TradingCalendar:
    weekdays = tuple(sorted(WEEKDAYS.index(d) for d in store.closed_weekdays.split(",") if d in WEEKDAYS))
    if closed is None:
        closed = [c.day for c in HoClosedDay.select(HoClosedDay.day).where(HoClosedDay.store == store)]
    return TradingCalendar(store.code, weekdays, tuple(sorted(closed)))


def trading_calendar(code: str) -> TradingCalendar:
    return _calendar(_store(code))


def set_trading_calendar(actor: Staff, code: str, closed_weekdays: Iterable[int],
                         closed_dates: Iterable[dt.date]) -> TradingCalendar:
    """Replace a store's trading calendar (the weekdays it is closed and its closed dates) in one
    transaction with its audit event."""
    require(actor, "ho.stores")
    weekdays = tuple(sorted(set(closed_weekdays)))
    if any(d not in range(7) for d in weekdays):
        raise InvalidInput("Closed weekdays", "a weekday is 0 (Monday) to 6 (Sunday)")
    if len(weekdays) == 7:
        raise InvalidInput("Closed weekdays", "a store closed every day of the week sends no bundles at all")
    dates = tuple(sorted(set(closed_dates)))
    with database.atomic():
        store = _store(code)
        before = _calendar(store)
        store.closed_weekdays = ",".join(WEEKDAYS[d] for d in weekdays)
        store.save(only=[HoStore.closed_weekdays])
        HoClosedDay.delete().where(HoClosedDay.store == store).execute()
        if dates:
            HoClosedDay.insert_many([{"store": store.id, "day": d} for d in dates]).execute()
        after = _calendar(store, dates)
        audit.record("ho.store_calendar", actor, entity="ho_store",
                     details={"code": store.code, "before": before.describe(), "after": after.describe()})
    return after


# --------------------------------------------------------------------------- import


@dataclass
class Conflict:
    kind: str
    uuid: str
    version: int


@dataclass
class ImportResult:
    file: str
    status: str  # imported | already | refused
    store_code: str = ""
    number: int | None = None
    reason: str = ""
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def message(self) -> str:
        if self.status == "refused":
            return f"{self.file}: refused. {self.reason}"
        if self.status == "already":
            return f"{self.file}: bundle {self.number} of store {self.store_code} was already imported; nothing changed."
        text = (f"{self.file}: bundle {self.number} of store {self.store_code} imported: {self.added:,} records added, "
                f"{self.replaced:,} replaced by a newer version, {self.unchanged:,} unchanged")
        if self.conflicts:
            text += f"; {len(self.conflicts)} in conflict (same version, other content; kept as they were)"
        return text + "."


def import_bundles(actor: Staff, paths: Iterable[str | Path], progress: Progress | None = None) -> list[ImportResult]:
    return [import_bundle(actor, p, progress) for p in paths]


def import_bundle(actor: Staff, path: str | Path, progress: Progress | None = None,
                  cancel: Callable[[], bool] | None = None) -> ImportResult:
    """Check and import one bundle. A refusal is recorded and returned, not raised. ``cancel``
    is asked between batches and, on PostgreSQL, every 0.2 s while the database files a kind
    (_CancelWatch): True rolls the import back and raises ImportCancelled. The
    signature and every file's hash are checked before any record is read (``open_bundle``)."""
    require(actor, "ho.import")
    path = Path(path)
    keys = {s.code: s.key for s in HoStore.select(HoStore.code, HoStore.key)}
    try:
        bundle = open_bundle(path, keys.get, set(EXPORTERS))
    except BundleRefused as refusal:
        return _refused(actor, path, refusal)
    try:
        return _import(actor, path, bundle, progress, cancel)
    except BundleRefused as refusal:  # found while reading: the transaction rolled back
        refusal.manifest = refusal.manifest or bundle.manifest
        refusal.store_code = refusal.store_code or bundle.store_code
        refusal.number = refusal.number or bundle.number
        return _refused(actor, path, refusal, bundle)
    finally:
        bundle.close()


def _period(manifest: dict) -> tuple[dt.datetime | None, dt.datetime | None]:
    period = manifest.get("period") if isinstance(manifest.get("period"), dict) else {}
    out = []
    for key in ("from", "to"):
        try:
            out.append(dt.datetime.fromisoformat(period.get(key)).replace(tzinfo=None))
        except (TypeError, ValueError):
            out.append(None)
    return out[0], out[1]


def _refused(actor: Staff, path: Path, refusal: BundleRefused, bundle=None) -> ImportResult:
    store = HoStore.get_or_none(HoStore.code == refusal.store_code) if refusal.store_code else None
    period_from, period_to = _period(refusal.manifest)
    with database.atomic():
        HoBundle.create(store=store, store_code=refusal.store_code[:16], number=refusal.number,
                        period_from=period_from, period_to=period_to, status="refused", reason=refusal.reason,
                        file_name=path.name[:255], file_sha256=bundle.file_sha256 if bundle else "",
                        manifest_sha256=bundle.manifest_sha256 if bundle else "", received_at=clock.utcnow())
        audit.record("ho.bundle_refused", actor, entity="ho_bundle",
                     details={"file": path.name, "store": refusal.store_code, "number": refusal.number,
                              "reason": refusal.reason})
    return ImportResult(path.name, "refused", refusal.store_code, refusal.number, refusal.reason)


def _import(actor: Staff, path: Path, bundle, progress: Progress | None, cancel: Callable[[], bool] | None) -> ImportResult:
    manifest = bundle.manifest
    number = bundle.number

    with database.atomic():
        query = HoStore.select().where(HoStore.code == bundle.store_code)
        if is_postgres():
            query = query.for_update()  # one import per store at a time
        store = query.get()
        earlier = (HoBundle.select().where((HoBundle.store == store) & (HoBundle.number == number)
                                           & (HoBundle.status == "imported")).first())
        if earlier is not None:
            if earlier.manifest_sha256 == bundle.manifest_sha256:
                return ImportResult(path.name, "already", store.code, number, counts=json.loads(earlier.counts))
            raise BundleRefused(f"Store {store.code} sent a different bundle {number} before, and "
                                f"that one was imported ({earlier.file_name}); this one was not.")
        kinds = [k for k in EXPORTERS if k in bundle.lines]
        report = _Progress(progress, sum(bundle.lines.values()))
        if is_postgres():
            # The import's few big statements gain nothing from JIT compiling (measured: the
            # compile costs more than it saves); this transaction only.
            database.execute_sql("SET LOCAL jit = off")
        period_from, period_to = _period(manifest)
        head = manifest.get("audit_head") if isinstance(manifest.get("audit_head"), dict) else {}
        row = HoBundle.create(
            store=store, store_code=store.code, number=number, period_from=period_from, period_to=period_to,
            status="imported", file_name=path.name[:255], file_sha256=bundle.file_sha256,
            manifest_sha256=bundle.manifest_sha256, counts=json.dumps(bundle.lines),
            app_version=str(manifest.get("app_version", ""))[:32], schema=str(manifest.get("schema", ""))[:64],
            audit_head_seq=head.get("seq") if isinstance(head.get("seq"), int) else None,
            audit_head_hash=str(head.get("hash", ""))[:64], received_at=clock.utcnow(),
        )
        result = ImportResult(path.name, "imported", store.code, number, counts=dict(bundle.lines))
        for kind in kinds:
            if cancel is not None and cancel():
                raise ImportCancelled(f"{path.name}: import stopped; nothing of it was imported.")
            if not is_postgres():
                _import_python(store, row, bundle, kind, result, report, path, cancel)
            elif not _stream_kind(store, row, bundle, kind, result, report, path, cancel):
                _sort_kind(store, row, bundle, kind, result, report, path, cancel)
        HoBundle.update(added=result.added, replaced=result.replaced, unchanged=result.unchanged,
                        conflicts=len(result.conflicts)).where(HoBundle.id == row.id).execute()
        audit.record("ho.bundle_imported", actor, entity="ho_bundle",
                     details={"file": path.name, "store": store.code, "number": number, "added": result.added,
                              "replaced": result.replaced, "unchanged": result.unchanged,
                              "conflicts": len(result.conflicts)})
    return result


class _CancelWatch:
    """Around statements the database may run for many seconds (PostgreSQL): a thread asks
    ``cancel`` every POLL seconds and, once it says True, has the server cancel what the
    connection runs (again at each poll, so a statement begun just after a cancel landed
    between two is stopped too). The statement then fails with QueryCanceled; on leaving, the
    block raises ImportCancelled instead (the caller's transaction rolls back, as for a cancel
    between kinds). A QueryCanceled this watch did not ask for (statement_timeout, an
    administrator) goes on as it is: it is no cancel of the person's. The thread stops, under
    the lock it cancels with, before the block is left: no cancel it sends can reach a later
    statement (the rollback's)."""

    POLL = 0.2

    def __init__(self, connection, cancel: Callable[[], bool] | None, path: Path):
        self.connection, self.cancel, self.path = connection, cancel, path
        self.asked = False  # the person cancelled while the block ran
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = None

    def __enter__(self) -> "_CancelWatch":
        if self.cancel is not None:
            self._thread = threading.Thread(target=self._run, name="ho-cancel-watch", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.POLL):
            try:
                if not (self.asked or self.cancel()):
                    continue
            except Exception:  # noqa: BLE001 - a flag that cannot be read is not a cancel
                continue
            with self._lock:
                if self._stop.is_set():
                    return
                self.asked = True
                try:
                    self.connection.cancel_safe(timeout=2.0)
                except Exception:  # noqa: BLE001 - tried again at the next poll; the check between kinds remains
                    pass

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self._thread is not None:
            with self._lock:
                self._stop.set()
            self._thread.join()
        if self.asked and (exc is None or isinstance(exc, Exception)):
            raise ImportCancelled(f"{self.path.name}: import stopped; nothing of it was imported.") from exc
        return False


class _Progress:
    """Records done so far, told to ``progress`` only when it grows (a kind retried through the
    Python path counts again from where it began)."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.done, self.told = progress, total, 0, 0

    def add(self, n: int) -> None:
        self.done += n
        if self.progress is not None and self.done > self.told:
            self.told = self.done
            self.progress(self.done, self.total)

    def ticker(self, cancel: Callable[[], bool] | None, path: Path) -> Callable[[int], None]:
        """``tick(lines)`` for a kind's reading: adds the lines done and asks ``cancel``."""
        def tick(lines: int) -> None:
            self.add(lines)
            if cancel is not None and cancel():
                raise ImportCancelled(f"{path.name}: import stopped; nothing of it was imported.")
        return tick


def _import_python(store, row, bundle, kind: str, result: ImportResult, report: _Progress, path: Path,
                   cancel: Callable[[], bool] | None) -> None:
    """One kind, parsed and checked in Python, written in batches of BATCH (SQLite; PostgreSQL
    streams each kind instead: desk.services.ho_stream)."""
    size = BATCH
    seen: set[str] = set()  # uuids of this kind in the bundle: one record each
    batch: list[tuple[int, bytes, dict]] = []
    for line in bundle.iter_lines(kind):
        batch.append(line)
        if len(batch) >= size:
            if cancel is not None and cancel():
                raise ImportCancelled(f"{path.name}: import stopped; nothing of it was imported.")
            _apply(store, row, kind, _incoming(kind, batch, seen), result)
            report.add(len(batch))
            batch = []
    if batch:
        _apply(store, row, kind, _incoming(kind, batch, seen), result)
        report.add(len(batch))


def _stream_kind(store, row, bundle, kind: str, result: ImportResult, report: _Progress, path: Path,
                 cancel: Callable[[], bool] | None) -> bool:
    """One kind checked in Python and written with one COPY as it is read (desk.services.ho_stream),
    when every record of it is new to head office. False, having written nothing, when it meets
    a record head office holds (or a uuid twice): the kind then takes a path that sorts them."""
    start = report.done
    cursor = database.obj.cursor()
    with _CancelWatch(cursor.connection, cancel, path):  # the COPY's end waits for the database
        added = _stream(cursor, bundle, kind, store, row, report.ticker(cancel, path))
    if added is None:
        report.done = start  # counted again as the next path reads it
        return False
    result.added += added
    return True


def _stream(cursor, bundle, kind: str, store, row, tick: Callable[[int], None]) -> int | None:
    return ho_stream.stream(cursor, bundle, kind, store.id, row.id, _checked, tick)


def _sort_kind(store, row, bundle, kind: str, result: ImportResult, report: _Progress, path: Path,
               cancel: Callable[[], bool] | None) -> None:
    """A kind that meets records head office holds (PostgreSQL): read and checked again, and its
    records sorted into new ones, newer versions, conflicts and repeats by SQL
    (desk.services.ho_stream.sort_in). Its statements can take many seconds: ``cancel`` is asked
    meanwhile (_CancelWatch)."""
    cursor = database.obj.cursor()
    with _CancelWatch(cursor.connection, cancel, path):
        applied = _sort_in(cursor, bundle, kind, store, row, report.ticker(cancel, path))
    result.added += applied.added
    result.replaced += applied.replaced
    result.unchanged += applied.unchanged
    result.conflicts.extend(Conflict(kind, uid, version) for uid, version in applied.conflicts)


def _sort_in(cursor, bundle, kind: str, store, row, tick: Callable[[int], None]) -> ho_stream.Applied:
    return ho_stream.sort_in(cursor, bundle, kind, store.id, row.id, _checked, tick, clock.utcnow())


MAX_VERSION = (1 << 31) - 1  # ho_record.version is an integer column
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # as str(UUID) writes it


def _checked(kind: str, n: int, record: dict) -> tuple[str, int, tuple]:
    """The record's uuid, version and typed columns (in TYPED_COLUMNS' order), or BundleRefused
    naming the file and line: the one rule for what head office takes from a bundle."""
    uid = record.get("uuid")
    if not (isinstance(uid, str) and _UUID.fullmatch(uid)):
        try:
            uid = str(uuidlib.UUID(str(uid)))
        except ValueError:
            raise BundleRefused(f"data/{kind}.jsonl line {n}: the record's uuid is not a UUID.") from None
    version = record.get("version")
    if version.__class__ is not int or version < 1:
        raise BundleRefused(f"data/{kind}.jsonl line {n}: the record's version is not a whole number of at least 1.")
    if version > MAX_VERSION:
        raise BundleRefused(f"data/{kind}.jsonl line {n}: the record's version is out of range.")
    exporter = EXPORTERS[kind]
    try:
        if exporter.check is not None:
            exporter.check(record)
        typed = typed_row(exporter.project, record)
    except BadRecord as exc:
        raise BundleRefused(f"data/{kind}.jsonl line {n}: {exc}.") from None
    return uid, version, typed


def _incoming(kind: str, batch: list[tuple[int, bytes, dict]], seen: set[str]) -> dict[str, tuple]:
    """The batch's records checked: uuid -> (version, data, typed columns (a tuple), sha256). ``data`` is
    the record's line as it came (the store writes canonical JSON: sorted keys, no spaces), and
    its hash is of those bytes, so one byte of difference at the same version is a conflict."""
    incoming: dict[str, tuple[int, str, tuple, str]] = {}
    sha256 = hashlib.sha256
    for n, raw, record in batch:
        uid, version, typed = _checked(kind, n, record)
        if uid in seen:
            raise BundleRefused(f"data/{kind}.jsonl line {n}: record {uid} appears twice in the bundle.")
        seen.add(uid)
        incoming[uid] = (version, raw.decode("utf-8"), typed, sha256(raw).hexdigest())
    return incoming


def _existing(store: HoStore, kind: str, uuids: list[str]) -> dict[str, tuple[int, int, str]]:
    """What head office holds of these records: uuid -> (id, version, sha256)."""
    query = HoRecord.select(HoRecord.uuid, HoRecord.id, HoRecord.version, HoRecord.sha256).where(
        (HoRecord.store == store) & (HoRecord.kind == kind) & HoRecord.uuid.in_(uuids))
    return {uid: (rid, version, sha) for uid, rid, version, sha in query.tuples()}


_COLUMNS = ("store_id", "kind", "uuid", "version", "sha256", "bundle_id", "data")


def _apply(store: HoStore, bundle: HoBundle, kind: str, incoming: dict[str, tuple], result: ImportResult) -> None:
    existing = _existing(store, kind, list(incoming))
    new_rows, newer = [], []
    for uid, (version, data, typed, sha) in incoming.items():
        old = existing.get(uid)
        if old is None:
            new_rows.append((store.id, kind, uid, version, sha, bundle.id, data, *typed))
        elif version > old[1]:
            newer.append((version, sha, bundle.id, data, *typed, old[0]))
        elif version == old[1] and sha != old[2]:
            HoConflict.create(store=store, bundle=bundle, kind=kind, uuid=uid, version=version, kept_sha256=old[2],
                              offered_sha256=sha, offered=data, found_at=clock.utcnow())
            result.conflicts.append(Conflict(kind, uid, version))
        else:  # the same record again, or an older version than head office has
            result.unchanged += 1
    # Plain parameterised statements, many rows a call: building peewee's query per row
    # would cost more than the database's work.
    p = database.obj.param
    cursor = database.obj.cursor()
    columns = _COLUMNS + TYPED_COLUMNS
    if new_rows:
        cursor.executemany(f'INSERT INTO ho_record ({", ".join(columns)}) VALUES ({", ".join([p] * len(columns))})',
                           new_rows)
        result.added += len(new_rows)
    if newer:
        sets = ", ".join(f"{c} = {p}" for c in ("version", "sha256", "bundle_id", "data") + TYPED_COLUMNS)
        cursor.executemany(f"UPDATE ho_record SET {sets} WHERE id = {p}", newer)
        result.replaced += len(newer)



def recent_bundles(limit: int = 200) -> list[HoBundle]:
    return list(HoBundle.select().order_by(HoBundle.received_at.desc(), HoBundle.id.desc()).limit(limit))


# --------------------------------------------------------------------------- coverage


@dataclass
class CoverageCell:
    status: str  # arrived | missing | refused | closed (not a trading day) | none (before the store
    # was registered, or not yet)
    bundles: list[int] = field(default_factory=list)
    note: str = ""


@dataclass
class Coverage:
    days: list[dt.date]
    stores: list[tuple[str, str]]  # (code, name)
    cells: dict[tuple[str, dt.date], CoverageCell]

    def cell(self, code: str, day: dt.date) -> CoverageCell:
        return self.cells[(code, day)]


def _overlaps(a_from, a_to, b_from, b_to) -> bool:
    return a_from is not None and a_to is not None and a_from < b_to and a_to > b_from


def coverage(date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None) -> Coverage:
    """Stores x local days from ``date_from`` to ``date_to`` (inclusive): which bundles arrived,
    which are missing (a gap in the store's numbering, or no bundle for the day) and which
    were refused. A day the store does not trade (its trading calendar) is "closed" rather than
    missing when no bundle covers it; a gap in the numbering is missing whatever the day, and a
    bundle that arrived for a closed day shows as arrived."""
    if date_to < date_from:
        raise InvalidInput("Dates", "the last day is before the first")
    if (date_to - date_from).days > 366:
        raise InvalidInput("Dates", "show at most a year at a time")
    now = now or clock.utcnow()
    today = clock.to_local(now).date()
    days = [date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    stores = list_stores()
    closed_days: dict[int, list[dt.date]] = {}
    for c in HoClosedDay.select().where((HoClosedDay.day >= date_from) & (HoClosedDay.day <= date_to)):
        closed_days.setdefault(c.store_id, []).append(c.day)
    cells: dict[tuple[str, dt.date], CoverageCell] = {}
    for store in stores:
        calendar = _calendar(store, closed_days.get(store.id, []))
        bundles = list(HoBundle.select().where(HoBundle.store == store).order_by(HoBundle.number, HoBundle.id))
        imported = {b.number: b for b in bundles if b.status == "imported"}
        refused = [b for b in bundles if b.status == "refused" and b.number not in imported]
        refused_numbers = {b.number for b in refused}
        gaps = []  # (from, to, missing numbers)
        numbers = sorted(imported)
        for a, b in zip(numbers, numbers[1:]):
            if b - a > 1:
                gaps.append((imported[a].period_to, imported[b].period_from, list(range(a + 1, b))))
        if numbers and numbers[0] > 1:
            first = imported[numbers[0]]
            gaps.append((dt.datetime.min, first.period_from, list(range(1, numbers[0]))))
        registered = clock.to_local(store.registered_at).date()
        first_day = min([registered] + [clock.to_local(b.period_from).date() for b in imported.values() if b.period_from])
        for day in days:
            start, end = local_day_bounds(day)
            arrived = sorted(n for n, b in imported.items() if _overlaps(b.period_from, b.period_to, start, end))
            gap = [g for g in gaps if _overlaps(g[0], g[1], start, end)]
            refused_here = sorted({b.number for b in refused if _overlaps(b.period_from, b.period_to, start, end)} - {None})
            if gap:
                missing = sorted({n for g in gap for n in g[2]})
                if set(missing) <= refused_numbers:
                    cell = CoverageCell("refused", missing, "bundle " + ", ".join(map(str, missing)) + " refused")
                else:
                    cell = CoverageCell("missing", missing, "bundle " + ", ".join(map(str, missing)) + " missing")
            elif refused_here:
                cell = CoverageCell("refused", refused_here, "bundle " + ", ".join(map(str, refused_here)) + " refused")
            elif arrived:
                cell = CoverageCell("arrived", arrived)
            elif day < first_day:
                cell = CoverageCell("none")
            elif calendar.is_closed(day):  # closed days ahead show too: a holiday planned
                cell = CoverageCell("closed", [], "closed: not a trading day")
            elif day >= today:  # today is not over yet
                cell = CoverageCell("none")
            else:
                cell = CoverageCell("missing", [], "no bundle for this day")
            cells[(store.code, day)] = cell
    return Coverage(days, [(s.code, s.name) for s in stores], cells)
