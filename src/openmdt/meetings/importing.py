"""Checking a whole meeting list before anything is stored (all lines valid, or none kept)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from openmdt.cases.columns import canonical_header
from openmdt.cases.nhs_number import is_valid_nhs_number, normalised_nhs_number
from openmdt.cases.patient_details import normalised_ods_code, patient_detail_problems
from openmdt.meetings.access import json_ready
from openmdt.meetings.evaluation import case_error_dict
from openmdt.store.errors import ImportRejected, InvalidRequest
from openmdt.store.models import Meeting

FORMATS = ("csv", "jsonl", "json", "fhir")


@dataclass(frozen=True)
class PreparedCase:
    """One valid line of the list, ready to store."""

    line: int
    case_ref: str
    site: str | None
    patient: dict[str, Any]
    facts: dict[str, Any]
    flag_note: str | None = None  # why the case must be discussed (conflicts in a FHIR record)
    pathway_dates: dict[str, str] = field(default_factory=dict)  # ISO dates (cases.pathway)


def _read_fhir(pack: Any, text: str, source: str, as_of: Any
               ) -> tuple[list[Any], dict[str, str], list[dict[str, Any]]]:
    """The cases of a FHIR input (one per patient), the note flagging each case whose record
    has conflicting values, and the problems: invalid resources, and patients whose record
    does not hold the meeting pack's primary cancer."""
    from openmdt.cases import CaseInput
    from openmdt.interop.fhir_in import read_fhir_cases

    read = read_fhir_cases(text, pack, as_of, source)
    problems = [case_error_dict(error) for error in read.errors]
    records, notes = [], {}
    for index, case in enumerate(read.cases, start=1):
        if not case.primary_cancer:
            problems.append(_problem(index, case.case_id, "no_primary_cancer",
                                     f"Patient {case.case_id!r}: no Condition in the record is "
                                     f"the primary cancer of pack {pack.id!r}.", "Condition"))
            continue
        records.append(CaseInput(index, case.case_id, case.data))
        if case.conflicts:
            notes[case.case_id] = "; ".join(c.message(pack) for c in case.conflicts)
    return records, notes, problems


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


def _check_one(pack: Any, record: Any, seen: set[str], meeting_date: Any = None,
               on_meeting: dict[str, str] | None = None
               ) -> tuple[PreparedCase | None, dict | None]:
    from openmdt.cases import CaseError
    from openmdt.cases.pathway import pathway_dates_of
    from openmdt.engine import validate_case

    if record.error is not None:
        return None, case_error_dict(record.error, line=record.line, case_id=record.case_id)
    data = record.data or {}
    case_ref = str(data.get("case_id") or record.case_id or "")
    status = (on_meeting or {}).get(case_ref)
    if status is not None:
        return None, _problem(record.line, case_ref, "duplicate_case_id",
                              already_on_meeting(case_ref, status), "case_id")
    if case_ref in seen:
        return None, _problem(
            record.line,
            case_ref,
            "duplicate_case_id",
            f"Case {case_ref!r} appears more than once in the list.",
            "case_id",
        )
    try:
        validate_case(pack, data)
        dates = pathway_dates_of(data, meeting_date, case_id=case_ref)
    except CaseError as error:
        return None, case_error_dict(error, line=record.line, case_id=case_ref)
    nhs_problem = _nhs_number_problem(record.line, case_ref, data) \
        or _detail_problem(record.line, case_ref, data)
    if nhs_problem is not None:
        return None, nhs_problem
    seen.add(case_ref)
    facts = {k: v for k, v in (data.get("facts") or {}).items() if v is not None and v != ""}
    return PreparedCase(
        record.line,
        case_ref,
        data.get("site"),
        json_ready(data.get("patient") or {}),
        json_ready(facts),
        pathway_dates={name: day.isoformat() for name, day in dates.items()},
    ), None


def _nhs_number_problem(line: int, case_ref: str, data: dict[str, Any]) -> dict | None:
    """A patient's NHS number must pass the modulus-11 check (spaces and hyphens allowed);
    it is stored as ten digits."""
    patient = data.get("patient")
    if not isinstance(patient, dict) or not patient.get("nhs_number"):
        return None
    number = normalised_nhs_number(patient["nhs_number"])
    if not is_valid_nhs_number(number):
        return _problem(line, case_ref, "invalid_nhs_number",
                        f"Case {case_ref!r}: the NHS number {patient['nhs_number']!r} is not "
                        "valid: allowed ten digits whose last is the modulus-11 check digit.",
                        "patient.nhs_number")
    patient["nhs_number"] = number
    return None


