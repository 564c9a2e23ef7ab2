"""The machine a benchmark ran on: CPU, cores, memory, OS and the versions that matter."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.lower().startswith(("model name", "hardware", "cpu model")):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def ram_gb() -> float | None:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


def os_name() -> str:
    pretty = ""
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            pretty = line.split("=", 1)[1].strip().strip('"')
    kernel = platform.system()  # the OS, not the release string (it names the host it ran on)
    return f"{pretty} ({kernel})" if pretty else kernel


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def load_average() -> float | None:
    """The 1-minute load average: how busy the machine was while it was measured."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover
        return None


def describe() -> dict[str, object]:
    import PySide6

    from desk.models.db import sqlite_version

    return {
        "cpu": cpu_model(),
        "cores": cores(),
        "ram_gb": ram_gb(),
        "os": os_name(),
        "python": platform.python_version(),
        "pyside6": PySide6.__version__,
        "sqlite": ".".join(map(str, sqlite_version())),
    }


def one_line(machine: dict[str, object]) -> str:
    return (f"{machine['cpu']}, {machine['cores']} cores, {machine['ram_gb']} GB RAM; {machine['os']}; "
            f"Python {machine['python']}, PySide6 {machine['pyside6']}, SQLite {machine['sqlite']}")
