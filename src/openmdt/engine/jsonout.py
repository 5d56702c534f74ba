"""The evaluation as compact JSON text, fast: byte for byte ``json.dumps(to_dict())``.

Everything about an argument except whether it held (id, polarity, weight, text, source,
strength) is fixed by the pack, so its JSON is rendered once per pack and only the value of
``holds`` is filled in per case. A test pins the output to the plain ``json.dumps`` of
``Evaluation.to_dict()`` with the same separators.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openmdt.engine.memo import Memo
from openmdt.knowledge.model import Candidate, Decision, Pack
from openmdt.language import UNKNOWN

if TYPE_CHECKING:
    from openmdt.engine.decide import CandidateResult, DecisionResult
    from openmdt.engine.evaluate import Evaluation
    from openmdt.engine.triage import Triage

TEXT_LIMIT = 50_000  # rendered texts remembered per pack, of each kind
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_TRUTH = {True: "true", False: "false"}


def _truth(value: Any) -> str:
    return _TRUTH.get(value, "null") if value is not UNKNOWN else "null"


def dumps(value: Any) -> str:
    """Compact JSON with the separators the CLI prints."""
    return _dumps(value)


@dataclass(frozen=True)
class CandidateFragments:
    """JSON pieces of a candidate: its head, and each argument split around ``holds``."""

    head: str
    arguments: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PackFragments:
    """Pre-rendered JSON of everything in a pack's decisions that no case changes."""

    decision_heads: dict[str, str]
    candidates: dict[tuple[str, str], CandidateFragments]
    pack_reference: str
    # Rendered texts by the values they were rendered from (same values, same text).
    candidate_texts: Memo[str] = field(default_factory=lambda: Memo(TEXT_LIMIT))
    decision_texts: Memo[str] = field(default_factory=lambda: Memo(TEXT_LIMIT))


def _argument_parts(argument: Any) -> tuple[str, str]:
    before = (f'{{"id":{_dumps(argument.id)},"polarity":{_dumps(argument.polarity)},'
              f'"weight":{_dumps(argument.weight)},"holds":')
    after = (f',"text":{_dumps(argument.text)},"source":{_dumps(argument.source)},'
             f'"strength":{_dumps(argument.strength)}}}')
    return before, after


def _candidate_fragments(candidate: Candidate) -> CandidateFragments:
    head = f'{{"id":{_dumps(candidate.id)},"title":{_dumps(candidate.title)},"net_support":'
    return CandidateFragments(head, tuple(_argument_parts(a) for a in candidate.arguments))


def _decision_head(decision: Decision) -> str:
    return f'{{"id":{_dumps(decision.id)},"title":{_dumps(decision.title)},"status":'


def pack_fragments(pack: Pack) -> PackFragments:
    """The pack's fixed JSON pieces (built once per pack, as part of its engine plan)."""
    return PackFragments(
        {d.id: _decision_head(d) for d in pack.decisions},
        {(d.id, c.id): _candidate_fragments(c) for d in pack.decisions for c in d.candidates},
        _dumps(pack.reference))


def _candidate_json(parts: list[str], pack: PackFragments, fragments: CandidateFragments,
                    result: CandidateResult, missing: list[str]) -> None:
    """A candidate's JSON; the same argument values give the same text, so it is remembered."""
    key = (id(fragments), result.holds, result.recommended, tuple(missing))
    known = pack.candidate_texts.get(key)
    if known is None:
        text: list[str] = []
        _render_candidate(text, fragments, result, missing)
        known = pack.candidate_texts.put(key, "".join(text))
    parts.append(known)


