"""Cold start until the main window has painted on the benchmark store, and peak memory,
beside a raw baseline measured in the same run: an empty PySide6 main window."""

from __future__ import annotations

from typing import Any

from bench.proc import measure_child, median
from bench.registry import Context, Figure, measurement

APP_CODE = (
    "from desk.app import run_gui; "
    "raise SystemExit(run_gui({url!r}, exit_after_paint=True, staff_code='900'))"
)

# The least a PySide6 app can do: import Qt, create the application, show an empty
# 1280x800 main window and wait for its first paint.
BASELINE_CODE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


class Window(QMainWindow):
    done = False

    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.done:
            self.done = True
            QTimer.singleShot(0, self.finish)

    def finish(self):
        print("painted", flush=True)
        QApplication.quit()


app = QApplication(sys.argv)
window = Window()
window.resize(1280, 800)
window.show()
raise SystemExit(app.exec())
"""

FIGURES = [
    Figure("cold_start_s", "Cold start until the main window has painted", "s", target=1.5,
           baseline="baseline_cold_start_s", ratio="cold_start_ratio_vs_baseline"),
    Figure("peak_rss_mb", "Peak memory (RSS) of that start", "MB", target=300, digits=0,
           baseline="baseline_peak_rss_mb", ratio="peak_rss_ratio_vs_baseline"),
    Figure("cold_start_cpu_s", "CPU time (user + system) of that start (less affected by a busy machine)",
           "s", baseline="baseline_cold_start_cpu_s", ratio="cold_start_cpu_ratio_vs_baseline"),
]


DESCRIPTION = """
A fresh `python -c "from desk.app import run_gui; run_gui(URL, exit_after_paint=True,
staff_code='900')"` with `QT_QPA_PLATFORM=offscreen`, timed from spawn until it prints
`painted` (the main window, signed in, has painted its first frame at 1280x800); its peak
RSS is the child's own `ru_maxrss` from `os.wait4`. The baseline is the same measurement of
a script that imports PySide6, creates a QApplication and shows an empty 1280x800
QMainWindow until its first paint. App and baseline runs alternate; one warm-up run of each
is not counted (it writes the bytecode caches and brings the files into the page cache, as
on a desk that has started the app before). Figures are medians. The CPU time is the
child's whole life (including its shutdown after the paint) summed over its threads, so it
can exceed the wall time; it moves less than the wall time when the machine is busy.
"""


@measurement("cold_start", FIGURES, DESCRIPTION)
def cold_start(ctx: Context) -> dict[str, Any]:
    app_runs, base_runs = [], []
    env = ctx.child_env()
    app = [ctx.python, "-c", APP_CODE.format(url=ctx.url)]
    baseline = [ctx.python, "-c", BASELINE_CODE]
    measure_child(baseline, env, cwd=str(ctx.workdir))  # warm-up, not counted
    measure_child(app, env, cwd=str(ctx.workdir))
    for i in range(ctx.runs):
        base_runs.append(measure_child(baseline, env, cwd=str(ctx.workdir)))
        app_runs.append(measure_child(app, env, cwd=str(ctx.workdir)))
        ctx.log(f"cold start run {i + 1}/{ctx.runs}: app {app_runs[-1].seconds:.3f} s, "
                f"{app_runs[-1].peak_rss_mb:.0f} MB; baseline {base_runs[-1].seconds:.3f} s, "
                f"{base_runs[-1].peak_rss_mb:.0f} MB (CPU {app_runs[-1].cpu_s:.2f} s / {base_runs[-1].cpu_s:.2f} s)")
    out = {
        "cold_start_s": median([r.seconds for r in app_runs]),
        "peak_rss_mb": median([r.peak_rss_mb for r in app_runs]),
        "baseline_cold_start_s": median([r.seconds for r in base_runs]),
        "baseline_peak_rss_mb": median([r.peak_rss_mb for r in base_runs]),
        "cold_start_cpu_s": median([r.cpu_s for r in app_runs]),
        "baseline_cold_start_cpu_s": median([r.cpu_s for r in base_runs]),
        "cold_start_runs_s": [round(r.seconds, 4) for r in app_runs],
        "peak_rss_runs_mb": [round(r.peak_rss_mb, 1) for r in app_runs],
        "baseline_cold_start_runs_s": [round(r.seconds, 4) for r in base_runs],
        "baseline_peak_rss_runs_mb": [round(r.peak_rss_mb, 1) for r in base_runs],
        "cold_start_cpu_runs_s": [round(r.cpu_s, 3) for r in app_runs],
        "baseline_cold_start_cpu_runs_s": [round(r.cpu_s, 3) for r in base_runs],
    }
    out["cold_start_ratio_vs_baseline"] = out["cold_start_s"] / out["baseline_cold_start_s"]
    out["peak_rss_ratio_vs_baseline"] = out["peak_rss_mb"] / out["baseline_peak_rss_mb"]
    out["cold_start_cpu_ratio_vs_baseline"] = out["cold_start_cpu_s"] / out["baseline_cold_start_cpu_s"]
    return out
