"""The agenda of one meeting as the page shows it, read from stored evaluations only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from openmdt import meetings as service
from openmdt.engine.result import ResultShapeError, TriageRecord, derived_of
from openmdt.knowledge.words import date_words, fact_value, label_of, summary_line, value_words
from openmdt.meetings.codes import (
    DEVIATION_REASONS,
    MDT_TYPES,
    PROFESSIONAL_ROLES,
)
from openmdt.meetings.listing import ON_THE_LIST, added_late
from openmdt.meetings.options import option_ref
from openmdt.meetings.quoracy import Quoracy, quoracy_of
from openmdt.store.models import FactVersion, Meeting, MeetingCase, User
from openmdt.web.agenda_filter import AgendaFilter, FilterChoice, fact_choices
from openmdt.web.pages_views import (
    ROUTES,
    DataRequest,
    TriageView,
    humanise,
    option_label,
    route_counts,
    triage_view,
)

DEFAULT_MINUTES_PER_CASE = 3.0


@lru_cache(maxsize=1)
def available_packs() -> dict[str, str]:
    """The shipped knowledge packs a meeting can use: id -> "title (version)"."""
    try:
        from openmdt.knowledge import load_pack, shipped_pack_ids
    except ImportError:
        return {}
    packs = {}
    for pack_id in shipped_pack_ids():
        pack = load_pack(pack_id)
        packs[pack_id] = f"{pack.title} ({pack.version})"
    return packs


def _pack(pack_id: str) -> Any:
    from openmdt.meetings.evaluation import pack_by_id
    from openmdt.store.errors import ServiceError

    try:
        return pack_by_id(pack_id)
    except ServiceError:
        return None


def mdt_type_label(code: str) -> str:
    """An MDT type shown with its COSD CR3190 code."""
    return f"{code} {MDT_TYPES.get(code, 'Unknown MDT type')}"


@dataclass(frozen=True)
class AgendaRow:
    """One listed patient on the agenda."""

    id: int
    case_ref: str
    patient_name: str
    nhs_number: str
    route: str | None
    flagged: bool
    flag_note: str | None
    status: str
    triage: TriageView
    outcome: str | None
    rollover_count: int
    deviation: str | None = None
    summary: str = ""  # the case in one line (the pack's summary_line)
    # The pack's agenda_filters for this case: name -> value as text, and in words
    filter_values: Mapping[str, str] = field(default_factory=dict)
    filter_words: Mapping[str, str] = field(default_factory=dict)
    date_of_birth: str = ""  # as people read it: 16 June 1971
    added_late: bool = False  # added after the list was imported

    @property
    def data_requests(self) -> Sequence[DataRequest]:
        """What must be obtained before the case can be triaged."""
        return self.triage.data_requests


@dataclass(frozen=True)
class AgendaView:
    """Everything the agenda page shows for one meeting."""

    meeting: Meeting
    mdt_type: str
    pack_title: str
    rows: Sequence[AgendaRow]
    counts: Mapping[str, int]
    estimated_minutes: float
    attendance: Sequence[Any]
    quoracy: Quoracy
    core_members: Sequence[Any] = ()  # the named core members of the meeting's MDT type
    chosen: AgendaFilter = AgendaFilter()
    filters: Sequence[FilterChoice] = ()  # the pack's agenda_filters with their values
    removed: Sequence[MeetingCase] = ()  # taken off the list, with their reasons

    @property
    def quorate(self) -> bool | None:
        """Quorate under the local policy; None while no attendance is recorded."""
        return self.quoracy.quorate if self.attendance else None

    @property
    def missing_roles(self) -> list[str]:
        """The quorum's roles nobody attends in (labels)."""
        return role_labels(self.quoracy.missing) if self.attendance else []

    @property
    def quorum_roles(self) -> list[str]:
        """The roles the local quorum policy needs (labels)."""
        return role_labels(self.quoracy.required)

    def attendance_of(self, member: Any) -> str:
        """A core member's recorded status at this meeting (absent when not recorded)."""
        return next((row.attendance_status for row in self.attendance
                     if row.name == member.name
                     and row.professional_role == member.professional_role), "absent")

    @property
    def other_attendees(self) -> list[Any]:
        """Recorded attendees who are not core members of the MDT type."""
        core = {(m.name, m.professional_role) for m in self.core_members}
        return [row for row in self.attendance if (row.name, row.professional_role) not in core]

    def section(self, route: str) -> list[AgendaRow]:
        """The rows listed under one route that pass the filter, in list order."""
        return [row for row in self.rows if row.route == route and self.chosen.keeps(row)]

    @property
    def in_order(self) -> list[AgendaRow]:
        """Every row in agenda order: full discussion, not ready, standard of care, then any
        not evaluated; list order within each. The order the meeting goes through, the
        summary prints and the chair view steps through."""
        order = {route: index for index, route in enumerate(ROUTES)}
        return sorted(self.rows, key=lambda row: order.get(row.route or "", len(ROUTES)))

    @property
    def shown(self) -> list[AgendaRow]:
        """The rows that pass the filter, in agenda order."""
        return [row for row in self.in_order if self.chosen.keeps(row)]

    @property
    def now_discussing(self) -> AgendaRow | None:
        """The row the chair's screen shows now (None when not set or no longer listed)."""
        wanted = self.meeting.now_discussing_case_id
        return next((row for row in self.rows if row.id == wanted), None)

    def neighbours(self, case_id: int) -> tuple[AgendaRow | None, AgendaRow | None]:
        """The rows before and after a case in agenda order."""
        order = self.in_order
        index = next(i for i, row in enumerate(order) if row.id == case_id)
        return (order[index - 1] if index > 0 else None,
                order[index + 1] if index + 1 < len(order) else None)

    @property
    def numbers(self) -> dict[int, int]:
        """Case id -> its place in the agenda order, from 1."""
        return {row.id: index for index, row in enumerate(self.in_order, 1)}

    @property
    def undecided(self) -> int:
        """How many listed patients have no outcome yet."""
        return sum(1 for row in self.rows if row.outcome is None)


