"""Exact status: ``provisional`` means some completion of the missing items changes what the
decision recommends, and ``missing`` lists exactly the items that can change it.

Both directions are checked against brute force on the engine's mini pack (and a variant
with a second decision reading the score through ``between`` and chained comparisons): every
absent item is completed over a domain denser than the cells the engine tries (values inside
each cell, not only its representatives), and the outcome of a decision is whether it applies
and the set it recommends.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import AS_OF, copy_mini, mini
from hypothesis import given, settings
from hypothesis import strategies as st

from openmdt.engine import Case, evaluate, exact
from openmdt.engine.plan import forget_remembered
from openmdt.knowledge import Pack, load_pack
from openmdt.knowledge.domains import item_cells

# Denser than the engine's cells: values inside every cell, not only its representatives.
DENSE: dict[str, tuple[Any, ...]] = {
    "score": (0, 4.5, 9.99, 10, 10.01, 15, 19.99, 20, 20.01, 29.5, 30, 30.5, 39.99, 40,
              40.01, 64, 100),
    "grade": (1, 2, 3),
    "stage": ("A", "B", "C"),
    "fit": (True, False),
    "spread": (True, False),
}
# The sample a partial case's given values are drawn from (grade is given directly: when it
# is absent the engine asks for it as an item, so a completion gives it directly too).
GIVEN: dict[str, tuple[Any, ...]] = {
    "score": (0, 10, 15, 20, 20.01, 35, 40, 100), **{k: v for k, v in DENSE.items()
                                                       if k != "score"}}

FOLLOW_UP = """\
id: follow_up
title: Follow-up
applies_when: stage != "C"
candidates:
  - id: early
    title: Early review
    arguments:
      - {id: early_band, polarity: for, when: "between(score, 10, 40)", text: Band, source: T1 3.1}
      - {id: early_fit, polarity: against, when: "score > 30 and fit", text: Fit, source: T1 3.2}
      - {id: early_gap, polarity: against, weight: 3, when: "10 < score < 20", text: Gap,
         source: T1 3.5}
  - id: late
    title: Late review
    arguments:
      - {id: late_high, polarity: for, when: "20 < score <= 40 or grade == 3", text: High,
         source: T1 3.3}
      - {id: late_unfit, polarity: excluding, when: "not fit and score >= 30", text: Unfit,
         source: T1 3.4}
"""

partial_cases = st.fixed_dictionaries(
    {name: st.one_of(st.none(), st.sampled_from(domain)) for name, domain in GIVEN.items()}
).map(lambda facts: {k: v for k, v in facts.items() if v is not None})


@pytest.fixture(scope="module")
def follow_up_pack(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    folder = copy_mini(tmp_path_factory.mktemp("exact") / "pack",
                       replace={"decisions/follow_up.yaml": FOLLOW_UP})
    return load_pack(folder)


def completions(facts: dict[str, Any]) -> Iterator[dict[str, Any]]:
    absent = [name for name in DENSE if name not in facts]
    for values in itertools.product(*(DENSE[name] for name in absent)):
        yield {**facts, **dict(zip(absent, values, strict=True))}


def outcome(pack: Pack, facts: dict[str, Any], index: int) -> tuple[bool, tuple[str, ...]]:
    decided = evaluate(pack, Case("p", None, facts), as_of=AS_OF).decisions[index]
    return decided.status == "not_applicable", tuple(decided.recommended)


def brute_force(pack: Pack, facts: dict[str, Any], index: int, view: Any
                ) -> tuple[set[Any], set[str]]:
    """``view`` of every outcome over the completions, and the items whose change alone
    changes it."""
    absent = [name for name in DENSE if name not in facts]
    outcomes = {tuple(c[n] for n in absent): view(outcome(pack, c, index))
                for c in completions(facts)}
    changers = set()
    for position, name in enumerate(absent):
        seen: dict[tuple[Any, ...], Any] = {}
        for values, result in outcomes.items():
            rest = values[:position] + values[position + 1:]
            if seen.setdefault(rest, result) != result:
                changers.add(name)
    return set(outcomes.values()), changers


def check_exact(pack: Pack, facts: dict[str, Any]) -> None:
    """Status and missing items of every decision against brute force. While whether a
    decision applies is open it is asked first: the items that decide it are listed when they
    change the recommended set, the candidates' own items only when they do not."""
    output = evaluate(pack, Case("p", None, facts), as_of=AS_OF).to_dict()
    for index, decided in enumerate(output["decisions"]):
        label = (decided["id"], facts)
        sets, changers = brute_force(pack, facts, index, view=lambda o: o[1])
        not_applicable, _ = brute_force(pack, facts, index, view=lambda o: o[0])
        if len(sets) == 1:
            assert decided["status"] == ("not_applicable" if not_applicable == {True}
                                         else "definitive"), label
            assert (tuple(decided["recommended"]),) == tuple(sets), label
            assert decided["missing"] == [], label
            continue
        assert decided["status"] == "provisional", label
        expected = changers
        if len(not_applicable) > 1:  # whether it applies is open: asked first
            deciding = pack.decisions[index].applies_when.names & set(DENSE)  # type: ignore
            expected = (changers & deciding) or changers
        assert set(decided["missing"]) == expected, label


