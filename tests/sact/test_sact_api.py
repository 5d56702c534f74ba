"""The SACT JSON API: the workflow over HTTP, problem details, 403/404/409/422."""

from __future__ import annotations

from typing import Any

from sact_helpers import NHS_NUMBER

DAY = "2026-12-07"
BLOODS = [{"test": "neutrophils", "value": "3.0", "unit": "x10^9/L", "taken_on": DAY},
          {"test": "platelets", "value": "250", "unit": "x10^9/L", "taken_on": DAY},
          {"test": "bilirubin", "value": "10", "unit": "umol/L", "taken_on": DAY},
          {"test": "creatinine", "value": "80", "unit": "umol/L", "taken_on": DAY}]
COURSE = {"nhs_number": NHS_NUMBER, "patient_name": "Ada Testpatient",
          "birth_date": "1961-06-16", "sex": "female", "height_cm": "165",
          "protocol_id": "ac-breast", "dpyd_status": "normal"}
CYCLE = {"treatment_date": DAY, "weight_kg": "70", "results": BLOODS}
CHECKLIST = {"prescription": True, "protocol": True, "patient": True, "administration": True}


def _call(api, method: str, path: str, who: str, body: Any = None):  # noqa: ANN001, ANN202
    return api.request(method, f"/api/v1/sact{path}", json=body,
                       headers=api.tenants.headers(who))


def _level(api, level: str = "2c") -> None:  # noqa: ANN001
    user_id = api.tenants.user_ids["pharmacist"]
    response = _call(api, "PUT", f"/verifiers/{user_id}", "admin", {"level": level})
    assert response.status_code == 200, response.text


def test_prescribe_verify_release_administer_over_http(api) -> None:  # noqa: ANN001
    _level(api)
    course = _call(api, "POST", "/courses", "prescriber", COURSE)
    assert course.status_code == 201, course.text
    course_id = course.json()["id"]
    blocked = _call(api, "POST", f"/courses/{course_id}/cycles", "prescriber", CYCLE)
    assert blocked.status_code == 422
    assert blocked.headers["content-type"].startswith("application/problem+json")
    problem = blocked.json()
    assert problem["code"] == "prescription_blocked"
    assert [c["code"] for c in problem["checks"]] == ["indication_not_chosen"]
    body = CYCLE | {"overrides": {"indication_not_chosen": "AC agreed at breast MDT"}}
    p = _call(api, "POST", f"/courses/{course_id}/cycles", "prescriber", body)
    assert p.status_code == 201, p.text
    p = p.json()
    assert p["doses"]["drugs"][0]["calculated_mg"] == 107.47
    verified = _call(api, "POST", f"/prescriptions/{p['id']}/verify", "pharmacist",
                     {"version": p["version"], "checklist": CHECKLIST}).json()
    released = _call(api, "POST", f"/prescriptions/{p['id']}/release", "pharmacist",
                     {"version": verified["version"]}).json()
    given = [{"drug": d["drug"], "batch": "B1", "started_at": "2026-12-07T10:30:00+00:00"}
             for d in released["doses"]["drugs"]]
    done = _call(api, "POST", f"/prescriptions/{p['id']}/administer", "nurse",
                 {"version": released["version"], "given": given})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "administered"
    listed = _call(api, "GET", "/courses", "pharmacist").json()["courses"]
    assert [c["id"] for c in listed] == [course_id]
    export = _call(api, "GET", "/export/sact-dataset.csv", "pharmacist")
    assert export.headers["content-type"].startswith("text/csv")
    header, *rows = export.text.splitlines()
    assert header.startswith("[1] NHS Number,[2] Person Birth Date,[16] Regimen,")
    # by hand: height 1.65 m; weight 70; cycle 1 of 21 days; doxorubicin 107.47 mg once
    assert rows[0].startswith(f"{NHS_NUMBER},1961-06-16,AC - doxorubicin 60 mg/m2")
    assert ",1.65,70," in rows[0] and ",1,2026-12-07,70,DOXORUBICIN,107.47 mg," in rows[0]
    assert rows[0].endswith(",2026-12-07T10:30:00+00:00,,21,")
    assert len(rows) == 2
    assert _call(api, "GET", "/export/sact-dataset.csv", "other_auditor").text.count("\n") == 1
    assert _call(api, "GET", "/export/sact-dataset.csv", "prescriber").status_code == 403


def test_roles_tenancy_versions_and_typos(api) -> None:  # noqa: ANN001
    _level(api)
    assert _call(api, "POST", "/courses", "nurse", COURSE).status_code == 403
    assert _call(api, "POST", "/courses", "coordinator", COURSE).status_code == 403
    course_id = _call(api, "POST", "/courses", "prescriber", COURSE).json()["id"]
    assert _call(api, "GET", f"/courses/{course_id}", "other_prescriber").status_code == 404
    assert _call(api, "GET", f"/courses/{course_id}", "chair").status_code == 403
    typo = _call(api, "POST", f"/courses/{course_id}/cycles", "prescriber",
                 CYCLE | {"dose_mg": "4000"})
    assert typo.status_code == 422  # no free-text or typed dose reaches a prescription
    body = CYCLE | {"overrides": {"indication_not_chosen": "agreed"}}
    p = _call(api, "POST", f"/courses/{course_id}/cycles", "prescriber", body).json()
    stale = _call(api, "POST", f"/prescriptions/{p['id']}/verify", "pharmacist",
                  {"version": p["version"] + 1, "checklist": CHECKLIST})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"


def test_dose_endpoint(api) -> None:  # noqa: ANN001
    response = _call(api, "POST", "/dose", "pharmacist",
                     {"protocol_id": "paclitaxel-weekly-breast", "height_cm": "170",
                      "weight_kg": "70"})
    drug = response.json()["drugs"][0]
    assert (drug["calculated_mg"], drug["banded_mg"]) == (145.45, 144)
    bad = _call(api, "POST", "/dose", "pharmacist",
                {"protocol_id": "ac-breast", "height_cm": "1.7", "weight_kg": "70"})
    assert bad.status_code == 422 and "height 1.7 cm is outside" in bad.json()["detail"]


def test_huge_ids_are_404_in_paths_and_422_in_bodies(api) -> None:  # noqa: ANN001
    huge = 2**63
    for method, path, who, body in (
            ("GET", f"/courses/{huge}", "prescriber", None),
            ("GET", f"/prescriptions/{huge}", "nurse", None),
            ("POST", f"/courses/{huge}/cycles", "prescriber", CYCLE),
            ("POST", f"/prescriptions/{huge}/release", "pharmacist", {"version": 1}),
            ("PUT", f"/verifiers/{huge}", "admin", {"level": "2c"})):
        assert _call(api, method, path, who, body).status_code == 404, path
    response = _call(api, "POST", "/courses", "prescriber", COURSE | {"meeting_case_id": huge})
    assert response.status_code == 422 and "meeting_case_id" in response.text
