"""The one clock services read, so tests can move time."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Naive UTC datetime: what every timestamp is stored as."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def to_local(value: dt.datetime) -> dt.datetime:
    """A stored naive-UTC timestamp as an aware datetime in the machine's local zone."""
    return value.replace(tzinfo=dt.timezone.utc).astimezone()
