"""Search indexes: card last four, sale total, and customers by name, last name, phone and
email prefix.

The customer gets three search keys (its name folded to plain lower-case words, the words
after the first, its phone's digits), filled here for the customers already stored. On
PostgreSQL the customer indexes use text_pattern_ops so that LIKE 'prefix%' runs on them
whatever the database's collation; SQLite's binary collation serves a prefix as a range.

Frozen: the folding below is a copy of desk.services.customers as it was.
"""
import re
import unicodedata

from peewee import *

_FOLD = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ß": "ss", "ẞ": "ss",
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ı": "i", "ħ": "h", "Ħ": "h",
    "'": "", "’": "", "‘": "", "ʼ": "",
})
_WORD = re.compile(r"[^\W_]+")


def _fold(text):
    text = unicodedata.normalize("NFKD", (text or "").translate(_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(_WORD.findall(text))


def _phone_key(phone):
    raw = (phone or "").strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        international = digits
    elif digits.startswith("00"):
        international = digits[2:]
    else:
        return digits
    return "0" + international[2:] if international.startswith("44") else international


def _keys(name, phone):
    words = _fold(name)
    rest = words.partition(" ")[2]
    return words[:160], rest[:160], _phone_key(phone)[:40]


INDEXES = [
    # (name, table, column or expression, pattern ops on PostgreSQL)
    ("tender_card_last4", "tender", "card_last4", False),
    ("sale_total", "sale", "total", False),
    ("customer_search_name", "customer", "search_name", True),
    ("customer_search_last", "customer", "search_last", True),
    ("customer_search_phone", "customer", "search_phone", True),
    ("customer_email_lower", "customer", "lower(email)", True),
]


def up(migrator, db):
    pg = isinstance(db, PostgresqlDatabase)
    migrator.migrate(
        migrator.add_column('customer', 'search_name', CharField(max_length=160, null=True)),
        migrator.add_column('customer', 'search_last', CharField(max_length=160, null=True)),
        migrator.add_column('customer', 'search_phone', CharField(max_length=40, null=True)),
    )
    rows = db.execute_sql('SELECT id, name, phone FROM customer').fetchall()
    param = db.param
    sql = (f'UPDATE customer SET search_name = {param}, search_last = {param}, search_phone = {param} '
           f'WHERE id = {param}')
    for i in range(0, len(rows), 5000):
        cursor = db.cursor()
        cursor.executemany(sql, [(*_keys(name, phone), cid) for cid, name, phone in rows[i:i + 5000]])
        cursor.close()
    for name, table, column, pattern in INDEXES:
        target = column if column.startswith('lower(') else f'"{column}"'
        ops = ' text_pattern_ops' if pg and pattern else ''
        db.execute_sql(f'CREATE INDEX "{name}" ON "{table}" ({target}{ops})')


def down(migrator, db):
    for name, table, column, pattern in reversed(INDEXES):
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    migrator.migrate(
        migrator.drop_column('customer', 'search_phone'),
        migrator.drop_column('customer', 'search_last'),
        migrator.drop_column('customer', 'search_name'),
    )
