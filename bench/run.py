"""The runner: build (or reuse) the store, run every measurement, write the figures."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any, Sequence

import bench.measures  # noqa: F401  (registers the measurements)
from bench import machine, report
from bench.registry import MEASUREMENTS, Context
from bench.store import build_store, db_size_mb, existing_store_lines, store_file


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description="Desk's benchmark: figures, not pass/fail tests.")
    p.add_argument("--lines", type=int, default=1_000_000, help="sale lines in the benchmark store (default 1000000)")
    p.add_argument("--json", metavar="FILE", help="write the figures to this JSON file")
    p.add_argument("--keep", metavar="DIR", help="keep the store in DIR (and reuse one built there before for the same N)")
    p.add_argument("--runs", type=int, default=5, help="runs per median (default 5)")
    p.add_argument("--only", action="append", metavar="NAME", choices=[m.name for m in MEASUREMENTS],
                   help="run only this measurement (repeatable)")
    p.add_argument("--pg", metavar="URL", help="PostgreSQL server for the head office figures (default "
                   "$DESK_BENCH_PG_URL); the bench makes its own database there and drops it after")
    p.add_argument("--doc", metavar="FILE", default=str(report.DOC), help="the Markdown file to update (default docs/benchmarks.md)")
    p.add_argument("--no-doc", action="store_true", help="do not update the Markdown file")
    args = p.parse_args(argv)
    if args.lines < 1 or args.runs < 1:
        p.error("--lines and --runs must be at least 1")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    keep = Path(args.keep).expanduser().resolve() if args.keep else None
    workdir = Path(tempfile.mkdtemp(prefix="desk-bench-"))
    try:
        folder = keep or workdir
        folder.mkdir(parents=True, exist_ok=True)
        path = store_file(folder, args.lines)
        ctx = Context(url="sqlite:///" + str(path), db_path=path, lines=args.lines, runs=args.runs, workdir=workdir,
                      pg_url=getattr(args, "pg", None))
        results: dict[str, Any] = ctx.results
        results.update({
            "lines": args.lines,
            "runs": args.runs,
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine.describe(),
        })
        sidecar = path.with_name(path.name + ".build.json")
        if keep and existing_store_lines(path) == args.lines:
            ctx.log(f"reusing the store of {args.lines:,} lines kept in {path}")
            if sidecar.exists():  # the figures of the build that made it
                built = json.loads(sidecar.read_text(encoding="utf-8"))
                results.update(built, store_reused=True)
        else:
            ctx.log(f"building a store of {args.lines:,} sale lines")
            built = build_store(path, args.lines, ctx.log)
            built["built_at"] = results["date"]
            results.update(built)
            if keep:
                sidecar.write_text(json.dumps(built, indent=2) + "\n", encoding="utf-8")
        results["db_size_mb"] = db_size_mb(path)
        errors: dict[str, str] = {}
        for m in MEASUREMENTS:
            if args.only and m.name not in args.only:
                continue
            ctx.log(f"measuring {m.name}")
            try:
                load_before = machine.load_average()
                results.update(m.func(ctx))
                results.setdefault("load_avg", {})[m.name] = [load_before, machine.load_average()]
            except Exception as exc:  # one broken measurement must not hide the others' figures
                errors[m.name] = f"{type(exc).__name__}: {exc}"
                ctx.log(f"{m.name} failed:\n{traceback.format_exc()}")
        if errors:
            results["errors"] = errors
        return results
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    results = run(args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"Desk benchmark, {results['lines']:,} sale lines, {results['date']}")
    print(machine.one_line(results["machine"]))
    print()
    print(report.text_table(results))
    if not args.no_doc:
        report.update_doc(results, Path(args.doc))
        print(f"\nUpdated {args.doc}")
    for name, error in results.get("errors", {}).items():
        print(f"\n{name} FAILED: {error}", file=sys.stderr)
    return 1 if results.get("errors") else 0
