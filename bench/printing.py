"""Printing: how long a 20-line document takes to build, from in-memory data (no database).

``measure_printing()`` -> {"doc_20_lines_roll_ms": median, "doc_20_lines_a4_ms": median}: the
median wall time of 30 builds of a 20-line sale receipt (PDF bytes, fonts embedded) on each
paper. The target is 20 ms or less on each.
"""

from __future__ import annotations

import statistics
import time


def measure_printing(runs: int = 30, lines: int = 20) -> dict[str, float]:
    from desk.printing import build_receipt
    from desk.printing.samples import receipt_data

    data = receipt_data(lines)
    results: dict[str, float] = {}
    for paper in ("roll", "a4"):
        build_receipt(data, paper)  # warm up: fonts registered, modules imported
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            build_receipt(data, paper)
            times.append((time.perf_counter() - start) * 1000)
        results[f"doc_{lines}_lines_{paper}_ms"] = round(statistics.median(times), 2)
    return results


if __name__ == "__main__":  # pragma: no cover
    print(measure_printing())


def register() -> None:
    """Register the document-building measurement with the bench runner (once)."""
    from bench.registry import MEASUREMENTS, Figure, measurement

    if any(m.name == "printing" for m in MEASUREMENTS):
        return
    figures = (
        Figure("doc_20_lines_roll_ms", "Build a 20-line receipt PDF, 80 mm roll: median", "ms", target=20.0, target_lines=None),
        Figure("doc_20_lines_a4_ms", "Build a 20-line receipt PDF, A4: median", "ms", target=20.0, target_lines=None),
    )

    def printing(ctx) -> dict[str, float]:
        return measure_printing()

    measurement("printing", figures, "Median of 30 builds of a 20-line sale receipt from in-memory data "
                "(PDF bytes, DejaVu fonts embedded, Code128 barcode), on each paper; no database.")(printing)
