"""The value report: every figure hand-computed from the shipped assumptions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from openmdt.analytics.assumptions import AssumptionsError, load_assumptions
from openmdt.analytics.charts import cash_flow_svg, tornado_svg
from openmdt.analytics.render_value import render_value
from openmdt.analytics.value import MeasuredRoutes, value_report

MEASURED = MeasuredRoutes(listed=100, standard_of_care=25, full_discussion=60, not_ready=15,
                          meetings=5, source="test")


@pytest.fixture(scope="module")
def report():
    return value_report(load_assumptions(), MEASURED)


def test_shipped_assumptions_cite_a_source_or_say_local_policy():
    shipped = load_assumptions()
    assert shipped.hash.startswith("sha256:")
    for item in shipped.items.values():
        assert item.basis in ("published", "local policy")
        assert item.source
        if item.basis == "local policy":
            assert "Local policy" in item.source
    assert shipped["minutes_per_case_discussed"] == 3.2  # CRUK 2017
    assert shipped["cost_per_case_discussed"] == 415  # De Ieso 2013


def test_time_and_money_per_meeting_year_and_alliance(report):
    # 25% of 2,000 cases a year = 500 cases; 50 meetings: 10 a meeting
    value = {f.key: f.value for f in report.figures}
    assert value["streamlined_share"] == 0.25
    assert value["cases_streamlined_per_year"] == 500
    assert value["cases_streamlined_per_meeting"] == 10
    assert value["meeting_minutes_per_meeting"] == pytest.approx(10 * 3.2)
    assert value["clinician_minutes_per_meeting"] == pytest.approx(10 * 3.2 * 14)
    assert value["clinician_hours_per_year"] == pytest.approx(500 * 3.2 * 14 / 60)
    assert value["value_per_year"] == 500 * 415
    assert value["value_per_meeting"] == 500 * 415 / 50
    assert value["value_per_year_alliance"] == 500 * 415 * 5


def test_cash_flow_in_year_cumulative_and_payback(report):
    flow = [(y.in_year, y.cumulative) for y in report.cash_flow]
    assert flow == [(207_500 - 40_000, 167_500), (197_500, 365_000), (197_500, 562_500)]
    assert report.payback_year == 1
    assert report.figure("net_three_years").value == 562_500


def test_payback_after_year_one_and_never():
    shipped = load_assumptions()
    slow = value_report(shipped.with_value("implementation_cost", 400_000), MEASURED)
    # year 1: 207,500 - 410,000 = -202,500; year 2: -5,000; year 3: +192,500
    assert [round(y.cumulative) for y in slow.cash_flow] == [-202_500, -5_000, 192_500]
    assert slow.payback_year == 3
    never = value_report(shipped.with_value("implementation_cost", 700_000), MEASURED)
    assert never.payback_year is None


def test_every_figure_lists_its_assumptions(report):
    uses = {f.key: set(f.uses) for f in report.figures}
    assert uses["value_per_year"] == {"cases_per_year", "cost_per_case_discussed"}
    assert uses["net_three_years"] >= {"implementation_cost", "running_cost_per_year"}
    assert uses["clinician_minutes_per_meeting"] >= {"minutes_per_case_discussed", "attendees"}
    without_data = value_report(load_assumptions())
    assert all("streamlined_share" in f.uses for f in without_data.figures)
    assert without_data.figure("streamlined_share").value == 0.338  # PROSAIC-DS


def test_sensitivity_and_break_even(report):
    rows = {r.key: r for r in report.sensitivity}
    cost = rows["cost_per_case_discussed"]
    assert (cost.net_at_low, cost.net_at_high) == (3 * 500 * 62 - 60_000,
                                                   3 * 500 * 516 - 60_000)
    assert cost.break_even == pytest.approx(60_000 / 1_500)
    assert rows["streamlined_share"].break_even == pytest.approx(60_000 / (3 * 2_000 * 415))
    assert rows["implementation_cost"].break_even == pytest.approx(3 * 207_500 - 30_000)
    assert rows["attendees"].swing == 0 and rows["attendees"].break_even is None
    swings = [r.swing for r in report.sensitivity]
    assert swings == sorted(swings, reverse=True)  # the tornado's order


def test_attendee_time_method(tmp_path: Path):
    data = yaml.safe_load(
        (Path(__file__).parents[2] / "src/openmdt/analytics/data/assumptions.yaml").read_text())
    data["cost_method"] = "attendee_time"
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(data))
    report = value_report(load_assumptions(path), MEASURED)
    # 3.2 minutes x (3x110 + 2x110 + 110 + 110 + 3x45 + 25 + 3x40 = 1,050 per hour) / 60
    assert report.figure("value_per_year").value == pytest.approx(500 * 3.2 * 1_050 / 60)
    assert "roles" in report.figure("value_per_year").uses


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["assumptions"]["streamlined_share"].update(value=1.5),
     "assumptions.streamlined_share.value: 1.5 is out of range; allowed: from 0 to 1"),
    (lambda d: d["assumptions"]["cases_per_year"].pop("source"),
     "assumptions.cases_per_year.source: every assumption names its source"),
    (lambda d: d["assumptions"].update(coffee={"value": 1}),
     "assumptions.coffee: not a known assumption"),
    (lambda d: d.update(cost_method="guess"), "cost_method: 'guess' is not allowed"),
])
def test_a_bad_assumptions_file_names_the_key_and_value(tmp_path: Path, change, message):
    data = yaml.safe_load(
        (Path(__file__).parents[2] / "src/openmdt/analytics/data/assumptions.yaml").read_text())
    change(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(AssumptionsError) as caught:
        load_assumptions(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_charts_are_drawn_from_the_figures(report):
    tornado = tornado_svg(report.sensitivity, report.figure("net_three_years").value, "GBP")
    assert tornado.startswith("<svg") and "Cost per case discussed" in tornado
    assert "Attendees per meeting" not in tornado  # no swing, no bar
    assert tornado == tornado_svg(report.sensitivity, report.figure("net_three_years").value,
                                  "GBP")  # the same figures give the same bytes
    flow = cash_flow_svg(report.cash_flow, "GBP")
    assert "Year 3" in flow and "Cumulative position" in flow


def test_outputs_state_the_assumptions_hash(report):
    text = render_value(report, "text").decode()
    assert report.assumptions.hash in text and "Payback: year 1" in text
    html = render_value(report, "html").decode()
    assert "<svg" in html and report.assumptions.hash in html and "£562,500" in html
