"""The COSD export: the MDT and care-plan items of the Cancer Outcomes and Services Dataset.

One record per case listed at a meeting in the period (a case rolled over to a later meeting
is reported there). Items and code lists: COSD v10 (shared notes standards-and-interop.md
s.2.2-2.4); the staging items are those the pack's data dictionary gives a COSD code. A
mandatory item that is missing or invalid is reported for its record, and the record is still
written with the cell empty and the gap named in the GAPS column. The XML submission shape
of these sections is not in the notes (the schema is on NHS TRUD), so only CSV is written.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmdt.knowledge import Pack, PackLoadError, load_pack
from openmdt.knowledge.cosd import CARE_PLAN_INTENTS, PLANNED_TREATMENT_TYPES
from openmdt.meetings.codes import DISCUSSION_TYPES, MDT_TYPES
from openmdt.store.models import Meeting, MeetingCase, Organisation

NOT_DISCUSSION_STATUS_KNOWN = "2"  # CR8100: discussion status not known
PERFORMANCE_STATUS_NOT_RECORDED = "9"  # CR0510
NO_ACTIVE_TREATMENT = "11"  # CR0470
NO_ACTIVE_TREATMENT_INTENT = "X"  # CR0460


@dataclass(frozen=True)
class CosdItem:
    """One column of the export: the COSD item, its name, its format and where it comes from."""

    code: str
    name: str
    format: str
    source: str
    mandatory: bool = True


FIXED_ITEMS = (
    CosdItem("NHS_NUMBER", "NHS number (record key)", "10 digits", "case patient", False),
    CosdItem("CR3080", "MDT meeting date", "YYYY-MM-DD", "meeting date"),
    CosdItem("CR3090", "Organisation site identifier (of the MDT meeting)", "ODS site code",
             "meeting site"),
    CosdItem("CR3190", "MDT meeting type", "4 digits: " + ", ".join(MDT_TYPES), "meeting type"),
    CosdItem("CR8100", "MDT meeting discussion (not discussed / status not known)",
             "1 not discussed, 2 discussion status not known", "no outcome recorded", False),
    CosdItem("CR8110", "MDT meeting discussion type", "1, 2 (Standard of Care) or 3",
             "recorded outcome"),
    CosdItem("CR0430", "Multidisciplinary team discussion date (cancer)", "YYYY-MM-DD",
             "meeting date of the recorded outcome"),
    CosdItem("CR0460", "Cancer care plan intent", "C, Z, X or 9", "recorded outcome"),
    CosdItem("CR0470", "Planned cancer treatment type (repeats, ';' between)",
             "codes " + ", ".join(PLANNED_TREATMENT_TYPES), "recorded outcome"),
    CosdItem("CR0490", "No cancer treatment reason",
             "01-08, 10, 99 (needed when the intent is X or the type 11)",
             "not recorded by OpenMDT", False),
)
NOT_RECORDED_CODES = {"CR0510": PERFORMANCE_STATUS_NOT_RECORDED}


@dataclass(frozen=True)
class Gap:
    """A mandatory item missing or invalid in one record, and why."""

    item: str
    reason: str

    def text(self) -> str:
        return f"{self.item}: {self.reason}"


@dataclass(frozen=True)
class CaseRow:
    """What the export reads about one listed case."""

    case_ref: str
    meeting_date: date
    site_code: str
    mdt_type: str
    pack_id: str
    nhs_number: str | None
    facts: Mapping[str, Any]
    discussion_type: str | None = None
    care_plan_intent: str | None = None
    planned_treatment_types: Sequence[str] = ()


@dataclass(frozen=True)
class CosdRecord:
    """One exported record: its values by item code and its gaps."""

    number: int
    case_ref: str
    values: Mapping[str, str]
    gaps: tuple[Gap, ...] = field(default_factory=tuple)


def pack_items(packs: Iterable[Pack]) -> list[CosdItem]:
    """The staging (and performance status) items the packs give a COSD code, by code."""
    found: dict[str, CosdItem] = {}
    for pack in packs:
        for item in pack.items.values():
            code = item.codes.get("cosd")
            if code and code not in found:
                allowed = item.allowed()
                found[code] = CosdItem(code, item.label, allowed, f"fact {item.name}",
                                       code in NOT_RECORDED_CODES)
    return [found[code] for code in sorted(found)]


def build_records(rows: Sequence[CaseRow], packs: Mapping[str, Pack]
                  ) -> tuple[list[CosdItem], list[CosdRecord]]:
    """The columns and one record per case, in the order given."""
    staged = pack_items(packs.values())
    records = [_record(number, row, packs.get(row.pack_id), staged)
               for number, row in enumerate(rows, start=1)]
    return [*FIXED_ITEMS, *staged], records


def _record(number: int, row: CaseRow, pack: Pack | None, staged: list[CosdItem]
            ) -> CosdRecord:
    values = {"NHS_NUMBER": row.nhs_number or "", "CR3080": row.meeting_date.isoformat(),
              "CR3090": row.site_code, "CR3190": row.mdt_type}
    gaps = [] if row.mdt_type in MDT_TYPES else [Gap("CR3190", f"{row.mdt_type!r} is not a "
                                                                "known MDT type code")]
    gaps += _care_plan(row, values)
    gaps += _staging(row, pack, staged, values)
    if not row.nhs_number:
        gaps.append(Gap("NHS_NUMBER", "the case has no NHS number"))
    return CosdRecord(number, row.case_ref, values, tuple(gaps))


def _care_plan(row: CaseRow, values: dict[str, str]) -> list[Gap]:
    if row.discussion_type is None:
        values["CR8100"] = NOT_DISCUSSION_STATUS_KNOWN
        return [Gap(code, "no MDT outcome recorded") for code in ("CR0430", "CR0460", "CR0470")]
    gaps = []
    values["CR8110"] = row.discussion_type
    if row.discussion_type not in DISCUSSION_TYPES:
        gaps.append(Gap("CR8110", f"{row.discussion_type!r} is not a discussion type code"))
    values["CR0430"] = row.meeting_date.isoformat()
    values["CR0460"] = row.care_plan_intent or ""
    if row.care_plan_intent not in CARE_PLAN_INTENTS:
        gaps.append(Gap("CR0460", "missing" if not row.care_plan_intent
                        else f"{row.care_plan_intent!r} is not a care plan intent code"))
    types = list(row.planned_treatment_types)
    values["CR0470"] = ";".join(types)
    bad = [t for t in types if t not in PLANNED_TREATMENT_TYPES]
    if not types or bad:
        gaps.append(Gap("CR0470", "missing" if not types else f"not codes: {', '.join(bad)}"))
    if row.care_plan_intent == NO_ACTIVE_TREATMENT_INTENT or NO_ACTIVE_TREATMENT in types:
        gaps.append(Gap("CR0490", "no active treatment is planned and OpenMDT does not record "
                                  "the reason"))
    return gaps


def _staging(row: CaseRow, pack: Pack | None, staged: list[CosdItem], values: dict[str, str]
             ) -> list[Gap]:
    gaps = []
    names = {} if pack is None else {i.codes.get("cosd"): i.name for i in pack.items.values()}
    for item in staged:
        name = names.get(item.code)
        value = row.facts.get(name) if name else None
        if value is None or value == "":
            values[item.code] = NOT_RECORDED_CODES.get(item.code, "")
            if item.mandatory:
                gaps.append(Gap(item.code, f"not recorded (written as "
                                           f"{NOT_RECORDED_CODES[item.code]})"))
        else:
            values[item.code] = str(value)
    return gaps


def write_csv(items: Sequence[CosdItem], records: Iterable[CosdRecord], handle: IO[str]) -> None:
    """The records as CSV: one column per item (by COSD code), then GAPS."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["RECORD", "CASE_REF", *(item.code for item in items), "GAPS"])
    for record in records:
        writer.writerow([record.number, record.case_ref,
                         *(record.values.get(item.code, "") for item in items),
                         "; ".join(gap.text() for gap in record.gaps)])


