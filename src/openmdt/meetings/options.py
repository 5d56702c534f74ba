"""Treatment options named by decision and option: ``decision_id/option_id``.

One option id can mean different treatments in different decisions (`docetaxel` with
radiotherapy for non-metastatic disease, `docetaxel` with ADT for metastatic disease), so
outcomes, forms, letters, reports and the API name an option with its decision. Older
outcomes that stored a bare option id are qualified from the evaluation they were made
from (migration 0004).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from openmdt.meetings.stored import read_evaluation
from openmdt.store.errors import InvalidRequest

SEPARATOR = "/"


def option_ref(decision_id: str, option_id: str) -> str:
    """The reference of one option of one decision."""
    return f"{decision_id}{SEPARATOR}{option_id}"


@dataclass(frozen=True)
class Option:
    """One option of one decision in a stored evaluation."""

    decision_id: str
    decision_title: str
    option_id: str
    title: str
    recommended: bool
    applies: bool  # its decision applies to the case (not 'not_applicable')

    @property
    def ref(self) -> str:
        return option_ref(self.decision_id, self.option_id)


def options_of(evaluation: Mapping[str, Any] | None) -> list[Option]:
    """Every option of every decision of a stored evaluation, in its order."""
    return [] if evaluation is None else list(_options(evaluation))


def _options(evaluation: Mapping[str, Any]) -> Iterator[Option]:
    record = read_evaluation(evaluation)
    for decision in record.decisions if record is not None else ():
        recommended = set(decision.recommended)
        for option in decision.options:
            yield Option(decision.id, decision.title or decision.id, option.id,
                         option.title or option.id,
                         decision.applicable and option.id in recommended, decision.applicable)


def recommended_refs(evaluation: Mapping[str, Any] | None) -> list[str]:
    """The options the guideline recommends, across the applicable decisions."""
    return [o.ref for o in options_of(evaluation) if o.recommended]


def option_titles(evaluation: Mapping[str, Any] | None) -> dict[str, str]:
    """Every option's reference mapped to its title (for outcomes, letters and reports)."""
    return {o.ref: o.title for o in options_of(evaluation)}


def qualify(evaluation: Mapping[str, Any] | None, given: str) -> str:
    """The reference of the option ``given`` names: a reference of one of the case's options,
    or a bare option id that only one applicable decision of the case offers. Anything else
    is a 422 naming what is allowed."""
    options = options_of(evaluation)
    if SEPARATOR in given:
        if any(o.ref == given for o in options):
            return given
        raise _unknown(given, options)
    matches = [o for o in options if o.option_id == given and o.applies] or [
        o for o in options if o.option_id == given]
    if len(matches) == 1:
        return matches[0].ref
    if not matches:
        raise _unknown(given, options)
    raise InvalidRequest(
        f"Option {given!r} is offered by more than one decision "
        f"({', '.join(o.decision_title for o in matches)}): name it as decision/option.",
        code="ambiguous_option", allowed=sorted(o.ref for o in matches))


def _unknown(given: str, options: list[Option]) -> InvalidRequest:
    allowed = sorted(o.ref for o in options if o.applies) or sorted(o.ref for o in options)
    return InvalidRequest(f"Option {given!r} is not an option of this case.",
                          code="unknown_option", allowed=allowed)


def legacy_ref(evaluation: Mapping[str, Any] | None, stored: str) -> str:
    """The reference for an option stored before options named their decision: the one the
    evaluation recommended, else the one of an applicable decision, else the first."""
    if SEPARATOR in stored:
        return stored
    options = [o for o in options_of(evaluation) if o.option_id == stored]
    for keep in (lambda o: o.recommended, lambda o: o.applies, lambda o: True):
        chosen = [o for o in options if keep(o)]
        if chosen:
            return chosen[0].ref
    return stored  # no evaluation to tell: kept as it was, shown as its id
