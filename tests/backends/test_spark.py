"""One small Spark run (local mode) agrees with the Python backend."""

from __future__ import annotations

import shutil

import pyarrow as pa
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


def _settled_by_case(pack, table) -> set[str]:
    """The case_ids DuckDB settles one group at a time (patterns that need their facts)."""
    from openmdt.backends.duck import DuckEngine
    from openmdt.backends.sqlcohort import run_sql_cohort

    duck = DuckEngine(table)
    try:
        run_sql_cohort(pack, duck, AS_OF)
        found = duck.con.execute(
            'SELECT s.case_id FROM "__by_case" b JOIN "__source" s ON b."__row" = s."__row"'
        ).fetchall()
    finally:
        duck.close()
    return {str(row[0]) for row in found}


def test_spark_agrees_when_no_case_needs_its_facts() -> None:
    """With no pattern that needs a case's own facts, ``__by_case`` is an empty table: Spark
    must still join it (left) and agree."""
    import pyarrow.compute as pc

    pack = load_pack("prostate-nice-ng131")
    table = case_table(pack, generate_prostate_list(120, 5))
    by_case = _settled_by_case(pack, table)
    assert by_case  # the list has such cases: the filter below removes them
    table = table.filter(pc.invert(pc.is_in(table.column("case_id"),
                                            value_set=pa.array(sorted(by_case)))))
    assert table.num_rows > 0 and not _settled_by_case(pack, table)
    assert disagreements(pack, table, AS_OF, engine="spark", master="local[2]") == []
