"""The concordance audit over outcomes recorded in the database (report concordance --from)."""

from __future__ import annotations

import json

from api_helpers import import_list, new_meeting
from test_option_identity import LOW_RISK, M0_HIGH_RISK, _outcome
from typer.testing import CliRunner

from openmdt.cli import app as cli

PRIMARY_ADT = "localised_treatment/primary_adt"


def _decide(client, tenants, case, options, who="chair", meeting_date="2026-12-01", **extra):
    meeting_id = new_meeting(client, tenants, who="other_coordinator" if who == "other_chair"
                             else "coordinator", meeting_date=meeting_date)
    case_id = import_list(client, tenants, meeting_id, [case],
                          who="other_coordinator" if who == "other_chair"
                          else "coordinator").json()["case_ids"][0]
    response = client.post(f"/api/v1/cases/{case_id}/outcome",
                           json={**_outcome(options), **extra}, headers=tenants.headers(who))
    assert response.status_code == 201, response.text
    return response.json()["outcome"]


def _report(database_url, monkeypatch, *args):
    monkeypatch.setenv("OPENMDT_DATABASE_URL", database_url)
    result = CliRunner().invoke(cli, ["report", "concordance", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_recorded_outcomes_are_audited_per_organisation_and_period(
        client, tenants, database_url, monkeypatch):
    followed = _decide(client, tenants, M0_HIGH_RISK,
                       ["docetaxel", "localised_treatment/radical_radiotherapy"])
    assert followed["concordant"] is True
    deviated = _decide(client, tenants, LOW_RISK, [PRIMARY_ADT], meeting_date="2026-12-08",
                       deviation_code="patient_choice", deviation_text="Prefers ADT")
    assert deviated["concordant"] is False
    _decide(client, tenants, LOW_RISK, [PRIMARY_ADT], who="other_chair",
            deviation_code="comorbidity", deviation_text="Frail")
    report = _report(database_url, monkeypatch, "--org", "Demo NHS Trust")
    assert report["cases"] == 2
    counts = report["concordance"]
    assert (counts["concordant"], counts["non_concordant"]) == (2, 1)
    assert report["by_organisation"].keys() == {"Demo NHS Trust"}
    (deviation,) = report["non_concordant"]
    assert deviation["case_id"] == "L-1" and deviation["reason"] == "patient_choice"
    december_first = _report(database_url, monkeypatch, "--org", "Demo NHS Trust",
                             "--from", "2026-12-01", "--to", "2026-12-07")
    assert december_first["cases"] == 1
    assert december_first["provenance"]["period"] == ["2026-12-01", "2026-12-07"]
    everyone = _report(database_url, monkeypatch)
    assert everyone["cases"] == 3 and len(everyone["by_organisation"]) == 2


def test_recorded_pathway_counts_days_lost_to_a_roll_over(client, tenants, database_url,
                                                         monkeypatch):
    sparse = {**LOW_RISK, "facts": {k: v for k, v in LOW_RISK["facts"].items()
                                    if k != "grade_group"},
              "pathway": {"referral_date": "2026-11-02", "diagnosis_date": "2026-11-20"}}
    first = new_meeting(client, tenants, meeting_date="2026-12-01")
    later = new_meeting(client, tenants, meeting_date="2026-12-08")
    case_id = import_list(client, tenants, first, [sparse]).json()["case_ids"][0]
    detail = client.get(f"/api/v1/cases/{case_id}", headers=tenants.headers("chair")).json()
    assert detail["route"] == "not_ready" and "grade_group" in detail["data_requests"]
    moved = client.post(f"/api/v1/cases/{case_id}/roll-over", json={"to_meeting_id": later},
                        headers=tenants.headers("coordinator"))
    assert moved.status_code == 201, moved.text
    monkeypatch.setenv("OPENMDT_DATABASE_URL", database_url)
    result = CliRunner().invoke(cli, ["report", "pathway", "--format", "json",
                                      "--org", "Demo NHS Trust"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    lost = report["days_lost"]
    assert (lost["cases"], lost["days"]) == (1, 7)
    assert lost["by_item"]["grade_group"] == {"cases": 1, "days": 7}
    assert report["cases"] == 1  # counted once, at its last listing
    assert report["steps"]["all"]["diagnosis_date->meeting_date"]["median"] == 18  # 8 Dec
    fds = next(s for s in report["standards"] if s["key"] == "faster_diagnosis")
    assert (fds["met"], fds["with_both_dates"]) == (1, 1)  # 2 to 20 November: 18 days
