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
