"""The store's export for head office: one signed bundle per export, numbered without gaps.

``export_bundle`` writes the records that changed since the last bundle (or those of one
day) in one transaction: the bundle's number comes from a counter row locked until the end,
the change-log rows it carries are marked with that number, and the audit chain's head is
locked (PostgreSQL) so no desk appends while the bundle is cut. The zip is written beside its
final name and renamed once the transaction has committed: a failed export leaves neither a
file nor a used number.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from peewee import fn

from desk import __version__, clock
from desk.errors import InvalidInput, NotAllowed, NotFound
from desk.io.bundles import csv_bytes, jsonl_bytes, key_fingerprint, normalise_key, write_bundle
from desk.models import AuditEvent, AuditHead, ChangeLog, ExportBundle, Setting, Staff, Store, database
from desk.models.db import is_postgres, schema_version
from desk.services import audit, settings
from desk.services.auth import require
from desk.services.exporters import BATCH, EXPORTERS
from desk.services.numbers import next_seq

KEY_SETTING = "ho.key"  # not in settings.SPECS: never listed, never written to the audit trail
COUNTER_KIND = "EXP"


# --------------------------------------------------------------------------- the key


def set_ho_key(actor: Staff, text: str) -> str:
    """Store the key head office gave this store; returns its fingerprint. The audit event
    records the fingerprint, never the key."""
    require(actor, "export.key")
    try:
        key = normalise_key(text)
    except ValueError as exc:
        raise InvalidInput("Head office key", str(exc)) from None
    fingerprint = key_fingerprint(key)
    with database.atomic():
        settings.store_text(KEY_SETTING, json.dumps(key))
        audit.record("export.key_set", actor, entity="settings", details={"fingerprint": fingerprint})
    return fingerprint


def ho_key() -> str | None:
    row = Setting.get_or_none(Setting.key == KEY_SETTING)
    if row is None:
        return None
    try:
        return normalise_key(json.loads(row.value))
    except (ValueError, TypeError):
        return None


def key_status() -> str:
    """The key's fingerprint, or '' when the store has none."""
    key = ho_key()
    return key_fingerprint(key) if key else ""


# --------------------------------------------------------------------------- exporting


@dataclass
class ExportResult:
    number: int
    path: Path
    mode: str
    period_from: dt.datetime
    period_to: dt.datetime
    counts: dict[str, int] = field(default_factory=dict)
    pruned: int = 0  # change-log rows of old bundles deleted with this export
    note: str = ""  # said after the message: a day bundle for a day whose change records were pruned

    @property
    def records(self) -> int:
        return sum(self.counts.values())

    def message(self) -> str:
        parts = ", ".join(f"{n:,} {_noun(kind, n)}" for kind, n in self.counts.items() if n) or "no records"
        text = f"Bundle {self.number} written to {self.path}: {parts}."
        return f"{text} {self.note}" if self.note else text


def _noun(kind: str, n: int) -> str:
    words = kind.replace("_", " ")
    if n != 1:
        return words
    return words[:-3] + "y" if words.endswith("ies") else words[:-1]


def pruned_day_note(day: dt.date, period_from: dt.datetime) -> str:
    """What a day bundle says when the change log may have lost that day's changes (an export
    pruned a row written that day or later), else ''."""
    pruned_to = change_log_pruned_to()
    if pruned_to is None or pruned_to < period_from:
        return ""
    bundles, days = keep_limits()
    return (f"Change records up to {clock.to_local(pruned_to):%Y-%m-%d %H:%M} have been pruned (Settings, "
            f"Head office export, keeps those of the last {bundles} bundles and {days} days): this bundle "
            f"holds what was created on {day.isoformat()}, not the earlier records changed that day, which "
            f"went to head office in the bundles that carried those changes.")


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A local calendar day as naive-UTC [start, end)."""

    def midnight(d: dt.date) -> dt.datetime:
        return dt.datetime.combine(d, dt.time.min).astimezone().astimezone(dt.timezone.utc).replace(tzinfo=None)

    return midnight(day), midnight(day + dt.timedelta(days=1))


# The change log keeps what recent bundles carried (a day bundle re-reads a day's changes from
# it); rows marked by a bundle older than the last few bundles *and* older than some days go, both
# limits being Settings' in "Head office export" (settings.KEEP_BUNDLES_KEY, settings.KEEP_DAYS_KEY).
# The newest time of a row pruned so far is kept under PRUNED_TO_SETTING (not a setting a manager
# edits): a day bundle for a day up to then may lack that day's changes and says so.
PRUNED_TO_SETTING = "export.change_log_pruned_to"


def keep_limits() -> tuple[int, int]:
    """The change log's limits from Settings: (bundles, days)."""
    return int(settings.get(settings.KEEP_BUNDLES_KEY)), int(settings.get(settings.KEEP_DAYS_KEY))


