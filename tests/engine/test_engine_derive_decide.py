"""Engine semantics on the mini pack: derived facts, argumentation and decision status."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import LOW_FIT, candidate, copy_mini, decision, evaluate_facts, mini

from openmdt.knowledge import Pack, load_pack

# A derived table whose rows can agree although an earlier row is unknown.
BAND = """
  band:
    type: integer
    table:
      - when: score > 50
        value: 1
      - when: stage == "A"
        value: 1
      - when: stage == "B"
        value: 2
    otherwise: 3
"""
# Makes 'treat' able to hold a confirming and an excluding argument at once.
TREAT_EXCLUDING = ("      - {id: treat_very_high, polarity: excluding, when: score > 90, "
                   "text: Very high score, source: T1 2.4}\n")


@pytest.fixture(scope="module")
def variant(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    """Mini plus a derived fact 'band' and an excluding argument on 'treat'."""
    root = tmp_path_factory.mktemp("variant") / "mini"
    copy_mini(root, append={"derive.yaml": BAND, "decisions/plan.yaml": TREAT_EXCLUDING})
    return load_pack(root)


# -- derived facts ----------------------------------------------------------------------------

def test_given_item_wins_over_its_fill() -> None:
    # parts 2 + 2 would compute grade 3; the grade the case gives is kept.
    output = evaluate_facts(mini(), {**LOW_FIT, "part_a": 2, "part_b": 2})
    assert output["derived"]["grade"] == 1
    assert output["derived"]["group"] == 1


@pytest.mark.parametrize(("part_a", "part_b", "grade"), [(1, 1, 1), (1, 2, 2), (2, 2, 3)])
def test_fill_computes_the_item_when_absent(part_a: int, part_b: int, grade: int) -> None:
    facts = {"score": 5, "stage": "A", "part_a": part_a, "part_b": part_b}
    assert evaluate_facts(mini(), facts)["derived"]["grade"] == grade


def test_fill_with_an_unknown_part_is_unknown() -> None:
    # part_b unknown: 2 + part_b could be 3 (grade 2) or 4 (grade 3).
    output = evaluate_facts(mini(), {"score": 5, "stage": "A", "part_a": 2})
    assert output["derived"]["grade"] is None


def test_unknown_first_row_makes_table_unknown_when_later_rows_differ() -> None:
    # grade unknown: row 1 ('grade == 3 or ...') is unknown and would give 3, row 3 gives 1.
    output = evaluate_facts(mini(), {"score": 5, "stage": "A", "fit": True, "spread": False})
    assert output["derived"] == {"grade": None, "group": None}


def test_row_that_holds_despite_unknowns_decides_the_table() -> None:
    # 'grade == 3 or stage == "C"' is true whatever the grade: Kleene 'or' short-circuits.
    output = evaluate_facts(mini(), {"stage": "C"})
    assert output["derived"]["group"] == 3


def test_first_match_at_the_parameter_boundary() -> None:
    # 'score > high_score' (20): 20.01 matches row 2; exactly 20 falls through to row 3.
    assert evaluate_facts(mini(), {"score": 20.01, "grade": 1, "stage": "A"})["derived"][
        "group"] == 2
    assert evaluate_facts(mini(), {"score": 20, "grade": 1, "stage": "A"})["derived"][
        "group"] == 1


def test_all_possible_rows_agree_gives_a_value(variant: Pack) -> None:
    # score unknown: row 1 is unknown (value 1), row 2 holds (value 1): the rows agree.
    assert evaluate_facts(variant, {"stage": "A"})["derived"]["band"] == 1


def test_possible_rows_that_disagree_give_unknown(variant: Pack) -> None:
    # score unknown: row 1 would give 1, row 3 holds and gives 2.
    assert evaluate_facts(variant, {"stage": "B"})["derived"]["band"] is None
    # stage unknown, score low: rows 2 and 3 and 'otherwise' remain possible.
    assert evaluate_facts(variant, {"score": 10})["derived"]["band"] is None


def test_otherwise_applies_when_no_row_holds(variant: Pack) -> None:
    assert evaluate_facts(variant, {"score": 10, "stage": "C"})["derived"]["band"] == 3
    assert evaluate_facts(variant, {"score": 60, "stage": "C"})["derived"]["band"] == 1


# -- arguments, net support and forcing -----------------------------------------------------

def test_net_support_sums_the_weights_of_arguments_that_hold() -> None:
    output = evaluate_facts(mini(), LOW_FIT)
    watch, treat = candidate(output, "watch"), candidate(output, "treat")
    assert (watch["net_support"], watch["net_support_range"]) == (2, [2, 2])
    assert (treat["net_support"], treat["net_support_range"]) == (0, [0, 0])
    assert [a["holds"] for a in watch["arguments"]] == [True, False, False]


def test_against_subtracts_its_weight() -> None:
    # grade 3, unfit: treat has 'for' 1 and 'against' 2 -> net -1.
    output = evaluate_facts(mini(), {**LOW_FIT, "grade": 3, "fit": False})
    assert candidate(output, "treat")["net_support"] == -1
    assert candidate(output, "treat")["recommended"] is False


def test_unknown_argument_counts_on_neither_side() -> None:
    # fit unknown: watch_unfit (for, 1) and treat_unfit (against, 2) are unknown.
    facts = {key: value for key, value in LOW_FIT.items() if key != "fit"}
    output = evaluate_facts(mini(), facts)
    watch, treat = candidate(output, "watch"), candidate(output, "treat")
    assert watch["net_support"] is None and watch["net_support_range"] == [2, 3]
    assert treat["net_support"] is None and treat["net_support_range"] == [-2, 0]
    unfit = next(a for a in watch["arguments"] if a["id"] == "watch_unfit")
    assert unfit["holds"] is None
    # Neither unknown argument could change a result: the decision is settled without fit.
    assert (watch["recommended"], treat["recommended"]) == (True, False)
    plan = decision(output)
    assert plan["status"] == "definitive" and plan["missing"] == []
    assert plan["recommended"] == ["watch"]


def test_unknown_argument_that_could_change_the_result_makes_it_unknown() -> None:
    # stage B (group 2), fit unknown: watch 0..1, treat -1..1 around the threshold 1.
    output = evaluate_facts(mini(), {"score": 5, "grade": 1, "stage": "B", "spread": False})
    plan = decision(output)
    assert plan["status"] == "provisional"
    assert plan["recommended"] == [] and plan["missing"] == ["fit"]
    for option in ("watch", "treat"):
        assert candidate(output, option)["recommended"] is None
        assert candidate(output, option)["missing"] == ["fit"]


def test_excluding_argument_forces_not_recommended() -> None:
    # grade 3, unfit: watch has net support 1 (>= threshold) but 'watch_high' excludes it.
    output = evaluate_facts(mini(), {**LOW_FIT, "grade": 3, "fit": False})
    watch = candidate(output, "watch")
    assert watch["net_support"] == 1
    assert watch["recommended"] is False
    assert decision(output)["recommended"] == []


def test_confirming_argument_forces_recommended(tmp_path: Path) -> None:
    # Threshold 3: treat's net support is 1 at most, yet 'treat_c' (confirming) holds.
    root = copy_mini(tmp_path / "mini", append={"decisions/plan.yaml":
                                                 "recommend_threshold: 3\n"})
    pack = load_pack(root)
    output = evaluate_facts(pack, {"score": 50, "grade": 2, "stage": "C", "fit": True,
                                   "spread": False})
    treat = candidate(output, "treat")
    assert treat["net_support"] == 1 and treat["recommended"] is True
    output = evaluate_facts(pack, {"score": 50, "grade": 3, "stage": "B", "fit": True,
                                   "spread": False})
    assert candidate(output, "treat")["recommended"] is False


def test_confirming_and_excluding_together_is_a_reported_conflict(variant: Pack) -> None:
    facts = {"score": 95, "grade": 2, "stage": "C", "fit": True, "spread": False}
    output = evaluate_facts(variant, facts)
    treat = candidate(output, "treat")
    assert treat["recommended"] is False
    assert "confirming" in treat["conflict"] and "excluding" in treat["conflict"]
    holding = {a["id"] for a in treat["arguments"] if a["holds"]}
    assert {"treat_c", "treat_very_high"} <= holding
    assert decision(output)["status"] == "definitive"
    assert output["triage"]["route"] == "full_discussion"
    assert "Plan: conflicting arguments" in output["triage"]["reasons"]
    # Without the conflict the same candidate is recommended and no conflict key appears.
    calm = evaluate_facts(variant, {**facts, "score": 50})
    assert candidate(calm, "treat")["recommended"] is True
    assert "conflict" not in candidate(calm, "treat")


# -- decision status ------------------------------------------------------------------------

def test_definitive_decision() -> None:
    plan = decision(evaluate_facts(mini(), LOW_FIT))
    assert (plan["status"], plan["applies"], plan["recommended"], plan["missing"]) == (
        "definitive", True, ["watch"], [])


def test_provisional_decision_lists_exactly_the_missing_items() -> None:
    output = evaluate_facts(mini(), {"grade": 1, "stage": "A", "fit": True, "spread": False})
    plan = decision(output)
    assert (plan["status"], plan["recommended"], plan["missing"]) == ("provisional", [],
                                                                        ["score"])


def test_missing_names_the_filled_item_not_its_parts() -> None:
    output = evaluate_facts(mini(), {"score": 5, "stage": "A", "fit": True, "spread": False})
    assert decision(output)["missing"] == ["grade"]


def test_missing_follows_data_dictionary_order() -> None:
    output = evaluate_facts(mini(), {"fit": True, "spread": False})
    assert decision(output)["missing"] == ["score", "grade", "stage"]


def test_unknown_applicability_asks_first_for_what_settles_it() -> None:
    output = evaluate_facts(mini(), {"fit": True})
    assert decision(output)["status"] == "provisional"
    assert decision(output)["missing"] == ["spread"]


def test_not_applicable_decision_recommends_nothing() -> None:
    output = evaluate_facts(mini(), {**LOW_FIT, "spread": True})
    plan = decision(output)
    assert (plan["status"], plan["applies"], plan["recommended"], plan["missing"]) == (
        "not_applicable", False, [], [])
    assert all(c["recommended"] is False for c in plan["candidates"])


def test_unknown_applies_when_makes_the_decision_provisional() -> None:
    facts = {key: value for key, value in LOW_FIT.items() if key != "spread"}
    plan = decision(evaluate_facts(mini(), facts))
    assert (plan["status"], plan["applies"], plan["missing"]) == ("provisional", None,
                                                                   ["spread"])


def test_unknown_applies_when_with_nothing_recommendable_is_definitive() -> None:
    # grade 3 and unfit: neither option can be recommended, so 'spread' cannot matter.
    facts = {"score": 5, "grade": 3, "stage": "A", "fit": False}
    plan = decision(evaluate_facts(mini(), facts))
    assert (plan["status"], plan["recommended"], plan["missing"]) == ("definitive", [], [])
