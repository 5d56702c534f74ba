"""Pathway dates: when a patient was referred, first seen, diagnosed, decided on and treated.

The dates are optional columns of a meeting list and of a historic outcomes file (ISO
dates, ``YYYY-MM-DD``). They follow the cancer pathway in one order, with the MDT meeting in
its place: referral, first seen, diagnosis, MDT meeting, decision to treat, first treatment
(issue 11 §1; the waiting-time standards of ``openmdt report pathway`` count days between
them). A date out of that order, or a pre-MDT date after the meeting, is an error that names
both dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from openmdt.cases.errors import CaseError

__all__ = [
    "MEETING",
    "PATHWAY_DATES",
    "PATHWAY_LABELS",
    "check_pathway_order",
    "day_text",
    "parse_pathway_dates",
    "pathway_dates_of",
]

PATHWAY_DATES = ("referral_date", "first_seen_date", "diagnosis_date",
                 "decision_to_treat_date", "first_treatment_date")
MEETING = "meeting_date"
PATHWAY_LABELS = {
    "referral_date": "Referral date",
    "first_seen_date": "First seen date",
    "diagnosis_date": "Diagnosis date",
    MEETING: "MDT meeting date",
    "decision_to_treat_date": "Decision to treat date",
    "first_treatment_date": "First treatment date",
}
# The pathway in order, the MDT meeting in its place.
_ORDER = ("referral_date", "first_seen_date", "diagnosis_date", MEETING,
          "decision_to_treat_date", "first_treatment_date")


def day_text(day: date) -> str:
    """A date as people read it: 16 June 1971."""
    return f"{day.day} {day:%B %Y}"


def parse_pathway_dates(raw: Mapping[str, Any], *, case_id: str | None = None,
                        prefix: str = "pathway.") -> dict[str, date]:
    """The given pathway dates as dates (empty values left out); CaseError on the first
    value that is not an ISO date, naming the item and the value."""
    dates: dict[str, date] = {}
    for name in PATHWAY_DATES:
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        dates[name] = _one_date(name, value, case_id, prefix)
    unknown = sorted(set(raw) - set(PATHWAY_DATES))
    if unknown:
        raise CaseError("unknown_item", f"{unknown[0]!r} is not a pathway date",
                        path=prefix + unknown[0], item=unknown[0], value=raw[unknown[0]],
                        allowed=", ".join(PATHWAY_DATES), case_id=case_id)
    return dates


def _one_date(name: str, value: Any, case_id: str | None, prefix: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise CaseError("wrong_type", f"{PATHWAY_LABELS[name]} {value!r} is not a date",
                        path=prefix + name, item=name, value=value,
                        allowed="a date as YYYY-MM-DD", case_id=case_id) from None


def check_pathway_order(dates: Mapping[str, date], meeting_date: date | None, *,
                        case_id: str | None = None, prefix: str = "pathway.") -> None:
    """CaseError naming both dates when two known dates are out of the pathway's order
    (the meeting date included: referral, first seen and diagnosis on or before it,
    decision to treat and first treatment on or after it)."""
    known = [(name, dates.get(name) if name != MEETING else meeting_date) for name in _ORDER]
    known = [(name, day) for name, day in known if day is not None]
    for index, (later_name, later) in enumerate(known):
        for earlier_name, earlier in known[:index]:
            if later < earlier:
                raise _out_of_order(earlier_name, earlier, later_name, later, case_id, prefix)


def _out_of_order(earlier_name: str, earlier: date, later_name: str, later: date,
                  case_id: str | None, prefix: str) -> CaseError:
    # The item to correct is a pathway date, never the meeting itself.
    item = later_name if later_name != MEETING else earlier_name
    relation = "after" if item == earlier_name else "before"
    other = later_name if item == earlier_name else earlier_name
    item_day = earlier if item == earlier_name else later
    other_day = later if item == earlier_name else earlier
    message = (f"{PATHWAY_LABELS[item]} {day_text(item_day)} is {relation} the "
               f"{_lower(PATHWAY_LABELS[other])} "
               f"{day_text(other_day)}; the pathway runs referral, first seen, diagnosis, "
               "MDT meeting, decision to treat, first treatment")
    return CaseError("dates_out_of_order", message, path=prefix + item, item=item,
                     value=item_day.isoformat(),
                     allowed=f"{'on or before' if relation == 'after' else 'on or after'} "
                             f"{other_day.isoformat()} ({PATHWAY_LABELS[other]})",
                     case_id=case_id)


def _lower(label: str) -> str:
    return label if label.startswith("MDT") else label[0].lower() + label[1:]


def pathway_dates_of(data: Mapping[str, Any], meeting_date: date | None, *,
                     case_id: str | None = None) -> dict[str, date]:
    """A case's pathway dates (its ``pathway`` object), parsed and checked in order."""
    raw = data.get("pathway") or {}
    if not isinstance(raw, Mapping):
        raise CaseError("wrong_shape", "pathway must be an object of dates", path="pathway",
                        case_id=case_id)
    dates = parse_pathway_dates(raw, case_id=case_id)
    check_pathway_order(dates, meeting_date, case_id=case_id)
    return dates