def prune_change_log(latest: int, now: dt.datetime, keep_bundles: int | None = None,
                     keep_days: int | None = None) -> int:
    """Delete the change-log rows marked by bundles before the last ``keep_bundles`` (up to and
    including bundle ``latest``) and written more than ``keep_days`` ago (both from Settings unless
    given); rows no bundle has carried yet are never touched. Runs inside the export's
    transaction; returns the rows deleted."""
    if keep_bundles is None or keep_days is None:
        bundles, days = keep_limits()
        keep_bundles = bundles if keep_bundles is None else keep_bundles
        keep_days = days if keep_days is None else keep_days
    oldest_kept = latest - keep_bundles + 1
    if oldest_kept <= 1:
        return 0
    where = (ChangeLog.bundle_no.is_null(False) & (ChangeLog.bundle_no < oldest_kept)
             & (ChangeLog.at < now - dt.timedelta(days=keep_days)))
    newest = ChangeLog.select(fn.MAX(ChangeLog.at)).where(where).scalar()
    if newest is None:
        return 0
    deleted = ChangeLog.delete().where(where).execute()
    pruned_to = change_log_pruned_to()
    if pruned_to is None or newest > pruned_to:
        settings.store_text(PRUNED_TO_SETTING, json.dumps(newest.isoformat(timespec="microseconds")))
    return deleted


def change_log_pruned_to() -> dt.datetime | None:
    """The newest time (naive UTC) of a change-log row an export has pruned, or None."""
    row = Setting.get_or_none(Setting.key == PRUNED_TO_SETTING)
    if row is None:
        return None
    try:
        return dt.datetime.fromisoformat(json.loads(row.value))
    except (ValueError, TypeError):
        return None


def _chunks(items: list, size: int = BATCH):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _out_dir(out_dir: str | os.PathLike) -> Path:
    folder = Path(out_dir).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput("Folder", f"{folder} cannot be created ({exc.strerror})") from None
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise InvalidInput("Folder", f"{folder} is not a folder Desk can write to")
    return folder


def export_bundle(actor: Staff, out_dir: str | os.PathLike, *, day: dt.date | None = None,
                  automatic: bool = False) -> ExportResult:
    """Write one bundle to ``out_dir``: the records changed since the last bundle, or (with
    ``day``) those created or changed on that local day, sent before or not."""
    if not automatic:
        require(actor, "export.run")
    key = ho_key()
    if key is None:
        raise NotAllowed("This store has no head office key yet: enter the key head office gave you "
                         "(desk set-ho-key KEY, or in Settings) and export again.")
    folder = _out_dir(out_dir)
    now = clock.utcnow()
    if day is not None and day > clock.to_local(now).date():
        raise InvalidInput("Day", f"{day.isoformat()} has not happened yet")
    part: Path | None = None
    try:
        with database.atomic():
            store = Store.select().order_by(Store.id).first()
            if store is None:
                raise NotFound("This database has no store yet: create the store first.")
            head_query = AuditHead.select().where(AuditHead.id == audit.HEAD_ID)
            if is_postgres():
                head_query = head_query.for_update()  # no desk appends while the bundle is cut
            head = head_query.get_or_none()
            number = next_seq(store.code, "", COUNTER_KIND)
            prev = ExportBundle.select().order_by(ExportBundle.number.desc()).first()
            if day is not None:
                mode = "day"
                period_from, period_to = local_day_bounds(day)
            else:
                mode = "since_last"
                period_from, period_to = (prev.period_to if prev else store.created_at), now
            records = _collect(number, day is not None, period_from, period_to, prev)
            counts = {kind: len(rows) for kind, rows in records.items()}
            files = {}
            for kind, rows in records.items():
                files[f"data/{kind}.jsonl"] = jsonl_bytes(rows)
                files[f"csv/{kind}.csv"] = csv_bytes(rows)
            head_seq, head_hash = (head.seq, head.hash) if head else (0, audit.GENESIS)
            manifest = {
                "store_code": store.code,
                "store_name": store.name,
                "currency": store.currency,
                "bundle_number": number,
                "mode": mode,
                "period": {"from": period_from.isoformat(timespec="microseconds"),
                           "to": period_to.isoformat(timespec="microseconds")},
                "created_at": now.isoformat(timespec="microseconds"),
                "app_version": __version__,
                "schema": schema_version(database.obj),
                "audit_head": {"seq": head_seq, "hash": head_hash},
                "counts": counts,
            }
            name = f"{store.code}-{number:06d}-{clock.to_local(period_to - dt.timedelta(microseconds=1)).date():%Y%m%d}.zip"
            final = folder / name
            part = folder / (name + ".part")
            manifest_sha = write_bundle(part, manifest, files, key)
            ExportBundle.create(number=number, mode=mode, period_from=period_from, period_to=period_to, created_at=now,
                                staff_code=actor.code if actor else "", audit_seq_to=head_seq,
                                counts=json.dumps(counts), file_name=name, manifest_sha256=manifest_sha)
            note = pruned_day_note(day, period_from) if day is not None else ""
            pruned = prune_change_log(number, now)
            audit.record("export.bundle", actor, entity="export_bundle",
                         details={"number": number, "mode": mode, "file": name, "manifest_sha256": manifest_sha,
                                  "counts": counts, "automatic": automatic, "change_log_pruned": pruned})
        os.replace(part, final)
        part = None
    finally:
        if part is not None:
            try:
                part.unlink()
            except OSError:
                pass
    return ExportResult(number, final, mode, period_from, period_to, counts, pruned, note)