NO_XML = ("This export is CSV only: the COSD submission XML is not produced, because no "
          "source available to OpenMDT gives its shape for the MDT and care-plan sections "
          "(the COSD XML schema is published on NHS TRUD, behind a login)")


def write_dictionary(items: Sequence[CosdItem], handle: IO[str]) -> None:
    """The data-dictionary sheet: each column's COSD item, name, format, source, mandatory."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["column", "cosd_item", "name", "format", "source", "mandatory"])
    writer.writerow(["RECORD", "", "Record number in this file", "integer", "export", "no"])
    writer.writerow(["CASE_REF", "", "Case reference in OpenMDT", "text", "case", "no"])
    for item in items:
        writer.writerow([item.code, "" if item.code == "NHS_NUMBER" else item.code, item.name,
                         item.format, item.source, "yes" if item.mandatory else "no"])
    writer.writerow(["GAPS", "", "Mandatory items missing or invalid in the record, and why",
                     "item: reason; ...", "export", "no"])
    writer.writerow(["(no XML)", "", NO_XML, "", "export", "no"])


def export_rows(session: Session, start: date, end: date, organisation: str | None = None
                ) -> list[CaseRow]:
    """The cases listed at meetings from ``start`` to ``end`` (inclusive), by meeting date
    and position; rolled-over cases are reported at the meeting they moved to."""
    query = (select(MeetingCase).join(Meeting, MeetingCase.meeting_id == Meeting.id)
             .where(Meeting.meeting_date >= start, Meeting.meeting_date <= end,
                    MeetingCase.status != "rolled_over")
             .order_by(Meeting.meeting_date, Meeting.id, MeetingCase.position))
    if organisation is not None:
        query = query.join(Organisation, Meeting.organisation_id == Organisation.id).where(
            Organisation.name == organisation)
    return [_row(case) for case in session.scalars(query)]


def _row(case: MeetingCase) -> CaseRow:
    outcome = case.current_outcome
    meeting = case.meeting
    return CaseRow(case.case_ref, meeting.meeting_date, meeting.site_code, meeting.mdt_type,
                   meeting.pack_id, (case.patient or {}).get("nhs_number"),
                   dict(case.current_facts or {}),
                   None if outcome is None else outcome.discussion_type,
                   None if outcome is None else outcome.care_plan_intent,
                   () if outcome is None else tuple(outcome.planned_treatment_types or ()))


def packs_for(rows: Iterable[CaseRow]) -> dict[str, Pack]:
    """The packs the rows' meetings use (a pack that no longer loads is left out)."""
    packs = {}
    for pack_id in sorted({row.pack_id for row in rows}):
        try:
            packs[pack_id] = load_pack(pack_id)
        except PackLoadError:
            continue
    return packs
