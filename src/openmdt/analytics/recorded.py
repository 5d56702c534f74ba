"""Audit rows from the outcomes recorded in OpenMDT's database.

Each decided case contributes its newest outcome, judged against the evaluation stored with
the facts version the outcome was recorded on (what the MDT saw), not a re-evaluation.
Only meetings that use the audited pack are read: figures of different packs do not add up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from openmdt.analytics.audit import RowError
from openmdt.analytics.choices import ChoiceError, OptionIndex, parse_choice
from openmdt.analytics.concordance import AuditRow, DecisionState, group_label
from openmdt.analytics.pathway import Delay, PathwayCase
from openmdt.analytics.value import MeasuredRoutes
from openmdt.cases.pathway import MEETING, day_text
from openmdt.knowledge.model import Pack
from openmdt.meetings.evaluation import data_requests
from openmdt.store.models import Meeting, MeetingCase, Organisation

__all__ = ["RecordedFilter", "recorded_pathway_cases", "recorded_routes", "recorded_rows"]


@dataclass(frozen=True)
class RecordedFilter:
    """Which recorded outcomes to audit: meeting dates, COSD MDT type, organisation name;
    ``also_packs``: meetings run with these pack ids count too (an alliance's overlay and
    its base pack share decisions and options)."""

    date_from: date | None = None
    date_to: date | None = None
    meeting_type: str | None = None
    organisation: str | None = None
    also_packs: tuple[str, ...] = ()

    def period(self) -> tuple[str, str] | None:
        if self.date_from is None and self.date_to is None:
            return None
        return (self.date_from.isoformat() if self.date_from else "the first meeting",
                self.date_to.isoformat() if self.date_to else "the last meeting")


_MEMO = "openmdt.recorded_meetings"


@contextmanager
def meetings_remembered(session: Session) -> Iterator[None]:
    """Within this block, ``meetings_of`` reads each (pack, filter) once: one report asks
    for the same meetings four times (audit, routes, pathway, streamlining), and loading
    them, with every stored evaluation's JSON, is most of a report's time."""
    outer = _MEMO in session.info
    session.info.setdefault(_MEMO, {})
    try:
        yield
    finally:
        if not outer:
            session.info.pop(_MEMO, None)


def meetings_of(session: Session, pack: Pack, where: RecordedFilter) -> list[Meeting]:
    """The meetings that use the pack and match the filter, by date, with their cases."""
    memo = session.info.get(_MEMO)
    key = (pack.id, where)
    if memo is not None and key in memo:
        return list(memo[key])
    found = _read_meetings(session, pack, where)
    if memo is not None:
        memo[key] = found
    return list(found)


def _read_meetings(session: Session, pack: Pack, where: RecordedFilter) -> list[Meeting]:
    query = (select(Meeting).where(Meeting.pack_id.in_((pack.id, *where.also_packs)))
             .options(selectinload(Meeting.cases).selectinload(MeetingCase.outcomes),
                      selectinload(Meeting.cases).selectinload(MeetingCase.fact_versions))
             .order_by(Meeting.meeting_date, Meeting.id))
    if where.date_from is not None:
        query = query.where(Meeting.meeting_date >= where.date_from)
    if where.date_to is not None:
        query = query.where(Meeting.meeting_date <= where.date_to)
    if where.meeting_type is not None:
        query = query.where(Meeting.mdt_type == where.meeting_type)
    if where.organisation is not None:
        query = query.join(Organisation, Organisation.id == Meeting.organisation_id).where(
            Organisation.name == where.organisation)
    return list(session.scalars(query))


def recorded_rows(session: Session, pack: Pack, where: RecordedFilter,
                  risk_group: str | None = "cpg") -> tuple[list[AuditRow], list[RowError]]:
    """One audit row per decided case of the chosen meetings; an unreadable outcome is an
    error naming the case."""
    index = OptionIndex.of(pack)
    names = {o.id: o.name for o in session.scalars(select(Organisation))}
    rows: list[AuditRow] = []
    errors: list[RowError] = []
    for meeting in meetings_of(session, pack, where):
        for case in meeting.cases:
            outcome = case.current_outcome
            if outcome is None:
                continue
            try:
                rows.append(_row(case, meeting, outcome, index, names, risk_group))
            except ChoiceError as error:
                errors.append(RowError(None, "chosen_options", error.value, error.allowed,
                                       f"case {case.case_ref}: {error.message}",
                                       "unknown_option", case.case_ref))
    return rows, errors


def _row(case: MeetingCase, meeting: Meeting, outcome: Any, index: OptionIndex,
         names: dict[int, str], risk_group: str | None) -> AuditRow:
    version = next(v for v in case.fact_versions if v.version == outcome.fact_version)
    evaluation = version.evaluation or {}
    decisions = {str(d["id"]): DecisionState.from_json(d)
                 for d in evaluation.get("decisions") or ()}
    chosen = parse_choice(index, ";".join(outcome.chosen_options))
    values = {**(evaluation.get("facts") or {}), **(evaluation.get("derived") or {})}
    group = values.get(risk_group) if risk_group else None
    return AuditRow(
        line=None, case_id=case.case_ref,
        meeting=f"{meeting.title} ({day_text(meeting.meeting_date)})",
        meeting_date=meeting.meeting_date.isoformat(),
        organisation=names.get(meeting.organisation_id, str(meeting.organisation_id)),
        risk_group=group_label(risk_group, group),
        decisions=decisions, chosen=chosen, deviation_code=outcome.deviation_code,
        route=case.route)


def recorded_routes(session: Session, pack: Pack, where: RecordedFilter) -> MeasuredRoutes:
    """Route counts of every case listed at the chosen meetings (decided or not; a case
    rolled over counts at each meeting it was listed at)."""
    meetings = meetings_of(session, pack, where)
    routes = [case.route for meeting in meetings for case in meeting.cases]
    return MeasuredRoutes(len(routes), routes.count("standard_of_care"),
                          routes.count("full_discussion"), routes.count("not_ready"),
                          len(meetings), "recorded meetings")


def recorded_pathway_cases(session: Session, pack: Pack, where: RecordedFilter
                           ) -> list[PathwayCase]:
    """Every case listed at the chosen meetings with its pathway dates; a case rolled over to
    a later meeting lost the days in between (and, not ready, its requested items)."""
    meetings = meetings_of(session, pack, where)
    later = {m.id: m.meeting_date for m in session.scalars(select(Meeting).where(
        Meeting.id.in_({c.rolled_over_to_meeting_id for m in meetings for c in m.cases
                        if c.rolled_over_to_meeting_id is not None})))}
    return [_pathway_case(case, meeting, later) for meeting in meetings
            for case in meeting.cases]


def _pathway_case(case: MeetingCase, meeting: Meeting, later: dict[int, date]) -> PathwayCase:
    dates = {name: date.fromisoformat(day) for name, day in case.current_pathway_dates.items()}
    dates[MEETING] = meeting.meeting_date
    delay = None
    target = later.get(case.rolled_over_to_meeting_id or -1)
    if target is not None:
        not_ready = case.current_fact_version.route == "not_ready"
        delay = Delay(case.case_ref, meeting.meeting_date, (target - meeting.meeting_date).days,
                      "not_ready" if not_ready else "rolled_over",
                      tuple(data_requests(case.current_evaluation)) if not_ready else (), "")
    return PathwayCase(case.case_ref, case.route, dates, "", delay,
                       final=case.rolled_over_to_meeting_id is None)