def _collect(number: int, by_day: bool, period_from: dt.datetime, period_to: dt.datetime,
             prev: ExportBundle | None) -> dict[str, list[dict]]:
    """The records of the bundle, kind by kind; marks the change-log rows it carries."""
    records: dict[str, list[dict]] = {}
    tables = [e.model._meta.table_name for e in EXPORTERS.values() if e.source == "changes"]
    if not by_day:
        # Mark first, read after: a row's content is then at least as new as the changes marked.
        ChangeLog.update(bundle_no=number).where(ChangeLog.bundle_no.is_null() & ChangeLog.tbl.in_(tables)).execute()
    customer_uuids: set[str] = set()
    for kind, exporter in EXPORTERS.items():
        model = exporter.model
        if exporter.source == "changes":
            table = model._meta.table_name
            if by_day:
                ids = {i for (i,) in model.select(model.id).where(
                    (model.created_at >= period_from) & (model.created_at < period_to)).tuples()}
                ids |= {i for (i,) in ChangeLog.select(ChangeLog.row_id).where(
                    (ChangeLog.tbl == table) & (ChangeLog.at >= period_from) & (ChangeLog.at < period_to)).tuples()}
                for chunk in _chunks(sorted(ids)):
                    ChangeLog.update(bundle_no=number).where(
                        ChangeLog.bundle_no.is_null() & (ChangeLog.tbl == table) & ChangeLog.row_id.in_(chunk)).execute()
            else:
                ids = {i for (i,) in ChangeLog.select(ChangeLog.row_id).where(
                    (ChangeLog.tbl == table) & (ChangeLog.bundle_no == number)).distinct().tuples()}
            rows = []
            for chunk in _chunks(sorted(ids)):
                rows.extend(exporter.rows(model.id.in_(chunk)))
        elif exporter.source == "audit":
            if by_day:
                where = (AuditEvent.at >= period_from) & (AuditEvent.at < period_to)
            else:
                where = AuditEvent.seq > (prev.audit_seq_to if prev else 0)
            rows = list(exporter.rows(where))
        else:
            continue
        records[kind] = rows
        customer_uuids.update(r["customer_uuid"] for r in rows if r.get("customer_uuid"))
    for kind, exporter in EXPORTERS.items():
        if exporter.source == "references":
            rows = []
            for chunk in _chunks(sorted(customer_uuids)):
                rows.extend(exporter.rows(exporter.model.uuid.in_(chunk)))
            records[kind] = rows
    # the files in the registry's order
    return {kind: records[kind] for kind in EXPORTERS if kind in records}


def last_bundle() -> ExportBundle | None:
    return ExportBundle.select().order_by(ExportBundle.number.desc()).first()


# --------------------------------------------------------------------------- the day's automatic export


def _closing_time() -> dt.time:
    text = str(settings.get("export.closing_time") or "18:00").strip()
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        return dt.time(18, 0)


def export_due(now: dt.datetime | None = None) -> bool:
    """Whether the automatic end-of-day export should run now: it is switched on, a folder
    and a key are set, it is past closing time, and no bundle was written since closing today."""
    now = now or clock.utcnow()
    if not settings.get("export.auto") or not str(settings.get("export.folder") or "").strip() or ho_key() is None:
        return False
    local = clock.to_local(now)
    closing_local = dt.datetime.combine(local.date(), _closing_time()).astimezone()
    if local < closing_local:
        return False
    closing_utc = closing_local.astimezone(dt.timezone.utc).replace(tzinfo=None)
    last = last_bundle()
    return last is None or last.created_at < closing_utc


def run_due_export(actor: Staff | None, now: dt.datetime | None = None) -> ExportResult | None:
    """What the app shell calls at sign-out and at close: the automatic export when it is due
    (the bundle of everything since the last one), else None. A manager switched it on in
    Settings, so it runs whoever signs out."""
    if not export_due(now):
        return None
    from desk.services.auth import command_line_actor

    return export_bundle(actor or command_line_actor(), settings.get("export.folder"), automatic=True)
