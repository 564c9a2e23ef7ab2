"""Timing a fresh Python subprocess until it prints a marker, and its peak memory.

Why a launcher: on Linux a child's ``ru_maxrss`` starts from the memory high-water mark of
the process that spawned it (``exec`` folds the old address space's peak into it, and
``vfork``/``fork`` children start from the parent's). The benchmark process is large after
building a store of a million lines, so it never spawns a measured child itself: it runs
this file as a small, fresh launcher (stdlib only, about 10 MB) that spawns the child, times
it and reaps it with ``os.wait4``, and prints the figures as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import selectors
import signal
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass


class ChildFailed(RuntimeError):
    """The measured subprocess did not print its marker or exited with an error."""


@dataclass
class ChildRun:
    seconds: float  # from spawn until the marker line was read
    peak_rss_mb: float  # the child's own peak resident set size
    exit_code: int
    cpu_s: float = 0.0  # the child's user + system CPU time, whole life (less sensitive to a busy machine)


def run_until_marker(argv: list[str], env: dict[str, str], marker: str = "painted", timeout: float = 120.0,
                     cwd: str | None = None) -> ChildRun:
    """Spawn ``argv``, time until it writes ``marker`` as a line on stdout, then reap it.

    The peak RSS is the child's ``ru_maxrss`` from ``os.wait4``, which counts that child
    only (not earlier children, unlike ``RUSAGE_CHILDREN``).
    """
    with tempfile.TemporaryFile() as errfile:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errfile, env=env, cwd=cwd)
        seconds = None
        try:
            seconds = _read_until(proc, marker, start, timeout)
        finally:
            if seconds is None:
                _kill(proc)
            # Drain what is left so the child never blocks on a full pipe while exiting.
            _drain(proc, timeout)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            proc.stdout.close()
        exit_code = proc.returncode
        if seconds is None or exit_code != 0:
            errfile.seek(0)
            tail = errfile.read().decode("utf-8", "replace").strip().splitlines()[-15:]
            what = f"did not print {marker!r}" if seconds is None else f"exited with status {exit_code}"
            raise ChildFailed(f"{' '.join(argv[:2])} ... {what}:\n  " + "\n  ".join(tail or ["(no output on stderr)"]))
    return ChildRun(seconds=seconds, peak_rss_mb=usage.ru_maxrss / 1024.0, exit_code=exit_code,
                    cpu_s=usage.ru_utime + usage.ru_stime)


def _read_until(proc: subprocess.Popen, marker: str, start: float, timeout: float) -> float | None:
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buffer = b""
    fd = proc.stdout.fileno()
    try:
        while True:
            left = start + timeout - time.perf_counter()
            if left <= 0:
                return None
            if not sel.select(left):
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return None  # the child closed stdout (exited) without the marker
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if line.strip() == marker.encode():
                    return time.perf_counter() - start
    finally:
        sel.close()


def _kill(proc: subprocess.Popen) -> None:
    # Not Popen.kill(): it polls first, which would reap the child before os.wait4 can.
    try:
        os.kill(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _drain(proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    fd = proc.stdout.fileno()
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    try:
        while time.perf_counter() < deadline:
            if sel.select(max(0.0, deadline - time.perf_counter())) and not os.read(fd, 65536):
                return
        _kill(proc)
    finally:
        sel.close()


def measure_child(argv: list[str], env: dict[str, str], marker: str = "painted", timeout: float = 120.0,
                  cwd: str | None = None) -> ChildRun:
    """run_until_marker, done by a fresh launcher process so the peak RSS is the child's own."""
    request = json.dumps({"argv": argv, "marker": marker, "timeout": timeout, "cwd": cwd})
    launcher = subprocess.run([sys.executable, "-I", os.path.abspath(__file__), request], env=env, cwd=cwd,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout + 60)
    try:
        answer = json.loads(launcher.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise ChildFailed(f"the launcher failed (status {launcher.returncode}): {launcher.stderr.strip()[-2000:]}") from None
    if "error" in answer:
        raise ChildFailed(answer["error"])
    return ChildRun(**answer)


def _launcher_main(request_json: str) -> int:
    request = json.loads(request_json)
    try:
        run = run_until_marker(request["argv"], dict(os.environ), request["marker"], request["timeout"], request["cwd"])
    except ChildFailed as exc:
        print(json.dumps({"error": str(exc)}))
        return 1
    print(json.dumps({"seconds": run.seconds, "peak_rss_mb": run.peak_rss_mb, "exit_code": run.exit_code,
                      "cpu_s": run.cpu_s}))
    return 0


def median(values: list[float]) -> float:
    return float(statistics.median(values))


if __name__ == "__main__":
    sys.exit(_launcher_main(sys.argv[1]))
