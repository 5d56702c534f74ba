"""A CSV meeting list's columns against a pack: the template a coordinator fills in, and the
header check that names a misspelled column once (not once per row).

Columns match the pack's item names ignoring case and surrounding spaces (" PSA " is `psa`);
a column that matches nothing is one problem naming it, with a "did you mean" when a name is
close. A row whose case_id cell starts with `#` is a comment (the template's label and
allowed-values rows) and is skipped by the reader.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from openmdt.knowledge.model import DataItem

COMMENT_MARK = "#"
# The columns before the pack's items, with what each holds.
LIST_COLUMNS: dict[str, str] = {
    "case_id": "Case reference (required, unique on the list)",
    "site": "Tumour site (optional; the meeting's pack decides)",
    "nhs_number": "NHS number (10 digits)",
    "patient_name": "Patient name",
    "date_of_birth": "Date of birth (YYYY-MM-DD)",
    "hospital_number": "Hospital number",
    "gp_name": "GP's name (for the GP letter)",
    "gp_practice_code": "GP practice ODS code",
    "gp_practice_name": "GP practice name",
    "gp_practice_address": "GP practice address (lines separated by commas)",
    "consultant": "Responsible consultant",
    "key_worker": "Key worker (clinical nurse specialist)",
    "referral_date": "Referral date (YYYY-MM-DD)",
    "first_seen_date": "First seen date (YYYY-MM-DD)",
    "diagnosis_date": "Diagnosis date (YYYY-MM-DD)",
    "decision_to_treat_date": "Decision to treat date (YYYY-MM-DD)",
    "first_treatment_date": "First treatment date (YYYY-MM-DD)",
}


@dataclass(frozen=True)
class UnknownColumn:
    """A header cell that names no column of the list or item of the pack."""

    position: int  # 1-based
    name: str
    suggestion: str | None

    @property
    def message(self) -> str:
        """The one message for this column, for every row it would otherwise fail."""
        hint = f"; did you mean {self.suggestion!r}?" if self.suggestion else ""
        return (f"Column {self.position} {self.name!r} is not a column of the list or an item "
                f"of the pack{hint} (names are matched ignoring case and surrounding spaces)")


def _key(name: str) -> str:
    return " ".join(name.split()).lower()


def _suggestion(name: str, known: Iterable[str]) -> str | None:
    by_key = {_key(k): k for k in known}
    close = difflib.get_close_matches(_key(name), list(by_key), n=1, cutoff=0.6)
    return by_key[close[0]] if close else None


def match_columns(header: list[str], items: Iterable[str]) -> tuple[list[str], list[UnknownColumn]]:
    """Each header cell as the list column or item it names (case and spaces ignored), and
    the cells that name nothing."""
    known = [*LIST_COLUMNS, *items]
    by_key = {_key(name): name for name in known}
    matched, unknown = [], []
    for position, cell in enumerate(header, 1):
        name = by_key.get(_key(cell))
        if name is None and cell.strip():
            unknown.append(UnknownColumn(position, cell.strip(), _suggestion(cell, known)))
        matched.append(name or cell)
    return matched, unknown


def _first_record(text: str) -> tuple[list[str], str] | None:
    """The header cells and the text after the header (None for an unreadable header)."""
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return None
    return header, "".join(lines[reader.line_num:])


def canonical_header(text: str, items: Iterable[str]) -> tuple[str, list[UnknownColumn]]:
    """The list with its header cells spelled as the pack spells them, and the columns that
    match nothing. A header that repeats a column or has no case_id column is left for the
    reader to report."""
    parsed = _first_record(text)
    if parsed is None:
        return text, []
    header, rest = parsed
    keys = [_key(cell) for cell in header]
    if len(set(keys)) != len(keys) or "case_id" not in keys:
        return text, []  # the reader reports the repeated column or the missing case_id
    matched, unknown = match_columns(header, items)
    if unknown or matched == header:
        return text, unknown
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(matched)
    return out.getvalue() + rest, []


def list_template(items: Mapping[str, DataItem]) -> str:
    """A CSV template for a pack: the header (list columns, then every item of the pack's
    data dictionary), a comment row with each column's label and one with what it allows."""
    names = [*LIST_COLUMNS, *items]
    labels = [*LIST_COLUMNS.values(), *(item.label or name for name, item in items.items())]
    allowed = ["" for _ in LIST_COLUMNS] + [item.allowed() for item in items.values()]
    labels[0] = f"{COMMENT_MARK} {labels[0]}"
    allowed[0] = f"{COMMENT_MARK} allowed values (delete these two rows or keep them: rows " \
                 f"starting with {COMMENT_MARK} are skipped)"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in (names, labels, allowed):
        writer.writerow(row)
    return out.getvalue()

