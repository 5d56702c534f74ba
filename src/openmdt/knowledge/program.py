"""A pack as a program: its conditions as ordered steps with stable ids, and one layout.

Every condition the engine evaluates for a case (whether a decision applies, each argument,
each Standard of Care and its exclusions, never-streamline rules, conflicts, the condition
under which triage needs an item) is one **step**. Its id is stable across versions of the
pack as long as the pack's own ids are (``applies:localised_treatment``,
``arg:localised_treatment/active_surveillance/psa_low``, ``soc:cpg1_as``,
``exclusion:cpg1_as/age_under_50``, ``never:metastatic``, ``conflict:m1_and_m0``,
``triage:grade_group``). The order of the steps is the **layout** of the kernel's values:
the generated Python kernel, the reference kernel, the recorded-facts kernel and the SQL
backend all produce the values of a case in this order, and every reader finds a value by
its step (``Program.slot``).

A step may be skipped when nothing would read it: the arguments of a decision whose
``applies`` step is false, the exclusions of a Standard of Care whose condition is false, the
triage condition of an item the case gives. ``Step.skip`` says which.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from openmdt.knowledge.model import Decision, Pack
from openmdt.language import Expression

StepKind = Literal["applies", "arg", "soc", "exclusion", "never", "conflict", "triage"]


@dataclass(frozen=True)
class Skip:
    """When a step's value is never read: the step ``unless_false`` is false, or the item
    ``when_known`` is known."""

    unless_false: str | None = None
    when_known: str | None = None


@dataclass(frozen=True)
class Step:
    """One condition of the pack, with its stable id."""

    id: str
    kind: StepKind
    expression: Expression
    skip: Skip | None = None


@dataclass(frozen=True)
class Program:
    """The pack's steps in layout order, and where each one's value is."""

    steps: tuple[Step, ...]
    layout: dict[str, int]  # step id -> position of its value
    # id() of a step's expression -> position, built on first use
    _by_expression: dict[int, int] | None = field(default=None, compare=False, repr=False)

    def slot(self, step_id: str) -> int:
        """Where the value of the step ``step_id`` is in a kernel's result."""
        return self.layout[step_id]

    def slot_of(self, expression: Expression) -> int:
        """Where the value of a condition of this pack is."""
        by_expression = self._by_expression
        if by_expression is None:
            by_expression = {id(s.expression): i for i, s in enumerate(self.steps)}
            object.__setattr__(self, "_by_expression", by_expression)
        return by_expression[id(expression)]

    def __getstate__(self) -> dict[str, object]:
        # ids mean nothing in another process (the on-disk pack cache pickles packs)
        return {"steps": self.steps, "layout": self.layout, "_by_expression": None}

    def __setstate__(self, state: dict[str, object]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)

    def steps_of(self, decision: Decision) -> tuple[Step, ...]:
        """A decision's steps (whether it applies, then its arguments), which are contiguous
        in the layout."""
        found = tuple(s for s in self.steps
                      if s.id == f"applies:{decision.id}"
                      or (s.kind == "arg" and s.id.startswith(f"arg:{decision.id}/")))
        if found:
            first = self.layout[found[0].id]
            if [self.layout[s.id] for s in found] != list(range(first, first + len(found))):
                raise ValueError(f"the steps of decision {decision.id} are not contiguous")
        return found

    def trace(self, values: tuple[object, ...] | list[object]) -> dict[str, object]:
        """Kernel values by step id (``None`` for unknown or skipped)."""
        return {step.id: _plain(values[index]) for index, step in enumerate(self.steps)}


class Trace:
    """What one run of a pack's program gives for a case: every step's value in layout order,
    then whether each name a decision can ask for (``semantics.unknown_names``) is unknown.

    Deciding and triage read a case only through its trace, never through the case's facts,
    so the trace is also the key under which their results are remembered (``values``, a
    plain tuple): two cases with the same trace are settled the same way, and nothing else of
    a case can cross to another. ``trace[slot]`` and ``trace[first:end]`` read the values;
    ``unknown(name)`` a flag. ``unknown_at`` (``semantics.unknown_index``) gives each name's
    place among the flags, or None for a pack parameter (never unknown); any other name is
    refused (KeyError), so a name the run does not report can never pass for known.
    """

    __slots__ = ("unknown_at", "values")

    def __init__(self, values: tuple[object, ...], unknown_at: dict[str, int | None]
                 ) -> None:
        self.values = values
        self.unknown_at = unknown_at

    def __getitem__(self, slot: Any) -> Any:
        return self.values[slot]

    def unknown(self, name: str) -> bool:
        """Whether ``name`` (a data item, a derived fact, ``as_of`` or a parameter) is
        unknown."""
        index = self.unknown_at[name]
        return False if index is None else bool(self.values[-1][index])  # type: ignore[index]


def _plain(value: object) -> object:
    return value if value is True or value is False else None


def _steps(pack: Pack) -> Iterator[Step]:
    for decision in pack.decisions:
        guard = None
        if decision.applies_when is not None:
            guard = Skip(unless_false=f"applies:{decision.id}")
            yield Step(guard.unless_false, "applies", decision.applies_when)
        for candidate in decision.candidates:
            for argument in candidate.arguments:
                yield Step(f"arg:{decision.id}/{candidate.id}/{argument.id}", "arg",
                           argument.condition, guard)
    for standard in pack.standards:
        guard = None
        if standard.condition is not None:
            guard = Skip(unless_false=f"soc:{standard.id}")
            yield Step(guard.unless_false, "soc", standard.condition)
        for exclusion in standard.exclusions:
            yield Step(f"exclusion:{standard.id}/{exclusion.id}", "exclusion",
                       exclusion.condition, guard)
    for rule in pack.never_streamline:
        yield Step(f"never:{rule.id}", "never", rule.condition)
    for conflict in pack.conflicts:
        yield Step(f"conflict:{conflict.id}", "conflict", conflict.condition)
    for name, item in pack.items.items():
        if item.triage_when is not None:
            yield Step(f"triage:{name}", "triage", item.triage_when, Skip(when_known=name))


def build_program(pack: Pack) -> Program:
    """The pack's program (a compiled pack keeps its own as ``pack.kernel.program``)."""
    kernel = getattr(pack, "kernel", None)
    known = getattr(kernel, "program", None)
    if known is not None:
        return known
    steps = tuple(_steps(pack))
    layout = {step.id: index for index, step in enumerate(steps)}
    if len(layout) != len(steps):
        counts: dict[str, int] = {}
        for step in steps:
            counts[step.id] = counts.get(step.id, 0) + 1
        twice = sorted(i for i, n in counts.items() if n > 1)
        raise ValueError(f"steps with the same id in pack {pack.id}: {', '.join(twice)}")
    return Program(steps, layout)
