"""Safe streamlining on the shipped prostate pack, checked on generated meeting lists.

For every case the pack lists under a Standard of Care:
- every recorded item whose value the route depends on (some other value of it, from the
  values the pack's own thresholds make worth trying, takes the case off that Standard of
  Care without contradicting other recorded facts) leaves the Standard of Care when it is
  removed: the route never stands on an item that is not recorded. (An item that other
  recorded facts also settle, such as the grade group beside its Gleason patterns, changes
  the route only through a conflict, so it is not one the route depends on.)
- no assumed value (a default that is not streamline_safe) changes the route, whatever
  value it takes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from openmdt.engine import evaluate
from openmdt.knowledge import Pack, load_pack
from openmdt.knowledge.conflicts import _domain, _numeric_constants
from openmdt.synth import generate_prostate_list

AS_OF = date(2026, 11, 27)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("prostate-nice-ng131")


@pytest.fixture(scope="module")
def streamlined(pack: Pack) -> list[tuple[dict[str, Any], str]]:
    found = []
    for seed in (31, 32):
        for case in generate_prostate_list(300, seed=seed):
            facts = {k: v for k, v in case["facts"].items() if v is not None}
            triage = route(pack, facts)
            if triage[0] == "standard_of_care":
                found.append((facts, triage[1]))
    return found


def route(pack: Pack, facts: dict[str, Any]) -> tuple[str, str | None]:
    triage = evaluate(pack, {"case_id": "c", "facts": facts}, as_of=AS_OF).triage
    return triage.route, triage.standard_of_care


def moves_off(pack: Pack, facts: dict[str, Any], soc: str) -> bool:
    """Whether these facts take the case off ``soc`` for a reason other than a conflict (a
    value that contradicts other recorded facts says nothing about what the route reads)."""
    ev = evaluate(pack, {"case_id": "c", "facts": facts}, as_of=AS_OF)
    return not ev.conflicts and (ev.triage.route, ev.triage.standard_of_care) != (
        "standard_of_care", soc)


def test_the_lists_do_streamline_cases(streamlined: list[tuple[dict[str, Any], str]]) -> None:
    assert len(streamlined) >= 60
    assert {soc for _, soc in streamlined} >= {"cpg1_active_surveillance", "cpg2_choice",
                                               "not_fit_watchful_waiting",
                                               "prebiopsy_likert_3_biopsy"}


def test_an_item_the_route_depends_on_must_be_recorded(
        pack: Pack, streamlined: list[tuple[dict[str, Any], str]]) -> None:
    constants = _numeric_constants(pack)
    checked = 0
    for facts, soc in streamlined:
        for name, value in facts.items():
            others = [v for v in _domain(pack.items[name], constants) if v != value]
            if not any(moves_off(pack, {**facts, name: v}, soc) for v in others):
                continue  # the route does not depend on this item here
            checked += 1
            fewer = {k: v for k, v in facts.items() if k != name}
            assert route(pack, fewer)[0] != "standard_of_care", (soc, name, facts)
    assert checked >= 10 * len(streamlined)


def test_no_assumed_value_can_change_a_standard_of_care(
        pack: Pack, streamlined: list[tuple[dict[str, Any], str]]) -> None:
    constants = _numeric_constants(pack)
    assumed = [n for n, i in pack.items.items() if i.default is not None and not i.streamline_safe]
    assert assumed  # the pack still assumes something (significant_comorbidity)
    for facts, soc in streamlined:
        for name in assumed:
            if name in facts:
                continue
            for value in _domain(pack.items[name], constants):
                assert route(pack, {**facts, name: value}) == ("standard_of_care", soc), (
                    soc, name, value, facts)
