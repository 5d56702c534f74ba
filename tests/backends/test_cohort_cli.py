"""`openmdt cohort evaluate` and `summary`: the engines write the same files."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from openmdt.cli import app
from openmdt.knowledge import load_pack
from openmdt.synth import generate_prostate_list

from .agreement import case_table


def _input(tmp_path: Path) -> Path:
    pack = load_pack("prostate-nice-ng131")
    table = case_table(pack, generate_prostate_list(300, 2))
    bad = pa.table({"case_id": ["BAD-1"], "psa": [-5.0]})
    path = tmp_path / "cases.parquet"
    pq.write_table(pa.concat_tables([table, bad], promote_options="default"), path)
    return path


def test_duckdb_and_python_write_the_same_output(tmp_path: Path) -> None:
    source = _input(tmp_path)
    runner = CliRunner()
    for engine in ("duckdb", "python"):
        result = runner.invoke(app, ["cohort", "evaluate", str(source), "-o",
                                     str(tmp_path / f"{engine}.parquet"), "--engine", engine,
                                     "--as-of", "2026-11-27"])
        assert result.exit_code == 1, result.output  # one row refused
    ours, reference = (pq.read_table(tmp_path / f"{e}.parquet") for e in ("duckdb", "python"))
    assert ours.schema.names == reference.schema.names
    assert ours.to_pylist() == reference.to_pylist()
    errors = pq.read_table(tmp_path / "duckdb.errors.parquet").to_pylist()
    assert errors == pq.read_table(tmp_path / "python.errors.parquet").to_pylist()
    assert [(e["row"], e["case_id"], e["item"], e["code"]) for e in errors] == [
        (301, "BAD-1", "psa", "value_out_of_range")]


def test_csv_output_and_summary(tmp_path: Path) -> None:
    source = _input(tmp_path)
    runner = CliRunner()
    output = tmp_path / "out.csv"
    runner.invoke(app, ["cohort", "evaluate", str(source), "-o", str(output),
                        "--as-of", "2026-11-27"])
    header = output.read_text().splitlines()[0].split(",")
    assert header[:4] == ["case_id", "route", "standard_of_care", "data_requests"]
    assert "localised_treatment__recommended" in header
    result = runner.invoke(app, ["cohort", "summary", str(output)])
    assert result.exit_code == 0, result.output
    assert "cases: 300" in result.output and "share streamlined" in result.output


def test_case_records_with_nested_facts_are_read_as_one_column_per_fact(tmp_path) -> None:
    """The JSONL that `openmdt synth` writes (case_id, site, patient, facts) is a cohort too,
    and gives the routes `openmdt evaluate` gives."""
    import json as _json
    from datetime import date as _date

    import pyarrow.parquet as pq

    from openmdt.backends.run import write_cohort
    from openmdt.engine import evaluate as _evaluate
    from openmdt.knowledge import load_pack as _load_pack
    from openmdt.synth import generate_prostate_list

    cases = generate_prostate_list(300, seed=12)
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join(_json.dumps(c, default=str) for c in cases), encoding="utf-8")
    pack = _load_pack("prostate-nice-ng131")
    output = tmp_path / "out.parquet"
    write_cohort(pack, str(source), output, _date(2026, 11, 27), "duckdb")
    rows = pq.read_table(output).to_pylist()
    assert "patient" not in rows[0] and "nhs_number" not in rows[0]
    expected = [_evaluate(pack, c, as_of=_date(2026, 11, 27)).route for c in cases]
    assert [r["route"] for r in rows] == expected


def test_duckdb_memory_limit_and_threads_give_the_same_output(tmp_path: Path) -> None:
    source = _input(tmp_path)
    runner = CliRunner()
    outputs = []
    for name, extra in (("default", []), ("limited", ["--memory-limit", "300MB",
                                                        "--threads", "1"])):
        output = tmp_path / f"{name}.parquet"
        result = runner.invoke(app, ["cohort", "evaluate", str(source), "-o", str(output),
                                     "--as-of", "2026-11-27", *extra])
        assert result.exit_code == 1, result.output  # one row refused
        outputs.append(pq.read_table(output).to_pylist())
    assert outputs[0] == outputs[1]


def test_a_bad_memory_limit_is_refused_by_name(tmp_path: Path) -> None:
    source = _input(tmp_path)
    result = CliRunner().invoke(app, ["cohort", "evaluate", str(source), "-o",
                                      str(tmp_path / "out.parquet"), "--memory-limit",
                                      "plenty"])
    assert result.exit_code not in (0, 1)
    assert "--memory-limit 'plenty' is not a memory size" in result.output
    assert not (tmp_path / "out.parquet").exists()
