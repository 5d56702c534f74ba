"""Typer sub-app `synth`: write synthetic MDT lists (mounted by the main CLI as `openmdt synth`)."""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO

import typer

from openmdt.synth.breast import BREAST_FACT_NAMES, generate_breast_list
from openmdt.synth.prostate import DEFAULT_AS_OF, PROSTATE_FACT_NAMES, generate_prostate_list
from openmdt.synth.writers import write_csv, write_jsonl

__all__ = ["ListFormat", "synth_app"]

synth_app = typer.Typer(
    help="Generate synthetic MDT lists: fictional patients (999 NHS numbers), realistic case mix.",
    no_args_is_help=True,
)


class ListFormat(StrEnum):
    """File formats a synthetic list can be written in."""

    csv = "csv"
    jsonl = "jsonl"


@synth_app.command("prostate")
def prostate(
    n: Annotated[int, typer.Option("--n", min=0, help="Number of cases on the list.")] = 90,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same list.")] = 7,
    list_format: Annotated[
        ListFormat, typer.Option("--format", help="csv (meeting list) or jsonl (one case a line).")
    ] = ListFormat.csv,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default stdout.")
    ] = None,
    as_of: Annotated[
        datetime,
        typer.Option(formats=["%Y-%m-%d"], show_default=DEFAULT_AS_OF.isoformat(),
                     help="Date the ages and ADT dates are relative to."),
    ] = datetime.combine(DEFAULT_AS_OF, datetime.min.time()),
) -> None:
    """Write a synthetic prostate cancer MDT list."""
    cases = generate_prostate_list(n, seed, as_of=as_of.date())
    _output(cases, PROSTATE_FACT_NAMES, list_format, output, "prostate")


@synth_app.command("breast")
def breast(
    n: Annotated[int, typer.Option("--n", min=0, help="Number of cases on the list.")] = 90,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same list.")] = 7,
    list_format: Annotated[
        ListFormat, typer.Option("--format", help="csv (meeting list) or jsonl (one case a line).")
    ] = ListFormat.csv,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default stdout.")
    ] = None,
    as_of: Annotated[
        datetime,
        typer.Option(formats=["%Y-%m-%d"], show_default=DEFAULT_AS_OF.isoformat(),
                     help="Date the ages are relative to."),
    ] = datetime.combine(DEFAULT_AS_OF, datetime.min.time()),
) -> None:
    """Write a synthetic breast cancer MDT list (post-operative and pre-operative mix)."""
    cases = generate_breast_list(n, seed, as_of=as_of.date())
    _output(cases, BREAST_FACT_NAMES, list_format, output, "breast")


def _output(cases: list[dict], fact_names: tuple[str, ...], list_format: ListFormat,
            output: Path | None, site: str) -> None:
    """Write the list to ``output`` (or stdout) in the chosen format."""
    if output is None:
        _write(cases, fact_names, list_format, sys.stdout)
        return
    with output.open("w", encoding="utf-8", newline="") as stream:
        _write(cases, fact_names, list_format, stream)
    typer.echo(f"wrote {len(cases)} synthetic {site} cases to {output}", err=True)


def _write(cases: list[dict], fact_names: tuple[str, ...], list_format: ListFormat,
           stream: TextIO) -> None:
    """Write the list in the chosen format."""
    if list_format is ListFormat.csv:
        write_csv(cases, stream, fact_names)
    else:
        write_jsonl(cases, stream)