def _detail_problem(line: int, case_ref: str, data: dict[str, Any]) -> dict | None:
    """The first patient detail (e.g. the GP practice's ODS code) that is not allowed; a
    valid ODS code is stored in capitals."""
    patient = data.get("patient")
    if not isinstance(patient, dict):
        return None
    problems = patient_detail_problems(patient)
    if problems:
        first = problems[0]
        return _problem(line, case_ref, "invalid_patient_detail",
                        f"Case {case_ref!r}: {first.message}", first.path)
    if patient.get("gp_practice_code"):
        patient["gp_practice_code"] = normalised_ods_code(patient["gp_practice_code"])
    return None


def already_on_meeting(case_ref: str, status: str) -> str:
    """Why a case reference already at the meeting cannot be imported again, and what to do
    instead."""
    if status == "removed":
        return (f"Case {case_ref!r} was taken off this meeting's list: put it back on the "
                "list from 'Removed from this meeting' on the agenda instead of importing it "
                "again.")
    return f"Case {case_ref!r} is already on this meeting's list."


def _already_on_meeting(meeting: Meeting, records: list[Any]) -> dict[str, Any] | None:
    """One problem for a list every case of which is already on this meeting (a re-import)."""
    existing = {case.case_ref: case.status for case in meeting.cases}
    refs = [str((r.data or {}).get("case_id") or r.case_id or "") for r in records
            if r.error is None]
    if not (refs and existing and all(ref in existing for ref in refs)):
        return None
    if len(refs) == 1:  # one patient (added late): say which, and what to do instead
        return _problem(1, refs[0], "already_imported",
                        already_on_meeting(refs[0], existing[refs[0]]), "case_id")
    removed = sum(existing[ref] == "removed" for ref in refs)
    return _problem(1, None, "already_imported",
                    f"All {len(refs)} cases of this list are already on this meeting; "
                    "nothing was imported." + (
                        f" {removed} of them were taken off the list: put them back from "
                        "'Removed from this meeting' on the agenda." if removed else ""))


def _patient_problems(meeting: Meeting, prepared: list[PreparedCase]) -> list[dict[str, Any]]:
    """The same patient (NHS number) twice in the list, or already on this meeting under
    another case id: each is an error naming both."""
    problems = []
    first: dict[str, PreparedCase] = {}
    on_meeting = {str((c.patient or {}).get("nhs_number")): c.case_ref for c in meeting.cases
                  if (c.patient or {}).get("nhs_number")}
    for case in prepared:
        number = case.patient.get("nhs_number")
        if not number:
            continue
        if number in on_meeting:
            problems.append(_problem(
                case.line, case.case_ref, "duplicate_patient",
                f"Case {case.case_ref!r}: this patient (NHS number) is already on this meeting "
                f"as case {on_meeting[number]!r}.", "patient.nhs_number"))
        elif number in first:
            earlier = first[number]
            problems.append(_problem(
                case.line, case.case_ref, "duplicate_patient",
                f"Case {case.case_ref!r}: the same patient (NHS number) as case "
                f"{earlier.case_ref!r} on line {earlier.line}.", "patient.nhs_number"))
        else:
            first[number] = case
    return problems


def _checked_columns(pack: Any, text: str, fmt: str) -> str:
    """A CSV list with its header spelled as the pack spells it; a column that names nothing
    is ONE problem naming it (with "did you mean"), not one per row."""
    if fmt != "csv":
        return text
    text, unknown = canonical_header(text, pack.items)
    if unknown:
        raise ImportRejected(
            f"{len(unknown)} column{'s' if len(unknown) != 1 else ''} of the header "
            "name nothing the list or the pack knows; nothing was imported.",
            [_problem(1, None, "unknown_column", column.message, column.name)
             for column in unknown])
    return text


def prepare_import(
    pack: Any, meeting: Meeting, text: str, fmt: str, *, source: str
) -> list[PreparedCase]:
    """Validate every line; raise ImportRejected listing EVERY bad line, or return them all."""
    notes: dict[str, str] = {}
    problems: list[dict[str, Any]] = []
    if fmt == "fhir":
        records, notes, problems = _read_fhir(pack, text, source, meeting.meeting_date)
    else:
        records = _read(_checked_columns(pack, text, fmt), fmt, source)
    again = _already_on_meeting(meeting, records)
    if again is not None:
        raise ImportRejected(again["message"], [again])
    on_meeting = {case.case_ref: case.status for case in meeting.cases}
    seen: set[str] = set()
    prepared: list[PreparedCase] = []
    for record in records:
        case, problem = _check_one(pack, record, seen, meeting.meeting_date, on_meeting)
        if problem is not None:
            problems.append(problem)
        elif case is not None:
            prepared.append(replace(case, flag_note=notes.get(case.case_ref)))
    problems += _patient_problems(meeting, prepared)
    if problems:
        raise ImportRejected(
            f"{len(problems)} of {len(records)} lines are invalid; nothing was imported.", problems
        )
    if not prepared:
        raise ImportRejected(
            "The list has no cases.", [_problem(1, None, "empty_list", "The list has no cases.")]
        )
    return prepared
