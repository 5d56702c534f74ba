"""Safe streamlining: a Standard of Care rests on recorded facts only, and conflicts are shown.

A variant of the mini pack adds an item with a default (``history``, read as "no" when not
recorded), one whose default the pack marks safe for streamlining (``consent``), an exclusion
that falls back on a constant through ``coalesce`` and a conflict between a recorded grade
and the parts it is made of.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import AS_OF, LOW_FIT, copy_mini, decision
from hypothesis import given, settings
from hypothesis import strategies as st

from openmdt.engine import Case, evaluate
from openmdt.knowledge import Pack, load_pack

ITEMS = """\
  history:
    type: boolean
    default: false
    default_source: "local policy (test): not recorded is read as no history"
  consent:
    type: boolean
    default: true
    default_source: "local policy (test): consent is taken in clinic"
    streamline_safe: true
    streamline_safe_source: "test alliance pathway board: consent never changes the route"
"""

STANDARDS = """\
standards:
  - id: low_watch
    title: Low group - watch
    decision: plan
    option: watch
    care_plan_intent: C
    planned_treatment_types: ["11"]
    when: group == 1
    source: local policy
    exclusions:
      - {id: unfit, when: "coalesce(fit, true) == false", reason: not fit}
      - {id: history, when: history, reason: previous history}
      - {id: no_consent, when: not consent, reason: no consent}
never_streamline:
  - id: spread
    when: spread
    reason: Spread disease is always discussed
    source: T1 9
conflicts:
  - id: grade_parts
    items: [grade, part_a, part_b]
    when: grade == 1 and part_a + part_b > 2
    message: the recorded grade 1 disagrees with its parts
    source: T1 0.1
