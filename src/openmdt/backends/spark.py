"""Spark, the distributed engine: the same compiled query, transpiled by sqlglot to Spark SQL.

Needs the optional ``pyspark`` (``pip install 'openmdt[spark]'``) and Java 17. ANSI mode is
off so that a failed cast gives NULL (TRY_CAST), as in DuckDB; dates are compared with
``date_diff``, never ``DATE - DATE`` (an interval in Spark).
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlglot import exp

from openmdt.backends import CohortOutput
from openmdt.backends.cohort import output_schema
from openmdt.backends.inputs import SOURCE, input_format
from openmdt.backends.run import CohortWritten
from openmdt.backends.sqlcohort import run_sql_cohort
from openmdt.backends.sqlexpr import SqlBackendError
from openmdt.backends.validation import InputColumn
from openmdt.backends.writers import output_format
from openmdt.knowledge.model import Pack

__all__ = ["SparkEngine", "spark_cohort_output", "spark_write_cohort"]


def _session(master: str) -> Any:
    from pyspark.sql import SparkSession

    return (SparkSession.builder.master(master).appName("openmdt-cohort")
            .config("spark.sql.ansi.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8").getOrCreate())


def _kind(data_type: Any) -> str:
    name = type(data_type).__name__
    kinds = {"StringType": "text", "NullType": "text", "LongType": "integer",
             "IntegerType": "integer", "ShortType": "integer", "ByteType": "integer",
             "DoubleType": "number", "FloatType": "number", "DecimalType": "number",
             "BooleanType": "boolean", "DateType": "date"}
    if name not in kinds:
        raise SqlBackendError(f"a column of type {data_type} cannot be read as a fact")
    return kinds[name]


class SparkEngine:
    """A Spark session holding one cohort as the view ``__source``."""

    dialect = "spark"

    def __init__(self, source: str | Path, master: str = "local[*]") -> None:
        self.spark = _session(master)
        reader = self.spark.read
        fmt = input_format(str(source))
        if fmt == "parquet":
            frame = reader.parquet(str(source))
        elif fmt == "csv":
            frame = reader.option("header", "true").option("inferSchema", "false").csv(
                str(source))
        else:
            frame = reader.json(str(source))
        self.input = frame
        _numbered(self.spark, frame).createOrReplaceTempView(SOURCE)

    def columns(self) -> list[InputColumn]:
        return [InputColumn(f.name, "text" if f.name == "case_id" else _kind(f.dataType))
                for f in self.input.schema.fields]

    def rows(self, query: exp.Select) -> list[dict[str, Any]]:
        return [row.asDict() for row in self.spark.sql(query.sql(dialect=self.dialect)).collect()]

    def register(self, name: str, table: pa.Table) -> None:
        from pyspark.sql.types import ArrayType, LongType, StringType, StructField, StructType

        fields = [StructField(f.name, LongType() if pa.types.is_int64(f.type) else ArrayType(
            StringType()) if pa.types.is_list(f.type) else StringType()) for f in table.schema]
        frame = self.spark.createDataFrame(table.to_pylist(), StructType(fields))
        frame.createOrReplaceTempView(name)

    def materialize(self, name: str, query: exp.Select) -> None:
        self.spark.sql(query.sql(dialect=self.dialect)).cache().createOrReplaceTempView(name)

    def frame(self, query: exp.Select) -> Any:
        return self.spark.sql(query.sql(dialect=self.dialect))


def _numbered(spark: Any, frame: Any) -> Any:
    """``frame`` with ``__row``, its rows numbered from 1 in input order (partition by
    partition, as ``zipWithIndex`` numbers them), computed in the JVM: each row's number is
    the rows of the partitions before its own plus its place in its partition (the low 33
    bits of ``monotonically_increasing_id``)."""
    from pyspark.sql import functions

    part, place = "__partition", "__place"
    tagged = frame.select(functions.spark_partition_id().alias(part),
                          functions.monotonically_increasing_id().alias(place), "*")
    counts = sorted(tuple(r) for r in tagged.groupBy(part).count().collect())
    offsets, total = [], 0
    for partition, count in counts:
        offsets.append((partition, total))
        total += count
    offset_frame = spark.createDataFrame(offsets or [(0, 0)], f"{part} int, __offset long")
    low_bits = functions.col(place).bitwiseAND(functions.lit((1 << 33) - 1))
    row = (functions.col("__offset") + low_bits + 1).alias("__row")
    return tagged.join(functions.broadcast(offset_frame), part).select(
        row, *(functions.col(f"`{f.name}`") for f in frame.schema.fields))


def _arrow_source(source: str | Path | pa.Table, folder: str) -> str:
    if isinstance(source, pa.Table):
        path = Path(folder) / "input.parquet"
        pq.write_table(source, path)
        return str(path)
    return str(source)


def spark_cohort_output(pack: Pack, source: str | Path | pa.Table, as_of: date | None,
                        master: str = "local[*]") -> CohortOutput:
    """The cohort evaluated by Spark, collected (for tests and small cohorts)."""
    with tempfile.TemporaryDirectory() as folder:
        engine = SparkEngine(_arrow_source(source, folder), master)
        cohort = run_sql_cohort(pack, engine, as_of)
        rows = [row.asDict() for row in engine.frame(cohort.output).collect()]
        table = pa.Table.from_pylist(rows, schema=output_schema(pack))
        return CohortOutput(table, cohort.errors, cohort.patterns)


def spark_write_cohort(pack: Pack, source: str, output: Path, as_of: date | None,
                       master: str = "local[*]") -> CohortWritten:
    """The cohort evaluated by Spark and written as one file (Spark writes a folder; its one
    part file is moved to ``output``)."""
    fmt = output_format(output)
    engine = SparkEngine(source, master)
    cohort = run_sql_cohort(pack, engine, as_of)
    frame = engine.frame(cohort.output)
    if fmt == "csv":
        from pyspark.sql import functions

        for field in frame.schema.fields:
            if type(field.dataType).__name__ == "ArrayType":
                frame = frame.withColumn(field.name, functions.concat_ws(";", field.name))
    with tempfile.TemporaryDirectory() as folder:
        target = str(Path(folder) / "out")
        writer = frame.coalesce(1).write.mode("overwrite")
        if fmt == "parquet":
            writer.parquet(target)
        elif fmt == "csv":
            writer.option("header", "true").csv(target)
        else:
            writer.json(target)
        part = next(p for p in Path(target).iterdir() if p.name.startswith("part-"))
        shutil.move(str(part), output)
    count = engine.spark.sql('SELECT count(*) AS n FROM `__evaluated` '
                             'WHERE `__error_code` IS NULL').collect()[0]["n"]
    return CohortWritten(count, cohort.errors, cohort.patterns)
