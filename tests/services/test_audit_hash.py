"""audit.hash_matches answers exactly what comparing with event_hash answers, whatever the event holds
(orjson's fast path proves a match by the hash itself; anything else goes to event_hash)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from desk.services.audit import GENESIS, event_hash, hash_matches

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10)
events = st.fixed_dictionaries({
    "uuid": st.uuids().map(str), "at": st.text(max_size=26), "store": st.text(max_size=8),
    "staff": st.text(max_size=8), "action": st.text(max_size=20), "entity": st.text(max_size=10),
    "entity_uuid": st.none() | st.uuids().map(str), "details": st.dictionaries(st.text(max_size=8), values, max_size=4),
})


@given(events, st.integers(min_value=1, max_value=2**40))
def test_an_events_own_hash_matches_and_no_other_does(fields, seq):
    digest = event_hash(GENESIS, seq, fields)
    assert hash_matches(GENESIS, seq, fields, digest)
    assert not hash_matches(GENESIS, seq, fields, "f" * 64)
    assert not hash_matches(GENESIS, seq + 1, fields, digest)


def test_values_orjson_writes_otherwise_still_match():
    # a float, control characters, a whole number beyond 64 bits: written otherwise (or not at all) by orjson
    for details in ({"x": 1e16}, {"x": 0.1}, {"t": "\x00\x1f\x7f\u2028"}, {"n": 2**70}):
        fields = {"uuid": "0b5c6f4e-1c7a-4a57-9d7e-2f0a8e6b1c3d", "at": "2026-10-05T08:00:00.000000", "store": "S",
                  "staff": "C1", "action": "return.created", "entity": "return", "entity_uuid": None,
                  "details": details}
        assert hash_matches(GENESIS, 7, fields, event_hash(GENESIS, 7, fields))
