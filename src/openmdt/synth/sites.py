"""The synthetic list generators by tumour site (for the demo and other site-generic callers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from openmdt.synth.breast import BREAST_FACT_NAMES, generate_breast_list
from openmdt.synth.prostate import PROSTATE_FACT_NAMES, generate_prostate_list

__all__ = ["SYNTHETIC_SITES", "SyntheticSite", "synthetic_site"]


@dataclass(frozen=True)
class SyntheticSite:
    """How to make a synthetic list for one tumour site, and its CSV columns."""

    site: str
    generate: Callable[..., list[dict]]  # (n, seed, as_of=date) -> cases
    fact_names: tuple[str, ...]

    def cases(self, n: int, seed: int, as_of: date) -> list[dict]:
        return self.generate(n, seed, as_of=as_of)


SYNTHETIC_SITES: dict[str, SyntheticSite] = {
    "prostate": SyntheticSite("prostate", generate_prostate_list, PROSTATE_FACT_NAMES),
    "breast": SyntheticSite("breast", generate_breast_list, BREAST_FACT_NAMES),
}


def synthetic_site(site: str) -> SyntheticSite:
    """The generator for ``site``; a ValueError names the sites there are."""
    if site not in SYNTHETIC_SITES:
        raise ValueError(f"no synthetic list for site {site!r}; sites: "
                         f"{', '.join(SYNTHETIC_SITES)}")
    return SYNTHETIC_SITES[site]
