"""The meeting workflow end to end over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from api_helpers import PACK_ID, import_list, new_meeting, synthetic_list

LIST_SIZE = 12


def _agenda(client, tenants, meeting_id, who="coordinator"):
    response = client.get(f"/api/v1/meetings/{meeting_id}/agenda", headers=tenants.headers(who))
    assert response.status_code == 200, response.text
    return response.json()


def test_import_gives_an_agenda_with_routes_reasons_and_minutes(client, tenants):
    meeting_id = new_meeting(client, tenants)
    response = import_list(client, tenants, meeting_id, synthetic_list(LIST_SIZE))
    assert response.status_code == 201, response.text
    assert response.json()["imported"] == LIST_SIZE
    agenda = _agenda(client, tenants, meeting_id)
    counts = agenda["counts"]
    assert counts["total"] == LIST_SIZE
    assert sum(counts[r] for r in ("full_discussion", "not_ready", "standard_of_care")) == 12
    assert agenda["estimated_minutes"] == round(
        counts["full_discussion"] * agenda["minutes_per_case"], 1
    )
    routes = [case["route"] for case in agenda["cases"]]
    assert routes == sorted(routes, key=["full_discussion", "not_ready", "standard_of_care"].index)
    assert all(case["reasons"] for case in agenda["full_discussion"])
    assert all(case["data_requests"] for case in agenda["not_ready"])
    assert all(case["standard_of_care"]["option"] for case in agenda["standard_of_care"])


def test_case_detail_has_facts_evaluation_and_history(client, tenants):
    meeting_id = new_meeting(client, tenants)
    case_ids = import_list(client, tenants, meeting_id, synthetic_list(3)).json()["case_ids"]
    response = client.get(f"/api/v1/cases/{case_ids[0]}", headers=tenants.headers("clinician"))
    assert response.status_code == 200
    detail = response.json()
    assert response.headers["etag"] == '"1"'
    assert detail["facts"]["psa"] is not None
    assert detail["evaluation"]["pack"]["id"] == PACK_ID
    assert detail["fact_versions"][0]["pack_hash"].startswith("sha256:")
    assert [event["action"] for event in detail["history"]] == []


def _first_case(client, tenants, route, n=LIST_SIZE):
    meeting_id = new_meeting(client, tenants)
    import_list(client, tenants, meeting_id, synthetic_list(n))
    return meeting_id, _agenda(client, tenants, meeting_id)[route][0]


def test_fact_edit_is_versioned_and_re_evaluated(client, tenants):
    full = synthetic_list(1)[0]
    sparse = {**full, "facts": {"psa": full["facts"]["psa"]}}
    meeting_id = new_meeting(client, tenants)
    case_id = import_list(client, tenants, meeting_id, [sparse]).json()["case_ids"][0]
    before = client.get(f"/api/v1/cases/{case_id}", headers=tenants.headers("chair")).json()
    assert before["route"] == "not_ready" and before["data_requests"]
    body = {"facts": full["facts"], "reason": "from clinic letter"}
    headers = {**tenants.headers("coordinator"), "If-Match": '"1"'}
    response = client.patch(f"/api/v1/cases/{case_id}/facts", json=body, headers=headers)
    assert response.status_code == 200, response.text
    detail = response.json()
    assert detail["version"] == 2
    assert [v["version"] for v in detail["fact_versions"]] == [1, 2]
    assert detail["fact_versions"][1]["reason"] == "from clinic letter"
    expected = client.post(
        "/api/v1/evaluate",
        headers=tenants.headers("chair"),
        json={"case": full, "as_of": "2026-12-01"},
    ).json()
    assert detail["evaluation"] == expected
    assert detail["engine_route"] == expected["triage"]["route"]
    assert detail["history"][-1]["action"] == "update_facts"


def test_stale_version_gets_409_and_nothing_is_lost(client, tenants):
    _, case = _first_case(client, tenants, "full_discussion")
    url = f"/api/v1/cases/{case['id']}/facts"
    headers = tenants.headers("coordinator")
    first = client.patch(url, json={"facts": {"psa": 7.5}, "version": 1}, headers=headers)
    second = client.patch(url, json={"facts": {"psa": 8.5}, "version": 1}, headers=headers)
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["code"] == "stale_version"
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=headers).json()
    assert detail["facts"]["psa"] == 7.5
    assert detail["version"] == 2


def test_facts_update_needs_a_version(client, tenants):
    _, case = _first_case(client, tenants, "full_discussion")
    response = client.patch(
        f"/api/v1/cases/{case['id']}/facts",
        json={"facts": {"psa": 3}},
        headers=tenants.headers("coordinator"),
    )
    assert response.status_code == 428
    assert response.json()["code"] == "version_required"


def test_bad_fact_edit_is_rejected_and_not_stored(client, tenants):
    _, case = _first_case(client, tenants, "full_discussion")
    response = client.patch(
        f"/api/v1/cases/{case['id']}/facts",
        json={"facts": {"psa": -3}, "version": 1},
        headers=tenants.headers("coordinator"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "value_out_of_range"
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=tenants.headers("chair")).json()
    assert detail["version"] == 1


def test_flag_overrides_standard_of_care(client, tenants):
    meeting_id, case = _first_case(client, tenants, "standard_of_care")
    response = client.post(
        f"/api/v1/cases/{case['id']}/flag",
        json={"note": "frail"},
        headers=tenants.headers("clinician"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["route"] == "full_discussion"
    agenda = _agenda(client, tenants, meeting_id)
    flagged = next(c for c in agenda["full_discussion"] if c["id"] == case["id"])
    assert flagged["reasons"][0] == "flagged for discussion by clinician"


def _outcome(options, **extra):
    return {
        "chosen_options": options,
        "care_plan_intent": "C",
        "planned_treatment_types": ["01"],
        "rationale": "Agreed at MDT",
        **extra,
    }


def _not_recommended_option(client, tenants, case_id):
    """A decision/option of the case's own evaluation that the guideline does not recommend."""
    detail = client.get(f"/api/v1/cases/{case_id}", headers=tenants.headers("chair")).json()
    for decision in detail["evaluation"]["decisions"]:
        for candidate in decision["candidates"]:
            if candidate["recommended"] is not True:
                return f"{decision['id']}/{candidate['id']}"
    raise AssertionError("every option is recommended")


