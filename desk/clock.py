"""The one clock services read, so tests can move time."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Naive UTC datetime: what every timestamp is stored as."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def to_local(value: dt.datetime) -> dt.datetime:
    """A stored naive-UTC timestamp as an aware datetime in the machine's local zone."""
    return value.replace(tzinfo=dt.timezone.utc).astimezone()


def local_midnight_utc(day: dt.date) -> dt.datetime:
    """The start of local day ``day`` as a naive UTC datetime (for "from this day" in SQL)."""
    local = dt.datetime.combine(day, dt.time.min).astimezone()
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)
