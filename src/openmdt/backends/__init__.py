"""Backends that evaluate a pack over a whole cohort: SQL (DuckDB, Spark) and the reference.

``evaluate_cohort`` gives one output table (see ``cohort.output_schema``) and the refused
rows, whichever engine computes them; the SQL engines compile the pack to one query
(``sqlpack``) and settle each distinct pattern once with the engine's own functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa

from openmdt.backends.cohort import RowError, error_table, output_schema
from openmdt.backends.sqlexpr import SqlBackendError
from openmdt.knowledge.model import Pack

__all__ = ["ENGINES", "CohortOutput", "RowError", "SqlBackendError", "error_table",
           "evaluate_cohort", "output_schema"]

ENGINES = ("duckdb", "python", "spark")


@dataclass(frozen=True)
class CohortOutput:
    """One row per valid case (in input order) and the refused rows."""

    cases: pa.Table
    errors: tuple[RowError, ...]
    patterns: int | None = None  # distinct patterns settled (SQL engines)


def evaluate_cohort(pack: Pack, source: str | Path | pa.Table, as_of: date | None = None,
                    engine: str = "duckdb", *, master: str = "local[*]",
                    memory_limit: str | None = None, threads: int | None = None
                    ) -> CohortOutput:
    """Evaluate every row of ``source`` (a file, a glob or an Arrow table) in memory.
    ``master`` is Spark's; ``memory_limit`` and ``threads`` are DuckDB's."""
    if engine == "spark":
        from openmdt.backends.spark import spark_cohort_output

        return spark_cohort_output(pack, source, as_of, master)
    from openmdt.backends.duck import DuckEngine
    from openmdt.backends.reference import python_cohort
    from openmdt.backends.sqlcohort import run_sql_cohort

    duck = DuckEngine(source, memory_limit=memory_limit, threads=threads)
    try:
        if engine == "python":
            table, errors = python_cohort(pack, duck.source_batches(), as_of)
            return CohortOutput(table, errors)
        if engine != "duckdb":
            raise ValueError(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")
        cohort = run_sql_cohort(pack, duck, as_of)
        return CohortOutput(duck.arrow(cohort.output).cast(output_schema(pack)), cohort.errors,
                            cohort.patterns)
    finally:
        duck.close()
