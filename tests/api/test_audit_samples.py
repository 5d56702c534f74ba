"""The streamlining safety net: an auditor samples Standard-of-Care cases, clinicians review
them, the report shows the disagreement rate; other organisations see nothing."""

from __future__ import annotations

import json
import math

from api_helpers import import_list, new_meeting, synthetic_list
from typer.testing import CliRunner

from openmdt.cli import app as cli

Z = 1.959963984540054


def _meeting_with_list(client, tenants) -> dict:
    meeting_id = new_meeting(client, tenants)
    assert import_list(client, tenants, meeting_id, synthetic_list(30)).status_code == 201
    return client.get(f"/api/v1/meetings/{meeting_id}/agenda",
                      headers=tenants.headers("coordinator")).json()


def _draw(client, tenants, who="auditor", **extra):
    body = {"date_from": "2026-11-01", "date_to": "2026-12-31", "size": 2, "seed": 1, **extra}
    return client.post("/api/v1/audit-samples", json=body, headers=tenants.headers(who))


def test_sample_review_and_report(client, tenants, database_url, monkeypatch):
    agenda = _meeting_with_list(client, tenants)
    streamlined = agenda["standard_of_care"]
    assert len(streamlined) >= 3
    standards = [c["standard_of_care"]["id"] for c in sorted(streamlined,
                                                             key=lambda c: c["position"])]
    newest = max(set(standards), key=standards.index)  # the one whose first case is last
    assert _draw(client, tenants, who="coordinator").status_code == 403
    targeted = _draw(client, tenants, targeted_standard="newest").json()
    assert targeted["targeted_standard"] == newest
    assert sorted(c["case_id"] for c in targeted["cases"] if c["selection"] == "targeted") \
        == sorted(c["id"] for c in streamlined if c["standard_of_care"]["id"] == newest)
    rest = sum(s != newest for s in standards)
    assert sum(c["selection"] == "random" for c in targeted["cases"]) == min(2, rest)
    response = _draw(client, tenants)
    assert response.status_code == 201, response.text
    sample = response.json()
    assert [c["selection"] for c in sample["cases"]] == ["random", "random"]
    again = _draw(client, tenants).json()  # the same seed, the same cases
    assert [c["case_id"] for c in again["cases"]] == [c["case_id"] for c in sample["cases"]]
    first, second = sample["cases"]
    url = f"/api/v1/audit-samples/{sample['id']}/cases"
    clinician = tenants.headers("clinician")
    no_reason = client.post(f"{url}/{first['id']}/review", json={"verdict": "disagree"},
                            headers=clinician)
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "missing_reason"
    assert client.post(f"{url}/{first['id']}/review", headers=clinician, json={
        "verdict": "disagree", "reason": "PSA density not considered"}).status_code == 200
    assert client.post(f"{url}/{second['id']}/review", json={"verdict": "agree"},
                       headers=clinician).status_code == 200
    twice = client.post(f"{url}/{second['id']}/review", json={"verdict": "agree"},
                        headers=clinician)
    assert twice.status_code == 409
    assert client.get(f"/api/v1/audit-samples/{sample['id']}",
                      headers=tenants.headers("other_auditor")).status_code == 404
    assert client.post(f"{url}/{first['id']}/review", json={"verdict": "agree"},
                       headers=tenants.headers("other_chair")).status_code == 404
    monkeypatch.setenv("OPENMDT_DATABASE_URL", database_url)
    run = CliRunner().invoke(cli, ["report", "streamlining", "--format", "json",
                                   "--org", "Demo NHS Trust"])
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    review = report["review"]
    assert (review["samples"], review["reviewed"]) == (3, 2)
    assert review["disagreement"]["count"] == 1 and review["disagreement"]["rate"] == 0.5
    centre, half = (0.5 + Z * Z / 4) / (1 + Z * Z / 2), \
        Z * math.sqrt(0.25 / 2 + Z * Z / 16) / (1 + Z * Z / 2)
    assert abs(review["disagreement"]["ci95"][0] - (centre - half)) < 1e-12
    assert abs(review["disagreement"]["ci95"][1] - (centre + half)) < 1e-12
    assert review["flagged_standards"] == [first["standard_id"]]
    (meeting,) = report["meetings"]
    assert meeting["listed"] == 30
    assert meeting["routes"]["standard_of_care"] == len(streamlined)
    minutes = agenda["minutes_per_case"]
    assert meeting["minutes_before"] == 30 * minutes
    assert meeting["minutes_after"] == meeting["discussed"] * minutes


def test_an_empty_period_and_bad_requests(client, tenants):
    _meeting_with_list(client, tenants)
    empty = _draw(client, tenants, date_from="2025-01-01", date_to="2025-01-31").json()
    assert empty["cases"] == [] and empty["targeted_standard"] is None
    backwards = _draw(client, tenants, date_from="2026-12-31", date_to="2026-11-01")
    assert backwards.status_code == 422 and backwards.json()["code"] == "invalid_period"
    too_big = _draw(client, tenants, size=5000)
    assert too_big.status_code == 422
