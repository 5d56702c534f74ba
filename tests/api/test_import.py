"""Importing a meeting list: all or nothing, every bad line listed, no identifiers in logs."""

from __future__ import annotations

import io
import logging

from api_helpers import import_list, new_meeting, synthetic_list
from sqlalchemy import text


def _case_count(client, tenants, meeting_id):
    meeting = client.get(f"/api/v1/meetings/{meeting_id}", headers=tenants.headers("chair"))
    return meeting.json()["case_count"]


def test_bad_lines_are_all_listed_and_nothing_is_stored(client, tenants):
    meeting_id = new_meeting(client, tenants)
    cases = synthetic_list(8)
    cases[1]["facts"]["psa"] = -3
    cases[4]["facts"]["shoe_size"] = 9
    cases[6].pop("case_id")
    cases[7]["case_id"] = cases[0]["case_id"]
    response = import_list(client, tenants, meeting_id, cases)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "import_rejected"
    found = {(e["line"], e["code"]) for e in problem["errors"]}
    assert found == {
        (2, "value_out_of_range"),
        (5, "unknown_item"),
        (7, "missing_case_id"),
        (8, "duplicate_case_id"),
    }
    for error in problem["errors"]:
        assert set(error) >= {"line", "case_id", "code", "message", "path"}
    psa_error = next(e for e in problem["errors"] if e["line"] == 2)
    assert psa_error["path"] == "facts.psa"
    assert (psa_error["item"], psa_error["value"]) == ("psa", -3)
    assert "0" in psa_error["allowed"]
    assert _case_count(client, tenants, meeting_id) == 0


def test_csv_list_imports(client, tenants):
    from openmdt.synth import write_csv

    buffer = io.StringIO()
    write_csv(synthetic_list(5), buffer)
    meeting_id = new_meeting(client, tenants)
    response = client.post(
        f"/api/v1/meetings/{meeting_id}/cases",
        content=buffer.getvalue(),
        headers={**tenants.headers("coordinator"), "Content-Type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["imported"] == 5


def test_unsupported_media_type_is_a_problem(client, tenants):
    meeting_id = new_meeting(client, tenants)
    response = client.post(
        f"/api/v1/meetings/{meeting_id}/cases",
        content="x",
        headers={**tenants.headers("coordinator"), "Content-Type": "application/xml"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unsupported_media_type"


def _fail_on_case(app, case_ref):
    """A real database trigger that aborts the insert of one case (forced mid-import failure)."""
    engine = app.state.openmdt.engine
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text(
                    "CREATE FUNCTION fail_mid_import() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    f"BEGIN IF NEW.case_ref = '{case_ref}' THEN RAISE EXCEPTION 'forced'; END IF; "
                    "RETURN NEW; END $$"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER fail_mid_import BEFORE INSERT ON meeting_cases "
                    "FOR EACH ROW EXECUTE FUNCTION fail_mid_import()"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE TRIGGER fail_mid_import BEFORE INSERT ON meeting_cases "
                    f"WHEN NEW.case_ref = '{case_ref}' BEGIN SELECT RAISE(ABORT, 'forced'); END"
                )
            )


def test_failure_mid_import_leaves_nothing(app, client, tenants):
    meeting_id = new_meeting(client, tenants)
    cases = synthetic_list(10)
    _fail_on_case(app, cases[6]["case_id"])
    response = import_list(client, tenants, meeting_id, cases)
    # SQLite reports the trigger's abort as an integrity error (409), PostgreSQL as 500.
    assert response.status_code in {409, 500}
    assert response.json()["code"] in {"conflicting_write", "internal_error"}
    assert _case_count(client, tenants, meeting_id) == 0
    with app.state.openmdt.sessions() as db:
        assert db.execute(text("SELECT count(*) FROM fact_versions")).scalar() == 0
        actions = db.execute(text("SELECT action FROM audit_events")).scalars().all()
    assert "import_cases" not in actions


def test_no_patient_identifiers_in_logs(client, tenants, caplog):
    cases = synthetic_list(6)
    cases[2]["facts"]["psa"] = -1
    meeting_id = new_meeting(client, tenants)
    with caplog.at_level(logging.DEBUG):
        import_list(client, tenants, meeting_id, cases)
        cases[2]["facts"]["psa"] = 4.1
        import_list(client, tenants, meeting_id, cases)
        client.get(f"/api/v1/meetings/{meeting_id}/agenda", headers=tenants.headers("chair"))
    assert "cases imported" in caplog.text
    for case in cases:
        patient = case["patient"]
        assert patient["nhs_number"] not in caplog.text
        assert patient["name"] not in caplog.text
        assert patient["name"].split()[-1] not in caplog.text


def _one(case_id: str, nhs_number: str) -> dict:
    return {"case_id": case_id, "site": "prostate",
            "patient": {"name": "SYNTHETIC Test", "nhs_number": nhs_number},
            "facts": {"psa": 7.5}}


def test_an_nhs_number_failing_its_check_digit_is_refused(client, tenants):
    meeting_id = new_meeting(client, tenants)
    response = import_list(client, tenants, meeting_id, [_one("A", "999 001 2343")])
    assert response.status_code == 422
    problem = response.json()["errors"][0]
    assert (problem["code"], problem["path"], problem["case_id"]) == (
        "invalid_nhs_number", "patient.nhs_number", "A")
    good = import_list(client, tenants, meeting_id, [_one("A", "999 001 2342")])
    assert good.status_code == 201, good.text
    case_id = good.json()["case_ids"][0]
    detail = client.get(f"/api/v1/cases/{case_id}", headers=tenants.headers("chair")).json()
    assert detail["patient"]["nhs_number"] == "9990012342"  # stored as ten digits


def test_the_same_patient_twice_is_refused_naming_both_rows(client, tenants):
    meeting_id = new_meeting(client, tenants)
    response = import_list(client, tenants, meeting_id,
                           [_one("A", "9990012342"), _one("B", "999-001-2342")])
    assert response.status_code == 422
    problem = response.json()["errors"][0]
    assert problem["code"] == "duplicate_patient" and problem["case_id"] == "B"
    assert "'A' on line 1" in problem["message"]
    assert import_list(client, tenants, meeting_id, [_one("A", "9990012342")]).status_code == 201
    again = import_list(client, tenants, meeting_id, [_one("C", "9990012342")])
    assert again.json()["errors"][0]["code"] == "duplicate_patient"
    assert "already on this meeting as case 'A'" in again.json()["errors"][0]["message"]


def test_a_re_import_says_already_on_this_meeting_once(client, tenants):
    meeting_id = new_meeting(client, tenants)
    cases = synthetic_list(5)
    assert import_list(client, tenants, meeting_id, cases).status_code == 201
    again = import_list(client, tenants, meeting_id, cases)
    assert again.status_code == 422
    errors = again.json()["errors"]
    assert len(errors) == 1 and errors[0]["code"] == "already_imported"
    assert "All 5 cases of this list are already on this meeting" in errors[0]["message"]
