"""evaluate(pack, case) -> Evaluation: normalise, derive, decide, explain, triage. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any, Literal

from openmdt.engine.decide import DecisionResult, evaluate_decision
from openmdt.engine.exact import exact_decision
from openmdt.engine.jsonout import dumps, evaluation_json, evaluation_summary_json
from openmdt.engine.memo import Memo
from openmdt.engine.normalise import Case, validate_case
from openmdt.engine.plan import EnginePlan, engine_plan
from openmdt.engine.triage import Triage, triage_case, unrecorded_standard
from openmdt.knowledge.kernel import Kernel
from openmdt.knowledge.model import Conflict, Pack
from openmdt.language import UNKNOWN


@dataclass(frozen=True)
class Settled:
    """Decisions and triage of a case: a pure function of its kernel values and of which of
    its items and derived facts are unknown, so shared by every case with the same ones."""

    decisions: tuple[DecisionResult, ...]
    triage: Triage
    open: bool  # a decision that does not apply is not explained (its arguments were skipped)
    conflicts: tuple[Conflict, ...] = ()  # the pack's conflicts that hold
    texts: dict[str, Any] = field(default_factory=dict, compare=False)  # rendered output


Run = Callable[[dict[str, Any]], tuple[Any, ...]]
_SETTLED_LIMIT = 8192  # per pack; 12-17 KB each (measured on the prostate pack)

# How much of an evaluation is written: "full" (the output contract: every candidate with its
# arguments' texts and sources) or "summary" (ids and results only; see docs/cli.md).
Detail = Literal["full", "summary"]


@dataclass(eq=False)
class Evaluation:
    """The result of evaluating one case with one pack: derived facts, decisions, triage.

    Decisions and triage are settled by ``evaluate``; the explanation of a decision that does
    not apply, the JSON-ready derived facts and the defaults used are worked out on first use.
    """

    case_id: str
    pack: Pack
    as_of: date | None
    settled: Settled
    case: Case
    env: dict[str, Any]  # the case's facts, defaults and derived facts (read-only)
    kernel: Kernel
    plan: EnginePlan
    recorded_values: tuple[Any, ...] | None = None  # the recorded-only check of a SoC route

    @property
    def triage(self) -> Triage:
        return self.settled.triage

    @property
    def route(self) -> str:
        return self.settled.triage.route

    @cached_property
    def explained(self) -> Settled:
        """The same decisions and triage with every argument worked out: for a case whose
        skipped arguments were not computed, the kernel runs again without skipping."""
        if not self.settled.open:
            return self.settled
        values = self.kernel.run_all(dict(self.env))
        complete = _remembered(self.pack, self.plan, values, complete=True)
        complete = _exactly(self.pack, self.plan, complete, values, (self.kernel.run, "pack"),
                            lambda: _environment(self.plan, self.case, self.as_of))
        if complete.triage == self.settled.triage:
            return complete
        return _with_triage(self.plan, complete, self.settled.triage,
                            ("recorded", values, self.recorded_values))

    @property
    def conflicts(self) -> list[dict[str, Any]]:
        """The conflicts found in the recorded facts: the items, their values, the message."""
        facts = self.case.facts
        return [{"id": c.id, "items": list(c.items),
                 "values": {name: _json_value(facts.get(name, UNKNOWN)) for name in c.items},
                 "message": c.message} for c in self.settled.conflicts]

    @property
    def decisions(self) -> list[DecisionResult]:
        return list(self.explained.decisions)

    @cached_property
    def derived(self) -> dict[str, Any]:
        env = self.env
        derived = {name: None if (value := env[name]) is UNKNOWN else value
                   for name in self.plan.derived_names}
        for name in self.plan.derived_dates:
            if derived[name] is not None:
                derived[name] = derived[name].isoformat()
        return derived

    def derived_json(self) -> str:
        """``derived`` as compact JSON, remembered by the values and their types (a float is
        always written afresh: 0.0 and -0.0 are equal but print differently)."""
        values = tuple(map(self.env.__getitem__, self.plan.derived_names))
        types = tuple(map(type, values))
        if float in types:
            return dumps(self.derived)
        texts = self.plan.derived_texts
        try:
            text = texts.get((values, types))
        except TypeError:  # a value that cannot be a key (a list)
            return dumps(self.derived)
        if text is None:
            text = dumps(self.derived)
            if len(texts) >= _SETTLED_LIMIT:
                texts.clear()
            texts[(values, types)] = text
        return text

    @property
    def assumed(self) -> dict[str, Any]:
        return dict(_assumed(self.plan, self.pack, self.case)[0])

    def assumed_json(self) -> str:
        """``assumed`` as compact JSON (the same for every case giving the same items)."""
        return _assumed(self.plan, self.pack, self.case)[1]

    def to_json(self, detail: Detail = "full") -> str:
        """The output as compact JSON text; equal to dumps(to_dict(detail)), but faster."""
        if detail == "summary":
            return evaluation_summary_json(self)
        return evaluation_json(self)

    def to_dict(self, detail: Detail = "full") -> dict[str, Any]:
        """The output contract: JSON-ready, stable keys, deterministic order. Every call
        returns new dictionaries and lists, which the caller may change. ``summary`` keeps
        the ids and results and leaves out titles, texts and sources."""
        if detail == "summary":
            return self._summary_dict()
        explained = self.explained  # shared by every case with the same pattern: copied
        decisions = [_fresh_decision(_decision_template(d, explained, self.plan.decision_dicts))
                     for d in explained.decisions]
        triage = explained.texts.get("triage")
        if triage is None:
            triage = explained.texts["triage"] = explained.triage.to_dict()
        triage = _fresh_triage(triage)
        return {"case_id": self.case_id, "pack": self.pack.reference,
                "as_of": None if self.as_of is None else self.as_of.isoformat(),
                "assumed": self.assumed, "conflicts": self.conflicts,
                "derived": dict(self.derived),
                "decisions": decisions, "triage": triage}

    def _summary_dict(self) -> dict[str, Any]:
        settled = self.settled  # no explanation needed: nothing skipped is shown
        return {"case_id": self.case_id, "pack": self.pack.reference,
                "as_of": None if self.as_of is None else self.as_of.isoformat(),
                "assumed": self.assumed, "conflicts": self.conflicts,
                "derived": dict(self.derived),
                "decisions": [d.summary_dict() for d in settled.decisions],
                "triage": settled.triage.to_dict()}


def _decision_template(result: DecisionResult, settled: Settled,
                       known_dicts: Memo[dict[str, Any]]) -> dict[str, Any]:
    """A decision's dictionary, built once. Unless the decision is provisional (its missing
    items depend on the case's pattern), it follows from its status and argument values
    alone, so it is shared by every pattern with the same decision outcome: a pattern keeps
    no copy of its own (measured: 50 KB a pattern when each kept all its dictionaries)."""
    if result.status == "provisional":
        key = f"decision:{result.decision.id}"
        template = settled.texts.get(key)
        if template is None:
            template = settled.texts[key] = result.to_dict()
        return template
    key = (result.outcome_key(), result.argument_values())
    known = known_dicts.get(key)
    if known is None:
        known = known_dicts.put(key, result.to_dict())
    return known


def _fresh_decision(decision: dict[str, Any]) -> dict[str, Any]:
    """A copy of a decision's dictionary (as DecisionResult.to_dict makes it) sharing no
    dictionary or list with it (its values are otherwise text, numbers, booleans or None)."""
    copy = dict(decision)
    copy["recommended"] = list(decision["recommended"])
    copy["missing"] = list(decision["missing"])
    copy["candidates"] = [_fresh_candidate(c) for c in decision["candidates"]]
    return copy


def _fresh_candidate(candidate: dict[str, Any]) -> dict[str, Any]:
    copy = dict(candidate)
    copy["net_support_range"] = list(candidate["net_support_range"])
    copy["arguments"] = [dict(argument) for argument in candidate["arguments"]]
    if "missing" in candidate:
        copy["missing"] = list(candidate["missing"])
    return copy


def _fresh_triage(triage: dict[str, Any]) -> dict[str, Any]:
    copy = dict(triage)
    copy["reasons"] = list(triage["reasons"])
    copy["data_requests"] = list(triage["data_requests"])
    return copy


def _json_value(value: Any) -> Any:
    if value is UNKNOWN:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value


def case_environment(pack: Pack, case: Case, as_of: date | None) -> dict[str, Any]:
    """Names to values for the expressions: parameters and every item (its default, or
    UNKNOWN, when the case does not give it; a 'not assessed' value such as TX is UNKNOWN)."""
    return _environment(engine_plan(pack), case, as_of)


def _environment(plan: EnginePlan, case: Case, as_of: date | None) -> dict[str, Any]:
    env = plan.base_env.copy()
    env.update(case.facts)
    for name, values in plan.not_assessed.items():
        if env[name] in values:
            env[name] = UNKNOWN
    env["as_of"] = UNKNOWN if as_of is None else as_of
    return env


def _settle(pack: Pack, plan: EnginePlan, values: tuple[Any, ...], complete: bool
            ) -> Settled:
    """Decide and triage from the case's trace (the kernel's values), never from its facts.
    With ``complete`` values (no argument was skipped) every decision is explained; otherwise
    a decision that does not apply is not (Evaluation.explained settles the complete values
    when an explanation is asked for)."""
    trace = plan.trace(values)
    decisions = tuple(evaluate_decision(pack, d, trace, plan.order, complete)
                      for d in plan.decisions)
    slot = pack.kernel.slot
    conflicts = tuple(c for c in pack.conflicts if values[slot(c.condition)] is True)
    triage = triage_case(pack, trace, list(decisions), plan.order, conflicts)
    return Settled(decisions, triage, any(d.candidate_results is None for d in decisions),
                   conflicts)


def _remembered(pack: Pack, plan: EnginePlan, values: tuple[Any, ...], complete: bool
                ) -> Settled:
    """The settled decisions and triage for these kernel values, worked out once."""
    settled = plan.settled.get(values)
    if settled is None:
        settled = _settle(pack, plan, values, complete)
        if len(plan.settled) >= _SETTLED_LIMIT:
            plan.settled.clear()
        plan.settled[values] = settled
    return settled


def evaluate(pack: Pack, case: Case | Mapping[str, Any], as_of: date | None = None, *,
             kernel: Kernel | None = None, recorded_kernel: Kernel | None = None,
             explain: bool = False) -> Evaluation:
    """Evaluate one case; raises CaseError when its facts do not fit the data dictionary.

    With ``explain`` every argument is computed at once (callers that will output the whole
    explanation); otherwise arguments of decisions that do not apply are worked out only if
    the explanation is asked for. ``kernel`` and ``recorded_kernel`` replace the pack's
    compiled kernel and its recorded-only kernel (the conformance tests pass the reference
    semantics of both). The result is the same either way.

    Decisions and triage depend only on the kernel values and on which names are unknown
    (missing items are traced through unknown names alone), which the kernel returns
    together, so they are remembered by them.
    """
    plan = engine_plan(pack)
    if not isinstance(case, Case):
        case = validate_case(pack, case, plan)
    env = _environment(plan, case, as_of)
    kernel = kernel or pack.kernel
    values = (kernel.run_all if explain else kernel.run)(env)  # fills in derived facts
    settled = _remembered(pack, plan, values, complete=explain)
    settled = _exactly(pack, plan, settled, values, (kernel.run, "pack"),
                       lambda: _environment(plan, case, as_of))
    recorded_values = None
    if settled.triage.route == "standard_of_care":
        settled, recorded_values = _on_recorded_facts(pack, plan, case, as_of, settled, values,
                                                      recorded_kernel or plan.recorded_kernel)
    return Evaluation(case.case_id, pack, as_of, settled, case, env, kernel, plan,
                      recorded_values)


def _on_recorded_facts(pack: Pack, plan: EnginePlan, case: Case, as_of: date | None,
                       settled: Settled, values: tuple[Any, ...], kernel: Kernel
                       ) -> tuple[Settled, tuple[Any, ...]]:
    """A Standard of Care stands only if it holds on the recorded facts alone: defaults that
    are not streamline_safe unknown, no coalesce falling back on a constant. Otherwise the
    case is not ready (the values it rests on are requested) or is discussed."""
    env = _recorded_environment(plan, case, as_of)
    base = dict(env)
    run = kernel.run
    recorded_values = run(env)
    return (_checked_on_recorded(pack, plan, settled, values, recorded_values,
                                 (run, "recorded", base)),
            recorded_values)


def _recorded_environment(plan: EnginePlan, case: Case, as_of: date | None
                          ) -> dict[str, Any]:
    """The case's facts with every default a Standard of Care may not rest on unknown."""
    env = _environment(plan, case, as_of)
    for name in plan.assumed_items:
        if name not in case.facts:
            env[name] = UNKNOWN
    return env


