"""What a measurement is, what it reports, and the one list of them the runner walks."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Figure:
    """One reported key: how to label it and the target it is held to.

    ``target`` is an upper bound when ``better == "lower"`` and a lower bound when
    ``better == "higher"``; ``target_lines`` is the store size the target is set for.
    ``baseline`` names the key of the raw baseline measured beside it in the same run,
    and ``ratio`` the key of their ratio (this figure / the baseline).
    """

    key: str
    label: str
    unit: str
    target: float | None = None
    better: str = "lower"
    target_lines: int | None = 1_000_000
    baseline: str | None = None
    ratio: str | None = None
    digits: int = 2

    def met(self, value: float) -> bool | None:
        if self.target is None or value is None:
            return None
        return value <= self.target if self.better == "lower" else value >= self.target

    def target_text(self) -> str:
        if self.target is None:
            return ""
        sign = "<=" if self.better == "lower" else ">="
        return f"{sign} {format_value(self.target, self.unit, self.digits)}"


def format_value(value: Any, unit: str = "", digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        text = f"{value:,.{digits}f}"
    elif isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:,}"
    else:
        text = str(value)
    if unit == "x":
        return text + "x"
    return f"{text} {unit}" if unit else text


@dataclass
class Context:
    """What every measurement gets: the store it runs against and how hard to try."""

    url: str  # the database URL of the benchmark store
    db_path: Path | None  # its SQLite file
    lines: int  # sale lines in the store
    runs: int  # repetitions for medians
    workdir: Path  # scratch folder for this run (deleted at the end unless kept)
    python: str = sys.executable
    pg_url: str | None = None  # a PostgreSQL server for the figures that need one (--pg, DESK_BENCH_PG_URL)
    results: dict[str, Any] = field(default_factory=dict)  # keys reported so far in this run

    def log(self, message: str) -> None:
        print(f"[bench] {message}", file=sys.stderr, flush=True)

    def child_env(self, **extra: str) -> dict[str, str]:
        """Environment for a subprocess: offscreen Qt, unbuffered output, scratch settings folders."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in [str(PROJECT_ROOT), env.get("PYTHONPATH", "")] if p)
        env["PYTHONUNBUFFERED"] = "1"
        # An installed app runs from compiled bytecode: let children write and reuse it, in
        # this run's scratch folder rather than the source tree.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(self.workdir / "pycache")
        env["QT_QPA_PLATFORM"] = "offscreen"
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            env[name] = str(self.workdir / name.lower())
        env["DESK_DATA_DIR"] = str(self.workdir / "desk-data")
        env.update(extra)
        return env

    def open_db(self):
        """Open the benchmark store in this process (for in-process measurements)."""
        from desk.models.db import open_database

        return open_database(self.url)


@dataclass(frozen=True)
class Measurement:
    name: str
    func: Callable[[Context], dict[str, Any]]
    figures: tuple[Figure, ...]
    description: str = ""


MEASUREMENTS: list[Measurement] = []


def measurement(name: str, figures: list[Figure] | tuple[Figure, ...], description: str = ""):
    """Register ``func(ctx) -> dict`` as a measurement reporting ``figures``."""

    def register(func: Callable[[Context], dict[str, Any]]):
        MEASUREMENTS.append(Measurement(name, func, tuple(figures), description or (func.__doc__ or "").strip()))
        return func

    return register


def all_figures() -> list[Figure]:
    return [f for m in MEASUREMENTS for f in m.figures]