@dataclass(frozen=True)
class PackText:
    """Titles and labels from a pack, for showing stored ids in words."""

    items: Mapping[str, Any]
    options: Mapping[str, str]
    standards: Mapping[str, str]
    minutes_per_case: float
    pack: Any = None  # the compiled pack, for the one-line clinical summary


def pack_text(pack_id: str) -> PackText:
    """The words a pack gives for its items, options and standards of care."""
    pack = _pack(pack_id)
    if pack is None:
        return PackText({}, {}, {}, DEFAULT_MINUTES_PER_CASE)
    options = {option_ref(d.id, c.id): c.title for d in pack.decisions for c in d.candidates}
    standards = {s.id: s.title for s in pack.standards}
    minutes = float(pack.minutes_per_case or DEFAULT_MINUTES_PER_CASE)
    return PackText(pack.items, options, standards, minutes, pack)


def _outcome_text(case: MeetingCase, options: Mapping[str, str]) -> str | None:
    outcome = case.current_outcome
    if outcome is None:
        return None
    chosen = [option_label(options, option) for option in outcome.chosen_options]
    return "; ".join(chosen) or "No option chosen"


def _deviation_text(case: MeetingCase) -> str | None:
    """The deviation reason of the newest outcome, when it departs from the guideline."""
    outcome = case.current_outcome
    if outcome is None or outcome.concordant:
        return None
    return DEVIATION_REASONS.get(outcome.deviation_code or "", outcome.deviation_code)


def agenda_row(case: MeetingCase, triage: Mapping[str, Any] | None, words: PackText) -> AgendaRow:
    """One case's agenda line from the triage part of its stored evaluation."""
    patient = case.patient or {}
    return AgendaRow(
        id=case.id,
        case_ref=case.case_ref,
        patient_name=str(patient.get("name") or "Name not given"),
        nhs_number=str(patient.get("nhs_number") or ""),
        route=case.route,
        flagged=case.flagged,
        flag_note=case.flag_note,
        status=case.status,
        triage=triage_view(_triage_record(triage), words.items, words.standards),
        outcome=_outcome_text(case, words.options),
        rollover_count=case.rollover_count,
        deviation=_deviation_text(case),
        summary=_summary(case, words),
        date_of_birth=_date_of_birth(patient),
        added_late=added_late(case),
        **_filter_values(case, words),
    )


def _triage_record(triage: Mapping[str, Any] | None) -> TriageRecord | None:
    """The stored triage, or None when there is none or it cannot be read (the row then
    shows its route alone; the case page says what is wrong)."""
    try:
        return None if triage is None else TriageRecord.read(triage, "$.triage")
    except ResultShapeError:
        return None


