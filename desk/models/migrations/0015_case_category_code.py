"""Case categories get a stable ``code`` (from the name they have now; a later rename keeps it),
exported with each case so head office groups "cases by category" by it across stores and
renames. case_category is not a tracked (exported) table: a plain ALTER TABLE, no rebuild, no
triggers to recreate.

The slug is the rule of desk.services.cases.category_code, copied here as it is today.
"""
import re


def _code(name):
    code = re.sub(r"[^0-9a-z]+", "_", (name or "").lower()).strip("_")[:36].strip("_")
    return code or "category"


def up(migrator, db):
    db.execute_sql('ALTER TABLE "case_category" ADD COLUMN "code" VARCHAR(40) NOT NULL DEFAULT \'\'')
    taken = set()
    for cid, name in db.execute_sql('SELECT id, name FROM "case_category" ORDER BY id').fetchall():
        base = code = _code(name)
        n = 1
        while code in taken:
            n += 1
            code = f"{base}_{n}"
        taken.add(code)
        db.execute_sql('UPDATE "case_category" SET code = %s WHERE id = %s' % (db.param, db.param), (code, cid))
    db.execute_sql('CREATE UNIQUE INDEX "case_category_code" ON "case_category" ("code")')


def down(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS "case_category_code"')
    migrator.migrate(migrator.drop_column('case_category', 'code'))
