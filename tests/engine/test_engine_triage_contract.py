"""Triage routes, the output contract, determinism and purity of ``evaluate``."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from engine_helpers import AS_OF, LOW_FIT, MINI, evaluate_facts, mini

from openmdt.engine import evaluate
from openmdt.knowledge import check_pack


def triage_of(facts: dict) -> dict:
    return evaluate_facts(mini(), facts)["triage"]


# -- routes ---------------------------------------------------------------------------------

def test_standard_of_care_when_definitive_and_no_exclusion_can_hold() -> None:
    assert triage_of(LOW_FIT) == {
        "route": "standard_of_care", "standard_of_care": "low_watch",
        "reasons": ["Low group - watch (local policy)"], "data_requests": [], "minutes": 0.0}


def test_never_streamline_comes_first_even_with_missing_data() -> None:
    # score (a triage item) is missing, yet the spread rule decides the route.
    triage = triage_of({"grade": 1, "stage": "A", "fit": True, "spread": True})
    assert triage == {"route": "full_discussion", "standard_of_care": None,
                      "reasons": ["Spread disease is always discussed (T1 9)"],
                      "data_requests": [], "minutes": 4.0}


def test_exclusion_that_could_hold_blocks_the_standard_of_care() -> None:
    # The decision is definitive without 'fit', but the SoC exclusion 'not fit' is open.
    facts = {key: value for key, value in LOW_FIT.items() if key != "fit"}
    output = evaluate_facts(mini(), facts)
    assert output["decisions"][0]["status"] == "definitive"
    assert output["triage"]["route"] == "not_ready"
    assert output["triage"]["data_requests"] == ["fit"]
    assert output["triage"]["standard_of_care"] is None


def test_exclusion_that_holds_sends_to_full_discussion_with_its_reason() -> None:
    triage = triage_of({**LOW_FIT, "fit": False})
    assert triage["route"] == "full_discussion"
    assert triage["reasons"] == ["Low group - watch: not used because not fit"]
    assert triage["minutes"] == 4.0


def test_provisional_decision_blocks_the_standard_of_care() -> None:
    triage = triage_of({"score": 5, "stage": "A", "fit": True, "spread": False})
    assert (triage["route"], triage["data_requests"]) == ("not_ready", ["grade"])


def test_triage_items_are_requested_even_when_decisions_are_settled() -> None:
    # stage C: group 3, treat is confirmed; the decision is definitive but score is a
    # triage item and unknown.
    output = evaluate_facts(mini(), {"grade": 2, "stage": "C", "fit": True, "spread": False})
    assert output["decisions"][0]["status"] == "definitive"
    assert output["triage"]["route"] == "not_ready"
    assert output["triage"]["data_requests"] == ["score"]
    assert output["triage"]["reasons"] == ["Data needed before the case can be triaged: score"]


def test_unknown_never_streamline_rule_is_a_data_request() -> None:
    facts = {key: value for key, value in LOW_FIT.items() if key != "spread"}
    assert triage_of(facts)["data_requests"] == ["spread"]


def test_data_requests_come_in_data_dictionary_order() -> None:
    triage = triage_of({"fit": True})
    assert triage["route"] == "not_ready"
    assert triage["data_requests"] == ["score", "grade", "stage", "spread"]


def test_full_discussion_when_no_standard_of_care_applies() -> None:
    triage = triage_of({"score": 50, "grade": 2, "stage": "C", "fit": True, "spread": False})
    assert triage["route"] == "full_discussion"
    # the reasons say what the guideline supports, so the MDT sees what it is choosing between
    assert triage["reasons"] == ["Plan: the guideline supports Treat",
                                 "No Standard of Care applies to this case"]


def test_full_discussion_when_the_guideline_recommends_nothing() -> None:
    triage = triage_of({"score": 5, "grade": 3, "stage": "A", "fit": False, "spread": False})
    assert triage["route"] == "full_discussion"
    assert triage["reasons"] == ["Plan: the guideline recommends no option",
                                 "No Standard of Care applies to this case"]


# -- output contract ------------------------------------------------------------------------

TOP_KEYS = {"case_id", "pack", "as_of", "derived", "decisions", "triage"}
PACK_KEYS = {"id", "version", "hash"}
DECISION_KEYS = {"id", "title", "status", "applies", "recommended", "missing", "candidates"}
CANDIDATE_KEYS = {"id", "title", "net_support", "net_support_range", "recommended",
                  "arguments"}
OPTIONAL_CANDIDATE_KEYS = {"missing", "conflict"}
ARGUMENT_KEYS = {"id", "polarity", "weight", "holds", "text", "source", "strength"}
TRIAGE_KEYS = {"route", "standard_of_care", "reasons", "data_requests", "minutes"}


@pytest.mark.parametrize("facts", [LOW_FIT, {"stage": "B"}, {**LOW_FIT, "spread": True}],
                         ids=["definitive", "provisional", "not_applicable"])
def test_output_contract_keys(facts: dict) -> None:
    output = evaluate_facts(mini(), facts, case_id="case-7")
    assert set(output) >= TOP_KEYS  # the contract allows added keys
    assert output["case_id"] == "case-7" and output["as_of"] == "2026-01-01"
    assert set(output["pack"]) == PACK_KEYS
    assert output["pack"]["id"] == "mini-test" and output["pack"]["version"] == "0.1.0"
    assert output["pack"]["hash"].startswith("sha256:") and len(output["pack"]["hash"]) == 71
    assert set(output["derived"]) == {"grade", "group"}
    assert set(output["triage"]) == TRIAGE_KEYS
    assert [d["id"] for d in output["decisions"]] == ["plan"]
    for dec in output["decisions"]:
        assert set(dec) == DECISION_KEYS
        assert [c["id"] for c in dec["candidates"]] == ["watch", "treat"]
        for cand in dec["candidates"]:
            assert CANDIDATE_KEYS <= set(cand) <= CANDIDATE_KEYS | OPTIONAL_CANDIDATE_KEYS
            for arg in cand["arguments"]:
                assert set(arg) == ARGUMENT_KEYS
                assert arg["source"].startswith("T1 ")
    json.dumps(output, allow_nan=False)  # JSON-ready


def test_case_with_every_item_unknown_still_gives_the_full_contract() -> None:
    output = evaluate_facts(mini(), {})
    assert set(output) >= TOP_KEYS  # the contract allows added keys
    assert output["derived"] == {"grade": None, "group": None}
    assert output["triage"]["route"] == "not_ready"


# -- determinism and purity -----------------------------------------------------------------

def _dump(output: dict) -> str:
    return json.dumps(output, sort_keys=True)


def test_same_case_gives_byte_identical_output_even_from_a_fresh_compile() -> None:
    facts = {"score": 20, "grade": 1, "stage": "A", "spread": False}
    first = _dump(evaluate_facts(mini(), facts))
    second = _dump(evaluate_facts(mini(), facts))
    fresh_pack, _ = check_pack(MINI)
    assert fresh_pack is not None
    third = _dump(evaluate_facts(fresh_pack, facts))
    assert first == second == third


def test_earlier_cases_do_not_change_later_results() -> None:
    pack = mini()
    before = _dump(evaluate_facts(pack, LOW_FIT))
    for facts in ({"stage": "C", "fit": False}, {"spread": True}, {}, {"score": 99}):
        evaluate_facts(pack, facts)
    assert _dump(evaluate_facts(pack, LOW_FIT)) == before


def test_evaluate_does_not_change_its_input() -> None:
    case = {"case_id": "p1", "site": "testsite", "patient": {"name": "Test"},
            "facts": {"score": "5", "grade": 1.0, "stage": " A ", "fit": "yes", "spread": None}}
    snapshot = copy.deepcopy(case)
    evaluate(mini(), case, as_of=AS_OF)
    assert case == snapshot


def test_evaluate_does_not_change_the_pack() -> None:
    pack = mini()
    parts = (dict(pack.parameters), dict(pack.items), pack.derived, pack.decisions,
             pack.standards, pack.never_streamline, dict(pack.dependencies), pack.hash)
    for facts in (LOW_FIT, {}, {"stage": "C"}, {**LOW_FIT, "spread": True}):
        evaluate_facts(pack, facts)
    assert parts == (dict(pack.parameters), dict(pack.items), pack.derived, pack.decisions,
                     pack.standards, pack.never_streamline, dict(pack.dependencies), pack.hash)
    with pytest.raises(TypeError):
        pack.parameters["high_score"] = 0  # type: ignore[index]


def test_as_of_is_recorded_and_never_read_from_the_clock() -> None:
    output = evaluate(mini(), {"case_id": "d", "facts": LOW_FIT}, as_of=date(2031, 2, 3))
    assert output.to_dict()["as_of"] == "2031-02-03"
    assert evaluate(mini(), {"case_id": "d", "facts": LOW_FIT}).to_dict()["as_of"] is None
