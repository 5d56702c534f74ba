"""The bridge to the core engine: load packs once, validate facts, evaluate, read the result.

The engine's `Evaluation.to_dict()` is stored as-is; the helpers here read the few parts the
workflow needs (route, reasons, data requests, recommended options, Standard of Care) in one
place, so a change of the output contract touches only this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from openmdt.engine.evaluate import Detail
from openmdt.engine.result import TriageRecord
from openmdt.meetings.options import options_of, recommended_refs
from openmdt.meetings.stored import read_evaluation
from openmdt.store.errors import InvalidRequest


@lru_cache(maxsize=32)
def pack_by_id(pack_id: str) -> Any:
    """The compiled knowledge pack (cached: packs are immutable once loaded)."""
    from openmdt.knowledge import PackLoadError, load_pack

    try:
        return load_pack(pack_id)
    except (PackLoadError, FileNotFoundError, ValueError) as error:
        raise InvalidRequest(
            f"Knowledge pack {pack_id!r} cannot be loaded: {error}", code="unknown_pack"
        ) from error


@dataclass(frozen=True)
class Evaluated:
    """One case's evaluation as stored: the JSON and the pack it came from."""

    evaluation: dict[str, Any]
    pack_id: str
    pack_version: str
    pack_hash: str

    @property
    def route(self) -> str | None:
        """The engine's triage route."""
        triage = triage_record(self.evaluation)
        return None if triage is None else triage.route


def evaluation_json(pack: Any, case_data: dict[str, Any], as_of: date,
                    detail: Detail = "full") -> str:
    """One case's evaluation as JSON text (the engine's contract), for storing or answering;
    ``summary`` leaves out texts and sources (see docs/cli.md).

    Raises InvalidRequest (422, code invalid_facts) when the facts do not fit the pack.
    """
    from openmdt.cases import CaseError
    from openmdt.engine import evaluate

    try:
        explain = detail == "full"
        return evaluate(pack, case_data, as_of=as_of, explain=explain).to_json(detail)
    except CaseError as error:
        detail = case_error_dict(error, case_id=case_data.get("case_id"))
        raise InvalidRequest(detail["message"], code="invalid_facts", errors=[detail]) from error


def evaluate_facts(pack: Any, case_data: dict[str, Any], as_of: date) -> Evaluated:
    """Evaluate one case (raises InvalidRequest on bad facts)."""
    # Through JSON text, so what we keep is exactly what the database will give back.
    evaluation = json.loads(evaluation_json(pack, case_data, as_of))
    return Evaluated(evaluation, pack.id, str(pack.version), pack.hash)


def case_error_dict(
    error: Any, *, line: int | None = None, case_id: str | None = None
) -> dict[str, Any]:
    """One bad line in the shape of the API's problem `errors`: line, case_id, code, message,
    path, and for a bad fact the item, its value and what is allowed."""
    raw = error.to_dict() if hasattr(error, "to_dict") else {}
    result = {
        "line": raw.get("line") or getattr(error, "line", None) or line,
        "case_id": raw.get("case_id") or getattr(error, "case_id", None) or case_id,
        "code": raw.get("code") or getattr(error, "code", "invalid_case"),
        "message": raw.get("message") or str(error),
        "path": raw.get("path"),
    }
    for key in ("item", "value", "allowed"):
        if key in raw:
            result[key] = raw[key]
    return result


def triage_record(evaluation: dict[str, Any] | None) -> TriageRecord | None:
    """The triage part of a stored evaluation (route, reasons, data requests, Standard of
    Care), or None when no evaluation is stored."""
    record = read_evaluation(evaluation)
    return None if record is None else record.triage


def route_reasons(evaluation: dict[str, Any] | None) -> list[str]:
    """Why the engine chose the route."""
    triage = triage_record(evaluation)
    return [] if triage is None else list(triage.reasons)


def data_requests(evaluation: dict[str, Any] | None) -> list[str]:
    """The itemised data requests of a not-ready case."""
    triage = triage_record(evaluation)
    return [] if triage is None else list(triage.data_requests)


def standard_of_care(evaluation: dict[str, Any] | None, pack: Any = None) -> dict[str, Any] | None:
    """The Standard of Care the case meets, as {id, title, decision, option, ...} when known."""
    triage = triage_record(evaluation)
    found = None if triage is None else triage.standard_of_care
    if found is None:
        return None
    for standard in getattr(pack, "standards", ()):
        if standard.id == found:
            return {
                "id": standard.id,
                "title": standard.title,
                "decision": standard.decision,
                "option": standard.option,
                "source": standard.source,
                "care_plan_intent": standard.care_plan_intent,
                "planned_treatment_types": list(standard.planned_treatment_types),
            }
    return {"id": found}


def recommended_options(evaluation: dict[str, Any] | None) -> list[str]:
    """Every option the guideline recommends across the applicable decisions, named as
    ``decision_id/option_id`` (an option id alone can mean two treatments)."""
    return sorted(set(recommended_refs(evaluation)))


def candidate_options(evaluation: dict[str, Any] | None) -> list[str]:
    """Every option the guideline lists (recommended or not), as ``decision_id/option_id``."""
    return sorted({o.ref for o in options_of(evaluation)})
