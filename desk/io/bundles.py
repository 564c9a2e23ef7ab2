"""Signed export bundles for head office: writing one, and checking one before it is read.

A bundle is a zip file (docs/formats.md, "Head office bundles"):

    manifest.json          what the bundle holds, with the SHA-256 of every other file
    manifest.sig           HMAC-SHA256 of manifest.json's bytes with the store's key, hex
    data/<kind>.jsonl      the records, one JSON object a line
    csv/<kind>.csv         the same records for spreadsheets

No database here: the services choose the records and the keys. Every byte of a bundle that
arrives is untrusted; ``open_bundle`` checks the names, sizes, signature and hashes before a
single record is parsed, and ``iter_records`` hashes again as it reads, so a file changed
between the two is caught too.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import orjson

from desk.errors import DeskError

FORMAT = "desk-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
_NAME = re.compile(r"^(data/[a-z_]{1,40}\.jsonl|csv/[a-z_]{1,40}\.csv)$")
KEY_RE = re.compile(r"^[0-9a-f]{64}$")

MAX_MANIFEST = 1 << 20  # bytes
MAX_FILE = 4 << 30  # a file's size once unpacked
MAX_TOTAL = 16 << 30
MAX_RATIO = 200  # unpacked / packed, for files over MAX_RATIO_FROM bytes
MAX_RATIO_FROM = 1 << 20
MAX_LINE = 1 << 20  # one record


class BundleRefused(DeskError):
    """A bundle that cannot be imported: ``reason`` says why (shown and recorded as is)."""

    def __init__(self, reason: str, store_code: str = "", number: int | None = None, manifest: dict | None = None):
        self.reason = reason
        self.store_code = store_code
        self.number = number
        self.manifest = manifest or {}
        super().__init__(reason)


def normalise_key(text: str) -> str:
    key = (text or "").strip().lower().replace("-", "").replace(" ", "")
    if not KEY_RE.match(key):
        raise ValueError("a head office key is 64 hexadecimal digits (0-9, a-f)")
    return key


def sign(manifest_bytes: bytes, key_hex: str) -> str:
    return hmac.new(bytes.fromhex(key_hex), manifest_bytes, hashlib.sha256).hexdigest()


def key_fingerprint(key_hex: str) -> str:
    """What a person compares to see that two keys are the same, without showing the key."""
    return hashlib.sha256(bytes.fromhex(key_hex)).hexdigest()[:12]


def jsonl_bytes(records: list[dict]) -> bytes:
    return b"".join(
        json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n" for r in records
    )


def csv_bytes(records: list[dict]) -> bytes:
    columns: list[str] = []
    for r in records:
        for k in r:
            if k not in columns:
                columns.append(k)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for r in records:
        row = []
        for c in columns:
            v = r.get(c)
            if isinstance(v, (list, dict)):
                v = json.dumps(v, ensure_ascii=False)
            elif isinstance(v, bool):
                v = "true" if v else "false"
            row.append("" if v is None else v)
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def write_bundle(path: str | os.PathLike, manifest: dict, files: dict[str, bytes], key_hex: str) -> str:
    """Write the zip at ``path``: the files, the manifest naming their hashes, its signature.
    Returns the SHA-256 of manifest.json."""
    manifest = dict(manifest)
    manifest["format"] = FORMAT
    manifest["format_version"] = FORMAT_VERSION
    manifest["files"] = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)} for name, data in sorted(files.items())
    }
    body = json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False).encode("utf-8")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, body)
        zf.writestr(SIGNATURE, sign(body, key_hex) + "\n")
        for name, data in sorted(files.items()):
            zf.writestr(name, data)
    return hashlib.sha256(body).hexdigest()


def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class OpenBundle:
    path: Path
    manifest: dict
    manifest_sha256: str
    file_sha256: str
    zf: zipfile.ZipFile
    lines: dict[str, int] = field(default_factory=dict)  # data file -> records counted while hashing

    @property
    def store_code(self) -> str:
        return str(self.manifest.get("store_code", ""))

    @property
    def number(self) -> int:
        return int(self.manifest["bundle_number"])

    def kinds(self) -> list[str]:
        return [name[len("data/") : -len(".jsonl")] for name in self.manifest["files"] if name.startswith("data/")]

    def iter_records(self, kind: str) -> Iterator[tuple[int, dict]]:
        """(line number, record) of data/<kind>.jsonl, hashing as it reads: a file that no
        longer matches its hash at the end raises BundleRefused (the caller's transaction
        then rolls back)."""
        for n, _raw, record in self.iter_lines(kind):
            yield n, record

    def iter_lines(self, kind: str) -> Iterator[tuple[int, bytes, dict]]:
        """(line number, the line's bytes without its newline, record): ``iter_records`` with
        the bytes the record was parsed from, for a caller that stores them as they came."""
        name = f"data/{kind}.jsonl"
        expected = self.manifest["files"][name]["sha256"]
        h = hashlib.sha256()
        loads = parse_line
        with self.zf.open(name) as fh:
            for n, raw in enumerate(_lines(fh, h.update), start=1):
                try:
                    record = loads(raw)
                except (UnicodeDecodeError, ValueError):
                    raise BundleRefused(f"{name} line {n} is not a JSON record.") from None
                if not isinstance(record, dict):
                    raise BundleRefused(f"{name} line {n} is not a JSON object.")
                yield n, raw.rstrip(b"\r"), record
        if h.hexdigest() != expected:
            raise BundleRefused(f"{name} changed while it was being read; nothing was imported.")

    def verify(self) -> None:
        """Every file's hash and line count against the signed manifest: BundleRefused if one
        differs (``open_bundle`` calls it before anything is read)."""
        try:
            _verify(self)
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as exc:
            raise _refuse(f"The bundle is truncated or damaged ({exc}).", self.manifest) from None

    def close(self) -> None:
        self.zf.close()


# Each byte of a line as a digit ("0") or not ("-"): a run of 20 digits in the translation is a
# number orjson may read otherwise (below), found at C speed.
_DIGIT_OR_NOT = bytes(48 if 48 <= i <= 57 else 45 for i in range(256))
_LONG_RUN = b"0" * 20


def parse_line(raw: bytes):
    """The line (UTF-8 text) read as ``json.loads`` reads it, found faster: orjson parses it (three
    to four times as fast), and ``json.loads`` decides when orjson refuses it (NaN, Infinity, a
    lone surrogate, which json.loads takes) or when the line holds a run of 20 digits (a whole
    number beyond 64 bits, which orjson reads as a float and json.loads as a whole number; no
    store writes one). Both read every other number alike (floats correctly rounded). Bytes that
    are not UTF-8 raise UnicodeDecodeError either way (json.loads would take UTF-16 or 32 from
    bytes)."""
    if _LONG_RUN in raw.translate(_DIGIT_OR_NOT):
        return json.loads(raw.decode("utf-8"))
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw.decode("utf-8"))


def _lines(fh, hash_update: Callable[[bytes], None]) -> Iterator[bytes]:
    """The lines of ``fh`` without their newlines, read a megabyte at a time; every byte read
    goes to ``hash_update``. A line longer than MAX_LINE is refused."""
    rest = b""
    while True:
        chunk = fh.read(1 << 20)
        if not chunk:
            break
        hash_update(chunk)
        parts = (rest + chunk).split(b"\n") if rest else chunk.split(b"\n")
        rest = parts.pop()
        for raw in parts:
            if len(raw) >= MAX_LINE:
                raise BundleRefused(f"a record is longer than {MAX_LINE:,} bytes.")
            yield raw
        if len(rest) >= MAX_LINE:
            raise BundleRefused(f"a record is longer than {MAX_LINE:,} bytes.")
    if rest:
        yield rest


def _refuse(reason: str, manifest: dict | None = None) -> BundleRefused:
    manifest = manifest or {}
    number = manifest.get("bundle_number")
    return BundleRefused(reason, str(manifest.get("store_code", ""))[:16],
                         number if isinstance(number, int) and not isinstance(number, bool) else None, manifest)


def open_bundle(path: str | os.PathLike, key_for: Callable[[str], str | None], known_kinds: set[str]) -> OpenBundle:
    """Check a bundle before anything in it is read: its entries' names and sizes, the
    store, the manifest's signature with that store's key, the manifest's form, and every
    file's hash. Raises BundleRefused with the reason."""
    path = Path(path)
    if not path.is_file():
        raise _refuse(f"There is no file {path.name}.")
    try:
        whole = file_sha256(path)
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse(f"The file is not a bundle, or it is truncated or damaged ({exc}).") from None
    try:
        bundle = _check(path, zf, whole, key_for, known_kinds)
    except BundleRefused:
        zf.close()
        raise
    except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as exc:
        zf.close()
        raise _refuse(f"The bundle is truncated or damaged ({exc}).") from None
    return bundle


def _check(path: Path, zf: zipfile.ZipFile, whole: str, key_for, known_kinds: set[str]) -> OpenBundle:
    infos = zf.infolist()
    names = [i.filename for i in infos]
    for name in names:
        if name.startswith(("/", "\\")) or ".." in name or "\\" in name or ":" in name:
            raise _refuse(f"The bundle holds a file with a path that leaves the bundle ({name!r}).")
    if len(set(names)) != len(names):
        raise _refuse("The bundle holds the same file twice.")
    if MANIFEST not in names or SIGNATURE not in names:
        raise _refuse(f"The file has no {MANIFEST if MANIFEST not in names else SIGNATURE}: it is not a bundle.")
    total = 0
    for info in infos:
        if info.filename in (MANIFEST, SIGNATURE):
            if info.file_size > MAX_MANIFEST:
                raise _refuse(f"{info.filename} is {info.file_size:,} bytes: too large to be a manifest.")
            continue
        if not _NAME.match(info.filename):
            raise _refuse(f"The bundle holds an unexpected file {info.filename!r}.")
        total += info.file_size
        if info.file_size > MAX_FILE or total > MAX_TOTAL:
            raise _refuse(f"{info.filename} would unpack to {info.file_size:,} bytes: more than a bundle may hold.")
        if info.file_size > MAX_RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refuse(f"{info.filename} would unpack to {info.file_size // max(info.compress_size, 1):,} times "
                          "its packed size: refused as a zip bomb.")
    body = zf.read(MANIFEST)
    signature = zf.read(SIGNATURE).decode("ascii", "replace").strip().lower()
    try:
        manifest = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise _refuse("manifest.json is not JSON.") from None
    if not isinstance(manifest, dict):
        raise _refuse("manifest.json is not a JSON object.")
    code = manifest.get("store_code")
    if not isinstance(code, str) or not code:
        raise _refuse("The manifest names no store.", manifest)
    key = key_for(code)
    if key is None:
        raise _refuse(f"The bundle comes from store {code[:16]}, which is not registered with head office: "
                      "register it first (desk ho-register-store).", manifest)
    if not hmac.compare_digest(signature, sign(body, key)):
        raise _refuse(f"The signature does not match store {code}'s key: the manifest was altered, "
                      "or it was signed with another store's key.", manifest)
    # Signed by the store: its form is now worth reading.
    if manifest.get("format") != FORMAT:
        raise _refuse(f"The file is not a Desk bundle (format {manifest.get('format')!r}).", manifest)
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise _refuse(f"The bundle was written by a newer version of Desk (bundle format {version}; this version "
                      f"reads format {FORMAT_VERSION}): install the newer version at head office.", manifest)
    number = manifest.get("bundle_number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise _refuse("The manifest's bundle number is not a whole number.", manifest)
    files = manifest.get("files")
    counts = manifest.get("counts")
    if not isinstance(files, dict) or not isinstance(counts, dict):
        raise _refuse("The manifest lists no files or counts.", manifest)
    in_zip = set(names) - {MANIFEST, SIGNATURE}
    missing = sorted(set(files) - in_zip)
    extra = sorted(in_zip - set(files))
    if missing:
        raise _refuse(f"The bundle is missing {', '.join(missing)}, which its manifest lists.", manifest)
    if extra:
        raise _refuse(f"The bundle holds {', '.join(extra)}, which its manifest does not list.", manifest)
    for name in files:
        kind = name.split("/", 1)[1].rsplit(".", 1)[0]
        if kind not in known_kinds:
            raise _refuse(f"The bundle holds records of a kind this version does not know ({kind}): install the "
                          "newer version of Desk at head office.", manifest)
    for name in sorted(files):
        entry = files[name]
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
            raise _refuse(f"The manifest gives no hash for {name}.", manifest)
    bundle = OpenBundle(path, manifest, hashlib.sha256(body).hexdigest(), whole, zf)
    bundle.verify()
    return bundle


def _digest(zf: zipfile.ZipFile, name: str) -> tuple[str, int]:
    """A member's SHA-256 (hex) and its count of newlines."""
    h = hashlib.sha256()
    lines = 0
    with zf.open(name) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            lines += chunk.count(b"\n")
    return h.hexdigest(), lines


def _verify(bundle: "OpenBundle") -> None:
    """Every file's hash and every data file's line count against the manifest (open_bundle's
    last check); raises BundleRefused with the reason."""
    manifest, zf = bundle.manifest, bundle.zf
    files, counts = manifest["files"], manifest["counts"]
    lines_of = {}
    # Two threads, the biggest files first: inflating and hashing let go of the GIL, so a big
    # bundle is checked on two cores. The reasons come in the files' order all the same.
    sizes = {info.filename: info.file_size for info in zf.infolist()}
    by_size = sorted(files, key=lambda name: -sizes.get(name, 0))
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="bundle-check") as pool:
        digests = dict(zip(by_size, pool.map(lambda name: _digest(zf, name), by_size)))
    for name in sorted(files):
        digest, lines = digests[name]
        if not hmac.compare_digest(digest, files[name]["sha256"].lower()):
            raise _refuse(f"{name} does not match its hash in the manifest: it was altered.", manifest)
        if name.startswith("data/"):
            kind = name[len("data/") : -len(".jsonl")]
            declared = counts.get(kind)
            if declared != lines:
                raise _refuse(f"The manifest says {name} holds {declared} records but it holds {lines}.",
                              manifest)
            lines_of[kind] = lines
    for kind in counts:
        if f"data/{kind}.jsonl" not in files:
            raise _refuse(f"The manifest counts {kind} but holds no data/{kind}.jsonl.", manifest)
    bundle.lines.update(lines_of)
