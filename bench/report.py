"""The benchmark's outputs: a table on stdout and a section of docs/benchmarks.md per store size."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import bench.measures  # noqa: F401  (registers the measurements whose figures are reported)
from bench.machine import one_line
from bench.registry import MEASUREMENTS, PROJECT_ROOT, Figure, format_value

DOC = PROJECT_ROOT / "docs" / "benchmarks.md"

HEADER = """# Benchmarks

Figures, not pass/fail tests. `python -m bench [--lines N] [--json FILE] [--keep DIR]`
builds a store of N sale lines (default 1,000,000) in a temporary SQLite database with
the demo builder, which writes through the same services the app uses
(`build_demo(seed=1, lines=N, customers=2000)`), then measures every figure against that
store in the same run. Each figure stands beside a raw baseline measured in the same run
on the same machine, so a slower machine shows in both. Every run replaces the section
for its store size below; the targets are set for 1,000,000 lines.

```
.venv/bin/python -m bench --json bench.json          # 1,000,000 lines
.venv/bin/python -m bench --lines 20000 --runs 3     # a quick look
```
"""


def _marker(lines: int, end: bool) -> str:
    return f"<!-- bench lines={lines} {'end' if end else 'start'} -->"


def table_rows(results: dict[str, Any]) -> list[tuple[Figure, Any, Any, Any, bool | None]]:
    rows = []
    for m in MEASUREMENTS:
        for f in m.figures:
            if f.key not in results:
                continue
            value = results[f.key]
            base = results.get(f.baseline) if f.baseline else None
            ratio = results.get(f.ratio) if f.ratio else None
            rows.append((f, value, base, ratio, f.met(value)))
    return rows


def _met_text(f: Figure, met: bool | None, lines: int) -> str:
    if met is None:
        return ""
    text = "yes" if met else "**no**"
    if f.target_lines and lines != f.target_lines:
        text += f" (target is for {f.target_lines:,} lines)"
    return text


def text_table(results: dict[str, Any]) -> str:
    lines = results.get("lines", 0)
    head = ("figure", "result", "target", "baseline", "ratio", "met")
    body = [
        (f.key, format_value(v, f.unit, f.digits), f.target_text(), format_value(b, f.unit, f.digits) if b is not None else "",
         format_value(r, "x", 2) if r is not None else "", _met_text(f, met, lines).replace("**", ""))
        for f, v, b, r, met in table_rows(results)
    ]
    if "build_s" in results:
        body.insert(0, ("build_s", format_value(results["build_s"], "s", 1), "", "", "", f"{lines:,} lines"))
    widths = [max(len(str(row[i])) for row in [head, *body]) for i in range(len(head))]
    out = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in [head, *body]]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown_section(results: dict[str, Any]) -> str:
    n = results["lines"]
    machine = results["machine"]
    out = [_marker(n, False), f"## {n:,} sale lines", ""]
    out.append(f"- Run: {results['date']} with `python -m bench --lines {n}` ({results['runs']} runs per median)")
    out.append(f"- Machine: {one_line(machine)}")
    if results.get("build_s") is not None:
        out.append(f"- Store: {n:,} sale lines in {results.get('store_sales', 0):,} sales, "
                   f"{results.get('store_customers', 0):,} customers, {results.get('store_products', 0)} products; "
                   f"built in {results['build_s']:.1f} s ({results['build_lines_per_s']:,.0f} lines/s)"
                   + (f" on {results['built_at']} (store kept and reused)" if results.get("store_reused") else "") + "; "
                   f"database {results.get('db_size_mb', 0):,.0f} MB")
    else:
        out.append(f"- Store: {n:,} sale lines, reused from an earlier build; database "
                   f"{results.get('db_size_mb', 0):,.0f} MB")
    out += ["", "| Figure | Key | Result (median) | Target | Baseline (same run) | Ratio to baseline | Met |",
            "|---|---|---|---|---|---|---|"]
    for f, v, b, r, met in table_rows(results):
        out.append(f"| {f.label} | `{f.key}` | {format_value(v, f.unit, f.digits)} | {f.target_text()} | "
                   f"{format_value(b, f.unit, f.digits) if b is not None else ''} | "
                   f"{format_value(r, 'x', 2) if r is not None else ''} | {_met_text(f, met, n)} |")
    out.append("")
    for m in MEASUREMENTS:
        if any(f.key in results for f in m.figures) and m.description:
            out.append(f"- `{m.name}`: {' '.join(m.description.split())}")
    loads = results.get("load_avg", {})
    if loads:
        out.append(f"- Machine load (1-minute load average, {machine['cores']} cores) at the start and end of each "
                   "measurement: " + "; ".join(f"`{name}` {before} -> {after}" for name, (before, after) in loads.items()))
    runs = [(k, v) for k, v in results.items() if k.endswith("_runs_s") or k.endswith("_runs_mb")]
    if runs:
        out.append("- Every run: " + "; ".join(f"`{k}` {', '.join(str(x) for x in v)}" for k, v in runs))
    for name, error in results.get("errors", {}).items():
        out.append(f"- `{name}` failed: {error.splitlines()[0]}")
    out += ["", _marker(n, True)]
    return "\n".join(out)


def update_doc(results: dict[str, Any], path: Path = DOC) -> None:
    """Replace this store size's section of the document, or append it."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    section = markdown_section(results)
    n = results["lines"]
    pattern = re.compile(re.escape(_marker(n, False)) + r".*?" + re.escape(_marker(n, True)), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