@settings(max_examples=60, deadline=None, derandomize=True)
@given(partial_cases)
def test_status_and_missing_are_exact_on_the_mini_pack(facts: dict[str, Any]) -> None:
    check_exact(mini(), facts)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(partial_cases)
def test_status_and_missing_are_exact_with_between_and_chains(
        follow_up_pack: Pack, facts: dict[str, Any]) -> None:
    check_exact(follow_up_pack, facts)


def test_cells_follow_the_packs_own_boundaries(follow_up_pack: Pack) -> None:
    cells = item_cells(follow_up_pack)
    score = cells["score"]
    assert score is not None
    assert score.boundaries == (10.0, 20.0, 30.0, 40.0)  # high_score (20) is a parameter
    assert set(score.representatives) >= {0.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0,
                                          41.0, 100.0}
    assert score.cell(20.01) == score.cell(29.5) != score.cell(20)
    assert cells["grade"].representatives == (1, 2, 3)  # type: ignore[union-attr]
    assert cells["stage"].representatives == ("A", "B", "C")  # type: ignore[union-attr]
    assert cells["started"] is None  # a date is never enumerated


def test_an_item_read_through_arithmetic_keeps_the_three_valued_answer(tmp_path: Path
                                                                        ) -> None:
    doubled = FOLLOW_UP.replace("between(score, 10, 40)", "between(score * 2, 20, 80)")
    pack = load_pack(copy_mini(tmp_path / "pack",
                               replace={"decisions/follow_up.yaml": doubled}))
    assert item_cells(pack)["score"] is None
    # Kleene logic leaves both candidates open without the score; the engine cannot
    # enumerate the score, so it says provisional and asks for it (never more than it knows).
    facts = {"grade": 2, "stage": "A", "fit": True, "spread": False}
    follow = evaluate(pack, Case("p", None, facts), as_of=AS_OF).to_dict()["decisions"][1]
    assert follow["status"] == "provisional"
    assert follow["missing"] == ["score"]


def test_too_many_completions_keep_the_three_valued_answer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pack = mini()
    facts = {"grade": 2, "stage": "A", "fit": False, "spread": False}
    assert evaluate(pack, Case("p", None, facts), as_of=AS_OF).decisions[0].status \
        == "definitive"
    forget_remembered(pack)
    monkeypatch.setattr(exact, "MAX_COMPLETIONS", 1)
    kept = evaluate(pack, Case("p", None, facts), as_of=AS_OF).decisions[0]
    assert kept.status == "provisional" and kept.missing == ["score"]
    forget_remembered(pack)


def test_nothing_crosses_between_cases_through_what_is_remembered(follow_up_pack: Pack
                                                                   ) -> None:
    # Cases in every order give what each gives alone (fresh memory each time).
    cases = [dict(c) for c in ({"grade": 2, "stage": "A", "fit": False},
                               {"grade": 2, "stage": "A", "fit": True},
                               {"grade": 3, "stage": "B", "fit": True, "score": 35},
                               {"stage": "A", "fit": True, "score": 15},
                               {"stage": "A", "fit": True, "score": 35},
                               {"stage": "B", "spread": False})]
    alone = []
    for facts in cases:
        forget_remembered(follow_up_pack)
        alone.append(evaluate(follow_up_pack, Case("p", None, facts), as_of=AS_OF).to_dict())
    for order in (cases, cases[::-1], cases[1::2] + cases[::2]):
        forget_remembered(follow_up_pack)
        for facts in order:
            got = evaluate(follow_up_pack, Case("p", None, facts), as_of=AS_OF).to_dict()
            assert got == alone[cases.index(facts)], facts


# -- regressions found by review -------------------------------------------------------------

WINDOW = """\
id: window
title: Review window
candidates:
  - id: review
    title: Review
    arguments:
      - {id: review_high, polarity: for, when: "score > 10", text: High, source: T1 6.1}
      - {id: review_low, polarity: for, when: "score <= 10", text: Low, source: T1 6.3}
      - {id: review_late, polarity: against,
         when: "days_between(started, as_of) > 84", text: Late, source: T1 6.2}
"""

