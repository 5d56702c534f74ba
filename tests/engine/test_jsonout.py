"""The fast JSON writer must give exactly the text of json.dumps(to_dict())."""

from __future__ import annotations

import json
from datetime import date

from engine_helpers import mini
from hypothesis import given, settings
from hypothesis import strategies as st

from openmdt.engine import evaluate
from openmdt.knowledge import load_pack
from openmdt.synth import generate_prostate_list

AS_OF = date(2026, 11, 27)


def _plain(evaluation) -> str:
    return json.dumps(evaluation.to_dict(), ensure_ascii=False, separators=(",", ":"))


facts = st.fixed_dictionaries({}, optional={
    "score": st.sampled_from([0, 5, 20, 20.5, 100]), "grade": st.sampled_from([1, 2, 3]),
    "stage": st.sampled_from(["A", "B", "C"]), "fit": st.booleans(), "spread": st.booleans(),
    "note": st.text(max_size=12)})


@settings(max_examples=150, deadline=None, derandomize=True)
@given(facts, st.booleans())
def test_fast_json_matches_plain_json_on_the_mini_pack(case_facts: dict, explain: bool) -> None:
    evaluation = evaluate(mini(), {"case_id": "c\u00e9-\"1\"", "facts": case_facts},
                          as_of=AS_OF, explain=explain)
    assert evaluation.to_json() == _plain(evaluation)


def test_fast_json_matches_plain_json_on_synthetic_prostate_cases() -> None:
    pack = load_pack("prostate-nice-ng131")
    for raw in generate_prostate_list(300, seed=21):
        for explain in (False, True):
            evaluation = evaluate(pack, raw, as_of=AS_OF, explain=explain)
            assert evaluation.to_json() == _plain(evaluation), raw["case_id"]


def test_explained_and_lazy_evaluations_are_the_same() -> None:
    pack = load_pack("prostate-nice-ng131")
    for raw in generate_prostate_list(100, seed=3):
        lazy = evaluate(pack, raw, as_of=AS_OF).to_dict()
        eager = evaluate(pack, raw, as_of=AS_OF, explain=True).to_dict()
        assert lazy == eager


def test_an_evaluation_can_be_written_any_number_of_times_in_any_order() -> None:
    """Asking for the candidates of a decision that does not apply, then for the JSON, once
    crashed: the JSON read argument values the skipped decision never had."""
    pack = load_pack("prostate-nice-ng131")
    for raw in generate_prostate_list(60, seed=5):
        for explain in (False, True):
            evaluation = evaluate(pack, raw, as_of=AS_OF, explain=explain)
            first = _plain(evaluation)
            assert evaluation.to_json() == first
            assert evaluation.to_json() == first
            assert _plain(evaluation) == first


def test_a_derived_date_is_written_as_iso_text(tmp_path) -> None:
    from engine_helpers import copy_mini

    pack = load_pack(copy_mini(tmp_path / "p", append={"derive.yaml": """
  first_seen:
    type: date
    expr: started
"""}))
    for facts, expected in (({"started": "2025-12-01"}, "2025-12-01"), ({}, None)):
        evaluation = evaluate(pack, {"case_id": "d1", "facts": facts}, as_of=AS_OF)
        assert evaluation.to_dict()["derived"]["first_seen"] == expected
        assert evaluation.to_json() == _plain(evaluation)


def test_derived_json_is_never_taken_from_an_equal_value_of_another_type(tmp_path) -> None:
    """Derived JSON is remembered by value; 0, 0.0 and -0.0 are equal in Python but print
    differently, so each case must still get its own text."""
    from engine_helpers import copy_mini

    pack = load_pack(copy_mini(tmp_path / "p", append={"derive.yaml": """
  negated:
    type: number
    expr: -score
"""}))
    for score in (0, 0.0, -0.0, 0, 1, 1.0, 1):
        evaluation = evaluate(pack, {"case_id": "n1", "facts": {"score": score}}, as_of=AS_OF)
        assert evaluation.to_json() == _plain(evaluation), score


def test_evaluating_cases_creates_no_reference_cycles() -> None:
    """The command line collects garbage rarely during a long run (cli.support.long_run);
    that is only safe while evaluations leave no cycles behind."""
    import gc

    pack = load_pack("prostate-nice-ng131")
    cases = generate_prostate_list(400, seed=8)
    for raw in cases:  # first pass: remembered results are built (and kept on purpose)
        evaluate(pack, raw, as_of=AS_OF, explain=True).to_json()
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        for raw in cases:
            evaluate(pack, raw, as_of=AS_OF, explain=True).to_json()
            evaluation = evaluate(pack, raw, as_of=AS_OF)
            evaluation.to_dict()
            evaluation.to_json()
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_forgetting_what_was_remembered_changes_no_output() -> None:
    from openmdt.engine.plan import engine_plan, forget_remembered

    pack = load_pack("prostate-nice-ng131")
    cases = generate_prostate_list(150, seed=9)
    before = [evaluate(pack, raw, as_of=AS_OF, explain=True).to_json() for raw in cases]
    assert engine_plan(pack).settled
    forget_remembered(pack)
    assert not engine_plan(pack).settled
    after = [evaluate(pack, raw, as_of=AS_OF, explain=True).to_json() for raw in cases]
    assert after == before


def _containers(value, found: dict[int, object]) -> dict[int, object]:
    if isinstance(value, (dict, list)):
        found[id(value)] = value
        for item in value.values() if isinstance(value, dict) else value:
            _containers(item, found)
    return found


def test_to_dict_shares_no_dictionary_or_list_between_calls() -> None:
    """Cases with the same pattern share their settled decisions; to_dict() must still hand
    every caller structures of its own (no dict or list in common), whatever it changes."""
    pack = load_pack("prostate-nice-ng131")
    raw = generate_prostate_list(1, seed=12)[0]
    for explain in (False, True):
        first = evaluate(pack, raw, as_of=AS_OF, explain=explain)
        second = evaluate(pack, dict(raw, case_id="other"), as_of=AS_OF, explain=explain)
        assert first.settled is second.settled
        one, two = first.to_dict(), second.to_dict()
        assert not set(_containers(one, {})) & set(_containers(two, {}))
        again = first.to_dict()
        assert not set(_containers(one, {})) & set(_containers(again, {}))
        one["decisions"][0]["candidates"][0]["arguments"].clear()
        one["triage"]["reasons"].append("changed")
        assert first.to_dict() == again
        assert json.dumps(again, ensure_ascii=False, separators=(",", ":")) == first.to_json()


def test_a_skipped_decision_is_explained_only_through_the_evaluation() -> None:
    """The shared unexplained result refuses to invent candidates; the evaluation's
    decisions (settled again with every argument) have them."""
    import pytest

    pack = load_pack("prostate-nice-ng131")
    raw = next(r for r in generate_prostate_list(50, seed=14)
               if evaluate(pack, r, as_of=AS_OF).settled.open)
    evaluation = evaluate(pack, raw, as_of=AS_OF)
    skipped = next(d for d in evaluation.settled.decisions if d.candidate_results is None)
    with pytest.raises(LookupError, match="skipped"):
        skipped.candidates  # noqa: B018
    explained = next(d for d in evaluation.decisions if d.decision is skipped.decision)
    assert explained.candidates and not any(c.recommended for c in explained.candidates)