def _date_of_birth(patient: Mapping[str, Any]) -> str:
    try:
        born = date.fromisoformat(str(patient.get("date_of_birth")))
    except ValueError:
        return ""
    return date_words(born)


def _filter_values(case: MeetingCase, words: PackText) -> dict[str, dict[str, str]]:
    """The case's values of the pack's agenda_filters, as text and in words."""
    pack = words.pack
    if pack is None:
        return {"filter_values": {}, "filter_words": {}}
    try:
        derived = derived_of(case.current_evaluation)
    except ResultShapeError:
        derived = {}
    values = {name: fact_value(pack, name, case.current_facts or {}, derived)
              for name in pack.agenda_filters}
    known = {name: value for name, value in values.items() if value is not None}
    return {"filter_values": {name: str(value) for name, value in known.items()},
            "filter_words": {name: value_words(pack, name, value)
                             for name, value in known.items()}}


def _summary(case: MeetingCase, words: PackText) -> str:
    if words.pack is None:
        return ""
    try:
        derived = derived_of(case.current_evaluation)
    except ResultShapeError:
        derived = {}
    return summary_line(words.pack, case.current_facts or {}, derived)


def _load_cases(db: Any, meeting: Meeting) -> list[MeetingCase]:
    """The meeting's cases with their outcomes, in two queries rather than one per case.

    The meeting has already been read through the service (tenant check); this only preloads
    what the agenda shows.
    """
    query = (
        select(MeetingCase)
        .where(MeetingCase.meeting_id == meeting.id)
        .order_by(MeetingCase.position)
        .options(selectinload(MeetingCase.outcomes))
    )
    return list(db.scalars(query))


def _stored_triage(db: Any, meeting: Meeting) -> dict[int, Any]:
    """Case id -> the triage part of its newest stored evaluation.

    Only the triage part is read from the database: decoding 90 whole evaluations (every
    argument of every candidate) would dominate the agenda's response time.
    """
    query = (
        select(FactVersion.case_id, FactVersion.evaluation["triage"])
        .join(MeetingCase, MeetingCase.id == FactVersion.case_id)
        .where(MeetingCase.meeting_id == meeting.id)
        .order_by(FactVersion.case_id, FactVersion.version)
    )
    return {case_id: triage for case_id, triage in db.execute(query)}


def role_labels(roles: Sequence[str]) -> list[str]:
    """Professional roles in words."""
    return [PROFESSIONAL_ROLES.get(role, humanise(role)) for role in roles]


def _choices(rows: Sequence[AgendaRow], words: PackText,
             chosen: AgendaFilter) -> list[FilterChoice]:
    pack = words.pack
    if pack is None:
        return []
    labels = {name: label_of(pack, name) for name in pack.agenda_filters}
    return fact_choices(rows, pack.agenda_filters, labels, chosen)


def filter_names(pack_id: str) -> tuple[str, ...]:
    """The names a meeting's agenda can be filtered by (the pack's agenda_filters)."""
    pack = _pack(pack_id)
    return tuple(pack.agenda_filters) if pack is not None else ()


def agenda_view(db: Any, meeting_id: int, user: User,
                query: Mapping[str, str] | None = None) -> AgendaView:
    """The agenda of a meeting of the user's organisation (NotFound for any other),
    filtered as the query string asks (route, outcome, q and the pack's filters)."""
    meeting = service.get_meeting(db, meeting_id, user=user)
    words = pack_text(meeting.pack_id)
    triage = _stored_triage(db, meeting)
    cases = _load_cases(db, meeting)
    rows = [agenda_row(case, triage.get(case.id), words)
            for case in cases if case.status in ON_THE_LIST]
    chosen = AgendaFilter.from_query(query or {}, filter_names(meeting.pack_id))
    counts = route_counts(row.route for row in rows)
    minutes = sum(row.triage.minutes or words.minutes_per_case
                  for row in rows if row.route == "full_discussion")
    return AgendaView(
        meeting=meeting,
        mdt_type=mdt_type_label(meeting.mdt_type),
        pack_title=available_packs().get(meeting.pack_id, meeting.pack_id),
        rows=rows,
        counts={route: counts[route] for route in ROUTES},
        estimated_minutes=minutes,
        attendance=list(meeting.attendance),
        quoracy=quoracy_of(meeting),
        core_members=service.core_members(db, meeting.mdt_type, user=user),
        chosen=chosen,
        filters=_choices(rows, words, chosen),
        removed=[case for case in cases if case.status == "removed"],
    )
