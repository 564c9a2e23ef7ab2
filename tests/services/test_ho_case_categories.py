"""Case categories have a stable code (migration 0015) that travels with each case; head office's
"cases by category" groups by it, across a rename at the store and for bundles sent before codes."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import pytest

from desk.errors import InvalidInput
from desk.models import CaseCategory, HoStore
from desk.services import cases, ho_reports
from desk.services import head_office as ho
from desk.services.export import export_bundle
from tests.services.test_head_office import rebuild, rehash
from tests.services.test_ho_orders_cases import T0, _case, make_shop, utc_local_time  # noqa: F401 - a fixture

D = dt.timedelta(days=1)


@pytest.fixture
def shop(store, clock_at, utc_local_time):
    return make_shop(*store, clock_at)


def _by_category(admin, first, last):
    report = ho_reports.run_report(admin, "cases_by_category", first, last)
    return [(r[1], r[2], r[3]) for r in report.rows]  # name, code, cases


def test_the_default_categories_have_codes_and_a_new_one_gets_a_free_code(store):
    _, admin = store
    codes = {c.name: c.code for c in CaseCategory.select()}
    assert codes == {"Product quality": "product_quality", "Service": "service", "Delivery": "delivery",
                     "Pricing": "pricing", "Staff": "staff", "Other": "other"}
    assert cases.category_code("  Wrong item / size!! ") == "wrong_item_size"
    row = cases.add_category(admin, "Product-quality")  # another name, the same slug
    assert CaseCategory.get_by_id(row.id).code == "product_quality_2"
    cases.rename_category(admin, row.id, "Packaging")  # a rename keeps the code
    assert CaseCategory.get_by_id(row.id).code == "product_quality_2"
    with pytest.raises(InvalidInput):
        cases.add_category(admin, "packaging")


def test_a_renamed_category_stays_one_row_at_head_office_under_its_newest_name(shop, tmp_path):
    admin = shop["admin"]
    assert ho.import_bundle(admin, export_bundle(admin, tmp_path).path).status == "imported"
    quality = CaseCategory.get(CaseCategory.name == "Product quality")
    shop["at"](T0 + D)
    cases.rename_category(admin, quality.id, "Quality of goods")
    _case(shop, "Torn", quality.id)
    assert ho.import_bundle(admin, export_bundle(admin, tmp_path).path).status == "imported"
    shop["at"](T0 + 10 * D)
    assert _by_category(admin, T0.date(), T0.date() + 2 * D) == [
        ("(no category)", "", 1), ("Quality of goods", "product_quality", 3)]


def test_a_bundle_from_before_category_codes_still_imports_and_groups_by_the_name(shop, tmp_path):
    admin = shop["admin"]
    new = export_bundle(admin, tmp_path).path
    key = HoStore.get(HoStore.code == "TST01").key

    def drop_codes(data: bytes) -> bytes:
        lines = [json.loads(line) for line in data.splitlines()]
        assert all("category_code" in rec for rec in lines)
        return b"".join(json.dumps({k: v for k, v in rec.items() if k != "category_code"}).encode() + b"\n"
                        for rec in lines)

    with zipfile.ZipFile(new) as zf:
        old_cases = drop_codes(zf.read("data/cases.jsonl"))
    old = rebuild(new, tmp_path / "old.zip", files={"data/cases.jsonl": lambda _: old_cases},
                  manifest=lambda body: rehash(body, "data/cases.jsonl", old_cases), key=key)
    result = ho.import_bundle(admin, old)
    assert result.status == "imported", result.reason
    shop["at"](T0 + 10 * D)
    assert _by_category(admin, T0.date(), T0.date() + 2 * D) == [
        ("(no category)", "", 1), ("Product quality", "product_quality", 2)]