"""

OPENMDT = str(Path(sys.executable).parent / "openmdt")  # the installed command
DOMAINS: dict[str, tuple[Any, ...]] = {
    "score": (5, 20, 20.01), "grade": (1, 2), "part_a": (1, 2), "part_b": (1,),
    "stage": ("A", "B"), "fit": (True, False), "spread": (False, True),
    "history": (False, True), "consent": (True, False),
}


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    root = copy_mini(tmp_path_factory.mktemp("guarded") / "mini",
                     append={"data.yaml": ITEMS}, replace={"standards.yaml": STANDARDS})
    return load_pack(root)


def run(pack: Pack, facts: dict[str, Any]) -> dict[str, Any]:
    return evaluate(pack, Case("c1", None, facts), as_of=AS_OF).to_dict()


def test_standard_of_care_never_rests_on_a_default(guarded: Pack) -> None:
    output = run(guarded, dict(LOW_FIT))
    assert output["assumed"] == {"history": False, "consent": True}
    assert output["triage"]["route"] == "not_ready"
    assert output["triage"]["data_requests"] == ["history"]
    assert "would apply" in output["triage"]["reasons"][0]
    # the assumed value still feeds the options shown
    assert decision(output)["recommended"] == ["watch"]
    recorded = run(guarded, {**LOW_FIT, "history": False})
    assert recorded["triage"]["route"] == "standard_of_care"
    assert recorded["triage"]["standard_of_care"] == "low_watch"


def test_streamline_safe_default_may_carry_a_standard(guarded: Pack) -> None:
    output = run(guarded, {**LOW_FIT, "history": False})
    assert output["assumed"] == {"consent": True}
    assert output["triage"]["route"] == "standard_of_care"


def test_coalesce_constant_does_not_carry_a_standard(guarded: Pack) -> None:
    facts = {k: v for k, v in LOW_FIT.items() if k != "fit"} | {"history": False}
    output = run(guarded, facts)
    assert decision(output)["status"] == "definitive"  # the options do not depend on it
    assert output["triage"]["route"] == "not_ready"
    assert output["triage"]["data_requests"] == ["fit"]


def test_a_held_exclusion_read_with_a_default_still_sends_to_discussion(guarded: Pack) -> None:
    output = run(guarded, {**LOW_FIT, "history": False, "consent": False})
    assert output["triage"]["route"] == "full_discussion"
    assert any("no consent" in r for r in output["triage"]["reasons"])


def test_conflict_is_reported_and_sent_to_discussion(guarded: Pack) -> None:
    facts = {**LOW_FIT, "history": False, "part_a": 2, "part_b": 1}
    ev = evaluate(guarded, Case("c1", None, facts), as_of=AS_OF)
    output = ev.to_dict()
    assert output["conflicts"] == [{
        "id": "grade_parts", "items": ["grade", "part_a", "part_b"],
        "values": {"grade": 1, "part_a": 2, "part_b": 1},
        "message": "the recorded grade 1 disagrees with its parts"}]
    assert output["triage"]["route"] == "full_discussion"
    assert "Conflicting data: the recorded grade 1 disagrees with its parts" in \
        output["triage"]["reasons"]
    assert ev.to_json() == json.dumps(output, ensure_ascii=False, separators=(",", ":"))
    # an input that is not recorded is no conflict
    assert run(guarded, {**LOW_FIT, "history": False, "part_a": 2})["conflicts"] == []


def test_pack_check_lists_streamline_safe_defaults(guarded: Pack) -> None:
    result = subprocess.run([OPENMDT, "pack", "check", guarded.root],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()
             if line.startswith("  ")}
    assert "streamline_safe: test alliance pathway board" in lines["consent"]
    assert "not ready for a Standard of Care until recorded" in lines["history"]


def test_streamline_safe_needs_a_source(tmp_path: Path) -> None:
    root = copy_mini(tmp_path / "mini", append={"data.yaml": ITEMS.replace(
        '    streamline_safe_source: "test alliance pathway board: consent never changes '
        'the route"\n', "")})
    result = subprocess.run([OPENMDT, "pack", "check", str(root)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "streamline_safe_source" in result.stdout + result.stderr


def items_read(pack: Pack, facts: dict[str, Any], soc_id: str) -> set[str]:
    """The data items a Standard of Care route reads: its condition and exclusions, every
    never-streamline rule and its decision (applicability and every argument), followed
    through derived facts; an item a derived fact fills is read as given when it is."""
    soc = next(s for s in pack.standards if s.id == soc_id)
    chosen = pack.decision(soc.decision)
    assert chosen is not None
    expressions = [soc.condition, *(e.condition for e in soc.exclusions),
                   *(r.condition for r in pack.never_streamline), chosen.applies_when,
                   *(a.condition for c in chosen.candidates for a in c.arguments)]
    found: set[str] = set()
    _follow(pack, [n for e in expressions if e is not None for n in e.names], facts, found)
    return found


def _follow(pack: Pack, names: Iterable[str], facts: dict[str, Any], found: set[str],
            seen: set[str] | None = None) -> None:
    seen = set() if seen is None else seen
    for name in names:
        if name in seen:
            continue
        seen.add(name)
        if name in pack.items:
            found.add(name)
            if name in facts:
                continue
        if name in pack.dependencies:
            _follow(pack, pack.dependencies[name], facts, found, seen)


partial_cases = st.fixed_dictionaries(
    {name: st.one_of(st.none(), st.sampled_from(domain)) for name, domain in DOMAINS.items()}
).map(lambda facts: {k: v for k, v in facts.items() if v is not None})


@settings(max_examples=300, deadline=None, derandomize=True)
@given(partial_cases)
def test_removing_an_item_the_route_read_leaves_the_standard_of_care(facts: dict[str, Any]
                                                                       ) -> None:
    pack = load_pack(guarded_root())
    output = run(pack, facts)
    if output["triage"]["route"] != "standard_of_care":
        return
    read = items_read(pack, facts, output["triage"]["standard_of_care"])
    for name in read:
        item = pack.items[name]
        if item.default is not None and item.streamline_safe:
            continue
        assert name in facts, f"the route read {name}, which the case does not record"
        fewer = {k: v for k, v in facts.items() if k != name}
        assert run(pack, fewer)["triage"]["route"] != "standard_of_care", name


_ROOT: list[Path] = []


def guarded_root() -> Path:
    """The guarded variant for Hypothesis tests (built once per session)."""
    if not _ROOT:
        import tempfile

        base = Path(tempfile.mkdtemp(prefix="openmdt-guarded-"))
        _ROOT.append(copy_mini(base / "mini", append={"data.yaml": ITEMS},
                               replace={"standards.yaml": STANDARDS}))
    return _ROOT[0]


def test_property_cases_do_reach_the_standard_of_care() -> None:
    pack = load_pack(guarded_root())
    facts = {**LOW_FIT, "history": False}
    assert run(pack, facts)["triage"]["route"] == "standard_of_care"
    assert items_read(pack, facts, "low_watch") == {
        "score", "grade", "stage", "fit", "spread", "history", "consent"}


def test_text_output_shows_conflicts_and_assumed_values(guarded: Pack, tmp_path: Path) -> None:
    case = {"case_id": "c1", "facts": {**LOW_FIT, "history": False, "part_a": 2, "part_b": 1}}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    result = subprocess.run([OPENMDT, "evaluate", str(path), "--pack", guarded.root,
                             "--as-of", "2026-01-01", "--format", "text"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "CONFLICT: the recorded grade 1 disagrees with its parts (grade: 1; part a: 2; " \
           "part b: 1)" in result.stdout
    assert "assumed (not recorded): consent: Yes" in result.stdout
