"""A trust's historic MDT outcomes file, read into audit rows (bad rows become errors).

The file is a meeting list (``case_id``, ``site``, data items, pathway dates) with the
outcome columns below. Each row is checked and evaluated on its own: a bad row is an error
naming its line, column, value and what is allowed, and the other rows are analysed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from openmdt.analytics.audit import RowError
from openmdt.analytics.choices import ChoiceError, OptionIndex, parse_choice
from openmdt.analytics.concordance import AuditRow, DecisionState, group_label
from openmdt.cases import CaseError
from openmdt.cases.pathway import day_text, pathway_dates_of
from openmdt.cases.readers import read_csv_with_columns
from openmdt.engine import evaluate
from openmdt.knowledge.model import Pack
from openmdt.language import UNKNOWN

__all__ = ["HISTORIC_COLUMNS", "HistoricFile", "read_historic"]

MEETING_DATE, MDT_DECISION = "meeting_date", "mdt_decision"
DEVIATION_CODE, PANEL_DECISION, ORGANISATION = "deviation_code", "panel_decision", "organisation"
REFERRING_TEAM = "referring_team"
HISTORIC_COLUMNS = frozenset({MEETING_DATE, MDT_DECISION, DEVIATION_CODE, PANEL_DECISION,
                              ORGANISATION, REFERRING_TEAM})
CHOICE_ALLOWED = "options separated by ';', each decision_id:option_id or a bare option_id"


@dataclass(frozen=True)
class HistoricFile:
    """The rows that could be analysed and the rejected rows."""

    rows: list[AuditRow]
    errors: list[RowError]


class _Rejected(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error


def read_historic(text: str, pack: Pack, *, source: str = "historic.csv",
                  risk_group: str | None = "cpg") -> HistoricFile:
    """Every row evaluated with ``pack`` as at its meeting date, or a RowError."""
    index = OptionIndex.of(pack)
    rows: list[AuditRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for record in read_csv_with_columns(text, HISTORIC_COLUMNS, source):
        try:
            rows.append(_row(record, pack, index, risk_group, seen))
        except _Rejected as rejected:
            errors.append(rejected.error)
    return HistoricFile(rows, errors)


def _row(record: Any, pack: Pack, index: OptionIndex, risk_group: str | None,
         seen: dict[tuple[str, str], int]) -> AuditRow:
    if record.error is not None:
        raise _Rejected(_case_error(record.error, record.line, record.case_id))
    data = record.data
    columns = data.get("columns") or {}
    line, case_id = record.line, record.case_id
    meeting_date = _meeting_date(columns, line, case_id)
    if MDT_DECISION not in columns:
        raise _Rejected(RowError(line, MDT_DECISION, None, CHOICE_ALLOWED,
                                 "the file has no mdt_decision column", "missing_column",
                                 case_id))
    key = (case_id, meeting_date.isoformat())
    if key in seen:
        raise _Rejected(RowError(line, "case_id", case_id, "one row per case and meeting",
                                 f"case {case_id} at the meeting of {day_text(meeting_date)} "
                                 f"is already on line {seen[key]}", "duplicate_case_id",
                                 case_id))
    chosen = _choice(index, columns, MDT_DECISION, line, case_id)
    panel = _choice(index, columns, PANEL_DECISION, line, case_id)
    try:
        dates = pathway_dates_of(data, meeting_date, case_id=case_id)
        evaluation = evaluate(pack, data, as_of=meeting_date)
    except CaseError as error:
        raise _Rejected(_case_error(error, line, case_id)) from None
    seen[key] = line
    decisions = _states(evaluation.settled)
    group = evaluation.env.get(risk_group, UNKNOWN) if risk_group else UNKNOWN
    return AuditRow(
        line=line, case_id=case_id, meeting=day_text(meeting_date),
        meeting_date=meeting_date.isoformat(),
        organisation=columns.get(ORGANISATION) or "(not given)",
        risk_group=_group_label(risk_group, group),
        decisions=decisions, chosen=chosen or (),
        deviation_code=columns.get(DEVIATION_CODE) or None, panel=panel,
        route=evaluation.route, requests=tuple(evaluation.triage.data_requests),
        pathway=dates, referring_team=columns.get(REFERRING_TEAM) or "")


_STATES: dict[int, tuple[Any, dict[str, DecisionState]]] = {}


def _states(settled: Any) -> dict[str, DecisionState]:
    """The decisions' states of a settled result. The engine remembers settled results per
    pattern of kernel values, so most rows share one: their states are worked out once (the
    result is kept with them, so its id is not reused while the entry lives)."""
    found = _STATES.get(id(settled))
    if found is not None and found[0] is settled:
        return found[1]
    states = {r.decision.id: DecisionState.from_result(r) for r in settled.decisions}
    if len(_STATES) >= 20_000:
        _STATES.clear()
    _STATES[id(settled)] = (settled, states)
    return states


def _group_label(name: str | None, value: Any) -> str:
    return group_label(name, None if value is UNKNOWN else value)


def _meeting_date(columns: dict[str, str], line: int, case_id: str | None) -> date:
    text = columns.get(MEETING_DATE)
    if text is None:
        raise _Rejected(RowError(line, MEETING_DATE, None, "a date as YYYY-MM-DD",
                                 "the file has no meeting_date column", "missing_column",
                                 case_id))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Rejected(RowError(line, MEETING_DATE, text, "a date as YYYY-MM-DD",
                                 f"meeting date {text!r} is not a date", "wrong_type",
                                 case_id)) from None


def _choice(index: OptionIndex, columns: dict[str, str], column: str, line: int,
            case_id: str | None) -> Any:
    text = columns.get(column)
    if not text:  # no decision recorded (a deferred case): no concordance pair
        return None
    try:
        return parse_choice(index, text)
    except ChoiceError as error:
        raise _Rejected(RowError(line, column, error.value, error.allowed,
                                 f"{column}: {error.message}", "unknown_option",
                                 case_id)) from None


def _case_error(error: CaseError, line: int | None, case_id: str | None) -> RowError:
    column = error.item or error.path.removeprefix("facts.").removeprefix("pathway.") or "$"
    return RowError(error.line or line, column, error.value, error.allowed, error.message,
                    error.code, error.case_id or case_id)
