"""Attendance as present / remote / absent, the local quorum policy, and core members, on
SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from api_helpers import new_meeting

from openmdt import meetings
from openmdt.meetings.quoracy import POLICY_ENV, QuorumPolicyError, quorum_policy
from openmdt.store.errors import InvalidRequest, NotFound, PermissionDenied
from openmdt.store.models import AuditEvent, User

CORE = ["urologist", "clinical_oncologist", "radiologist", "histopathologist",
        "cancer_nurse_specialist"]


def _attend(client, tenants, meeting_id, attendees, who="coordinator"):
    return client.post(f"/api/v1/meetings/{meeting_id}/attendance",
                       json={"attendees": attendees}, headers=tenants.headers(who))


def _everyone(status_of_oncologist: str) -> list[dict]:
    return [{"name": f"Dr {role}", "professional_role": role,
             "status": status_of_oncologist if role == "clinical_oncologist" else "present"}
            for role in CORE]


def test_remote_counts_by_default_and_absent_does_not(client, tenants) -> None:
    meeting_id = new_meeting(client, tenants)
    remote = _attend(client, tenants, meeting_id, _everyone("remote"))
    assert remote.status_code == 200, remote.text
    assert remote.json()["quorate"] is True
    assert remote.json()["policy"]["local_policy"] is True
    absent = _attend(client, tenants, meeting_id, _everyone("absent")).json()
    assert absent["quorate"] is False and absent["missing"] == ["clinical_oncologist"]
    shown = client.get(f"/api/v1/meetings/{meeting_id}", headers=tenants.headers("chair"))
    statuses = {a["professional_role"]: a["status"] for a in shown.json()["attendance"]}
    assert statuses["clinical_oncologist"] == "absent"


def test_local_policy_file_sets_roles_and_whether_remote_counts(
        client, tenants, tmp_path, monkeypatch) -> None:
    policy = tmp_path / "quorum.json"
    policy.write_text(json.dumps({"remote_counts": False,
                                  "mdt_types": {"1201": ["urologist", "clinical_oncologist"]}}))
    monkeypatch.setenv(POLICY_ENV, str(policy))
    meeting_id = new_meeting(client, tenants)
    answer = _attend(client, tenants, meeting_id, [
        {"name": "Dr A", "professional_role": "urologist", "status": "present"},
        {"name": "Dr B", "professional_role": "clinical_oncologist", "status": "remote"},
    ]).json()
    assert answer["required"] == ["urologist", "clinical_oncologist"]
    assert answer["quorate"] is False and answer["missing"] == ["clinical_oncologist"]
    assert answer["policy"]["remote_counts"] is False


def test_a_policy_naming_an_unknown_role_is_refused_with_the_role(tmp_path, monkeypatch):
    policy = tmp_path / "quorum.json"
    policy.write_text(json.dumps({"mdt_types": {"1201": ["urologst"]}}))
    monkeypatch.setenv(POLICY_ENV, str(policy))
    with pytest.raises(QuorumPolicyError, match="urologst"):
        quorum_policy("1201")
    monkeypatch.delenv(POLICY_ENV)
    assert "urologist" in quorum_policy("1201").roles


def test_attendance_rejects_blank_names_and_unknown_status(client, tenants) -> None:
    meeting_id = new_meeting(client, tenants)
    blank = _attend(client, tenants, meeting_id,
                    [{"name": "  ", "professional_role": "urologist"}])
    assert blank.status_code == 422 and blank.json()["code"] == "missing_attendee_name"
    odd = client.post(f"/api/v1/meetings/{meeting_id}/attendance", headers=tenants.headers(
        "coordinator"), json={"attendees": [{"name": "Dr A", "professional_role": "urologist",
                                             "status": "late"}]})
    assert odd.status_code == 422
    cleared = _attend(client, tenants, meeting_id, [])
    assert cleared.status_code == 200 and cleared.json()["present"] == []


def _user(db, tenants, who: str) -> User:
    return db.get(User, tenants.user_ids[who])


def test_core_members_are_per_organisation_audited_and_role_checked(app, tenants) -> None:
    with app.state.openmdt.sessions() as db:
        coordinator = _user(db, tenants, "coordinator")
        member = meetings.add_core_member(db, "1201", "Dr Ash", "urologist",
                                          acting_user=coordinator)
        member_id = member.id
        assert [m.name for m in meetings.core_members(db, "1201", user=coordinator)] == ["Dr Ash"]
        other = _user(db, tenants, "other_coordinator")
        assert meetings.core_members(db, "1201", user=other) == []
        with pytest.raises(NotFound):
            meetings.remove_core_member(db, member_id, acting_user=other)
        with pytest.raises(PermissionDenied):
            meetings.add_core_member(db, "1201", "Dr Oak", "radiologist",
                                     acting_user=_user(db, tenants, "clinician"))
        with pytest.raises(InvalidRequest):
            meetings.add_core_member(db, "1201", " ", "radiologist", acting_user=coordinator)
        meetings.remove_core_member(db, member_id, acting_user=coordinator)
        assert meetings.core_members(db, "1201", user=coordinator) == []
        actions = [e.action for e in db.query(AuditEvent).order_by(AuditEvent.id)]
        assert actions[-2:] == ["add_core_member", "remove_core_member"]