TWO_ARGUMENTS = """\
id: demo
title: Demo
recommend_threshold: 2
candidates:
  - id: both
    title: Both
    arguments:
      - id: a1
        polarity: for
        when: '(k == "p" and x == "a") or (k == "q" and x in ["a", "b", "c"])'
        text: A1
        source: T1 5.1
      - id: a2
        polarity: for
        when: '(k == "p" and x == "b") or (k == "q" and x in ["a", "b", "c"])'
        text: A2
        source: T1 5.2
"""
X_AND_K = """\
  x:
    type: enum
    values: [a, b, c]
  k:
    type: enum
    values: [p, q]
"""
CONSENT = """\
  consented:
    type: boolean
  frail:
    type: boolean
"""
UNCONSENTED_FRAIL = ("      - {id: watch_unconsented_frail, polarity: excluding, "
                     "when: unknown(consented) and frail, text: No consent, source: T1 1.4}\n")


def _decision(pack: Pack, facts: dict[str, Any], as_of: Any = AS_OF,
              decision_id: str = "plan") -> dict[str, Any]:
    output = evaluate(pack, Case("c", None, facts), as_of=as_of).to_dict()
    return next(d for d in output["decisions"] if d["id"] == decision_id)


def test_the_evaluation_date_is_part_of_what_is_remembered(tmp_path: Path) -> None:
    """Same facts, dates either side of the window, in both orders, in one process."""
    from datetime import date

    pack = load_pack(copy_mini(tmp_path / "p", replace={"decisions/window.yaml": WINDOW}))
    facts = {"started": date(2026, 1, 1), "stage": "A", "fit": True, "spread": False,
             "grade": 1}  # score missing: one of high or low holds whatever it is
    early, late = date(2026, 1, 10), date(2026, 12, 1)
    fresh = {}
    for when in (early, late):
        forget_remembered(pack)
        fresh[when] = _decision(pack, facts, when, "window")
    assert fresh[early]["status"] == fresh[late]["status"] == "definitive"
    assert fresh[early]["recommended"] == ["review"] and fresh[late]["recommended"] == []
    for first, second in ((early, late), (late, early)):
        forget_remembered(pack)
        _decision(pack, facts, first, "window")
        assert _decision(pack, facts, second, "window") == fresh[second]


def test_remembered_json_text_follows_the_recommendations_not_only_the_arguments(
        tmp_path: Path) -> None:
    import json

    pack = load_pack(copy_mini(tmp_path / "p", append={"data.yaml": X_AND_K},
                               replace={"decisions/demo.yaml": TWO_ARGUMENTS}))
    base = {**{"score": 5, "grade": 1, "stage": "A", "fit": True, "spread": False}}
    for order in (("p", "q"), ("q", "p")):
        forget_remembered(pack)
        for k in order:
            evaluation = evaluate(pack, Case("c", None, {**base, "k": k}), as_of=AS_OF)
            from_text = next(d for d in json.loads(evaluation.to_json())["decisions"]
                             if d["id"] == "demo")
            from_dict = next(d for d in evaluation.to_dict()["decisions"] if d["id"] == "demo")
            assert from_text == from_dict
            assert from_dict["recommended"] == (["both"] if k == "q" else [])


def test_an_item_read_for_being_recorded_is_never_completed(tmp_path: Path) -> None:
    """``unknown(consented) and frail`` with both missing: every completion records consent,
    so the exclusion never holds; but recording only 'frail' makes it hold. The answer must
    not rest on the missing 'frail': the decision stays provisional and the case not ready."""
    pack = load_pack(copy_mini(tmp_path / "p", append={"data.yaml": CONSENT}))
    plan = (tmp_path / "p" / "decisions" / "plan.yaml")
    text = plan.read_text(encoding="utf-8")
    anchor = "    arguments:\n"
    plan.write_text(text.replace(anchor, anchor + UNCONSENTED_FRAIL, 1), encoding="utf-8")
    pack = load_pack(tmp_path / "p")
    assert item_cells(pack)["consented"] is None  # read for being recorded: never completed
    facts = {"score": 5, "grade": 1, "stage": "A", "fit": True, "spread": False}
    evaluation = evaluate(pack, Case("c", None, facts), as_of=AS_OF)
    decision = next(d for d in evaluation.to_dict()["decisions"] if d["id"] == "plan")
    assert decision["status"] == "provisional"
    assert {"consented", "frail"} <= set(decision["missing"])
    assert evaluation.triage.route != "standard_of_care"
