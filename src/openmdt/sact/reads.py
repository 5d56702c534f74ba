"""Courses and prescriptions as JSON (one shape for the API and the pages)."""

from __future__ import annotations

from typing import Any

from openmdt.sact.protocols import load_protocol
from openmdt.store.sact_tables import SactCourse, SactPrescription


def course_json(course: SactCourse, *, with_cycles: bool = True) -> dict[str, Any]:
    """A course: patient, protocol, decision to treat, and (optionally) its cycles."""
    protocol = load_protocol(course.protocol_id)
    result: dict[str, Any] = {
        "id": course.id, "version": course.row_version, "status": course.status,
        "patient": {"nhs_number": course.nhs_number, "name": course.patient_name,
                    "birth_date": course.birth_date.isoformat(), "sex": course.sex,
                    "height_cm": course.height_cm},
        "protocol": {"id": protocol.id, "version": course.protocol_version,
                     "title": protocol.title, "cycles": protocol.cycles,
                     "cycle_length_days": protocol.cycle_length_days},
        "meeting_case_id": course.meeting_case_id, "indication": course.indication,
        "dpyd_status": course.dpyd_status, "chest_radiotherapy": course.chest_radiotherapy,
    }
    if with_cycles:
        result["cycles"] = [prescription_json(p) for p in course.prescriptions]
    return result


def prescription_json(p: SactPrescription) -> dict[str, Any]:
    """A cycle's prescription: status and version, doses, checks, overrides and each step."""
    return {
        "id": p.id, "course_id": p.course_id, "cycle": p.cycle_number, "status": p.status,
        "version": p.row_version, "treatment_date": p.treatment_date.isoformat(),
        "measures": p.measures, "results": p.results, "doses": p.calculation,
        "checks": p.checks, "overrides": p.overrides, "change_reason": p.change_reason,
        "prescribed": _step(p.prescribed_by_id, p.prescribed_at),
        "verified": _step(p.verified_by_id, p.verified_at) | {"details": p.verification},
        "released": _step(p.released_by_id, p.released_at),
        "administered": _step(p.administered_by_id, p.administered_at)
        | {"details": p.administration},
    }


def _step(user_id: int | None, at: Any) -> dict[str, Any]:
    return {"by": user_id, "at": None if at is None else at.isoformat()}
