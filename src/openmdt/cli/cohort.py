"""`openmdt cohort`: a pack over a whole table of cases (DuckDB, Spark or the Python engine)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from openmdt.cli.support import Exit, err_console, load_pack_or_exit, parse_as_of

if TYPE_CHECKING:
    from openmdt.backends.run import CohortWritten
    from openmdt.interop.fhir_cohort import FhirCohort
    from openmdt.knowledge.model import Pack

cohort_app = typer.Typer(help="Evaluate a pack over a cohort (Parquet, CSV or JSONL, or a "
                              "FHIR R4 Bundle or NDJSON) and summarise the results.",
                         no_args_is_help=True)


class CohortInputFormat(StrEnum):
    auto = "auto"
    table = "table"
    fhir = "fhir"

OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="Output file: .parquet, .csv "
                                                                 "or .jsonl.")]


def _errors_path(output: Path, errors: Path | None) -> Path:
    return errors or output.with_name(f"{output.stem}.errors{output.suffix}")


def _report_path(output: Path, report: Path | None) -> Path:
    return report or output.with_name(f"{output.stem}.fhir.jsonl")


@cohort_app.command("evaluate")
def evaluate_command(
    input: Annotated[str, typer.Argument(help="Parquet, CSV or JSONL file, or a glob; or FHIR "
                                              "R4: a Bundle (collection, transaction, "
                                              "searchset) or NDJSON of resources, or a glob of "
                                              "them (a bulk export), one case per Patient.")],
    output: OutputOpt,
    pack: Annotated[str, typer.Option("--pack", help="Pack id or folder.")]
    = "prostate-nice-ng131",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluation date (YYYY-MM-DD); "
                                                              "default today.")] = None,
    engine: Annotated[str, typer.Option("--engine", help="duckdb (embedded, default), python "
                                                        "(the per-case engine) or spark.")]
    = "duckdb",
    errors: Annotated[Path | None, typer.Option("--errors", help="Errors output (default: "
                                                                 "OUTPUT's name + .errors).")]
    = None,
    master: Annotated[str, typer.Option("--master", help="Spark master (with --engine spark).")]
    = "local[*]",
    memory_limit: Annotated[str | None, typer.Option(
        "--memory-limit", help="DuckDB's memory limit, e.g. 3GB (beyond it, it spills to a "
                               "temporary folder); default 80% of the machine's memory.")]
    = None,
    threads: Annotated[int | None, typer.Option(
        "--threads", min=1, help="DuckDB's threads (default: one per core).")] = None,
    input_format: Annotated[CohortInputFormat, typer.Option(
        "--input-format", help="auto (FHIR when a .json/.ndjson/.jsonl input's first object "
                               "names a resourceType, else a table), table or fhir.")]
    = CohortInputFormat.auto,
    fhir_report: Annotated[Path | None, typer.Option(
        "--fhir-report", help="With a FHIR input: how each case was read (sources, conflicts, "
                              "unit conversions, everything not mapped), one JSON object per "
                              "patient (default: OUTPUT's name + .fhir.jsonl).")] = None,
) -> None:
    """One row per case: route, Standard of Care, data requests, derived facts, decisions."""
    from openmdt.backends import ENGINES, SqlBackendError, error_table
    from openmdt.backends.run import write_cohort
    from openmdt.backends.writers import write_table

    if engine not in ENGINES:
        err_console.print(f"[red]error[/red]: --engine must be one of {', '.join(ENGINES)}")
        raise typer.Exit(Exit.BAD_PACK)
    chosen = load_pack_or_exit(pack)
    when = parse_as_of(as_of)
    fhir = _fhir_input(input, input_format)
    try:
        if fhir:
            result = _fhir_cohort(chosen, fhir, output, when, engine,
                                  _report_path(output, fhir_report), master=master,
                                  memory_limit=memory_limit, threads=threads)
        else:
            result = write_cohort(chosen, input, output, when, engine, master=master,
                                  memory_limit=memory_limit, threads=threads)
    except (SqlBackendError, ValueError) as exc:
        err_console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(Exit.BAD_PACK) from None
    write_table(error_table(result.errors), _errors_path(output, errors))
    err_console.print(f"{result.cases} cases evaluated, {len(result.errors)} rows refused "
                      f"({engine}); {result.patterns or 0} distinct patterns")
    raise typer.Exit(Exit.BAD_INPUT if result.errors else Exit.OK)


def _fhir_input(source: str, input_format: CohortInputFormat) -> list[Path]:
    """The FHIR files of the input ([] when it is a table)."""
    from openmdt.interop.fhir_cohort import fhir_files

    if input_format is CohortInputFormat.table:
        return []
    found = fhir_files(source)
    if input_format is CohortInputFormat.fhir and not found:
        err_console.print(f"[red]error[/red]: {source}: no FHIR input there: give a .json "
                          "Bundle or resource, or .ndjson files of resources")
        raise typer.Exit(Exit.BAD_INPUT)
    return found


def _fhir_cohort(pack: Pack, paths: list[Path], output: Path, as_of: date | None, engine: str,
                 report: Path, **options: Any) -> CohortWritten:
    """Read the FHIR files into cases, evaluate them, write the output and the report."""
    from openmdt.backends.run import CohortWritten
    from openmdt.backends.writers import output_format, write_table
    from openmdt.interop.fhir_cohort import evaluate_fhir_cohort, read_fhir_cohort

    output_format(output)  # an unknown output kind is refused before the input is read
    cohort = read_fhir_cohort(pack, paths, as_of or date.today())
    result = evaluate_fhir_cohort(pack, cohort, as_of, engine, **options)
    write_table(result.cases, output)
    with report.open("w", encoding="utf-8") as handle:
        for line in cohort.report_lines():
            handle.write(line + "\n")
    _print_fhir_summary(pack, cohort, report)
    return CohortWritten(result.cases.num_rows, result.errors, result.patterns)


def _print_fhir_summary(pack: Pack, cohort: FhirCohort, report: Path) -> None:
    """How the FHIR input was read, on standard error (as `openmdt evaluate` reports it)."""
    cases = cohort.read.cases
    for case in cases:
        for conflict in case.conflicts:
            err_console.print(f"case {case.case_id}: FHIR CONFLICT: {conflict.message(pack)}",
                              markup=False, highlight=False)
    other = sum(1 for case in cases if not case.primary_cancer)
    unmapped = sum(len(case.not_mapped) for case in cases)
    err_console.print(
        f"FHIR: {len(cases)} patients read; {len(cohort.conflicted)} with conflicting values "
        f"(such a case is never put on a Standard of Care); {other} with no Condition that is "
        f"this pack's primary cancer; {unmapped} resources or values not mapped and "
        f"{len(cohort.read.not_mapped)} about no patient, listed in {report}",
        markup=False, highlight=False)


@cohort_app.command("summary")
def summary_command(
    output: Annotated[str, typer.Argument(help="A cohort output file (Parquet, CSV, JSONL).")],
    risk_group: Annotated[str, typer.Option("--risk-group", help="The derived fact to show "
                                                                 "the distribution of.")]
    = "cpg",
    top: Annotated[int, typer.Option("--top", help="How many items to list.")] = 10,
) -> None:
    """Route shares, risk-group distribution, items most often missing, share streamlined."""
    from openmdt.backends.summary import cohort_summary

    summary = cohort_summary(output, risk_group, top)
    typer.echo(summary.text())