def _checked_on_recorded(pack: Pack, plan: EnginePlan, settled: Settled,
                         values: tuple[Any, ...], recorded_values: tuple[Any, ...],
                         exact: tuple[Run, str, dict[str, Any]] | None = None) -> Settled:
    """``settled`` if its Standard of Care holds on the recorded-only kernel's values (the
    trace of the recorded facts), else the route the recorded facts give. With
    ``exact`` (the recorded-only kernel, its name and the facts it read) its decisions'
    status is made exact first (see engine.exact)."""
    on_recorded = _remembered(pack, plan, recorded_values, complete=False)
    if exact is not None:
        run, name, base = exact
        on_recorded = _exactly(pack, plan, on_recorded, recorded_values, (run, name),
                               lambda: base)
    recorded = on_recorded.triage
    if recorded.route == "standard_of_care" \
            and recorded.standard_of_care == settled.triage.standard_of_care:
        return settled
    triage = unrecorded_standard(pack, settled.triage, recorded)
    return _with_triage(plan, settled, triage, ("recorded", values, recorded_values))


def settle_pattern(pack: Pack, values: tuple[Any, ...], recorded_values: tuple[Any, ...],
                   case: Case | None = None, as_of: date | None = None) -> Settled:
    """Decisions and triage from kernel values computed elsewhere (the SQL backends), as
    ``evaluate`` settles them: ``values`` and ``recorded_values`` are what ``run_all`` of the
    pack's kernel and of its recorded-only kernel return for the case (conditions, then the
    unknown flags, which are all that settling reads of a case). Remembered per pattern.

    The exact status of a provisional decision (engine.exact) needs the case's facts: give
    ``case`` (and ``as_of``) for a pattern ``pattern_needs_facts`` says needs them."""
    plan = engine_plan(pack)
    settled = _remembered(pack, plan, values, complete=True)
    if case is not None:
        settled = _exactly(pack, plan, settled, values, (pack.kernel.run, "pack"),
                           lambda: _environment(plan, case, as_of))
    if settled.triage.route != "standard_of_care":
        return settled
    exact = None
    if case is not None:
        exact = (plan.recorded_kernel.run, "recorded", _recorded_environment(plan, case, as_of))
    return _checked_on_recorded(pack, plan, settled, values, recorded_values, exact)


