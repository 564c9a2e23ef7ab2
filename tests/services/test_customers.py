"""Finding customers by the start of a name, a phone number or the start of an email, on both backends."""

from __future__ import annotations

import pytest

from desk.models import Customer, database
from desk.models.db import is_postgres
from desk.services.customers import fold, phone_key, search_customers, search_keys


def _add(name, email=None, phone=None):
    with database.atomic():
        return Customer.create(name=name, email=email, phone=phone, **search_keys(name, phone)).id


@pytest.fixture
def people(store):
    return {
        "lucja": _add("Łucja Wiśniewska", "Lucja.W@Example.pl", "+48 600 100 200"),
        "zoe": _add("Zoë Ødegård", None, "07700 900123"),
        "jane": _add("Jane Smithson", "jane@example.com", "+44 7911 222333"),
        "sean": _add("Seán O'Connor", "sean_oc@example.ie", None),
        "smith": _add("Will Smith", "will@example.com", "0161 496 0000"),
    }


def names(rows):
    return [r.name for r in rows]


def test_fold_and_phone_keys():
    assert fold("Łucja  O'Connor-Wiśniewska") == "lucja oconnor wisniewska"
    assert fold("ZOË ØDEGÅRD") == "zoe odegard"
    assert phone_key("+44 7700 900123") == phone_key("07700 900 123") == phone_key("0044 7700-900123") == "07700900123"
    assert phone_key("+48 600 100 200") == "48600100200"
    assert search_keys("Łucja Wiśniewska", None) == {"search_name": "lucja wisniewska", "search_last": "wisniewska", "search_phone": ""}


def test_by_the_start_of_the_name_or_last_name_accents_and_case_ignored(people):
    assert names(search_customers("wis")) == ["Łucja Wiśniewska"]
    assert names(search_customers("ŁUC")) == ["Łucja Wiśniewska"]
    assert names(search_customers("lucja wiś")) == ["Łucja Wiśniewska"]
    assert names(search_customers("odeg")) == ["Zoë Ødegård"]
    assert names(search_customers("oconn")) == names(search_customers("O'Con")) == ["Seán O'Connor"]
    # the name's start first, then the last name's
    assert names(search_customers("smith")) == ["Jane Smithson", "Will Smith"] or names(search_customers("smith")) == ["Will Smith", "Jane Smithson"]
    assert search_customers("niewska") == []  # the middle of a word is not its start
    assert search_customers("nobody") == [] and search_customers("  ") == []


def test_name_starts_come_before_last_name_starts(people):
    _add("Smithy Jones")
    rows = names(search_customers("smith"))
    assert rows[0] == "Smithy Jones"
    assert set(rows[1:]) == {"Jane Smithson", "Will Smith"}


def test_by_phone_whatever_the_spaces_and_country_code(people):
    assert names(search_customers("07700 900")) == ["Zoë Ødegård"]
    assert names(search_customers("+44 7700 9")) == ["Zoë Ødegård"]
    assert names(search_customers("7911 222")) == ["Jane Smithson"]  # no leading 0
    assert names(search_customers("07911222333")) == ["Jane Smithson"]  # stored as +44 7911 222333
    assert names(search_customers("+48 600")) == ["Łucja Wiśniewska"]
    assert search_customers("0800") == []


def test_by_the_start_of_the_email_whatever_its_case(people):
    assert names(search_customers("lucja.w@")) == ["Łucja Wiśniewska"]
    assert names(search_customers("JANE@EX")) == ["Jane Smithson"]
    assert names(search_customers("sean_")) == ["Seán O'Connor"]
    assert search_customers("sean%@") == [] and search_customers("j_ne@") == []  # no wildcards


def test_rows_carry_id_phone_and_email_and_the_limit_holds(people):
    row = search_customers("jane")[0]
    assert (row.id, row.name, row.phone, row.email) == (people["jane"], "Jane Smithson", "+44 7911 222333", "jane@example.com")
    assert search_customers("zoe")[0].email == ""
    for i in range(6):
        _add(f"Smith {i}")
    assert len(search_customers("smith", limit=4)) == 4
    assert search_customers("smith", limit=0) == []


def test_customers_written_without_keys_are_found_after_they_get_them(people):
    with database.atomic():
        Customer.create(name="Mateusz Kowalczyk", phone="07123 456789")  # another writer, no keys
    assert names(search_customers("kowal")) == ["Mateusz Kowalczyk"]
    assert Customer.get(Customer.name == "Mateusz Kowalczyk").search_phone == "07123456789"


def test_a_clerk_may_search(store, people):
    from desk.services.staff import create_staff

    with database.atomic():
        clerk = create_staff("150", "Cleo Clerk", "clerk", "274951", store[0])
    assert names(search_customers("wis", actor=clerk)) == ["Łucja Wiśniewska"]


def test_the_searches_run_on_indexes(people):
    db = database.obj
    if is_postgres():
        db.execute_sql("SET enable_seqscan = off")
        try:
            for sql in ("SELECT id FROM customer WHERE search_name LIKE 'wis%%'",
                        "SELECT id FROM customer WHERE search_last LIKE 'wis%%'",
                        "SELECT id FROM customer WHERE search_phone LIKE '0770%%'",
                        "SELECT id FROM customer WHERE lower(email) LIKE 'jane@%%'"):
                plan = " ".join(r[0] for r in db.execute_sql("EXPLAIN " + sql).fetchall())
                assert "Index" in plan, (sql, plan)
        finally:
            db.execute_sql("SET enable_seqscan = on")
    else:
        for sql, index in (("SELECT id FROM customer WHERE search_name >= 'wis' AND search_name < 'wit'", "customer_search_name"),
                           ("SELECT id FROM customer WHERE search_last >= 'wis' AND search_last < 'wit'", "customer_search_last"),
                           ("SELECT id FROM customer WHERE search_phone >= '0770' AND search_phone < '0771'", "customer_search_phone"),
                           ("SELECT id FROM customer WHERE lower(email) >= 'jane@' AND lower(email) < 'janeA'", "customer_email_lower")):
            plan = " ".join(str(r[-1]) for r in db.execute_sql("EXPLAIN QUERY PLAN " + sql).fetchall())
            assert index in plan, (sql, plan)


def test_migration_0004_goes_down_and_up_and_fills_the_keys_of_stored_customers(store):
    from desk.models.db import migration_runner

    conn = database.obj
    runner = migration_runner(conn)
    reverted = runner.down("0004_search_indexes")
    assert reverted[-1] == "0004_search_indexes"
    assert "search_name" not in {c.name for c in conn.get_columns("customer")}
    assert "sale_total" not in {i.name for i in conn.get_indexes("sale")}
    with database.atomic():
        conn.execute_sql("INSERT INTO customer (uuid, created_at, name, email, phone, notes) VALUES "
                         f"({conn.param}, {conn.param}, {conn.param}, NULL, {conn.param}, '')",
                         ("0" * 32, "2026-01-01 00:00:00", "Zoë Ødegård", "+44 7700 900123"))
    assert runner.up() == list(reversed(reverted))
    assert {"customer_search_name", "customer_email_lower"} <= {i.name for i in conn.get_indexes("customer")}
    row = Customer.get(Customer.name == "Zoë Ødegård")
    assert (row.search_name, row.search_last, row.search_phone) == ("zoe odegard", "odegard", "07700900123")
