"""`openmdt evaluate` and `openmdt triage`: evaluate cases and build the agenda."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from openmdt.cases import CaseError
from openmdt.cli.parallel import default_jobs, evaluate_jsonl_in_parallel, json_lines
from openmdt.cli.support import (
    Exit,
    InputText,
    checked_list,
    err_console,
    load_pack_or_exit,
    long_run,
    parse_as_of,
    read_input_text,
)
from openmdt.engine.agenda import ROUTE_ORDER, ROUTE_TITLES, Agenda, build_agenda
from openmdt.engine.batch import CaseOutcome, evaluate_records
from openmdt.engine.evaluate import Detail
from openmdt.engine.result import EvaluationRecord
from openmdt.interop.fhir_cases import FhirEvaluation, FhirOutcome, evaluate_fhir
from openmdt.interop.fhir_in import FhirCase
from openmdt.interop.fhir_out import evaluation_bundle, inputs_for
from openmdt.knowledge import Pack
from openmdt.knowledge.words import label_of, option_title, standard_title, value_words

out = Console(highlight=False, soft_wrap=True)


def _agenda_html(agenda: Agenda) -> str:
    from openmdt.reports.agenda_html import render_agenda_html  # Jinja only when asked for

    return render_agenda_html(agenda)

FileArg = Annotated[str, typer.Argument(help="A JSON case, a .jsonl file of cases, a .csv "
                                              "meeting list, or '-' for standard input.")]
PackOpt = Annotated[str | None, typer.Option("--pack", help="Pack id or folder; overrides the "
                                                           "default pack of each case's site.")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Evaluation date (YYYY-MM-DD); "
                                                            "default today.")]


class EvaluateFormat(StrEnum):
    json = "json"
    text = "text"
    fhir = "fhir"


class InputFormat(StrEnum):
    list = "list"
    fhir = "fhir"


InputFormatOpt = Annotated[InputFormat, typer.Option(
    "--input-format", help="list (a JSON case, JSONL or CSV meeting list, told apart by name "
    "or content) or fhir (a FHIR R4 Bundle or resource, or NDJSON of resources: one case per "
    "patient, read through the pack's FHIR bindings).")]


class DetailChoice(StrEnum):
    full = "full"
    summary = "summary"


class TriageFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


ROUTE_WORDS = {"full_discussion": "full discussion", "not_ready": "not ready",
               "standard_of_care": "standard of care"}


def _in_words(pack: Pack, values: dict) -> str:
    """Names and values as a person reads them: "Label: value; Label: value"."""
    return "; ".join(f"{label_of(pack, k)}: {value_words(pack, k, v)}" for k, v in values.items())


def _print_text(outcome: CaseOutcome) -> None:
    """One case in words: the route, the derived facts, each applicable decision and why."""
    if outcome.evaluation is None:
        out.print(f"[red]line {outcome.record.line}[/red]: {escape(outcome.error.message)}")
        return
    ev = outcome.evaluation
    pack, record = ev.pack, EvaluationRecord.read(ev.to_dict())
    triage = record.triage
    soc = standard_title(pack, triage.standard_of_care)
    out.print(f"[bold]{escape(str(record.case_id))}[/bold]  route: [bold]"
              f"{ROUTE_WORDS[triage.route]}[/bold]"
              + (f" ({escape(soc)})" if soc else ""))
    shown = {f.name for f in pack.derived if not f.helper}
    derived = _in_words(pack, {k: v for k, v in record.derived.items()
                               if v is not None and k in shown})
    out.print(f"  derived: {derived or '-'}", markup=False)
    if record.assumed:
        out.print(f"  assumed (not recorded): {_in_words(pack, dict(record.assumed))}",
                  markup=False)
    for conflict in record.conflicts:
        out.print(f"  CONFLICT: {conflict.message} ({_in_words(pack, dict(conflict.values))})",
                  markup=False)
    for decision in record.decisions:
        if not decision.applicable:
            continue
        recommended = ", ".join(option_title(pack, decision.id, o)
                                for o in decision.recommended) or "none"
        line = f"  {decision.title} [{decision.status}]: {recommended}"
        if decision.missing:
            line += "; missing: " + ", ".join(label_of(pack, m) for m in decision.missing)
        out.print(line, markup=False)
    for reason in triage.reasons:
        out.print(f"  - {reason}", markup=False)


JobsOpt = Annotated[int, typer.Option(
    "--jobs", "-j", min=0, help="Worker processes for the JSON output of a .jsonl file (default 1; "
                                "0 means one per CPU for long files). Output stays in input "
                                "order.")]


def evaluate_command(file: FileArg, pack: PackOpt = None, as_of: AsOfOpt = None,
                     format: Annotated[EvaluateFormat, typer.Option(
                         "--format", help="json (one object per case), text, or fhir (one "
                         "FHIR R4 Bundle per case: GuidanceResponse, RequestGroup, "
                         "DetectedIssue, Provenance).")
                     ] = EvaluateFormat.json,
                     input_format: InputFormatOpt = InputFormat.list,
                     jobs: JobsOpt = 1,
                     detail: Annotated[DetailChoice, typer.Option(
                         "--detail", help="full (every candidate with its arguments' texts "
                         "and sources) or summary (ids and results only; 'openmdt pack show "
                         "ID --format json' gives the texts once).")] = DetailChoice.full
                     ) -> None:
    """Evaluate cases: derived facts, every decision with its candidates and arguments, triage."""
    chosen = load_pack_or_exit(pack)
    source = read_input_text(file)
    when = parse_as_of(as_of)
    if input_format is InputFormat.fhir:
        raise typer.Exit(_evaluate_fhir(source, chosen, when, format, detail.value))
    source = checked_list(source, chosen)
    if format is EvaluateFormat.fhir:
        failed = False
        for outcome in evaluate_records(source.cases(), chosen, when):
            failed |= outcome.evaluation is None
            _print_line(_fhir_bundle_line(outcome, None))
        raise typer.Exit(Exit.BAD_INPUT if failed else Exit.OK)
    if format is EvaluateFormat.text:
        failed = False
        for outcome in evaluate_records(source.cases(), chosen, when):
            failed |= outcome.evaluation is None
            _print_text(outcome)
        raise typer.Exit(Exit.BAD_INPUT if failed else Exit.OK)
    with long_run():
        failed = _write_json_lines(source, chosen, when,
                                   jobs or default_jobs(source.line_count()), detail.value)
    raise typer.Exit(Exit.BAD_INPUT if failed else Exit.OK)


def _evaluate_fhir(source: InputText, pack: Pack | None, as_of: date, format: EvaluateFormat,
                   detail: Detail) -> int:
    """Evaluate the cases of a FHIR input; the exit status."""
    result = _read_fhir_or_exit(source, pack, as_of)
    for outcome in result.outcomes:
        if format is EvaluateFormat.text:
            _print_text(outcome.outcome)
            _print_fhir_report(outcome)
        elif format is EvaluateFormat.fhir:
            _print_line(_fhir_bundle_line(outcome.outcome, outcome.fhir))
        else:
            _print_line(json.dumps(outcome.to_dict(detail), ensure_ascii=False))
    _print_fhir_errors(result)
    rejected = result.errors or any(o.evaluation is None for o in result.outcomes)
    return Exit.BAD_INPUT if rejected else Exit.OK


def _print_line(text: str) -> None:
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def _fhir_bundle_line(outcome: CaseOutcome, case: FhirCase | None) -> str:
    """One case as a FHIR Bundle on one line, or its error as JSON."""
    if outcome.evaluation is None:
        return json.dumps(outcome.to_dict(), ensure_ascii=False)
    ev = outcome.evaluation
    inputs = inputs_for(ev.case_id, None if case is None else case.report())
    return evaluation_bundle(ev.to_dict(), ev.pack, inputs).model_dump_json()


def _read_fhir_or_exit(source: InputText, pack: Pack | None, as_of: date) -> FhirEvaluation:
    try:
        return evaluate_fhir(source.text, pack, as_of, source.name)
    except CaseError as error:
        err_console.print(f"[red]error[/red]: {escape(error.message)}")
        raise typer.Exit(Exit.BAD_INPUT) from None


def _print_fhir_report(outcome: FhirOutcome) -> None:
    """How the case was read: conflicts, unit conversions, what was not mapped."""
    if outcome.fhir is None or outcome.evaluation is None:
        return
    pack = outcome.evaluation.pack
    for conflict in outcome.fhir.conflicts:
        out.print(f"  FHIR CONFLICT: {conflict.message(pack)}", markup=False)
    for change in outcome.fhir.conversions:
        out.print(f"  converted {label_of(pack, change.item)}: {change.value} {change.unit} "
                  f"-> {change.converted} {pack.items[change.item].unit}", markup=False)
    out.print(f"  not mapped: {len(outcome.fhir.not_mapped)} resources or values (see "
              "--format json)", markup=False)


def _print_fhir_errors(result: FhirEvaluation) -> None:
    for error in result.errors:
        err_console.print(f"[red]error[/red]: {escape(error.message)}")
    if result.not_mapped:
        err_console.print(f"{len(result.not_mapped)} resources are about no patient and were "
                          "not read (e.g. " + ", ".join(n.reference for n in
                                                        result.not_mapped[:3]) + ")")


def _write_json_lines(source: InputText, pack: Pack | None, as_of: date | None, jobs: int,
                      detail: Detail = "full") -> bool:
    """One JSON object per line, in input order; whether any case was rejected.

    Several processes are used only for a JSONL file and a real standard output (a file,
    pipe or terminal, which the workers write to directly).
    """
    fd = _output_fd()
    if jobs > 1 and fd is not None and source.format == "jsonl":
        sys.stdout.flush()  # the workers write after whatever is already out
        return evaluate_jsonl_in_parallel(source.text, source.name, pack, as_of, jobs, fd,
                                          detail)
    write = sys.stdout.write
    failed = False
    for text, rejected in json_lines(source.cases(), pack, as_of, detail):
        failed |= rejected
        write(text + "\n")
    sys.stdout.flush()
    return failed


def _output_fd() -> int | None:
    """The file descriptor behind standard output, or None when it has none (output captured
    by a test runner)."""
    try:
        return sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _print_agenda(agenda: Agenda) -> None:
    for route in ROUTE_ORDER:
        cases = agenda.sections[route]
        out.print(f"\n[bold]{ROUTE_TITLES[route]} ({len(cases)})[/bold]")
        for outcome in cases:
            ev = outcome.evaluation
            cpg = ev.derived.get("cpg")
            head = f"  {ev.case_id}" + (f" (CPG {cpg})" if cpg is not None else "")
            if route == "not_ready":
                needs = ", ".join(label_of(ev.pack, n) for n in ev.triage.data_requests)
                out.print(f"{head}: needs {needs}", markup=False)
            elif route == "standard_of_care":
                out.print(f"{head}: {standard_title(ev.pack, ev.triage.standard_of_care)}",
                          markup=False)
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
                   input_format: InputFormatOpt = InputFormat.list,
                   minutes_per_case: Annotated[float | None, typer.Option(
                       "--minutes-per-case", min=0.1,
                       help="Discussion minutes per full-discussion case (default: the pack's)."
                   )] = None,
                   output: Annotated[Path | None, typer.Option(
                       "--output", "-o", help="Write to this file instead of standard output."
                   )] = None) -> None:
    """The agenda: full discussion first (with reasons), not ready (data requests), then SoC."""
    chosen = load_pack_or_exit(pack)
    when = parse_as_of(as_of)
    if input_format is InputFormat.fhir:
        result = _read_fhir_or_exit(read_input_text(file), chosen, when)
        _print_fhir_errors(result)
        outcomes = result.case_outcomes
    else:
        outcomes = evaluate_records(checked_list(read_input_text(file), chosen).cases(),
                                    chosen, when)
    agenda = build_agenda(outcomes, minutes_per_case)
    if format is TriageFormat.text and output is None:
        _print_agenda(agenda)
    else:
        text = {"json": lambda: json.dumps(agenda.to_dict(), indent=2, ensure_ascii=False),
                "html": lambda: _agenda_html(agenda),
                "text": lambda: agenda.summary()}[format.value]()
        if output is None:
            out.print(text, markup=False, highlight=False)
        else:
            output.write_text(text + "\n", encoding="utf-8")
            out.print(f"agenda written to {output}")
    raise typer.Exit(Exit.BAD_INPUT if agenda.rejected else Exit.OK)
