"""Normalise and validate a case's facts against the pack's data dictionary."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openmdt.cases.errors import CaseError
from openmdt.knowledge.checks import did_you_mean
from openmdt.knowledge.model import DataItem, Pack

TRUE_WORDS = {"true", "yes", "y"}
FALSE_WORDS = {"false", "no", "n"}


@dataclass(frozen=True)
class Case:
    """A validated case: known facts only, each converted to its item's type."""

    case_id: str
    site: str | None
    facts: Mapping[str, Any]
    patient: Mapping[str, Any] = field(default_factory=dict)


class _Invalid(Exception):
    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason


def _number(item: DataItem, value: Any) -> float | int:
    if isinstance(value, bool):
        raise _Invalid("wrong_type", "is a boolean")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise _Invalid("wrong_type", "is not a number") from None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _Invalid("wrong_type", "is not a number")
    if item.type == "integer":
        if not float(value).is_integer():
            raise _Invalid("wrong_type", "is not a whole number")
        value = int(value)
    if (item.minimum is not None and value < item.minimum) or (
            item.maximum is not None and value > item.maximum):
        raise _Invalid("value_out_of_range", "is out of range")
    return value


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise _Invalid("wrong_type", "is not true or false")


def _enum(item: DataItem, value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("wrong_type", "is not text")
    text = value.strip()
    values = item.values or ()
    if text in values:
        return text
    folded = [v for v in values if v.lower() == text.lower()]
    if len(folded) == 1:
        return folded[0]
    raise _Invalid("value_not_allowed", "is not allowed")


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Invalid("wrong_type", "is not a date")


def convert_fact(item: DataItem, value: Any) -> Any:
    """The value converted to the item's type; raises _Invalid with a code and reason."""
    if item.type in ("number", "integer"):
        return _number(item, value)
    if item.type == "boolean":
        return _boolean(value)
    if item.type == "enum":
        return _enum(item, value)
    if item.type == "date":
        return _date(value)
    if not isinstance(value, str):
        raise _Invalid("wrong_type", "is not text")
    return value


def _is_unknown(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _fact_error(case_id: str, item: DataItem, value: Any, problem: _Invalid) -> CaseError:
    hint = ""
    if problem.code == "value_not_allowed" and isinstance(value, str):
        close = did_you_mean(value, item.values or ())
        hint = f"; {close}" if close else ""
    message = (f"case {case_id}: {item.name} = {value!r} {problem.reason}: allowed "
               f"{item.allowed()}{hint}")
    return CaseError(problem.code, message, path=f"facts.{item.name}", case_id=case_id,
                     item=item.name, value=value, allowed=item.allowed())


def normalise_facts(pack: Pack, case_id: str, facts: Mapping[str, Any]) -> dict[str, Any]:
    """Known facts converted to their types; the first bad fact raises CaseError."""
    result: dict[str, Any] = {}
    for name, value in facts.items():
        item = pack.items.get(name)
        if item is None:
            close = did_you_mean(name, pack.items)
            raise CaseError("unknown_item", f"case {case_id}: {name!r} is not an item of pack "
                            f"{pack.id}" + (f"; {close}" if close else ""),
                            path=f"facts.{name}", case_id=case_id, item=name, value=value,
                            allowed="an item of the data dictionary")
        if _is_unknown(value):
            continue
        try:
            result[name] = convert_fact(item, value)
        except _Invalid as problem:
            raise _fact_error(case_id, item, value, problem) from None
    return result


def validate_case(pack: Pack, data: Mapping[str, Any]) -> Case:
    """A validated Case from raw case data ({case_id, site, patient, facts})."""
    if not isinstance(data, Mapping):
        raise CaseError("wrong_shape", "a case is an object with case_id and facts", path="$")
    case_id = data.get("case_id")
    if case_id is None or str(case_id).strip() == "":
        raise CaseError("missing_case_id", "the case has no case_id", path="case_id")
    case_id = str(case_id)
    facts = data.get("facts", {})
    if not isinstance(facts, Mapping):
        raise CaseError("wrong_shape", f"case {case_id}: facts must be an object", path="facts",
                        case_id=case_id)
    patient = data.get("patient") or {}
    site = data.get("site")
    return Case(case_id, None if site is None else str(site), normalise_facts(pack, case_id, facts),
                dict(patient) if isinstance(patient, Mapping) else {})
