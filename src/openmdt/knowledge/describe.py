"""A pack described as plain data: what `openmdt pack show` prints.

Evaluations written with `--detail summary` carry ids only; this gives the titles, texts,
sources and conditions behind those ids once per pack.
"""

from __future__ import annotations

from typing import Any

from openmdt.knowledge.model import (
    Argument,
    Candidate,
    Conflict,
    DataItem,
    Decision,
    DerivedFact,
    Pack,
    StandardOfCare,
)


def describe_pack(pack: Pack) -> dict[str, Any]:
    """The pack's identity, parameters, sources, items, derived facts, decisions, Standards of
    Care, never-streamline rules and conflicts, JSON-ready."""
    return {
        "pack": pack.reference, "title": pack.title, "site": pack.site, "status": pack.status,
        "base": pack.base, "parameters": dict(pack.parameters),
        "sources": [{"id": s.id, "title": s.title, "publisher": s.publisher, "date": s.date,
                     "url": s.url} for s in pack.sources],
        "items": [_item(i) for i in pack.items.values()],
        "derived": [_derived(f) for f in pack.derived],
        "decisions": [_decision(d) for d in pack.decisions],
        "standards": [_standard(s) for s in pack.standards],
        "never_streamline": [{"id": r.id, "when": r.condition.to_text(), "reason": r.reason,
                              "source": r.source} for r in pack.never_streamline],
        "conflicts": [_conflict(c) for c in pack.conflicts],
    }


def _item(item: DataItem) -> dict[str, Any]:
    described: dict[str, Any] = {"name": item.name, "type": item.type, "label": item.label,
                                 "question": item.question, "unit": item.unit,
                                 "values": list(item.values) if item.values else None,
                                 "min": item.minimum, "max": item.maximum,
                                 "codes": dict(item.codes),
                                 "not_assessed": sorted(item.not_assessed)}
    if item.default is not None:
        described |= {"default": item.default if not hasattr(item.default, "isoformat")
                      else item.default.isoformat(),
                      "default_source": item.default_source,
                      "streamline_safe": item.streamline_safe,
                      "streamline_safe_source": item.streamline_safe_source}
    return described


def _derived(fact: DerivedFact) -> dict[str, Any]:
    return {"name": fact.name, "type": fact.type.name.lower(), "description": fact.description,
            "source": fact.source, "helper": fact.helper, "fills_item": fact.fills_item}


def _decision(decision: Decision) -> dict[str, Any]:
    return {"id": decision.id, "title": decision.title, "description": decision.description,
            "applies_when": None if decision.applies_when is None
            else decision.applies_when.to_text(),
            "recommend_threshold": decision.threshold,
            "candidates": [_candidate(c) for c in decision.candidates]}


def _candidate(candidate: Candidate) -> dict[str, Any]:
    return {"id": candidate.id, "title": candidate.title, "description": candidate.description,
            "information_only": candidate.information_only,
            "arguments": [_argument(a) for a in candidate.arguments]}


def _argument(argument: Argument) -> dict[str, Any]:
    return {"id": argument.id, "polarity": argument.polarity, "weight": argument.weight,
            "when": argument.condition.to_text(), "text": argument.text,
            "source": argument.source, "strength": argument.strength}


def _standard(standard: StandardOfCare) -> dict[str, Any]:
    return {"id": standard.id, "title": standard.title, "decision": standard.decision,
            "option": standard.option, "enabled": standard.enabled,
            "when": None if standard.condition is None else standard.condition.to_text(),
            "source": standard.source,
            "exclusions": [{"id": e.id, "when": e.condition.to_text(), "reason": e.reason}
                           for e in standard.exclusions]}


def _conflict(conflict: Conflict) -> dict[str, Any]:
    return {"id": conflict.id, "items": list(conflict.items),
            "when": conflict.condition.to_text(), "message": conflict.message,
            "source": conflict.source}
