"""Reading meeting lists: one JSON case, JSONL, a JSON array, or a CSV meeting list.

Readers only split the input into cases and keep each case's line number; a broken line
becomes an error record and never stops the others. Facts are checked later against the
pack's data dictionary.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from openmdt.cases.errors import CaseError
from openmdt.cases.guard import (
    MAX_NUMBER_DIGITS,
    check_case_data,
    number_problem,
    source_is_clean,
)
from openmdt.cases.pathway import PATHWAY_DATES
from openmdt.cases.patient_details import LETTER_COLUMNS

Format = Literal["csv", "jsonl", "json"]
PATIENT_COLUMNS = {"nhs_number": "nhs_number", "patient_name": "name",
                   "date_of_birth": "date_of_birth", "hospital_number": "hospital_number",
                   **LETTER_COLUMNS}
RESERVED_COLUMNS = {"case_id", "site", *PATIENT_COLUMNS, *PATHWAY_DATES}
TRUE_WORDS = {"true", "yes", "y"}
FALSE_WORDS = {"false", "no", "n"}


@dataclass(frozen=True)
class CaseInput:
    """One case as read from a list: its line, its raw data, or why it could not be read."""

    line: int
    case_id: str | None
    data: dict[str, Any] | None
    error: CaseError | None = None


def detect_format(text: str, name: str = "") -> Format:
    """The list format from a file name, else from its first non-blank character."""
    lowered = name.lower()
    for suffix, fmt in ((".csv", "csv"), (".jsonl", "jsonl"), (".ndjson", "jsonl"),
                        (".json", "json")):
        if lowered.endswith(suffix):
            return fmt  # type: ignore[return-value]
    stripped = text.lstrip()
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        lines = [ln for ln in stripped.splitlines() if ln.strip()]
        return "jsonl" if len(lines) > 1 and lines[1].lstrip().startswith("{") else "json"
    return "csv"


def read_cases(text: str, fmt: Format, source: str = "<input>") -> list[CaseInput]:
    """Split a meeting list into cases, in input order, with line numbers."""
    return list(iter_cases(text, fmt, source))


def iter_cases(text: str, fmt: Format, source: str = "<input>") -> Iterator[CaseInput]:
    """Like read_cases, one case at a time (a long JSONL file is never all in memory as
    cases; a repeated case_id is still marked, as each case is read)."""
    text = text.removeprefix("\ufeff")  # a byte-order mark (Excel's CSV) is not data
    records = {"csv": _read_csv, "jsonl": _read_jsonl, "json": _read_json}[fmt](text, source)
    return _mark_duplicates(records)


def _mark_duplicates(records: Iterable[CaseInput]) -> Iterator[CaseInput]:
    seen: dict[str, int] = {}
    for rec in records:
        yield mark_duplicate(rec, seen)


def mark_duplicate(rec: CaseInput, seen: dict[str, int]) -> CaseInput:
    """The record, or an error if its case_id was used before (``seen``: case_id -> line of
    its first use, updated); records already in error are left as they are."""
    if rec.error is None and rec.case_id is not None:
        first = seen.get(rec.case_id)
        if first is not None:
            err = CaseError("duplicate_case_id", f"case {rec.case_id}: case_id already used "
                            f"on line {first}", path="case_id", case_id=rec.case_id,
                            line=rec.line)
            return CaseInput(rec.line, rec.case_id, None, err)
        seen[rec.case_id] = rec.line
    return rec


def _case_record(obj: Any, line: int, source: str, path_prefix: str = "",
                 clean_source: bool = False) -> CaseInput:
    if not isinstance(obj, dict):
        err = CaseError("wrong_shape", f"{source}:{line}: a case is a JSON object, found "
                        f"{type(obj).__name__}", path=path_prefix.rstrip(".") or "$", line=line)
        return CaseInput(line, None, None, err)
    if not clean_source:
        refused = _guard_problem(obj, line, source)
        if refused is not None:
            return refused
    case_id = obj.get("case_id")
    if case_id is None or str(case_id).strip() == "":
        err = CaseError("missing_case_id", f"{source}:{line}: the case has no case_id",
                        path=f"{path_prefix}case_id", line=line)
        return CaseInput(line, None, None, err)
    return CaseInput(line, str(case_id), obj)


def _guard_problem(obj: dict[str, Any], line: int, source: str) -> CaseInput | None:
    """The error record for a case holding a value no case may hold (see guard.py)."""
    try:
        check_case_data(obj)
    except CaseError as err:
        case_id = obj.get("case_id") if not err.path.startswith("case_id") else None
        shown = case_id if isinstance(case_id, (str, int)) else None
        err.message = f"{source}:{line}: {err.message}"
        return CaseInput(line, None if shown is None else str(shown), None, err.at(line=line))
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS + 1 and len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValueError(f"an integer has more than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if number_problem(value) is not None:
        raise ValueError(f"the number {text[:20]}... is too large" if len(text) > 20
                         else f"the number {text} is too large")
    return value


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_int=_bounded_int,
                            parse_float=_finite_float)  # one, not one per line


def _loads(text: str) -> Any:
    """Strict JSON: NaN and Infinity (accepted by Python's json) are refused, not passed on,
    and so are huge numbers and nesting deeper than Python's recursion allows."""
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise json.JSONDecodeError("the JSON is nested too deeply", text, 0) from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise
        raise json.JSONDecodeError(str(exc), text, 0) from None


def _read_jsonl(text: str, source: str) -> Iterator[CaseInput]:
    return read_jsonl_lines(text.splitlines(), 1, source)


def read_jsonl_lines(lines: Iterable[str], first: int, source: str) -> Iterator[CaseInput]:
    """The cases of JSONL lines numbered from ``first`` (blank lines skipped; repeated case_ids
    not marked: see mark_duplicate)."""
    for number, raw_line in enumerate(lines, start=first):
        if not raw_line.strip():
            continue
        try:
            obj = _loads(raw_line)
        except json.JSONDecodeError as exc:
            err = CaseError("invalid_json", f"{source}:{number}: invalid JSON: {exc.msg} at "
                            f"column {exc.colno}", path="$", line=number)
            yield CaseInput(number, None, None, err)
            continue
        yield _case_record(obj, number, source, clean_source=source_is_clean(raw_line))


def _read_json(text: str, source: str) -> list[CaseInput]:
    try:
        obj = _loads(text)
    except json.JSONDecodeError as exc:
        err = CaseError("invalid_json", f"{source}:{exc.lineno}: invalid JSON: {exc.msg} at "
                        f"column {exc.colno}", path="$", line=exc.lineno)
        return [CaseInput(exc.lineno, None, None, err)]
    if isinstance(obj, list):
        return [_case_record(item, index + 1, source, f"$[{index}].")
                for index, item in enumerate(obj)]
    return [_case_record(obj, 1, source)]


def read_csv_with_columns(text: str, columns: frozenset[str], source: str = "<input>"
                          ) -> list[CaseInput]:
    """A CSV list whose ``columns`` are not case data (a historic file's outcome columns):
    each record's data holds them under ``"columns"``. A repeated case_id is not marked (a
    patient may be discussed at two meetings); the caller decides what repeats mean."""
    return _read_csv(text.removeprefix("\ufeff"), source, columns)


def _read_csv(text: str, source: str, extra: frozenset[str] = frozenset()) -> list[CaseInput]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return []
    except csv.Error as exc:
        return [CaseInput(1, None, None, CaseError("invalid_csv", f"{source}:1: {exc}", line=1))]
    duplicate = _duplicate_column(header)
    if duplicate is not None:
        return [CaseInput(1, None, None, CaseError("duplicate_column", f"{source}:1: {duplicate}",
                                                   path="$", line=1))]
    if "case_id" not in header:
        err = CaseError("missing_case_id", f"{source}:1: the header has no case_id column "
                        f"(found: {', '.join(header)})", path="case_id", line=1)
        return [CaseInput(1, None, None, err)]
    return list(_csv_rows(reader, header, source, extra))


def _duplicate_column(header: list[str]) -> str | None:
    """Why the header is ambiguous: two columns that are the same name once case and spaces
    are ignored (the later one would silently override the earlier one's value)."""
    first: dict[str, int] = {}
    for index, name in enumerate(header):
        key = " ".join(name.split()).lower()
        if key in first:
            earlier = first[key]
            return (f"columns {earlier + 1} ({header[earlier]!r}) and {index + 1} ({name!r}) "
                    "name the same column; a value must come from one column only")
        first[key] = index
    return None


def _csv_rows(reader: Any, header: list[str], source: str, extra: frozenset[str]):
    line = 1
    header_clean = all(source_is_clean(name) for name in header)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield CaseInput(start, None, None, CaseError("invalid_csv", f"{source}:{start}: {exc}",
                                                         line=start))
            continue
        line = start
        if not any(cell.strip() for cell in row) or _is_comment(row, header):
            continue
        if len(row) != len(header):
            index = header.index("case_id")
            case_id = row[index].strip() or None if index < len(row) else None
            err = CaseError("invalid_csv", f"{source}:{line}: the row has {len(row)} cells, the "
                            f"header has {len(header)}", path="$", line=line, case_id=case_id)
            yield CaseInput(line, case_id, None, err)
            continue
        clean = source_is_clean(",".join(row)) and header_clean
        yield _case_record(_csv_case(dict(zip(header, row, strict=True)), extra), line, source,
                           clean_source=clean)


def _is_comment(row: list[str], header: list[str]) -> bool:
    """A row whose case_id cell starts with # (a list template's label rows)."""
    index = header.index("case_id")
    return index < len(row) and row[index].lstrip().startswith("#")


def _csv_case(row: dict[str, str], extra: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A CSV row as a case: reserved columns name the case and patient, ``extra`` columns
    are kept apart under "columns", the rest are facts."""
    case: dict[str, Any] = {"case_id": row.get("case_id", "").strip() or None}
    if row.get("site", "").strip():
        case["site"] = row["site"].strip()
    patient = {key: row[col].strip() for col, key in PATIENT_COLUMNS.items()
               if row.get(col, "").strip()}
    if patient:
        case["patient"] = patient
    pathway = {name: row[name].strip() for name in PATHWAY_DATES if row.get(name, "").strip()}
    if pathway:
        case["pathway"] = pathway
    if extra:
        case["columns"] = {k: row[k].strip() for k in extra if k in row}
    case["facts"] = {k: v for k, v in row.items()
                     if k not in RESERVED_COLUMNS and k not in extra and v.strip()}
    return case
