"""A FHIR input as a cohort: one typed row per patient, for every cohort engine.

The FHIR reader (``fhir_in``) builds each patient's case through the pack's bindings; the
cases become the same typed table a Parquet cohort is (one column per fact, typed by the
data dictionary), so DuckDB, Spark and the Python engine evaluate them unchanged. As
``openmdt evaluate`` does with a FHIR input, a Standard of Care never rests on an item the
record gives conflicting values for: such a case goes to full discussion (see
``fhir_cases.discuss_conflicts``). How each case was read (sources, conflicts, unit
conversions, what was not mapped) is kept for a report; resources that could not be read
are errors.
"""

from __future__ import annotations

import glob
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from openmdt.backends import CohortOutput, evaluate_cohort
from openmdt.backends.cohort import RowError, arrow_type, value_text
from openmdt.cases.errors import CaseError
from openmdt.interop.fhir_in import FhirCase, FhirRead, read_fhir_files
from openmdt.interop.fhir_records import looks_like_fhir
from openmdt.knowledge.model import Pack

__all__ = ["FhirCohort", "case_table", "evaluate_fhir_cohort", "fhir_files",
           "read_fhir_cohort", "settle_conflicts"]

FHIR_SUFFIXES = (".json", ".ndjson", ".jsonl")
_HEAD_CHARS = 65_536  # enough of a file to see its first resource


@dataclass(frozen=True)
class FhirCohort:
    """The cases of a FHIR input as a table, and how they were read."""

    cases: pa.Table
    read: FhirRead

    @property
    def conflicted(self) -> frozenset[str]:
        """The cases with an item the record gives different values for."""
        return frozenset(case.case_id for case in self.read.cases if case.conflicts)

    @property
    def errors(self) -> tuple[RowError, ...]:
        """The resources that could not be read (their file and place in the message; the
        row is the NDJSON line or the Bundle entry's number)."""
        return tuple(_read_error(error) for error in self.read.errors)

    def report_lines(self) -> Iterator[str]:
        """One JSON object per patient: how the case was read (the `fhir` part of
        `openmdt evaluate`'s output); last, the resources about no patient."""
        for case in self.read.cases:
            yield json.dumps({"case_id": case.case_id, **case.report()}, ensure_ascii=False)
        if self.read.not_mapped:
            yield json.dumps({"case_id": None, "not_mapped": [
                n.to_dict() for n in self.read.not_mapped]}, ensure_ascii=False)


def fhir_files(source: str) -> list[Path]:
    """The files of ``source`` (a file or a glob) when it is FHIR, else []: JSON or NDJSON
    whose first object names a resourceType, as the meeting import tells FHIR from a list."""
    paths = sorted(Path(p) for p in glob.glob(source)) if glob.has_magic(source) \
        else [Path(source)]
    if not paths or not all(p.name.lower().endswith(FHIR_SUFFIXES) for p in paths):
        return []
    if not paths[0].is_file():
        return []
    with paths[0].open(encoding="utf-8", errors="replace") as handle:
        head = handle.read(_HEAD_CHARS)
    return paths if looks_like_fhir(head) else []


def read_fhir_cohort(pack: Pack, paths: Sequence[Path], as_of: date) -> FhirCohort:
    """Every patient's case in the files, read together (a bulk export puts a patient's
    resources in several files)."""
    sources = []
    for path in paths:
        try:
            sources.append((str(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            raise ValueError(f"{path}: cannot be read as UTF-8 FHIR JSON: {error}") from None
    read = read_fhir_files(sources, pack, as_of)
    return FhirCohort(case_table(pack, read.cases), read)


def case_table(pack: Pack, cases: Sequence[FhirCase]) -> pa.Table:
    """One row per case: case_id, site, then each fact given in any case, typed by the data
    dictionary (a column whose values do not fit the type is text, refused by the engines
    with the item named)."""
    names: list[str] = []
    for case in cases:
        names += [name for name in case.data["facts"] if name not in names]
    columns: dict[str, pa.Array] = {
        "case_id": pa.array([case.case_id for case in cases], pa.string()),
        "site": pa.array([case.data.get("site") for case in cases], pa.string())}
    for name in names:
        values = [case.data["facts"].get(name) for case in cases]
        columns[name] = _column(pack, name, values)
    return pa.table(columns)


def _column(pack: Pack, name: str, values: list[Any]) -> pa.Array:
    item = pack.items.get(name)
    if item is None:
        return pa.array([value_text(v) for v in values], pa.string())
    typed = [_typed(item.type, v) for v in values]
    try:
        return pa.array(typed, arrow_type(item.type))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return pa.array([value_text(v) for v in values], pa.string())


def _typed(item_type: str, value: Any) -> Any:
    if item_type == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def settle_conflicts(table: pa.Table, conflicted: frozenset[str]) -> pa.Table:
    """The output with each conflicted case that would follow a Standard of Care sent to full
    discussion instead (the rule ``fhir_cases.discuss_conflicts`` applies per case)."""
    if not conflicted or table.num_rows == 0:
        return table
    sent = pc.and_(pc.is_in(table["case_id"], value_set=pa.array(sorted(conflicted))),
                   pc.equal(table["route"], "standard_of_care"))
    sent = pc.fill_null(sent, False)
    route = pc.if_else(sent, pa.scalar("full_discussion"), table["route"])
    standard = pc.if_else(sent, pa.scalar(None, pa.string()), table["standard_of_care"])
    table = table.set_column(table.schema.get_field_index("route"), "route", route)
    return table.set_column(table.schema.get_field_index("standard_of_care"),
                            "standard_of_care", standard)


def evaluate_fhir_cohort(pack: Pack, cohort: FhirCohort, as_of: date | None, engine: str, *,
                         master: str = "local[*]", memory_limit: str | None = None,
                         threads: int | None = None) -> CohortOutput:
    """The cohort's output by ``engine``; the read errors come first among the errors."""
    result = evaluate_cohort(pack, cohort.cases, as_of, engine, master=master,
                             memory_limit=memory_limit, threads=threads)
    return CohortOutput(settle_conflicts(result.cases, cohort.conflicted),
                        cohort.errors + result.errors, result.patterns)


def _read_error(error: CaseError) -> RowError:
    return RowError(error.line or 0, error.case_id, error.item, value_text(error.value),
                    error.code, error.message)
