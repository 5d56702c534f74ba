"""Knowledge packs: loading, checking, compiling, overlays and pack tests."""

from openmdt.knowledge.diagnostics import Diagnostic, PackLoadError
from openmdt.knowledge.loader import check_pack, load_pack, pack_for_site
from openmdt.knowledge.model import (
    Argument,
    Candidate,
    DataItem,
    Decision,
    DerivedFact,
    Pack,
    StandardOfCare,
)
from openmdt.knowledge.source_files import shipped_pack_ids

__all__ = [
    "Argument",
    "Candidate",
    "DataItem",
    "Decision",
    "DerivedFact",
    "Diagnostic",
    "Pack",
    "PackLoadError",
    "StandardOfCare",
    "check_pack",
    "load_pack",
    "pack_for_site",
    "shipped_pack_ids",
]
