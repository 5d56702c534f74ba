"""Soundness: a result the engine calls definite is the same for every completion of the case.

Partial cases of the mini pack are generated (each item absent or a value from a small domain
with the boundary values around the parameter ``high_score`` = 20), and every completion of
the absent items over the same domains is evaluated exhaustively.

One modelling choice: ``grade`` is an item that the derived fact of the same name fills from
``part_a`` and ``part_b``. When a case does not give ``grade``, a completion completes the
parts, not ``grade`` itself: a grade contradicting its own parts is inconsistent data, not a
completion. Completeness (provisional only when some completion changes the answer) is
tested in test_exact_status.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from engine_helpers import AS_OF, mini
from hypothesis import given, settings
from hypothesis import strategies as st

from openmdt.engine import Case, evaluate

DOMAINS: dict[str, tuple[Any, ...]] = {
    "score": (0, 19.99, 20, 20.01, 100),
    "grade": (1, 2, 3),
    "part_a": (1, 2),
    "part_b": (1, 2),
    "stage": ("A", "B", "C"),
    "fit": (True, False),
    "spread": (True, False),
}
UNUSED_ITEMS = {"started", "note"}  # in the data dictionary, in no expression
FILLED_BY_PARTS = "grade"

partial_cases = st.fixed_dictionaries(
    {name: st.one_of(st.none(), st.sampled_from(domain)) for name, domain in DOMAINS.items()}
).map(lambda facts: {k: v for k, v in facts.items() if v is not None})


def completions(facts: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every way to give the absent items a value from their domain."""
    absent = [name for name in DOMAINS if name not in facts and name != FILLED_BY_PARTS]
    for values in itertools.product(*(DOMAINS[name] for name in absent)):
        yield {**facts, **dict(zip(absent, values, strict=True))}


def run(facts: dict[str, Any]) -> dict[str, Any]:
    return evaluate(mini(), Case("p", None, facts), as_of=AS_OF).to_dict()


def test_domains_cover_every_item_the_expressions_use() -> None:
    assert set(DOMAINS) | UNUSED_ITEMS == set(mini().items)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(partial_cases)
def test_definite_results_hold_in_every_completion(facts: dict[str, Any]) -> None:
    partial = run(facts)
    plan = partial["decisions"][0]
    known_derived = {k: v for k, v in partial["derived"].items() if v is not None}
    settled_route = partial["triage"]["route"] != "not_ready"
    for completion in completions(facts):
        # The Evaluation object, not its dict: thousands of completions are evaluated.
        full = evaluate(mini(), Case("p", None, completion), as_of=AS_OF)
        if plan["status"] != "provisional":
            assert full.decisions[0].recommended == plan["recommended"], completion
        for name, value in known_derived.items():
            assert full.derived[name] == value, (name, completion)
        if settled_route:
            assert full.triage.route == partial["triage"]["route"], completion
            assert full.triage.standard_of_care == partial["triage"]["standard_of_care"]


@settings(max_examples=80, deadline=None, derandomize=True)
@given(partial_cases)
def test_missing_and_requested_items_are_absent_items(facts: dict[str, Any]) -> None:
    output = run(facts)
    plan = output["decisions"][0]
    absent = set(DOMAINS) - set(facts)
    assert set(plan["missing"]) <= absent
    assert set(output["triage"]["data_requests"]) <= absent
    assert (plan["status"] == "provisional") == bool(plan["missing"])
    assert (output["triage"]["route"] == "not_ready") == bool(output["triage"]["data_requests"])


def test_every_complete_case_is_definitive_and_routed() -> None:
    # With nothing unknown there is nothing to ask: definitive (or not applicable), no requests.
    statuses = set()
    for facts in completions({"grade": 2}):
        output = run(facts)
        statuses.add(output["decisions"][0]["status"])
        assert output["triage"]["route"] in ("standard_of_care", "full_discussion")
    assert statuses == {"definitive", "not_applicable"}


def test_a_decision_the_same_in_every_completion_is_definitive() -> None:
    # With grade 2, stage A and fit false, group is 1 when score <= 20 and 2 when score > 20,
    # so Kleene logic alone leaves the group's arguments unknown; but watch is recommended for
    # 'not fit' (weight 1) whatever the group and treat never reaches the threshold: the
    # recommended set is the same in every completion, so the decision is definitive.
    facts = {"grade": 2, "stage": "A", "fit": False, "spread": False}
    outcomes = {tuple(run(c)["decisions"][0]["recommended"]) for c in completions(facts)}
    assert outcomes == {("watch",)}
    output = run(facts)
    assert output["decisions"][0]["status"] == "definitive"
    assert output["decisions"][0]["missing"] == []
    assert output["decisions"][0]["recommended"] == ["watch"]
