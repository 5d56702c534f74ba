"""DISTRIBUTIONS.md and the module docstring state the figures the generator really uses."""

from pathlib import Path

import openmdt.synth.prostate as prostate

DISTRIBUTIONS = Path(prostate.__file__).with_name("DISTRIBUTIONS.md").read_text(encoding="utf-8")


def _percent(share: float) -> str:
    return f"{share * 100:g}%"


def test_cpg_shares_are_documented_with_their_source() -> None:
    for group, target in prostate.CPG_SHARES.items():
        assert f"CPG {group} {_percent(target)}" in DISTRIBUTIONS
    assert "[S80]" in DISTRIBUTIONS and "[S80]" in (prostate.__doc__ or "")


def test_list_mix_and_missing_share_are_documented() -> None:
    for share in prostate.PATHWAY_SHARES.values():
        assert f"| {_percent(share)} |" in DISTRIBUTIONS
    assert _percent(prostate.METASTATIC_AT_DIAGNOSIS_SHARE) in DISTRIBUTIONS
    assert "[S75]" in DISTRIBUTIONS and "[S75]" in (prostate.__doc__ or "")
    missing_share = _percent(prostate.MISSING_ITEM_SHARE)
    assert f"{missing_share} of the cases that have a triage item" in DISTRIBUTIONS
