"""Synthetic MDT lists for demos, tests and benchmarks: fictional patients, realistic case mix.

Every patient is obviously fictional ("SYNTHETIC ..." names, NHS numbers in the 999 range that
are never issued). Distributions and their sources: DISTRIBUTIONS.md in this folder.
"""

from openmdt.synth.prostate import PROSTATE_FACT_NAMES, generate_prostate_list
from openmdt.synth.writers import write_csv, write_jsonl

__all__ = ["PROSTATE_FACT_NAMES", "generate_prostate_list", "write_csv", "write_jsonl"]
