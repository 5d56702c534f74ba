"""FHIR in: cases from Bundles and NDJSON through the pack's bindings."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fhir_builders import FHIR, bundle, ecog, patient, prostate_cancer, psa

from openmdt.engine import evaluate
from openmdt.interop.fhir_cases import discuss_conflicts, evaluate_fhir
from openmdt.interop.fhir_in import FhirCase, ItemConflict, read_fhir_cases
from openmdt.interop.fhir_records import read_resources

AS_OF = date(2026, 12, 5)
ANDY = FHIR / "synthea-r4-bundles" / "Andy_Schaden_d630c6ca-046c-470a-8f3a-4dbc3850e7ae.json"
AUSTIN = FHIR / "synthea-r4-bundles" / "Austin_Franecki_f23eef30-acb2-49da-8091-159b61dc1ed5.json"
EXAMPLES = sorted(p for p in (FHIR / "mcode-stu4").glob("*.json") if p.name != "package.json")


def _read(pack, text: str):
    return read_fhir_cases(text, pack, AS_OF, "test")


def test_every_mcode_example_and_synthea_bundle_loads_without_an_error(prostate_pack) -> None:
    files = EXAMPLES + sorted((FHIR / "synthea-r4-bundles").glob("*.json"))
    assert len(files) == 182
    for path in files:
        text = path.read_text(encoding="utf-8")
        read = _read(prostate_pack, text)
        assert read.errors == [], path.name
        assert read.cases or read.not_mapped, path.name
        assert read_resources(text, path.name).errors == [], path.name  # every resource


def test_only_resources_that_are_read_are_validated(prostate_pack) -> None:
    broken_unbound = ecog("x1", 1, "2026-01-02") | {
        "code": {"coding": [{"system": "http://loinc.org", "code": "718-7"}]},
        "valueInteger": "not a number"}
    read = _read(prostate_pack, bundle(patient(), prostate_cancer(), broken_unbound))
    assert read.errors == []
    assert [n.reason for n in read.cases[0].not_mapped] == [
        "no data item is bound to http://loinc.org|718-7"]
    assert [e.code for e in read_resources(bundle(broken_unbound)).errors] == ["invalid_fhir"]


def test_bulk_ndjson_is_one_case_with_everything_unread_listed(prostate_pack) -> None:
    text = "\n".join(p.read_text(encoding="utf-8")
                     for p in sorted((FHIR / "synthea-bulk-ndjson").glob("*.ndjson")))
    read = _read(prostate_pack, text)
    assert read.errors == []
    [case] = read.cases
    assert case.case_id == "129c6ac7-8d06-89de-ad63-0204a93e76c3"
    assert case.primary_cancer == ()  # lung and breast cancer: not this pack's
    # every Condition, Procedure and MedicationRequest is listed as not mapped
    assert len(case.not_mapped) == 49 + 587 + 447


def test_the_synthea_prostate_patient_has_no_psa_in_the_fixture(prostate_pack) -> None:
    text = ANDY.read_text(encoding="utf-8")
    assert "2857-1" not in text and "83112-3" not in text  # the fixture has no PSA at all
    [case] = _read(prostate_pack, text).cases
    assert case.data["site"] == "prostate"
    assert len(case.primary_cancer) == 1
    assert "psa" not in case.data["facts"]
    assert case.data["facts"]["age"] == 94
    # evaluated: the case is built, PSA is reported missing, the unread resources are listed
    [outcome] = evaluate_fhir(text, prostate_pack, AS_OF, ANDY.name).outcomes
    assert outcome.evaluation.route == "not_ready"
    assert "psa" in outcome.evaluation.triage.data_requests
    report = outcome.to_dict()["fhir"]
    assert report["sources"] == {"age": "Patient/9afe28dc-7ad5-4e90-b6a6-16123eae98c3"}
    unread = {n["resource_type"] for n in report["not_mapped"]}
    assert {"Observation", "MedicationRequest", "Procedure", "CarePlan"} <= unread
    assert len(report["not_mapped"]) == len(case.not_mapped) > 200


def test_serial_psa_values_latest_wins_and_the_conflict_is_reported(prostate_pack) -> None:
    [case] = _read(prostate_pack, AUSTIN.read_text(encoding="utf-8")).cases
    assert case.data["facts"]["psa"] == pytest.approx(0.6789742964129765)
    [conflict] = case.conflicts
    assert conflict.item == "psa" and len(conflict.values) == 9
    assert conflict.used.effective.date() == date(1988, 9, 10)
    assert case.sources["psa"] == conflict.used.reference
    assert conflict.message(prostate_pack).endswith("the latest (0.6789742964129765 ng/mL) is used")
    assert "(10 September 1988)" in conflict.message(prostate_pack)


def test_mcode_gleason_grade_group_and_ecog(prostate_pack) -> None:
    text = (FHIR / "mcode-stu4" / "Observation-gleason-grade-group-4.json").read_text()
    [case] = _read(prostate_pack, text).cases
    assert case.data["facts"] == {"grade_group": 4}
    text = (FHIR / "mcode-stu4" / "Observation-ecog-performance-status-jenny-m.json").read_text()
    [case] = _read(prostate_pack, text).cases
    assert case.data["facts"] == {"who_performance_status": 0}


def test_staging_of_another_cancer_is_not_read(prostate_pack) -> None:
    text = (FHIR / "mcode-stu4" / "Bundle-mcode-patient-bundle-jenny-m.json").read_text()
    [case] = _read(prostate_pack, text).cases
    reasons = [n.reason for n in case.not_mapped]
    assert any("not this pack's primary cancer" in r for r in reasons)
    assert case.primary_cancer == ()
    assert case.report()["warnings"]


def test_units_converted_or_refused(prostate_pack) -> None:
    text = bundle(patient(), prostate_cancer(), psa("o1", 7.5, "2026-01-02", unit="ug/L"))
    [case] = _read(prostate_pack, text).cases
    assert case.data["facts"]["psa"] == 7.5
    [change] = case.conversions
    assert (change.unit, change.converted) == ("ug/L", 7.5)
    text = bundle(patient(), prostate_cancer(), psa("o1", 0.0075, "2026-01-02", unit="mg/L"))
    [case] = _read(prostate_pack, text).cases
    assert "psa" not in case.data["facts"]
    [why] = [n.reason for n in case.not_mapped if n.reference == "Observation/o1"]
    assert "'mg/L' is not accepted" in why and "ng/mL" in why


def test_different_values_on_the_same_date_leave_the_item_unknown(prostate_pack) -> None:
    text = bundle(patient(), prostate_cancer(), ecog("e1", 0, "2026-01-02"),
                  ecog("e2", 2, "2026-01-02"), ecog("e3", 1, "2025-01-02"))
    [case] = _read(prostate_pack, text).cases
    assert "who_performance_status" not in case.data["facts"]
    [conflict] = case.conflicts
    assert conflict.used is None
    assert "same date" in conflict.message(prostate_pack)


def test_same_value_twice_is_no_conflict(prostate_pack) -> None:
    text = bundle(patient(), prostate_cancer(), ecog("e1", 1, "2026-01-02"),
                  ecog("e2", 1, "2025-01-02"))
    [case] = _read(prostate_pack, text).cases
    assert case.data["facts"]["who_performance_status"] == 1 and case.conflicts == ()


@pytest.mark.parametrize("status", ["entered-in-error", "preliminary", "registered", "unknown"])
def test_an_observation_that_is_not_a_result_is_listed_not_read(prostate_pack, status) -> None:
    wrong = ecog("e1", 3, "2026-01-02") | {"status": status}
    [case] = _read(prostate_pack, bundle(patient(), prostate_cancer(), wrong)).cases
    assert "who_performance_status" not in case.data["facts"]
    assert [n.reason for n in case.not_mapped] == [f"status {status}"]


def test_an_amended_observation_is_read(prostate_pack) -> None:
    amended = ecog("e1", 3, "2026-01-02") | {"status": "amended"}
    [case] = _read(prostate_pack, bundle(patient(), prostate_cancer(), amended)).cases
    assert case.data["facts"]["who_performance_status"] == 3


def test_an_invalid_resource_is_an_error_the_others_are_read(prostate_pack) -> None:
    broken = ecog("e1", 1, "2026-01-02") | {"status": 7, "valueInteger": "x"}
    read = _read(prostate_pack, bundle(patient(), prostate_cancer(), broken,
                                       psa("o1", 5, "2026-01-02"), kind="transaction"))
    [error] = read.errors
    assert error.code == "invalid_fhir"
    assert "entry[2].resource" in error.message and error.path.startswith("$.entry[2]")
    assert read.cases[0].data["facts"]["psa"] == 5


def test_a_bundle_type_not_read_is_an_error(prostate_pack) -> None:
    read = _read(prostate_pack, bundle(patient(), kind="document"))
    assert [e.code for e in read.errors] == ["invalid_fhir"]
    assert "document" in read.errors[0].message


def test_searchset_and_ndjson_give_the_same_case(prostate_pack) -> None:
    resources = [patient(), prostate_cancer(), psa("o1", 5, "2026-01-02")]
    from_bundle = _read(prostate_pack, bundle(*resources, kind="searchset")).cases[0]
    from_ndjson = _read(prostate_pack, "\n".join(json.dumps(r) for r in resources)).cases[0]
    assert from_bundle.data == from_ndjson.data
    assert from_bundle.data["patient"] == {"nhs_number": "9990000018", "name": "Test Patient",
                                           "date_of_birth": "1956-06-16"}


def _soc_case(pack):
    test = next(t for t in pack.tests if t.expect.get("route") == "standard_of_care")
    return {"case_id": "p1", "site": "prostate", "facts": dict(test.case["facts"])}


def test_a_conflict_sends_a_standard_of_care_case_to_discussion(prostate_pack) -> None:
    evaluation = evaluate(prostate_pack, _soc_case(prostate_pack), AS_OF)
    assert evaluation.route == "standard_of_care"
    plain = FhirCase("p1", {}, ("Condition/c1",), (), (), ())
    assert discuss_conflicts(evaluation, plain).route == "standard_of_care"
    read = _read(prostate_pack, bundle(patient(), prostate_cancer(), ecog("e1", 0, "2026-01-02"),
                                       ecog("e2", 2, "2025-01-02")))
    conflicted = read.cases[0]
    assert isinstance(conflicted.conflicts[0], ItemConflict)
    moved = discuss_conflicts(evaluation, conflicted)
    assert moved.route == "full_discussion"
    triage = moved.to_dict()["triage"]
    assert triage["standard_of_care"] is None
    assert "WHO performance status" in triage["reasons"][0]
    # the original evaluation (and what the engine remembered) is unchanged
    assert evaluate(prostate_pack, _soc_case(prostate_pack), AS_OF).route == "standard_of_care"


def test_evaluate_fhir_without_a_pack_picks_the_pack_of_the_primary_cancer() -> None:
    result = evaluate_fhir(ANDY.read_text(encoding="utf-8"), None, AS_OF)
    [outcome] = result.outcomes
    assert outcome.evaluation is not None
    assert outcome.evaluation.pack.id == "prostate-nice-ng131"
    assert outcome.to_dict()["fhir"]["primary_cancer"]
    result = evaluate_fhir(AUSTIN.read_text(encoding="utf-8"), None, AS_OF)
    assert result.outcomes[0].outcome.error.code == "no_pack"
