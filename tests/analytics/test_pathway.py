"""Pathway KPIs, hand-computed: days per step, standards met, days lost and their causes."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from openmdt.analytics import read_historic
from openmdt.analytics.pathway import (
    Delay,
    PathwayCase,
    StandardsError,
    cases_from_rows,
    load_standards,
    pathway_report,
)
from openmdt.knowledge import load_pack
from openmdt.synth.history import HISTORY_COLUMNS, generate_prostate_history

MEETING = date(2026, 3, 3)


def _case(case_id: str, route: str, referral: int, diagnosis: int, dtt: int, treatment: int,
          delay: Delay | None = None, final: bool = True) -> PathwayCase:
    """Days are counted from the meeting (negative: before it)."""
    day = lambda offset: MEETING + timedelta(days=offset)  # noqa: E731
    return PathwayCase(case_id, route, {
        "referral_date": day(referral), "diagnosis_date": day(diagnosis),
        "meeting_date": MEETING, "decision_to_treat_date": day(dtt),
        "first_treatment_date": day(treatment)}, "team A", delay, final)


@pytest.fixture(scope="module")
def report():
    lost = Delay("A", MEETING - timedelta(days=7), 7, "not_ready", ("psa", "m_stage"), "team A")
    cases = [
        _case("A", "not_ready", -40, -10, 0, 20, delay=lost, final=False),  # not counted
        _case("A", "full_discussion", -47, -17, 2, 40),   # FDS 30 (no), 31-day 38 (no), 62: 87
        _case("B", "standard_of_care", -30, -5, 1, 20),   # FDS 25, 31-day 19, 62-day 50
        _case("C", "standard_of_care", -20, -2, 0, 31),   # FDS 18, 31-day 31, 62-day 51
        _case("D", "full_discussion", -60, -33, 5, 10),   # FDS 27, 31-day 5, 62-day 70 (no)
    ]
    return pathway_report(cases, load_standards())


def test_standards_met_over_each_case_once(report):
    met = {r.standard.key: (r.met.count, r.met.total) for r in report.standards}
    assert met == {"faster_diagnosis": (3, 4), "decision_to_treatment": (3, 4),
                   "referral_to_treatment": (2, 4)}
    assert report.cases == 4
    by_route = {r.standard.key: r.met.count
                for r in report.by_route_standards["standard_of_care"]}
    assert by_route == {"faster_diagnosis": 2, "decision_to_treatment": 2,
                        "referral_to_treatment": 2}
    decision = next(r for r in report.standards if r.standard.key == "decision_to_treatment")
    assert decision.standard.target == 0.96 and decision.meets_target is False


def test_days_per_step_median_and_quartiles(report):
    # MDT to decision to treat: 2, 1, 0, 5 -> sorted 0 1 2 5: median 1.5
    step = report.steps["all"]["meeting_date->decision_to_treat_date"]
    assert (step.n, step.median, step.minimum, step.maximum) == (4, 1.5, 0, 5)
    assert (step.q1, step.q3) == (0.75, 2.75)  # inclusive quartiles of 0 1 2 5
    # diagnosis to MDT by route, standard of care: 5 and 2
    soc = report.steps["standard_of_care"]["diagnosis_date->meeting_date"]
    assert (soc.n, soc.median) == (2, 3.5)
    assert report.steps["all"]["referral_date->first_seen_date"].n == 0


def test_days_lost_by_item_and_team(report):
    assert [d.days for d in report.delays] == [7]
    assert report.days_lost_by_item() == {"m_stage": (1, 7), "psa": (1, 7)}
    assert report.days_lost_by_team() == {"team A": (1, 7)}


def test_synthetic_history_days_lost_match_the_truth():
    pack = load_pack("prostate-nice-ng131")
    history = generate_prostate_history(pack, 80, 4, concordance=0.9, deviation_rate=0.5)
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=HISTORY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(history.rows)
    rows = read_historic(stream.getvalue(), pack).rows
    report = pathway_report(cases_from_rows(rows), load_standards())
    assert report.cases == 80
    assert len(report.delays) == history.truth.relisted
    assert sum(d.days for d in report.delays) == history.truth.days_lost
    assert all(d.cause == "not_ready" and d.items for d in report.delays)


def test_a_bad_standards_file_names_the_key(tmp_path: Path):
    path = tmp_path / "standards.yaml"
    path.write_text("standards:\n  fds: {start: referral_date, end: diagnosis, days: 28, "
                    "source: x}\n", encoding="utf-8")
    with pytest.raises(StandardsError) as caught:
        load_standards(path)
    assert "standards.fds.end: 'diagnosis' is not allowed" in str(caught.value)