def test_outcome_off_guideline_needs_coded_reason_and_text(client, tenants):
    _, case = _first_case(client, tenants, "full_discussion")
    url = f"/api/v1/cases/{case['id']}/outcome"
    chair = tenants.headers("chair")
    off_guideline = _outcome([_not_recommended_option(client, tenants, case["id"])])
    missing_reason = client.post(url, json=off_guideline, headers=chair)
    assert missing_reason.status_code == 422
    assert missing_reason.json()["code"] == "missing_deviation_reason"
    no_text = client.post(
        url, json={**off_guideline, "deviation_code": "patient_choice"}, headers=chair
    )
    assert no_text.json()["code"] == "missing_deviation_text"
    recorded = client.post(
        url,
        json={
            **off_guideline,
            "deviation_code": "patient_choice",
            "deviation_text": "Prefers to wait",
        },
        headers=chair,
    )
    assert recorded.status_code == 201, recorded.text
    outcome = recorded.json()["outcome"]
    assert outcome["concordant"] is False
    assert outcome["discussion_type"] == "1"


def test_outcome_codes_are_checked(client, tenants):
    _, case = _first_case(client, tenants, "full_discussion")
    response = client.post(
        f"/api/v1/cases/{case['id']}/outcome",
        json=_outcome(case["recommended_options"] or ["x"], care_plan_intent="Q"),
        headers=tenants.headers("chair"),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_care_plan_intent"


def test_bulk_confirmation_records_cr8110_code_2(client, tenants):
    meeting_id, case = _first_case(client, tenants, "standard_of_care")
    response = client.post(
        f"/api/v1/meetings/{meeting_id}/confirm-standard-of-care", headers=tenants.headers("chair")
    )
    assert response.status_code == 200, response.text
    assert case["id"] in response.json()["case_ids"]
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=tenants.headers("chair")).json()
    assert detail["outcome"]["discussion_type"] == "2"
    soc = case["standard_of_care"]
    assert detail["outcome"]["chosen_options"] == [f"{soc['decision']}/{soc['option']}"]
    assert detail["status"] == "decided"
    # COSD CR0460 / CR0470 as the pack declares them for this Standard of Care
    from openmdt.knowledge import load_pack

    declared = next(s for s in load_pack("prostate-nice-ng131").standards if s.id == soc["id"])
    assert detail["outcome"]["care_plan_intent"] == declared.care_plan_intent is not None
    assert detail["outcome"]["planned_treatment_types"] == list(declared.planned_treatment_types)
    assert detail["outcome"]["planned_treatment_types"]


