"""Triage: one route per case (standard of care, full discussion, or not ready)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openmdt.engine.decide import DecisionResult
from openmdt.engine.derive import unknown_inputs
from openmdt.engine.plan import engine_plan
from openmdt.knowledge.model import Conflict, Pack, StandardOfCare
from openmdt.knowledge.program import Trace
from openmdt.knowledge.words import label_of
from openmdt.language import UNKNOWN, kleene_and


@dataclass
class Triage:
    """The route, the Standard of Care that applies, the reasons and the data requests."""

    route: str
    standard_of_care: str | None = None
    reasons: list[str] = field(default_factory=list)
    data_requests: list[str] = field(default_factory=list)
    minutes: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"route": self.route, "standard_of_care": self.standard_of_care,
                "reasons": list(self.reasons), "data_requests": list(self.data_requests),
                "minutes": self.minutes}


@dataclass
class _Findings:
    requests: set[str] = field(default_factory=set)
    excluded: list[str] = field(default_factory=list)
    matched: StandardOfCare | None = None


def _triage_items(pack: Pack, values: Trace, found: set[str]) -> None:
    """Items the triage always needs (or needs in this case) that the case does not give."""
    for item in engine_plan(pack).triage_needs:
        if not values.unknown(item.name):
            continue
        needed = item.triage_always
        if item.triage_when is not None:
            needed = values[pack.kernel.slot(item.triage_when)] is not False
        if needed:
            found.add(item.name)


def _check_standard(pack: Pack, soc: StandardOfCare, decision: DecisionResult,
                    values: Trace, findings: _Findings) -> bool:
    """Whether ``soc`` applies cleanly; otherwise record why not, or what would settle it."""
    slot = pack.kernel.slot
    condition = True if soc.condition is None else values[slot(soc.condition)]
    applies = kleene_and(condition, decision.recommendation(soc.option))
    if applies is False:
        return False
    exclusions = [(e, values[slot(e.condition)]) for e in soc.exclusions]
    held = [e for e, value in exclusions if value is True]
    if held:
        findings.excluded.extend(f"{soc.title}: not used because {e.reason}" for e in held)
        return False
    open_exclusions = [e for e, value in exclusions if value is UNKNOWN]
    if applies is True and not open_exclusions and decision.status == "definitive":
        return True
    if condition is UNKNOWN:
        unknown_inputs(pack, soc.condition.names, values, findings.requests)
    for exclusion in open_exclusions:
        unknown_inputs(pack, exclusion.condition.names, values, findings.requests)
    if decision.recommendation(soc.option) is UNKNOWN:
        findings.requests.update(decision.missing)
    return False


def triage_case(pack: Pack, values: Trace, decisions: list[DecisionResult],
                order: dict[str, int], conflicts: Sequence[Conflict] = ()) -> Triage:
    """Route the case from its trace and decisions; full-discussion rules and ``conflicts``
    (those that hold) first, then Standards of Care, then readiness."""
    never = [(rule, values[pack.kernel.slot(rule.condition)]) for rule in pack.never_streamline]
    held = [f"{r.reason} ({r.source})" for r, value in never if value is True]
    held += [f"Conflicting data: {c.message}" for c in conflicts]
    minutes = pack.minutes_per_case
    if held:
        return Triage("full_discussion", None, held, minutes=minutes)
    findings = _Findings()
    for rule, value in never:
        if value is UNKNOWN:
            unknown_inputs(pack, rule.condition.names, values, findings.requests)
    triage_missing: set[str] = set()
    _triage_items(pack, values, triage_missing)
    by_id = {d.decision.id: d for d in decisions}
    for soc in (s for s in pack.standards if s.enabled):
        if _check_standard(pack, soc, by_id[soc.decision], values, findings):
            findings.matched = findings.matched or soc
    requests = findings.requests | triage_missing
    if findings.matched is not None and not requests:
        soc = findings.matched
        return Triage("standard_of_care", soc.id,
                      [f"{soc.title} ({soc.source})"])
    for decision in decisions:
        if decision.status == "provisional":
            requests.update(decision.missing)
    if requests:
        ordered = sorted(requests, key=lambda n: (order.get(n, len(order)), n))
        return Triage("not_ready", None, ["Data needed before the case can be triaged: "
                                          + ", ".join(label_of(pack, n) for n in ordered)],
                      ordered)
    return Triage("full_discussion", None, _discussion_reasons(findings, decisions),
                  minutes=minutes)


def unrecorded_standard(pack: Pack, triage: Triage, recorded: Triage) -> Triage:
    """The route of a case whose Standard of Care (``triage``, read with the pack's defaults)
    does not hold on its recorded facts alone (``recorded``): never a Standard of Care."""
    soc = next(s for s in pack.standards if s.id == triage.standard_of_care)
    if recorded.route == "not_ready":
        requests = recorded.data_requests
        reason = (f"{soc.title} would apply, but only with values the case does not "
                  "record (missing or assumed by the pack)")
        return Triage("not_ready", None, [reason, *recorded.reasons], list(requests))
    if recorded.route == "full_discussion":
        return recorded
    other = next(s.title for s in pack.standards if s.id == recorded.standard_of_care)
    reason = (f"{soc.title} would apply with the pack's assumed values, but on the recorded "
              f"facts alone {other} applies: discuss")
    return Triage("full_discussion", None, [reason], minutes=pack.minutes_per_case)


def _discussion_reasons(findings: _Findings, decisions: list[DecisionResult]) -> list[str]:
    reasons = list(findings.excluded)
    for decision in decisions:
        if decision.status != "definitive" or decision.applies is not True:
            continue
        title = decision.decision.title
        if any(c.conflict for c in decision.candidates):
            reasons.append(f"{title}: conflicting arguments")
        if not decision.recommended:
            reasons.append(f"{title}: the guideline recommends no option")
        elif not findings.excluded:
            options = ", ".join(c.candidate.title for c in decision.candidates
                                if c.recommended is True)
            reasons.append(f"{title}: the guideline supports {options}")
    if not findings.excluded:
        reasons.append("No Standard of Care applies to this case")
    return reasons