def _render_candidate(parts: list[str], fragments: CandidateFragments, result: CandidateResult,
                      missing: list[str]) -> None:
    low, high = result.support_range
    recommended = result.recommended
    parts.append(f'{fragments.head}{_dumps(result.net_support)},"net_support_range":'
                 f'[{_dumps(low)},{_dumps(high)}],"recommended":{_truth(recommended)},'
                 '"arguments":[')
    for index, ((before, after), holds) in enumerate(zip(fragments.arguments, result.holds,
                                                         strict=True)):
        parts.append(("," if index else "") + before + _truth(holds) + after)
    parts.append("]")
    if missing:
        parts.append(f',"missing":{_dumps(missing)}')
    if result.conflict:
        parts.append(',"conflict":"a confirming and an excluding argument both hold"')
    parts.append("}")


def _decision_json(parts: list[str], fragments: PackFragments, result: DecisionResult) -> None:
    """A decision's JSON. Unless it is provisional (its missing items depend on the case), the
    text follows from its status and argument values alone, so it is remembered."""
    if result.status == "provisional":
        _render_decision(parts, fragments, result)
        return
    key = (result.outcome_key(), result.argument_values())
    known = fragments.decision_texts.get(key)
    if known is None:
        text: list[str] = []
        _render_decision(text, fragments, result)
        known = fragments.decision_texts.put(key, "".join(text))
    parts.append(known)


def _render_decision(parts: list[str], fragments: PackFragments, result: DecisionResult
                     ) -> None:
    decision_id = result.decision.id
    applies = result.applies
    parts.append(f'{fragments.decision_heads[decision_id]}"{result.status}","applies":'
                 f'{_truth(applies)},"recommended":{_dumps(result.recommended)},'
                 f'"missing":{_dumps(result.missing)},"candidates":[')
    for index, candidate in enumerate(result.candidates):
        if index:
            parts.append(",")
        _candidate_json(parts, fragments,
                        fragments.candidates[(decision_id, candidate.candidate.id)],
                        candidate, result.candidate_missing.get(candidate.candidate.id, []))
    parts.append("]}")


def evaluation_json(evaluation: Evaluation) -> str:
    """The evaluation as one line of compact JSON, equal to dumps(evaluation.to_dict())."""
    fragments = evaluation.plan.fragments
    head = _head(evaluation)
    settled = evaluation.explained  # the same for every case with this pattern
    parts = settled.texts.get("json")
    if parts is None:
        parts = settled.texts["json"] = _settled_json(fragments, settled.decisions,
                                                      settled.triage)
    return head + "".join(parts)


def evaluation_summary_json(evaluation: Evaluation) -> str:
    """``--detail summary`` as compact JSON, equal to dumps(evaluation.to_dict("summary"));
    the decisions and triage are the same for every case with this pattern."""
    settled = evaluation.settled
    tail = settled.texts.get("summary")
    if tail is None:
        tail = settled.texts["summary"] = (
            f'"decisions":{_dumps([d.summary_dict() for d in settled.decisions])},'
            f'"triage":{_dumps(settled.triage.to_dict())}}}')
    return _head(evaluation) + tail


def _head(evaluation: Evaluation) -> str:
    as_of = evaluation.as_of
    return (f'{{"case_id":{_dumps(evaluation.case_id)},'
            f'"pack":{evaluation.plan.fragments.pack_reference},'
            f'"as_of":{_dumps(None if as_of is None else as_of.isoformat())},'
            f'"assumed":{evaluation.assumed_json()},'
            f'"conflicts":{_conflicts_json(evaluation)},"derived":{evaluation.derived_json()},')


def _conflicts_json(evaluation: Evaluation) -> str:
    return _dumps(evaluation.conflicts) if evaluation.settled.conflicts else "[]"


def _settled_json(fragments: PackFragments, decisions: Sequence[DecisionResult],
                  triage: Triage) -> tuple[str, ...]:
    """The decisions and triage as JSON pieces; each decision's text is shared with every
    other case whose decision came out the same, so keeping the pieces costs little."""
    parts = ['"decisions":[']
    for index, decision in enumerate(decisions):
        if index:
            parts.append(",")
        _decision_json(parts, fragments, decision)
    parts.append(f'],"triage":{_dumps(triage.to_dict())}}}')
    return tuple(parts)
