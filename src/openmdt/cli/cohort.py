"""`openmdt cohort`: a pack over a whole table of cases (DuckDB, Spark or the Python engine)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from openmdt.cli.support import Exit, err_console, load_pack_or_exit, parse_as_of

cohort_app = typer.Typer(help="Evaluate a pack over a cohort (Parquet, CSV or JSONL) and "
                              "summarise the results.", no_args_is_help=True)

OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="Output file: .parquet, .csv "
                                                                 "or .jsonl.")]


def _errors_path(output: Path, errors: Path | None) -> Path:
    return errors or output.with_name(f"{output.stem}.errors{output.suffix}")


@cohort_app.command("evaluate")
def evaluate_command(
    input: Annotated[str, typer.Argument(help="Parquet, CSV or JSONL file, or a glob.")],
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
) -> None:
    """One row per case: route, Standard of Care, data requests, derived facts, decisions."""
    from openmdt.backends import ENGINES, SqlBackendError, error_table
    from openmdt.backends.run import write_cohort
    from openmdt.backends.writers import write_table

    if engine not in ENGINES:
        err_console.print(f"[red]error[/red]: --engine must be one of {', '.join(ENGINES)}")
        raise typer.Exit(Exit.BAD_PACK)
    chosen = load_pack_or_exit(pack)
    try:
        result = write_cohort(chosen, input, output, parse_as_of(as_of), engine, master=master,
                              memory_limit=memory_limit, threads=threads)
    except (SqlBackendError, ValueError) as exc:
        err_console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(Exit.BAD_PACK) from None
    write_table(error_table(result.errors), _errors_path(output, errors))
    err_console.print(f"{result.cases} cases evaluated, {len(result.errors)} rows refused "
                      f"({engine}); {result.patterns or 0} distinct patterns")
    raise typer.Exit(Exit.BAD_INPUT if result.errors else Exit.OK)


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
