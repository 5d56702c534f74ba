"""`openmdt evaluate` and `openmdt triage`: evaluate cases and build the agenda."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from openmdt.cli_parallel import default_jobs, evaluate_in_parallel
from openmdt.cli_support import Exit, load_pack_or_exit, parse_as_of, read_input
from openmdt.engine.agenda import ROUTE_ORDER, ROUTE_TITLES, Agenda, build_agenda
from openmdt.engine.batch import CaseOutcome, evaluate_records
from openmdt.reports.agenda_html import render_agenda_html

out = Console(highlight=False, soft_wrap=True)

FileArg = Annotated[str, typer.Argument(help="A JSON case, a .jsonl file of cases, a .csv "
                                              "meeting list, or '-' for standard input.")]
PackOpt = Annotated[str | None, typer.Option("--pack", help="Pack id or folder; overrides the "
                                                           "default pack of each case's site.")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Evaluation date (YYYY-MM-DD); "
                                                            "default today.")]


class EvaluateFormat(StrEnum):
    json = "json"
    text = "text"


class TriageFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


def _print_text(outcome: CaseOutcome) -> None:
    if outcome.evaluation is None:
        out.print(f"[red]line {outcome.record.line}[/red]: {escape(outcome.error.message)}")
        return
    data = outcome.evaluation.to_dict()
    triage = data["triage"]
    out.print(f"[bold]{escape(data['case_id'])}[/bold]  route: [bold]{triage['route']}[/bold]"
              + (f" ({triage['standard_of_care']})" if triage["standard_of_care"] else ""))
    derived = ", ".join(f"{k}={v}" for k, v in data["derived"].items() if v is not None)
    out.print(f"  derived: {derived or '-'}", markup=False)
    for decision in data["decisions"]:
        if decision["status"] == "not_applicable":
            continue
        recommended = ", ".join(decision["recommended"]) or "none"
        line = f"  {decision['id']} [{decision['status']}]: {recommended}"
        if decision["missing"]:
            line += f"; missing: {', '.join(decision['missing'])}"
        out.print(line, markup=False)
    for reason in triage["reasons"]:
        out.print(f"  - {reason}", markup=False)


JobsOpt = Annotated[int, typer.Option(
    "--jobs", "-j", min=0, help="Processes to use for JSON output (default 1; 0 means one per "
                                "CPU for long files). Output stays in input order.")]


def evaluate_command(file: FileArg, pack: PackOpt = None, as_of: AsOfOpt = None,
                     format: Annotated[EvaluateFormat, typer.Option(
                         "--format", help="json (one object per case) or text.")
                     ] = EvaluateFormat.json,
                     jobs: JobsOpt = 1) -> None:
    """Evaluate cases: derived facts, every decision with its candidates and arguments, triage."""
    chosen = load_pack_or_exit(pack)
    records = read_input(file)
    when = parse_as_of(as_of)
    if format is EvaluateFormat.text:
        failed = False
        for outcome in evaluate_records(records, chosen, when):
            failed |= outcome.evaluation is None
            _print_text(outcome)
        raise typer.Exit(Exit.BAD_INPUT if failed else Exit.OK)
    failed = _write_json_lines(records, chosen, when, jobs or default_jobs(len(records)))
    raise typer.Exit(Exit.BAD_INPUT if failed else Exit.OK)


def _write_json_lines(records: list, pack: object, as_of: object, jobs: int) -> bool:
    """One JSON object per line, in input order; whether any case was rejected."""
    write = sys.stdout.write
    failed = False
    for text, rejected in evaluate_in_parallel(records, pack, as_of, jobs):
        failed |= rejected
        write(text + "\n")
    sys.stdout.flush()
    return failed


def _print_agenda(agenda: Agenda) -> None:
    for route in ROUTE_ORDER:
        cases = agenda.sections[route]
        out.print(f"\n[bold]{ROUTE_TITLES[route]} ({len(cases)})[/bold]")
        for outcome in cases:
            ev = outcome.evaluation
            cpg = ev.derived.get("cpg")
            head = f"  {ev.case_id}" + (f" (CPG {cpg})" if cpg is not None else "")
            if route == "not_ready":
                out.print(f"{head}: needs {', '.join(ev.triage.data_requests)}", markup=False)
            elif route == "standard_of_care":
                out.print(f"{head}: {ev.triage.standard_of_care}", markup=False)
            else:
                out.print(f"{head}: {'; '.join(ev.triage.reasons)}", markup=False)
    if agenda.rejected:
        out.print(f"\n[bold red]Rejected input ({len(agenda.rejected)})[/bold red]")
        for outcome in agenda.rejected:
            out.print(f"  line {outcome.record.line}: {outcome.error.message}", markup=False)
    out.print(f"\n{agenda.summary()}")


def triage_command(file: FileArg, pack: PackOpt = None, as_of: AsOfOpt = None,
                   format: Annotated[TriageFormat, typer.Option(
                       "--format", help="text, json or html.")] = TriageFormat.text,
                   minutes_per_case: Annotated[float | None, typer.Option(
                       "--minutes-per-case", min=0.1,
                       help="Discussion minutes per full-discussion case (default: the pack's)."
                   )] = None,
                   output: Annotated[Path | None, typer.Option(
                       "--output", "-o", help="Write to this file instead of standard output."
                   )] = None) -> None:
    """The agenda: full discussion first (with reasons), not ready (data requests), then SoC."""
    chosen = load_pack_or_exit(pack)
    outcomes = evaluate_records(read_input(file), chosen, parse_as_of(as_of))
    agenda = build_agenda(outcomes, minutes_per_case)
    if format is TriageFormat.text and output is None:
        _print_agenda(agenda)
    else:
        text = {"json": lambda: json.dumps(agenda.to_dict(), indent=2, ensure_ascii=False),
                "html": lambda: render_agenda_html(agenda),
                "text": lambda: agenda.summary()}[format.value]()
        if output is None:
            out.print(text, markup=False, highlight=False)
        else:
            output.write_text(text + "\n", encoding="utf-8")
            out.print(f"agenda written to {output}")
    raise typer.Exit(Exit.BAD_INPUT if agenda.rejected else Exit.OK)