def test_attendance_and_quoracy(client, tenants):
    meeting_id = new_meeting(client, tenants)
    url = f"/api/v1/meetings/{meeting_id}/attendance"
    people = [
        {"name": "Dr A", "professional_role": "urologist"},
        {"name": "Dr B", "professional_role": "radiologist"},
    ]
    partial = client.post(url, json={"attendees": people}, headers=tenants.headers("coordinator"))
    assert partial.status_code == 200, partial.text
    assert partial.json()["quorate"] is False
    assert "histopathologist" in partial.json()["missing"]
    everyone = people + [
        {"name": n, "professional_role": r}
        for n, r in (
            ("Dr C", "clinical_oncologist"),
            ("Dr D", "histopathologist"),
            ("Nurse E", "cancer_nurse_specialist"),
        )
    ]
    full = client.post(url, json={"attendees": everyone}, headers=tenants.headers("coordinator"))
    assert full.json() == {**full.json(), "quorate": True, "missing": []}


def test_roll_over_counts_and_finalise_locks(client, tenants):
    meeting_id = new_meeting(client, tenants, meeting_date="2026-12-01")
    later_id = new_meeting(client, tenants, meeting_date="2026-12-08")
    case_ids = import_list(client, tenants, meeting_id, synthetic_list(4)).json()["case_ids"]
    chair = tenants.headers("chair")
    rolled = client.post(
        f"/api/v1/cases/{case_ids[0]}/roll-over", json={"to_meeting_id": later_id}, headers=chair
    )
    assert rolled.status_code == 201, rolled.text
    assert rolled.json()["rollover_count"] == 1
    blocked = client.post(f"/api/v1/meetings/{meeting_id}/finalise", headers=chair)
    assert blocked.status_code == 409
    final = client.post(
        f"/api/v1/meetings/{meeting_id}/finalise", json={"roll_over_to": later_id}, headers=chair
    )
    assert final.status_code == 200, final.text
    assert final.json()["status"] == "finalised"
    later = client.get(f"/api/v1/meetings/{later_id}", headers=chair).json()
    assert later["case_count"] == 4
    locked = client.patch(
        f"/api/v1/cases/{case_ids[1]}/facts",
        json={"facts": {"psa": 3}, "version": 1},
        headers=tenants.headers("coordinator"),
    )
    assert locked.status_code == 409
    assert locked.json()["code"] == "meeting_finalised"


def test_amendment_after_finalising_adds_a_version(client, tenants):
    meeting_id, case = _first_case(client, tenants, "full_discussion", n=1)
    chair = tenants.headers("chair")
    options = case["recommended_options"] or ["active_surveillance"]
    extra = (
        {}
        if case["recommended_options"]
        else {"deviation_code": "other", "deviation_text": "no option recommended"}
    )
    url = f"/api/v1/cases/{case['id']}/outcome"
    assert client.post(url, json=_outcome(options, **extra), headers=chair).status_code == 201
    assert client.post(f"/api/v1/meetings/{meeting_id}/finalise", headers=chair).status_code == 200
    again = client.post(url, json=_outcome(options, **extra), headers=chair)
    assert again.status_code == 409
    amended = client.post(
        url, json=_outcome(options, amendment_reason="typo in rationale", **extra), headers=chair
    )
    assert amended.status_code == 201, amended.text
    outcomes = amended.json()["outcomes"]
    assert [o["version"] for o in outcomes] == [1, 2]
    assert outcomes[1]["amendment_reason"] == "typo in rationale"