def pattern_needs_facts(pack: Pack, values: tuple[Any, ...],
                        recorded_values: tuple[Any, ...]) -> bool:
    """Whether settling this pattern exactly needs the case's facts: some decision is
    provisional in three-valued logic (on the pack's kernel, or on the recorded-only kernel
    when the case would follow a Standard of Care)."""
    plan = engine_plan(pack)
    settled = _remembered(pack, plan, values, complete=True)
    if any(d.status == "provisional" for d in settled.decisions):
        return True
    if settled.triage.route != "standard_of_care":
        return False
    recorded = _remembered(pack, plan, recorded_values, complete=False)
    return any(d.status == "provisional" for d in recorded.decisions)


def _exactly(pack: Pack, plan: EnginePlan, settled: Settled, values: tuple[Any, ...],
             kernel: tuple[Run, str],
             base_env: Callable[[], dict[str, Any]]) -> Settled:
    """``settled`` with each provisional decision's status made exact (engine.exact): the
    completions of its missing items are worked out from the case's facts (``base_env``,
    before derivation) with ``kernel``; the case is triaged again on the exact decisions."""
    if not any(d.status == "provisional" for d in settled.decisions):
        return settled
    run, name = kernel
    compiled = pack.kernel.run if name == "pack" else plan.recorded_kernel.run
    base = base_env()
    decisions = tuple(
        exact_decision(pack, plan.exact, d, run, (name, compiled), base, plan.order)
        if d.status == "provisional" else d for d in settled.decisions)
    if all(a is b for a, b in zip(decisions, settled.decisions, strict=True)):
        return settled
    key = ("exact", values, tuple(d.outcome_key() for d in decisions))
    known = plan.settled.get(key)
    if known is None:
        triage = triage_case(pack, plan.trace(values), list(decisions), plan.order,
                             settled.conflicts)
        known = Settled(decisions, triage, settled.open, settled.conflicts)
        if len(plan.settled) >= _SETTLED_LIMIT:
            plan.settled.clear()
        plan.settled[key] = known
    return known


def _with_triage(plan: EnginePlan, settled: Settled, triage: Triage, key: tuple[Any, ...]
                 ) -> Settled:
    """``settled`` with another route, remembered under ``key``."""
    known = plan.settled.get(key)
    if known is None:
        known = replace(settled, triage=triage, texts={})
        if len(plan.settled) >= _SETTLED_LIMIT:
            plan.settled.clear()
        plan.settled[key] = known
    return known


def assumed_values(pack: Pack, case: Case) -> dict[str, Any]:
    """Items the case does not record whose pack default was used (explicit local policy)."""
    return dict(_assumed(engine_plan(pack), pack, case)[0])


def _assumed(plan: EnginePlan, pack: Pack, case: Case) -> tuple[dict[str, Any], str]:
    """The defaults used and their JSON, remembered by which items the case gives."""
    given = tuple(case.facts)
    cache = plan.assumed
    assumed = cache.get(given)
    if assumed is None:
        values = {name: _json_value(item.default) for name, item in pack.items.items()
                  if item.default is not None and name not in case.facts}
        assumed = (values, dumps(values))
        if len(cache) >= _SETTLED_LIMIT:
            cache.clear()
        cache[given] = assumed
    return assumed
