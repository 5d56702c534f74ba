"""One small Spark run (local mode) agrees with the Python backend."""

from __future__ import annotations

import shutil

import pytest

from openmdt.knowledge import load_pack
from openmdt.synth import generate_prostate_list

from .agreement import case_table, disagreements
from .strategies import AS_OF

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java", allow_module_level=True)


def test_spark_agrees_on_a_synthetic_list() -> None:
    pack = load_pack("prostate-nice-ng131")
    cases = generate_prostate_list(300, 11)
    cases.append({"case_id": "BAD", "facts": {"psa": -1.0}})
    table = case_table(pack, cases)
    assert disagreements(pack, table, AS_OF, engine="spark", master="local[2]") == []
