"""Checking a whole meeting list before anything is stored (all lines valid, or none kept)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openmdt.meetings.access import json_ready
from openmdt.meetings.evaluation import case_error_dict
from openmdt.store.errors import ImportRejected, InvalidRequest
from openmdt.store.models import Meeting

FORMATS = ("csv", "jsonl", "json")


@dataclass(frozen=True)
class PreparedCase:
    """One valid line of the list, ready to store."""

    line: int
    case_ref: str
    site: str | None
    patient: dict[str, Any]
    facts: dict[str, Any]


def _read(text: str, fmt: str, source: str) -> list[Any]:
    from openmdt.cases import CaseError, read_cases

    if fmt not in FORMATS:
        raise InvalidRequest(
            f"Unknown list format {fmt!r}.", code="unknown_format", allowed=list(FORMATS)
        )
    try:
        return list(read_cases(text, fmt=fmt, source=source))
    except CaseError as error:
        raise ImportRejected("The list could not be read.", [case_error_dict(error)]) from error


def _problem(
    line: int, case_id: str | None, code: str, message: str, path: str | None = None
) -> dict[str, Any]:
    return {"line": line, "case_id": case_id, "code": code, "message": message, "path": path}


def _check_one(pack: Any, record: Any, seen: set[str]) -> tuple[PreparedCase | None, dict | None]:
    from openmdt.cases import CaseError
    from openmdt.engine import validate_case

    if record.error is not None:
        return None, case_error_dict(record.error, line=record.line, case_id=record.case_id)
    data = record.data or {}
    case_ref = str(data.get("case_id") or record.case_id or "")
    if case_ref in seen:
        return None, _problem(
            record.line,
            case_ref,
            "duplicate_case_id",
            f"Case {case_ref!r} appears more than once.",
            "case_id",
        )
    try:
        validate_case(pack, data)
    except CaseError as error:
        return None, case_error_dict(error, line=record.line, case_id=case_ref)
    seen.add(case_ref)
    facts = {k: v for k, v in (data.get("facts") or {}).items() if v is not None and v != ""}
    return PreparedCase(
        record.line,
        case_ref,
        data.get("site"),
        json_ready(data.get("patient") or {}),
        json_ready(facts),
    ), None


def prepare_import(
    pack: Any, meeting: Meeting, text: str, fmt: str, *, source: str
) -> list[PreparedCase]:
    """Validate every line; raise ImportRejected listing EVERY bad line, or return them all."""
    records = _read(text, fmt, source)
    seen = {case.case_ref for case in meeting.cases}
    prepared: list[PreparedCase] = []
    problems: list[dict[str, Any]] = []
    for record in records:
        case, problem = _check_one(pack, record, seen)
        if problem is not None:
            problems.append(problem)
        elif case is not None:
            prepared.append(case)
    if problems:
        raise ImportRejected(
            f"{len(problems)} of {len(records)} lines are invalid; nothing was imported.", problems
        )
    if not prepared:
        raise ImportRejected(
            "The list has no cases.", [_problem(1, None, "empty_list", "The list has no cases.")]
        )
    return prepared
