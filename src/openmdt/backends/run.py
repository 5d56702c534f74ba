"""A cohort from file to file with one engine (what `openmdt cohort evaluate` runs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openmdt.backends.cohort import RowError, output_schema
from openmdt.backends.writers import output_format, write_table
from openmdt.knowledge.model import Pack

__all__ = ["CohortWritten", "write_cohort"]


@dataclass(frozen=True)
class CohortWritten:
    cases: int
    errors: tuple[RowError, ...]
    patterns: int | None


def write_cohort(pack: Pack, source: str, output: Path, as_of: date | None, engine: str, *,
                 master: str = "local[*]", memory_limit: str | None = None,
                 threads: int | None = None) -> CohortWritten:
    """Evaluate ``source`` and write the output; DuckDB copies straight to the file.
    ``master`` is Spark's; ``memory_limit`` (e.g. "3GB": beyond it DuckDB spills to disk)
    and ``threads`` are DuckDB's (the Python engine reads its input through DuckDB too)."""
    fmt = output_format(output)
    if engine == "spark":
        from openmdt.backends.spark import spark_write_cohort

        return spark_write_cohort(pack, source, output, as_of, master)
    from openmdt.backends.duck import DuckEngine
    from openmdt.backends.reference import python_cohort
    from openmdt.backends.sqlcohort import run_sql_cohort

    duck = DuckEngine(source, memory_limit=memory_limit, threads=threads)
    try:
        if engine == "python":
            table, errors = python_cohort(pack, duck.source_batches(), as_of)
            write_table(table.cast(output_schema(pack)), output)
            return CohortWritten(table.num_rows, errors, None)
        cohort = run_sql_cohort(pack, duck, as_of)
        duck.write(cohort.output, output, fmt)
        count = duck.con.execute('SELECT count(*) FROM "__evaluated" '
                                 'WHERE "__error_code" IS NULL').fetchall()[0][0]
        return CohortWritten(count, cohort.errors, cohort.patterns)
    finally:
        duck.close()
