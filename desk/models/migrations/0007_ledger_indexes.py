"""Four sales-ledger indexes that no query reads, dropped: every sale and every line paid
for their upkeep (about a fifth of the time SQLite spends writing an imported file).

- sale (store_id) is the first column of the unique (store_id, receipt_no) index, and
  sale_line (sale_id) the first column of the unique (sale_id, line_no) index: SQLite and
  PostgreSQL serve every query on store_id or sale_id, and the foreign keys' checks, from
  the longer index.
- sale (till_id) and sale_line (product_id): no query looks sales up by till or lines by
  product (reports by till or product start from a date range, which sale (sold_at)
  serves). Their only other use was the foreign keys' ON DELETE action when a till or a
  product row is deleted, which Desk never does (tills and products are kept, products
  made inactive); should that change, such a delete scans the table once.
"""
from peewee import *

DROPPED = [
    # (name, table, column)
    ('sale_store_id', 'sale', 'store_id'),
    ('saleline_sale_id', 'sale_line', 'sale_id'),
    ('sale_till_id', 'sale', 'till_id'),
    ('saleline_product_id', 'sale_line', 'product_id'),
]


def up(migrator, db):
    for name, table, column in DROPPED:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')


def down(migrator, db):
    for name, table, column in reversed(DROPPED):
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")')
