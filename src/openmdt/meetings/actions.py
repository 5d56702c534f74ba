"""Named actions of the meeting workflow; each writes its audit row in the same transaction."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from openmdt.knowledge.words import date_words
from openmdt.meetings import codes
from openmdt.meetings.access import (
    DECIDE_ROLES,
    EDIT_ROLES,
    FLAG_ROLES,
    action,
    case_for,
    json_ready,
    meeting_for,
    require_open,
    require_role,
)
from openmdt.meetings.evaluation import (
    evaluate_facts,
    pack_by_id,
    recommended_options,
    standard_of_care,
)
from openmdt.meetings.importing import already_on_meeting, prepare_import
from openmdt.meetings.options import option_ref, qualify
from openmdt.meetings.quoracy import quoracy_of
from openmdt.store.audit import append_audit
from openmdt.store.errors import ImportRejected, InvalidRequest, StaleVersion, WorkflowConflict
from openmdt.store.models import (
    FactVersion,
    Meeting,
    MeetingCase,
    Outcome,
    User,
)
from openmdt.store.text_checks import require_clean_case, require_clean_text

# Only ids and counts are logged: never names, NHS numbers or facts.
log = logging.getLogger("openmdt.meetings")


def _now() -> datetime:
    return datetime.now(UTC)


def audit(
    session: Session, user: User, name: str, entity: str, entity_id: int | None, **details: Any
) -> None:
    """Append the audit row of a named action (same transaction as the change)."""
    append_audit(
        session,
        action=name,
        entity_type=entity,
        entity_id=entity_id,
        details=json_ready(details),
        acting_user=user,
    )


@action
def create_meeting(
    session: Session,
    *,
    acting_user: User,
    meeting_date: date,
    mdt_type: str,
    site_code: str,
    pack_id: str,
    title: str | None = None,
) -> Meeting:
    """Schedule a meeting of a COSD MDT type (CR3190) that evaluates cases with `pack_id`."""
    require_role(acting_user, EDIT_ROLES)
    require_clean_text(mdt_type=mdt_type, site_code=site_code, pack_id=pack_id, title=title)
    if mdt_type not in codes.MDT_TYPES:
        raise InvalidRequest(
            f"MDT type {mdt_type!r} is not a known COSD CR3190 code.",
            code="unknown_mdt_type",
            allowed=sorted(codes.MDT_TYPES),
        )
    if not site_code.strip():
        raise InvalidRequest("The meeting site (ODS site code) is required.", code="missing_site")
    pack_by_id(pack_id)
    meeting = Meeting(
        organisation_id=acting_user.organisation_id,
        title=title or f"{codes.MDT_TYPES[mdt_type]} {date_words(meeting_date)}",
        meeting_date=meeting_date,
        mdt_type=mdt_type,
        site_code=site_code.strip(),
        pack_id=pack_id,
        status="open",
        created_by_id=acting_user.id,
        created_at=_now(),
    )
    session.add(meeting)
    session.flush()
    audit(
        session,
        acting_user,
        "create_meeting",
        "meeting",
        meeting.id,
        meeting_date=meeting_date,
        mdt_type=mdt_type,
        site_code=site_code,
        pack_id=pack_id,
    )
    log.info("meeting %s created", meeting.id)
    return meeting


def _case_data(case: MeetingCase, facts: dict[str, Any]) -> dict[str, Any]:
    return {"case_id": case.case_ref, "site": case.site, "patient": case.patient, "facts": facts}


def _effective_route(case: MeetingCase, engine_route: str | None) -> str | None:
    # A clinician's flag overrides a Standard of Care (or any other) route.
    return "full_discussion" if case.flagged else engine_route


def _add_fact_version(
    session: Session,
    case: MeetingCase,
    meeting: Meeting,
    facts: dict[str, Any],
    *,
    user: User,
    reason: str | None,
    pathway_dates: dict[str, str],
) -> FactVersion:
    pack = pack_by_id(meeting.pack_id)
    evaluated = evaluate_facts(pack, _case_data(case, facts), meeting.meeting_date)
    version = _fact_version(case, facts, evaluated, user=user, reason=reason)
    version.pathway_dates = pathway_dates
    session.add(version)
    case.route = _effective_route(case, evaluated.route)
    session.flush()
    return version


def _fact_version(case: MeetingCase, facts: dict[str, Any], evaluated: Any, *, user: User,
                  reason: str | None) -> FactVersion:
    return FactVersion(
        case_id=case.id,
        version=case.version,
        facts=facts,
        reason=reason,
        evaluation=evaluated.evaluation,
        pack_id=evaluated.pack_id,
        pack_version=evaluated.pack_version,
        pack_hash=evaluated.pack_hash,
        route=evaluated.route,
        created_by_id=user.id,
        created_at=_now(),
    )


@action
def import_cases(
    session: Session,
    meeting_id: int,
    text: str,
    fmt: str,
    *,
    acting_user: User,
    source: str = "upload",
) -> list[MeetingCase]:
    """Add a meeting list (CSV, JSONL or a JSON array): every line valid, or nothing stored.

    Reading, validating and evaluating the list happen before any write; the cases are then
    written in one short transaction, so a long list holds the write lock (on SQLite: the
    whole database's) only while it is stored, not while it is checked.
    """
    require_role(acting_user, EDIT_ROLES)
    meeting = meeting_for(session, meeting_id, acting_user)
    require_open(meeting)
    pack = pack_by_id(meeting.pack_id)
    prepared = prepare_import(pack, meeting, text, fmt, source=source)
    evaluated = [evaluate_facts(pack, _prepared_data(item), meeting.meeting_date)
                 for item in prepared]
    session.rollback()  # nothing written yet: the writes below start a fresh transaction
    lock_meeting(session, meeting_id)
    meeting = meeting_for(session, meeting_id, acting_user)
    require_open(meeting)
    _refuse_listed_twice(meeting, prepared)
    cases = _store_cases(session, meeting, prepared, evaluated, acting_user, source)
    audit(
        session,
        acting_user,
        "import_cases",
        "meeting",
        meeting.id,
        source=source,
        format=fmt,
        case_ids=[c.id for c in cases],
        count=len(cases),
    )
    log.info("meeting %s: %d cases imported", meeting.id, len(cases))
    return cases


def _prepared_data(item: Any) -> dict[str, Any]:
    return {"case_id": item.case_ref, "site": item.site, "patient": item.patient,
            "facts": item.facts}


def lock_meeting(session: Session, meeting_id: int) -> None:
    """Start the write transaction by locking the meeting: its row on PostgreSQL, the
    database on SQLite. Agenda positions read after this cannot be taken by another writer."""
    session.execute(update(Meeting).where(Meeting.id == meeting_id).values(id=Meeting.id))


def next_position(session: Session, meeting_id: int) -> int:
    """The agenda position after the meeting's last case (call with the meeting locked)."""
    last = session.scalar(
        select(func.max(MeetingCase.position)).where(MeetingCase.meeting_id == meeting_id))
    return 0 if last is None else last + 1


def _refuse_listed_twice(meeting: Meeting, prepared: list[Any]) -> None:
    listed = {case.case_ref: case.status for case in meeting.cases}
    clashes = [item for item in prepared if item.case_ref in listed]
    if clashes:  # listed by another import since this list was checked
        raise ImportRejected(
            f"{len(clashes)} cases are already at this meeting; nothing was imported.",
            [{"line": item.line, "case_id": item.case_ref, "code": "duplicate_case_id",
              "message": already_on_meeting(item.case_ref, listed[item.case_ref]),
              "path": "case_id"} for item in clashes])


def _store_cases(session: Session, meeting: Meeting, prepared: list[Any],
                 evaluated: list[Any], user: User, source: str) -> list[MeetingCase]:
    first_position = next_position(session, meeting.id)
    cases = [
        MeetingCase(organisation_id=meeting.organisation_id, meeting_id=meeting.id,
                    position=first_position + offset, case_ref=item.case_ref, site=item.site,
                    patient=item.patient, version=1, flagged=item.flag_note is not None,
                    flag_note=item.flag_note, status="listed",
                    flagged_by_role="import" if item.flag_note else None,
                    rollover_count=0, created_at=_now(),
                    route="full_discussion" if item.flag_note else result.route)
        for offset, (item, result) in enumerate(zip(prepared, evaluated, strict=True))
    ]
    session.add_all(cases)
    session.flush()
    reason = f"imported from {source}"
    rows = [_fact_version_row(case, item.facts, result, user=user, reason=reason,
                              pathway_dates=item.pathway_dates)
            for case, item, result in zip(cases, prepared, evaluated, strict=True)]
    session.execute(insert(FactVersion), rows)  # one batched statement, not one per case
    return cases


def _fact_version_row(case: MeetingCase, facts: dict[str, Any], evaluated: Any, *, user: User,
                      reason: str | None, pathway_dates: dict[str, str]) -> dict[str, Any]:
    return {"case_id": case.id, "version": case.version, "facts": facts, "reason": reason,
            "pathway_dates": pathway_dates,
            "evaluation": evaluated.evaluation, "pack_id": evaluated.pack_id,
            "pack_version": evaluated.pack_version, "pack_hash": evaluated.pack_hash,
            "route": evaluated.route, "created_by_id": user.id, "created_at": _now()}


def _merge_facts(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for name, value in changes.items():
        if value is None or value == "":
            merged.pop(name, None)  # clearing a value makes it unknown
        else:
            merged[name] = value
    return merged


@action
def update_facts(
    session: Session,
    case_id: int,
    facts: dict[str, Any],
    *,
    expected_version: int,
    acting_user: User,
    reason: str | None = None,
    pathway_dates: dict[str, Any] | None = None,
) -> MeetingCase:
    """Save changed facts and pathway dates as a new version and re-evaluate; StaleVersion if
    someone saved first. A pathway date given as None or "" is cleared."""
    require_role(acting_user, EDIT_ROLES)
    require_clean_case({"facts": facts})
    require_clean_text(free={"reason": reason})
    case = case_for(session, case_id, acting_user)
    require_open(case.meeting)
    if expected_version != case.version:
        raise StaleVersion(
            f"Case {case_id} is at version {case.version}, not {expected_version}; "
            "someone saved it since you read it.",
            current_version=case.version,
        )
    merged = json_ready(_merge_facts(case.current_facts, facts))
    dates_changes = pathway_dates or {}
    dates = _checked_pathway_dates(case, _merge_facts(case.current_pathway_dates, dates_changes))
    case.version += 1
    _add_fact_version(session, case, case.meeting, merged, user=acting_user, reason=reason,
                      pathway_dates=dates)
    audit(
        session,
        acting_user,
        "update_facts",
        "case",
        case.id,
        version=case.version,
        changed_items=sorted(facts),
        changed_dates=sorted(dates_changes),
        reason=reason,
    )
    return case


def _checked_pathway_dates(case: MeetingCase, dates: dict[str, Any]) -> dict[str, str]:
    """The pathway dates as ISO text, in order around the meeting date, or InvalidRequest
    naming both dates (and the item, value and what is allowed)."""
    from openmdt.cases import CaseError
    from openmdt.cases.pathway import pathway_dates_of

    try:
        parsed = pathway_dates_of({"pathway": dates}, case.meeting.meeting_date,
                                  case_id=case.case_ref)
    except CaseError as error:
        raise InvalidRequest(error.message, code=error.code, path=error.path, item=error.item,
                             value=error.value, allowed=error.allowed) from error
    return {name: day.isoformat() for name, day in parsed.items()}


@action
def flag_case(
    session: Session, case_id: int, *, acting_user: User, note: str | None = None
) -> MeetingCase:
    """Mark a case as needing full discussion, overriding a Standard of Care route."""
    require_role(acting_user, FLAG_ROLES)
    require_clean_text(free={"note": note})
    case = case_for(session, case_id, acting_user)
    require_open(case.meeting)
    if case.status != "listed":
        raise WorkflowConflict(f"Case {case_id} is already {case.status}.")
    case.flagged = True
    case.flagged_by_role = acting_user.role
    case.flag_note = note
    case.route = "full_discussion"
    audit(session, acting_user, "flag_case", "case", case.id, note=note)
    return case


def _check_outcome_fields(
    chosen_options: list[str],
    care_plan_intent: str | None,
    planned_treatment_types: list[str],
    rationale: str,
) -> None:
    if not chosen_options:
        raise InvalidRequest("Choose at least one option.", code="missing_chosen_option")
    if care_plan_intent not in codes.CARE_PLAN_INTENTS:
        raise InvalidRequest(
            f"Care plan intent {care_plan_intent!r} is not a COSD CR0460 code.",
            code="unknown_care_plan_intent",
            allowed=sorted(codes.CARE_PLAN_INTENTS),
        )
    unknown = [t for t in planned_treatment_types if t not in codes.PLANNED_TREATMENT_TYPES]
    if not planned_treatment_types or unknown:
        raise InvalidRequest(
            f"Planned treatment types must be COSD CR0470 codes (got {unknown or 'none'}).",
            code="unknown_treatment_type",
            allowed=sorted(codes.PLANNED_TREATMENT_TYPES),
        )
    if not rationale.strip():
        raise InvalidRequest("The rationale is required.", code="missing_rationale")


def _check_deviation(
    recommended: list[str], chosen: list[str], code: str | None, text: str | None
) -> bool:
    """True when concordant; a deviation needs a local reason code and free text."""
    concordant = all(option in recommended for option in chosen)
    if concordant:
        return True
    if code not in codes.DEVIATION_REASONS:
        raise InvalidRequest(
            "A chosen option is not among the recommended ones; give a deviation reason code.",
            code="missing_deviation_reason",
            allowed=sorted(codes.DEVIATION_REASONS),
        )
    if not (text or "").strip():
        raise InvalidRequest(
            "A deviation needs a free-text explanation.", code="missing_deviation_text"
        )
    return False


def _chosen_refs(case: MeetingCase, chosen: list[str]) -> list[str]:
    """The chosen options named by decision and option (``decision_id/option_id``); a bare
    option id is accepted only when one applicable decision of the case offers it."""
    refs: list[str] = []
    for given in chosen:
        ref = qualify(case.current_evaluation, str(given))
        if ref not in refs:
            refs.append(ref)
    return refs


def _new_outcome(
    case: MeetingCase,
    user: User,
    fields: dict[str, Any],
    *,
    discussion_type: str,
    amendment_reason: str | None = None,
) -> Outcome:
    recommended = recommended_options(case.current_evaluation)
    _check_outcome_fields(
        fields["chosen_options"],
        fields["care_plan_intent"],
        fields["planned_treatment_types"],
        fields["rationale"],
    )
    chosen = _chosen_refs(case, fields["chosen_options"])
    concordant = _check_deviation(
        recommended,
        chosen,
        fields.get("deviation_code"),
        fields.get("deviation_text"),
    )
    return Outcome(
        case_id=case.id,
        version=len(case.outcomes) + 1,
        discussion_type=discussion_type,
        chosen_options=chosen,
        recommended_options=recommended,
        concordant=concordant,
        care_plan_intent=fields["care_plan_intent"],
        planned_treatment_types=list(fields["planned_treatment_types"]),
        rationale=fields["rationale"].strip(),
        deviation_code=None if concordant else fields.get("deviation_code"),
        deviation_text=None if concordant else fields.get("deviation_text"),
        amendment_reason=amendment_reason,
        fact_version=case.version,
        recorded_by_id=user.id,
        recorded_at=_now(),
    )


@action
def record_outcome(
    session: Session,
    case_id: int,
    *,
    acting_user: User,
    chosen_options: list[str],
    care_plan_intent: str,
    planned_treatment_types: list[str],
    rationale: str,
    deviation_code: str | None = None,
    deviation_text: str | None = None,
) -> Outcome:
    """Record the MDT's decision for a discussed case (COSD CR8110 = 1)."""
    require_role(acting_user, DECIDE_ROLES)
    require_clean_text(chosen_options=chosen_options, care_plan_intent=care_plan_intent,
                       planned_treatment_types=planned_treatment_types,
                       deviation_code=deviation_code,
                       free={"rationale": rationale, "deviation_text": deviation_text})
    case = case_for(session, case_id, acting_user)
    require_open(case.meeting)
    if case.status != "listed" or case.outcomes:
        raise WorkflowConflict(f"Case {case_id} is already {case.status}; amend the outcome.")
    outcome = _new_outcome(
        case,
        acting_user,
        dict(
            chosen_options=chosen_options,
            care_plan_intent=care_plan_intent,
            planned_treatment_types=planned_treatment_types,
            rationale=rationale,
            deviation_code=deviation_code,
            deviation_text=deviation_text,
        ),
        discussion_type=codes.DISCUSSED_AT_TRUST_MDT,
    )
    session.add(outcome)
    case.outcomes.append(outcome)
    case.status = "decided"
    session.flush()
    audit(
        session,
        acting_user,
        "record_outcome",
        "case",
        case.id,
        outcome_version=1,
        chosen_options=chosen_options,
        concordant=outcome.concordant,
        deviation_code=outcome.deviation_code,
    )
    return outcome


@action
def amend_outcome(
    session: Session,
    case_id: int,
    *,
    acting_user: User,
    reason: str,
    chosen_options: list[str],
    care_plan_intent: str,
    planned_treatment_types: list[str],
    rationale: str,
    deviation_code: str | None = None,
    deviation_text: str | None = None,
) -> Outcome:
    """Add a new version of a recorded outcome (allowed after finalising); the reason is kept."""
    require_role(acting_user, DECIDE_ROLES)
    require_clean_text(chosen_options=chosen_options, care_plan_intent=care_plan_intent,
                       planned_treatment_types=planned_treatment_types,
                       deviation_code=deviation_code,
                       free={"reason": reason, "rationale": rationale,
                             "deviation_text": deviation_text})
    case = case_for(session, case_id, acting_user)
    if not case.outcomes:
        raise WorkflowConflict(f"Case {case_id} has no outcome to amend.")
    if not reason.strip():
        raise InvalidRequest("An amendment needs a reason.", code="missing_amendment_reason")
    outcome = _new_outcome(
        case,
        acting_user,
        dict(
            chosen_options=chosen_options,
            care_plan_intent=care_plan_intent,
            planned_treatment_types=planned_treatment_types,
            rationale=rationale,
            deviation_code=deviation_code,
            deviation_text=deviation_text,
        ),
        discussion_type=case.outcomes[-1].discussion_type,
        amendment_reason=reason.strip(),
    )
    session.add(outcome)
    case.outcomes.append(outcome)
    session.flush()
    audit(
        session,
        acting_user,
        "amend_outcome",
        "case",
        case.id,
        outcome_version=outcome.version,
        reason=reason,
        chosen_options=chosen_options,
        concordant=outcome.concordant,
    )
    return outcome


def _standard_of_care_outcome(case: MeetingCase, user: User) -> Outcome:
    pack = pack_by_id(case.meeting.pack_id)
    standard = standard_of_care(case.current_evaluation, pack) or {}
    option, decision = standard.get("option"), standard.get("decision")
    recommended = recommended_options(case.current_evaluation)
    chosen = [option_ref(decision, option)] if option and decision else recommended
    label = standard.get("title") or standard.get("id") or "a Standard of Care"
    return Outcome(
        case_id=case.id,
        version=len(case.outcomes) + 1,
        discussion_type=codes.ON_STANDARD_OF_CARE,
        chosen_options=chosen,
        recommended_options=recommended,
        concordant=True,
        # COSD CR0460 / CR0470 as the pack's Standard of Care declares them.
        care_plan_intent=standard.get("care_plan_intent"),
        planned_treatment_types=list(standard.get("planned_treatment_types") or []),
        rationale=f"Meets Standard of Care: {label}",
        fact_version=case.version,
        recorded_by_id=user.id,
        recorded_at=_now(),
    )


def _eligible_for_confirmation(case: MeetingCase) -> bool:
    return (
        case.route == "standard_of_care"
        and not case.flagged
        and case.status == "listed"
        and not case.outcomes
    )


@action
def confirm_standard_of_care(
    session: Session, meeting_id: int, *, acting_user: User, case_ids: list[int] | None = None
) -> list[Outcome]:
    """Confirm Standard of Care cases in bulk, recorded as COSD CR8110 = 2."""
    require_role(acting_user, DECIDE_ROLES)
    meeting = meeting_for(session, meeting_id, acting_user)
    require_open(meeting)
    by_id = {case.id: case for case in meeting.cases}
    if case_ids is None:
        chosen = [case for case in meeting.cases if _eligible_for_confirmation(case)]
    else:
        not_eligible = [
            i for i in case_ids if i not in by_id or not _eligible_for_confirmation(by_id[i])
        ]
        if not_eligible:
            raise InvalidRequest(
                "Some cases are not undecided Standard of Care cases.",
                code="not_standard_of_care",
                case_ids=not_eligible,
            )
        chosen = [by_id[i] for i in case_ids]
    outcomes = []
    for case in chosen:
        outcome = _standard_of_care_outcome(case, acting_user)
        session.add(outcome)
        case.outcomes.append(outcome)
        case.status = "decided"
        outcomes.append(outcome)
    session.flush()
    audit(
        session,
        acting_user,
        "confirm_standard_of_care",
        "meeting",
        meeting.id,
        case_ids=[c.id for c in chosen],
        count=len(chosen),
    )
    return outcomes


def _roll_over(
    session: Session, case: MeetingCase, target: Meeting, *, user: User, reason: str | None
) -> MeetingCase:
    if case.status != "listed" or case.outcomes:
        raise WorkflowConflict(f"Case {case.id} is {case.status}; only undecided cases roll over.")
    lock_meeting(session, target.id)
    if any(other.case_ref == case.case_ref for other in target.cases):
        raise WorkflowConflict(f"Case {case.case_ref!r} is already listed at meeting {target.id}.")
    copy = MeetingCase(
        organisation_id=case.organisation_id,
        meeting_id=target.id,
        position=next_position(session, target.id),
        case_ref=case.case_ref,
        site=case.site,
        patient=dict(case.patient),
        version=1,
        flagged=case.flagged,
        flagged_by_role=case.flagged_by_role,
        flag_note=case.flag_note,
        status="listed",
        rollover_count=case.rollover_count + 1,
        rolled_over_from_id=case.id,
        created_at=_now(),
    )
    session.add(copy)
    session.flush()
    target.cases.append(copy)
    _add_fact_version(
        session,
        copy,
        target,
        dict(case.current_facts),
        user=user,
        reason=f"rolled over from meeting {case.meeting_id}",
        pathway_dates=dict(case.current_pathway_dates),
    )
    case.status = "rolled_over"
    case.rolled_over_to_meeting_id = target.id
    session.flush()
    audit(
        session,
        user,
        "roll_over_case",
        "case",
        case.id,
        to_meeting_id=target.id,
        new_case_id=copy.id,
        rollover_count=copy.rollover_count,
        reason=reason,
    )
    return copy


def _later_open_meeting(session: Session, source: Meeting, target_id: int, user: User) -> Meeting:
    target = meeting_for(session, target_id, user)
    require_open(target)
    if target.id == source.id or target.meeting_date < source.meeting_date:
        raise InvalidRequest(
            "Cases roll over to a different, later meeting.", code="invalid_roll_over_target"
        )
    return target


@action
def roll_over_case(
    session: Session,
    case_id: int,
    *,
    to_meeting_id: int,
    acting_user: User,
    reason: str | None = None,
) -> MeetingCase:
    """Move an undecided case to a named later meeting; it stays listed (as rolled over) here."""
    require_role(acting_user, EDIT_ROLES)
    require_clean_text(free={"reason": reason})
    case = case_for(session, case_id, acting_user)
    require_open(case.meeting)
    target = _later_open_meeting(session, case.meeting, to_meeting_id, acting_user)
    return _roll_over(session, case, target, user=acting_user, reason=reason)


@action
def finalise_meeting(
    session: Session, meeting_id: int, *, acting_user: User, roll_over_to: int | None = None
) -> Meeting:
    """Lock the meeting's record; undecided cases must first roll over (or name a meeting)."""
    require_role(acting_user, DECIDE_ROLES)
    meeting = meeting_for(session, meeting_id, acting_user)
    require_open(meeting)
    undecided = [case for case in meeting.cases if case.status == "listed"]
    if undecided and roll_over_to is None:
        raise WorkflowConflict(
            f"{len(undecided)} cases are undecided; record outcomes or roll them over.",
            undecided_case_ids=[c.id for c in undecided],
        )
    if undecided:
        target = _later_open_meeting(session, meeting, roll_over_to, acting_user)
        for case in undecided:
            _roll_over(session, case, target, user=acting_user, reason="undecided at finalising")
    meeting.status = "finalised"
    meeting.finalised_at = _now()
    meeting.finalised_by_id = acting_user.id
    session.flush()
    audit(
        session,
        acting_user,
        "finalise_meeting",
        "meeting",
        meeting.id,
        rolled_over=len(undecided),
        quorate=quoracy_of(meeting).quorate,
    )
    return meeting


@action
def record_cds_feedback(
    session: Session,
    *,
    acting_user: User,
    service_id: str,
    card: str,
    outcome: str,
    override_code: str | None = None,
    override_display: str | None = None,
    comment: str | None = None,
    outcome_timestamp: str | None = None,
) -> None:
    """Record what the clinician did with an OpenMDT card in the EHR (CDS Hooks feedback):
    accepted, or overridden with the reason given; one audit row, as for outcomes."""
    require_clean_text(free={"comment": comment}, service_id=service_id, card=card)
    if outcome not in ("accepted", "overridden"):
        raise InvalidRequest(f"Feedback outcome {outcome!r} is not accepted or overridden.",
                             code="invalid_feedback", allowed=["accepted", "overridden"])
    audit(session, acting_user, "cds_feedback", "cds_card", None, service_id=service_id,
           card=card, outcome=outcome, override_reason=override_code,
           override_reason_label=override_display, comment=comment,
           outcome_timestamp=outcome_timestamp)
