"""Two indexes the ledger kept twice: sale (store_id) is the first column of the unique
(store_id, receipt_no) index, and sale_line (sale_id) the first column of the unique
(sale_id, line_no) index. SQLite and PostgreSQL serve every query on store_id or sale_id
(and the foreign keys' checks) from the longer index; the short one only cost every
insert of a sale and of a line its upkeep.
"""
from peewee import *

DUPLICATES = [
    # (name, table, column): the index dropped here
    ('sale_store_id', 'sale', 'store_id'),
    ('saleline_sale_id', 'sale_line', 'sale_id'),
]


def up(migrator, db):
    for name, table, column in DUPLICATES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')


def down(migrator, db):
    for name, table, column in reversed(DUPLICATES):
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")')
