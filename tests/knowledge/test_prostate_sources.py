"""Every rule of the prostate pack cites an operative document or says it is local policy.

The clinical review found arguments citing a NICE committee discussion as if it were a
recommendation. A source must name a guideline recommendation or section (NICE NG131 1.x),
a quality statement, a technology appraisal the pack lists, an NHS England commissioning
document, a classification the pack reproduces (ISUP, TNM, EAU, NCCN), or be marked
"local policy".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from openmdt.knowledge import Pack, load_pack

OPERATIVE = re.compile(
    r"^(NICE NG131 (1\.\d|section 1\.\d)|NICE QS91 statement \d|NICE TA\d+|NHS England|"
    r"local policy|ISUP 2014|TNM 8|EAU-ESTRO-SIOG 2016|NCCN v2\.2020)")


def sources(pack: Pack) -> Iterator[tuple[str, str]]:
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
    for item in pack.items.values():
        if item.default is not None:
            yield f"default of {item.name}", item.default_source or ""


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("prostate-nice-ng131")


def test_every_source_is_an_operative_document_or_local_policy(pack: Pack) -> None:
    bad = [(where, source) for where, source in sources(pack)
           if not OPERATIVE.match(source.strip('"'))]
    assert bad == []


def test_no_rule_rests_on_a_committee_discussion(pack: Pack) -> None:
    assert [where for where, source in sources(pack) if "committee" in source.lower()] == []


def test_every_appraisal_cited_is_listed_in_the_pack(pack: Pack) -> None:
    listed = {source.id for source in pack.sources}
    cited = {found for _, source in sources(pack) for found in re.findall(r"TA\d+", source)}
    assert cited - listed == set()
