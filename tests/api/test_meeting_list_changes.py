"""The meeting's list while it runs and changes: now discussing, late patients, removal,
moving and reordering; audited, role-checked and tenant-scoped, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from api_helpers import import_list, new_meeting, synthetic_list

from openmdt import meetings
from openmdt.store.errors import InvalidRequest, NotFound, PermissionDenied
from openmdt.store.models import AuditEvent, User


def _user(db, tenants, who: str) -> User:
    return db.get(User, tenants.user_ids[who])


def _listed(client, tenants, n: int = 4, meeting_date: str = "2026-12-01"):
    meeting_id = new_meeting(client, tenants, meeting_date=meeting_date)
    case_ids = import_list(client, tenants, meeting_id, synthetic_list(n)).json()["case_ids"]
    return meeting_id, case_ids


def _actions(db) -> list[str]:
    return [event.action for event in db.query(AuditEvent).order_by(AuditEvent.id)]


def test_now_discussing_is_stored_audited_and_shown(app, client, tenants) -> None:
    meeting_id, case_ids = _listed(client, tenants)
    with app.state.openmdt.sessions() as db:
        meetings.set_now_discussing(db, meeting_id, case_ids[2],
                                    acting_user=_user(db, tenants, "chair"))
        assert _actions(db)[-1] == "set_now_discussing"
        with pytest.raises(PermissionDenied):
            meetings.set_now_discussing(db, meeting_id, case_ids[1],
                                        acting_user=_user(db, tenants, "clinician"))
        with pytest.raises(NotFound):
            meetings.set_now_discussing(db, meeting_id, case_ids[1],
                                        acting_user=_user(db, tenants, "other_chair"))
    shown = client.get(f"/api/v1/meetings/{meeting_id}", headers=tenants.headers("clinician"))
    assert shown.json()["now_discussing_case_id"] == case_ids[2]


def test_now_discussing_must_be_a_case_of_that_meeting(app, client, tenants) -> None:
    meeting_id, _ = _listed(client, tenants)
    _, elsewhere = _listed(client, tenants, meeting_date="2026-12-08")
    with app.state.openmdt.sessions() as db, pytest.raises(InvalidRequest):
        meetings.set_now_discussing(db, meeting_id, elsewhere[0],
                                    acting_user=_user(db, tenants, "chair"))


def _agenda(client, tenants, meeting_id) -> dict:
    return client.get(f"/api/v1/meetings/{meeting_id}/agenda",
                      headers=tenants.headers("chair")).json()


def test_late_patient_goes_to_the_end_with_import_checks(app, client, tenants) -> None:
    meeting_id, case_ids = _listed(client, tenants, 3)
    late = {"case_id": "LATE-1", "patient": {"name": "SYNTHETIC Late Patient",
                                             "nhs_number": "943 476 5919"},
            "facts": {"mdt_question": "Surgery or radiotherapy?"}}
    with app.state.openmdt.sessions() as db:
        coordinator = _user(db, tenants, "coordinator")
        case = meetings.add_late_case(db, meeting_id, late, acting_user=coordinator)
        assert case.position == max(c.position for c in case.meeting.cases)
        assert _actions(db)[-1] == "import_cases"
        from openmdt.store.errors import ImportRejected

        with pytest.raises(ImportRejected) as rejected:
            meetings.add_late_case(db, meeting_id, {**late, "case_id": "LATE-2",
                                                    "patient": {"nhs_number": "9434765918"}},
                                   acting_user=coordinator)
        assert rejected.value.errors[0]["code"] == "invalid_nhs_number"
        with pytest.raises(PermissionDenied):
            meetings.add_late_case(db, meeting_id, {**late, "case_id": "LATE-3"},
                                   acting_user=_user(db, tenants, "clinician"))
        with pytest.raises(NotFound):
            meetings.add_late_case(db, meeting_id, {**late, "case_id": "LATE-4"},
                                   acting_user=_user(db, tenants, "other_coordinator"))
    assert _agenda(client, tenants, meeting_id)["counts"]["total"] == 4


def test_remove_needs_a_reason_keeps_the_record_and_is_audited(app, client, tenants) -> None:
    meeting_id, case_ids = _listed(client, tenants, 3)
    with app.state.openmdt.sessions() as db:
        coordinator = _user(db, tenants, "coordinator")
        with pytest.raises(InvalidRequest):
            meetings.remove_case(db, case_ids[0], reason="  ", acting_user=coordinator)
        with pytest.raises(NotFound):
            meetings.remove_case(db, case_ids[0], reason="Died",
                                 acting_user=_user(db, tenants, "other_coordinator"))
        with pytest.raises(PermissionDenied):
            meetings.remove_case(db, case_ids[0], reason="Died",
                                 acting_user=_user(db, tenants, "clinician"))
        meetings.set_now_discussing(db, meeting_id, case_ids[0], acting_user=coordinator)
        removed = meetings.remove_case(db, case_ids[0], reason="Patient chose private care",
                                       acting_user=coordinator)
        assert removed.status == "removed" and removed.meeting.now_discussing_case_id is None
        event = db.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
        assert event.action == "remove_case"
        assert event.details["reason"] == "Patient chose private care"
        from openmdt.store.errors import WorkflowConflict

        with pytest.raises(WorkflowConflict):
            meetings.remove_case(db, case_ids[0], reason="again", acting_user=coordinator)
        with pytest.raises(WorkflowConflict):
            meetings.move_case(db, case_ids[0], direction="up", acting_user=coordinator)
    agenda = _agenda(client, tenants, meeting_id)
    assert agenda["counts"]["total"] == 2 and agenda["counts"]["removed"] == 1
    assert agenda["removed"][0]["removal_reason"] == "Patient chose private care"
    assert case_ids[0] not in [case["id"] for case in agenda["cases"]]


def test_a_removed_patient_is_put_back_in_their_place_not_imported_again(app, client,
                                                                          tenants) -> None:
    meeting_id, case_ids = _listed(client, tenants, 3)
    coordinator = tenants.headers("coordinator")
    before = [c["id"] for c in _agenda(client, tenants, meeting_id)["cases"]]
    ref = client.get(f"/api/v1/cases/{case_ids[1]}", headers=coordinator).json()["case_ref"]
    client.post(f"/api/v1/cases/{case_ids[1]}/remove", headers=coordinator,
                json={"reason": "Listed by mistake"})
    again = client.post(f"/api/v1/meetings/{meeting_id}/late-cases", headers=coordinator,
                        json={"case_id": ref})
    assert again.status_code == 422
    assert "put it back on the list" in again.text and "Removed from this meeting" in again.text
    assert client.post(f"/api/v1/cases/{case_ids[1]}/restore",
                       headers=tenants.headers("clinician")).status_code == 403
    assert client.post(f"/api/v1/cases/{case_ids[1]}/restore",
                       headers=tenants.headers("other_coordinator")).status_code == 404
    restored = client.post(f"/api/v1/cases/{case_ids[1]}/restore", headers=coordinator)
    assert restored.status_code == 200 and restored.json()["status"] == "listed"
    agenda = _agenda(client, tenants, meeting_id)
    assert [c["id"] for c in agenda["cases"]] == before  # back in the place they had
    assert agenda["counts"]["removed"] == 0
    twice = client.post(f"/api/v1/cases/{case_ids[1]}/restore", headers=coordinator)
    assert twice.status_code == 409 and twice.json()["code"] == "not_removed"
    with app.state.openmdt.sessions() as db:
        event = db.query(AuditEvent).filter_by(action="restore_case").one()
        assert event.details["removed_because"] == "Listed by mistake"


def _section_of(agenda: dict, case_id: int) -> list[int]:
    route = next(c["route"] for c in agenda["cases"] if c["id"] == case_id)
    return [c["id"] for c in agenda[route]]


def test_reorder_swaps_within_the_agenda_section_and_is_audited(app, client, tenants) -> None:
    meeting_id, case_ids = _listed(client, tenants, 12)
    agenda = _agenda(client, tenants, meeting_id)
    route = max(("full_discussion", "not_ready", "standard_of_care"),
                key=lambda r: len(agenda[r]))
    section = [c["id"] for c in agenda[route]]
    assert len(section) >= 2
    with app.state.openmdt.sessions() as db:
        chair = _user(db, tenants, "chair")
        meetings.move_case(db, section[1], direction="up", acting_user=chair)
        assert _actions(db)[-1] == "move_case"
        meetings.move_case(db, section[1], direction="up", acting_user=chair)  # now first
        with pytest.raises(InvalidRequest):
            meetings.move_case(db, section[0], direction="sideways", acting_user=chair)
        with pytest.raises(NotFound):
            meetings.move_case(db, section[0], direction="up",
                               acting_user=_user(db, tenants, "other_chair"))
    after = _section_of(_agenda(client, tenants, meeting_id), section[0])
    assert after[:2] == [section[1], section[0]]
    assert sorted(after) == sorted(section)


def test_move_to_a_later_meeting_from_a_listed_case(app, client, tenants) -> None:
    meeting_id, case_ids = _listed(client, tenants, 2)
    later = new_meeting(client, tenants, meeting_date="2026-12-15")
    with app.state.openmdt.sessions() as db:
        moved = meetings.roll_over_case(db, case_ids[1], to_meeting_id=later,
                                        acting_user=_user(db, tenants, "coordinator"),
                                        reason="Awaiting MRI")
        assert moved.meeting_id == later and moved.rollover_count == 1
        assert _actions(db)[-1] == "roll_over_case"
        choices = meetings.later_open_meetings(db, moved.meeting,
                                               user=_user(db, tenants, "coordinator"))
        assert later not in [m.id for m in choices]


def test_list_changes_over_http(client, tenants) -> None:
    meeting_id, case_ids = _listed(client, tenants, 3)
    coordinator = tenants.headers("coordinator")
    late = client.post(f"/api/v1/meetings/{meeting_id}/late-cases", headers=coordinator,
                       json={"case_id": "LATE-H", "patient": {"name": "SYNTHETIC Http"}})
    assert late.status_code == 201, late.text
    assert late.json()["fact_versions"][0]["reason"] == "imported from added late"
    now = client.post(f"/api/v1/meetings/{meeting_id}/now-discussing", headers=coordinator,
                      json={"case_id": case_ids[1]})
    assert now.status_code == 200 and now.json()["now_discussing_case_id"] == case_ids[1]
    moved = client.post(f"/api/v1/cases/{case_ids[2]}/move", headers=coordinator,
                        json={"direction": "sideways"})
    assert moved.status_code == 422
    no_reason = client.post(f"/api/v1/cases/{case_ids[0]}/remove", headers=coordinator,
                            json={"reason": ""})
    assert no_reason.status_code == 422
    assert no_reason.json()["code"] == "missing_removal_reason"
    removed = client.post(f"/api/v1/cases/{case_ids[0]}/remove", headers=coordinator,
                          json={"reason": "Moved away"})
    assert removed.status_code == 200 and removed.json()["status"] == "removed"
    assert client.post(f"/api/v1/cases/{case_ids[1]}/remove", json={"reason": "x"},
                       headers=tenants.headers("clinician")).status_code == 403
    assert client.post(f"/api/v1/cases/{case_ids[1]}/remove", json={"reason": "x"},
                       headers=tenants.headers("other_coordinator")).status_code == 404
