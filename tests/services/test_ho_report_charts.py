"""Each head office report declares its chart (ho_reports.ChartSpec); chart_data adds rows up by
the chart's groups in minor units, keeps one currency, and turns money into Decimal major units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from desk.services import head_office as ho
from desk.services import ho_reports
from desk.services.export import export_bundle
from desk.services.ho_reports import ChartSpec, Report, chart_data, register_report


def _report(name, columns, rows, **kw):
    return Report(name, name, columns, rows, **kw)


@pytest.fixture
def scratch_report():
    added = []

    def add(name, chart):
        register_report(name, name, lambda s, e: None, chart)
        added.append(name)

    yield add
    for name in added:
        ho_reports.REPORTS.pop(name)


def test_reasons_are_added_up_across_stores_largest_first_in_major_units():
    report = _report("refunds_by_reason", ["Store", "Reason", "Currency", "Lines", "Refunded"], [
        ["LDN01", "defective", "GBP", 2, 1999], ["LDN01", "wrong_size", "GBP", 1, 2500],
        ["MAN01", "defective", "GBP", 1, 1001]], money={"Refunded"})
    data = chart_data(report)
    assert data.categories == ["defective", "wrong_size"]  # 30.00 before 25.00
    assert data.series == [("Refunded", [Decimal("30.00"), Decimal("25.00")])]
    assert all(isinstance(v, Decimal) for v in data.series[0][1])
    assert data.money and data.currency == "GBP" and data.axis == "Amount (GBP)" and data.note == ""


def test_a_chart_keeps_the_currency_of_most_rows_and_says_what_it_left_out():
    report = _report("refunds_by_store", ["Store", "Name", "Currency", "Returns", "Refunded"], [
        ["DUB01", "Dublin", "EUR", 3, 900], ["LDN01", "London", "GBP", 2, 1000], ["MAN01", "Manchester", "GBP", 1, 5]],
        money={"Refunded"})
    data = chart_data(report)
    assert data.categories == ["LDN01", "MAN01"] and data.series[0][1] == [Decimal("10.00"), Decimal("0.05")]
    assert data.note == "1 rows in other currencies are in the table only."


def test_only_the_top_groups_are_drawn_and_the_note_says_so(scratch_report):
    scratch_report("many", ChartSpec(("Clerk",), ("Returns",), "Returns by clerk", largest_first=True, top=3))
    report = _report("many", ["Clerk", "Returns"], [[f"c{i}", i] for i in range(1, 6)])
    data = chart_data(report)
    assert data.categories == ["c5", "c4", "c3"] and data.series == [("Returns", [5, 4, 3])]
    assert data.note == "The 3 largest of 5 shown." and not data.money


def test_percentages_are_drawn_per_row_never_added_up(scratch_report):
    scratch_report("pct", ChartSpec(("Store",), ("Share %",), "Share"))
    rows = [["A", Decimal("12.5")], ["B", Decimal("50")]]
    data = chart_data(_report("pct", ["Store", "Share %"], rows, percent={"Share %"}))
    assert data.series == [("Share %", [Decimal("12.5"), Decimal("50")])] and data.axis == "%"
    with pytest.raises(ValueError, match="cannot be added up"):
        chart_data(_report("pct", ["Store", "Share %"], rows + [["A", Decimal("1")]], percent={"Share %"}))


def test_an_empty_report_charts_nothing_and_a_report_without_a_chart_gives_none(scratch_report):
    data = chart_data(_report("vouchers_outstanding", ["Store", "Currency", "Vouchers", "Outstanding"], [],
                              money={"Outstanding"}))
    assert data.categories == [] and data.series == [("Outstanding", [])]
    scratch_report("plain", None)
    assert chart_data(_report("plain", ["Store"], [["A"]])) is None


def test_every_report_has_a_chart_on_its_own_columns(shop, tmp_path):
    admin = shop["admin"]
    ho.import_bundle(admin, export_bundle(admin, tmp_path).path)
    today = dt.date.today()
    for name, spec in ho_reports.REPORTS.items():
        assert spec.chart is not None, name
        report = ho_reports.run_report(admin, name, today, today)
        assert set(spec.chart.by) | set(spec.chart.values) <= set(report.columns), name
        data = chart_data(report)  # adds up without complaint on real rows
        assert all(len(values) == len(data.categories) for _, values in data.series), name
    data = chart_data(ho_reports.run_report(admin, "vouchers_outstanding", today, today))
    assert (data.categories, data.series) == (["TST01"], [("Outstanding", [Decimal("22.00")])])


# the shop fixture of the head office tests
from tests.services.test_head_office import shop  # noqa: E402,F401


def test_the_satisfaction_chart_has_a_fixed_one_to_five_axis():
    report = _report("satisfaction_by_store", ["Store", "Scores", "Average (1-5)"], [["A", 2, Decimal("3.00")]])
    data = chart_data(report)
    assert data.axis_max == 5 and data.axis == "Score" and data.series == [("Average (1-5)", [Decimal("3.00")])]
