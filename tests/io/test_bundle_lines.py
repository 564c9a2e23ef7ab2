"""A bundle's line is read exactly as ``json.loads`` reads UTF-8 text (desk.io.bundles.parse_line),
though orjson reads most lines: the cases where the two differ go to json.loads."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.io.bundles import parse_line

SAME = [
    b'{"uuid":"0b5c6f4e-1c7a-4a57-9d7e-2f0a8e6b1c3d","version":1,"total":1299,"note":"caf\\u00e9 \xe2\x82\xac"}',
    b'{"a":NaN,"b":Infinity}',  # json.loads takes them, orjson does not
    b'{"a":"\\ud800"}',  # a lone surrogate: the same
    b'{"version":123456789012345678901234567890}',  # beyond 64 bits: a whole number, not a float
    b'{"details":{"n":[1,{"m":99999999999999999999999}]}}',  # ... however deep
    b'123456789012345678901234567890',
    b'{"a":1.5,"b":1e400}',
    b'{"a":1,"a":2}',
    b' {"a":[]}\t',
]


@pytest.mark.parametrize("raw", SAME)
def test_a_line_reads_as_json_loads_reads_it(raw):
    assert repr(parse_line(raw)) == repr(json.loads(raw.decode("utf-8")))


@pytest.mark.parametrize("raw", [
    '{"a":1}'.encode("utf-16"),  # json.loads would detect UTF-16 from the bytes: not a store's line
    b'\xef\xbb\xbf{"a":1}',  # a byte order mark
    b'{"a":"\xff"}',
    b'{"a":1',
    b'',
])
def test_what_is_no_utf8_json_record_is_refused(raw):
    with pytest.raises(ValueError):  # UnicodeDecodeError is one
        parse_line(raw)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6))
def test_any_record_reads_back_as_json_loads_reads_it(record):
    raw = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    try:
        expected = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        with pytest.raises(ValueError):
            parse_line(raw)
        return
    assert repr(parse_line(raw)) == repr(expected)
