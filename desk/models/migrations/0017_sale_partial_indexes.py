"""Migration 0017: the sale's status and voided_by indexes hold only the rare rows (issue 3's import ratio).

Every sale the tills' files bring is completed and was voided by no one: a full index on
``status`` or ``voided_by_id`` grows by one entry per imported sale and serves no query with
those values. Both become partial indexes with the same names, holding only voided sales:

- ``sale_status ... WHERE status = 'voided'``: the one query that filters on the status
  (``sales.ledger_figures`` counts the voided sales) names that value; the date-range queries
  that leave voided sales out walk ``sale_sold_at``.
- ``sale_voided_by_id ... WHERE voided_by_id IS NOT NULL``: read only by the foreign key's
  ON DELETE RESTRICT check of a staff row (``voided_by_id = ?``, which implies NOT NULL).

sale is not a tracked (exported) table: plain DROP/CREATE INDEX, no rebuild, no triggers. Both
databases take partial indexes.
"""


def up(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS "sale_status"')
    db.execute_sql('DROP INDEX IF EXISTS "sale_voided_by_id"')
    db.execute_sql('CREATE INDEX "sale_status" ON "sale" ("status") WHERE "status" = \'voided\'')
    db.execute_sql('CREATE INDEX "sale_voided_by_id" ON "sale" ("voided_by_id") WHERE "voided_by_id" IS NOT NULL')


def down(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS "sale_status"')
    db.execute_sql('DROP INDEX IF EXISTS "sale_voided_by_id"')
    db.execute_sql('CREATE INDEX "sale_status" ON "sale" ("status")')
    db.execute_sql('CREATE INDEX "sale_voided_by_id" ON "sale" ("voided_by_id")')
