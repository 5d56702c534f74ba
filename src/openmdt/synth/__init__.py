"""Synthetic MDT lists for demos, tests and benchmarks: fictional patients, realistic case mix.

Every patient is obviously fictional ("SYNTHETIC ..." names, NHS numbers in the 999 range that
are never issued). Distributions and their sources: DISTRIBUTIONS.md in this folder.
"""

from openmdt.synth.breast import BREAST_FACT_NAMES, generate_breast_list
from openmdt.synth.prostate import PROSTATE_FACT_NAMES, generate_prostate_list
from openmdt.synth.writers import write_csv, write_jsonl

__all__ = ["BREAST_FACT_NAMES", "PROSTATE_FACT_NAMES", "generate_breast_list",
           "generate_prostate_list", "write_csv", "write_jsonl"]
