"""Every rule of the breast pack cites an operative document or says it is local policy, and
no rule its research note marks unconfirmed ([U]) can recommend an option (issue 13)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from openmdt.knowledge import Pack, load_pack

PACK = "breast-nice-ng101"
OPERATIVE = re.compile(
    r"^(NICE NG101 (2018 1\.\d+\.\d+|section 1\.\d+)|NICE DG58|NICE DG10|NICE TA\d+|NICE ES15"
    r"|NICE technology appraisal|local policy|Nottingham Prognostic Index|AJCC/UICC 8"
    r"|AMAROS trial|Cancer Australia|Scottish Cancer Network|TAILORx)")


def _sources(pack: Pack) -> Iterator[tuple[str, str]]:
    for decision in pack.decisions:
        for candidate in decision.candidates:
            for argument in candidate.arguments:
                yield f"argument {argument.id}", argument.source
    for standard in pack.standards:
        yield f"Standard of Care {standard.id}", standard.source
    for rule in pack.never_streamline:
        yield f"never-streamline rule {rule.id}", rule.source
    for conflict in pack.conflicts:
        yield f"conflict {conflict.id}", conflict.source
    for fact in pack.derived:
        yield f"derived fact {fact.name}", fact.source or ""


@pytest.mark.parametrize(("where", "source"), list(_sources(load_pack(PACK))))
def test_every_source_is_an_operative_document_or_local_policy(where: str, source: str) -> None:
    assert OPERATIVE.match(source), f"{where}: {source!r}"


def test_every_appraisal_cited_is_listed_in_the_pack() -> None:
    pack = load_pack(PACK)
    listed = {source.id for source in pack.sources}
    cited = {match for _, text in _sources(pack) for match in re.findall(r"\bTA\d+", text)}
    assert cited - {"TA810"} <= listed  # TA810 is cited only as unconfirmed (information only)


def test_an_unconfirmed_rule_never_recommends() -> None:
    """An argument resting on a [U] fact has weight 0 and belongs to an information-only
    option, so it can never make an option recommended."""
    pack = load_pack(PACK)
    unconfirmed = [(c, a) for d in pack.decisions for c in d.candidates for a in c.arguments
                   if "[U]" in a.source]
    assert len(unconfirmed) >= 6
    for candidate, argument in unconfirmed:
        assert argument.weight == 0 and argument.polarity == "for", argument.id
        assert candidate.information_only, (candidate.id, argument.id)


def test_every_local_threshold_is_a_parameter_named_in_the_readme() -> None:
    from pathlib import Path

    pack = load_pack(PACK)
    readme = (Path(__file__).parents[2] / "src" / "openmdt" / "packs" / PACK / "README.md"
              ).read_text(encoding="utf-8")
    for name in pack.parameters:  # the README names the Oncotype DX cut-offs together
        assert name in readme or (name.startswith("oncotype_") and "oncotype_*" in readme), name
