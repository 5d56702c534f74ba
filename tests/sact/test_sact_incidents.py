"""One test per incident type of SACT notes §5.1, each showing what the system prevents."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from sact_helpers import People, course_in, cycle_in
from sqlalchemy.orm import Session

from openmdt.sact import workflow
from openmdt.sact.dose import Measures, calculate_doses
from openmdt.sact.protocols import check_protocol, load_protocol
from openmdt.sact.safety import CycleContext, course_checks
from openmdt.sact.testing import run_protocol_tests
from openmdt.store.errors import InvalidRequest

HERE = Path(__file__).resolve().parent
CHECKLIST = dict.fromkeys(workflow.CHECKLIST, True)


def test_lehman_daily_dose_and_course_total_are_never_confused() -> None:
    """Betsy Lehman, 1994: a course total read as a daily dose. Each line carries the dose per
    administration, the daily total and the cycle total separately, from the protocol."""
    calc = calculate_doses(load_protocol("capox-colorectal"), Measures(D(170), D(70)))
    cape = next(line for line in calc.lines if line.drug == "capecitabine")
    # by hand: 1000 x sqrt(170 x 70 / 3600) = 1818.12 mg per dose; x 2 a day; x 14 days
    assert cape.dose_mg == D("1818.12")
    assert cape.daily_total_mg == D("3636.24")
    assert cape.cycle_total_mg == D("50907.36")
    assert cape.to_json()["dose_per_administration_mg"] == 1818.12


def test_lehman_a_dose_cannot_be_multiplied_and_a_maximum_caps_it() -> None:
    protocol, _ = check_protocol(HERE / "protocols" / "vincristine-cap.yaml")
    assert protocol is not None and all(r.passed for r in run_protocol_tests(protocol))
    line = calculate_doses(protocol, Measures(D(170), D(70))).lines[0]
    assert line.calculated_mg == D(2) and "capped at the protocol maximum of 2 mg" in \
        line.flags[0]


def test_lehman_no_multiplier_above_the_protocol(db: Session, people: People) -> None:
    course = workflow.start_course(db, course_in(), acting_user=people.prescriber)
    with pytest.raises(InvalidRequest, match="a dose is never raised above the protocol"):
        workflow.prescribe_cycle(db, course.id, cycle_in(reductions={"cyclophosphamide": D(400)}),
                                 acting_user=people.prescriber)


def test_alberta_pump_rate_is_calculated_and_a_wrong_rate_is_refused(
        db: Session, people: People) -> None:
    """Cross Cancer Institute, 2006: a 4-day infusion run in 4 hours. The chart prints the
    rate the system worked out; the nurse's pump setting must match it."""
    course = workflow.start_course(db, course_in("carboplatin-pemetrexed-lung", sex="male"),
                                   acting_user=people.prescriber)
    p = workflow.prescribe_cycle(db, course.id, cycle_in(), acting_user=people.prescriber)
    rates = {d["drug"]: d["pump_rate_ml_h"] for d in p.calculation["drugs"]}
    # by hand: 100 mL over 10 min = 600 mL/h; 500 mL over 60 min = 500 mL/h
    assert (rates["pemetrexed"], rates["carboplatin"]) == (600, 500)
    p = workflow.verify_prescription(db, p.id, acting_user=people.pharmacist,
                                     version=p.row_version, checklist=CHECKLIST,
                                     acknowledged=[])
    p = workflow.release_prescription(db, p.id, acting_user=people.pharmacist,
                                      version=p.row_version)
    start = datetime(2026, 12, 7, 10, tzinfo=UTC)
    wrong = [workflow.GivenIn("pemetrexed", "P1", start, D(600)),
             workflow.GivenIn("carboplatin", "C1", start, D(5000)),
             workflow.GivenIn("dexamethasone", "D1", start)]
    with pytest.raises(InvalidRequest, match="carboplatin runs at 500 mL/h as calculated; "
                                             "5000 mL/h was entered"):
        workflow.administer_prescription(db, p.id, wrong, acting_user=people.nurse,
                                         version=p.row_version)


def test_jowett_vincristine_cannot_be_written_for_the_intrathecal_route(tmp_path: Path
                                                                       ) -> None:
    """Wayne Jowett, 2001: intrathecal vincristine. A protocol saying so, or a syringe,
    does not load; the route of a prescription is the protocol's, never typed."""
    text = (HERE / "protocols" / "vincristine-cap.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "it.yaml"
    bad.write_text(text.replace("route: IV", "route: intrathecal")
                   .replace("container: minibag", "container: syringe"), encoding="utf-8")
    protocol, diagnostics = check_protocol(bad)
    assert protocol is None
    assert {"vinca_route", "vinca_container"} <= {d.code for d in diagnostics}
    assert "route" not in workflow.CycleIn.__dataclass_fields__


def test_oral_sact_schedule_is_structured_and_stops_at_the_course_end() -> None:
    """NPSA RRR001: oral SACT with the wrong dose, frequency or duration. Days on, twice
    daily, and no cycle past the protocol's number."""
    protocol = load_protocol("capecitabine-colorectal")
    drug = protocol.drug("capecitabine")
    assert (drug.days, drug.frequency, protocol.cycles) == (tuple(range(1, 15)), "twice_daily",
                                                             8)
    context = CycleContext(protocol, 9, datetime(2026, 12, 7).date(), D(70), (),
                           dpyd_status="normal", indication_ok=True)
    stop = next(c for c in course_checks(context) if c.code == "course_complete")
    assert stop.outcome == "stop" and "the protocol has 8 cycles; this would be cycle 9" in \
        stop.message


def test_npsa_no_free_text_dose_reaches_a_prescription(tmp_path: Path) -> None:
    """NPSA 2010: wrong or unclear dose the largest group. A protocol dose in an unclear unit
    does not load, and a prescription has no dose field to type into."""
    text = (HERE / "protocols" / "vincristine-cap.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "unclear.yaml"
    bad.write_text(text.replace("unit: mg/m2", "unit: mg/m2/day"), encoding="utf-8")
    protocol, diagnostics = check_protocol(bad)
    assert protocol is None and any(d.code == "unknown_unit" for d in diagnostics)
    fields = set(workflow.CycleIn.__dataclass_fields__)
    assert not {"dose", "dose_mg", "dose_text"} & fields
