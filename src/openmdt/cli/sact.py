"""`openmdt sact protocol list|check|test` and `openmdt sact dose`: for chemotherapy teams."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from openmdt.cli.support import Exit, err_console, print_diagnostics
from openmdt.knowledge.diagnostics import PackLoadError
from openmdt.sact.bsa import DEFAULT_FORMULA, FORMULAS
from openmdt.sact.dose import DoseCalculation, DoseLine, Measures, calculate_doses
from openmdt.sact.protocols import check_protocol, load_protocol, shipped_protocol_ids
from openmdt.sact.quantities import Quantity, decimal, plain, rounded
from openmdt.sact.testing import run_protocol_tests

sact_app = typer.Typer(help="Chemotherapy (SACT) protocols and dose calculation.",
                       no_args_is_help=True)
protocol_app = typer.Typer(help="List, check and test regimen protocols.", no_args_is_help=True)
sact_app.add_typer(protocol_app, name="protocol")
out = Console(highlight=False, soft_wrap=True)
ProtocolRef = Annotated[str, typer.Argument(help="A shipped protocol id or a protocol file.")]


class Format(StrEnum):
    text = "text"
    json = "json"


def _load_or_exit(ref: str):  # noqa: ANN202 - a Protocol
    try:
        return load_protocol(ref)
    except PackLoadError as exc:
        print_diagnostics(exc)
        raise typer.Exit(Exit.BAD_PACK) from None


@protocol_app.command("list")
def list_protocols() -> None:
    """The protocols shipped with OpenMDT: id, version, site, status, cycles, title."""
    rows = [("id", "version", "site", "status", "cycles", "title")]
    for protocol_id in shipped_protocol_ids():
        try:
            p = load_protocol(protocol_id)
        except PackLoadError as exc:
            rows.append((protocol_id, "-", "-", f"broken ({len(exc.diagnostics)} problems)",
                         "", ""))
            continue
        rows.append((p.id, p.version, p.site, p.status,
                     f"{p.cycles} x {p.cycle_length_days} days", p.title))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        out.print("  ".join(cells + [row[5]]), markup=False)


@protocol_app.command("check")
def check(ref: ProtocolRef) -> None:
    """Load a protocol and report every problem (file:line:column, code, message, hint)."""
    protocol, diagnostics = check_protocol(ref)
    for diagnostic in diagnostics:
        colour = "red" if diagnostic.severity == "error" else "yellow"
        err_console.print(f"[{colour}]{escape(diagnostic.format())}[/{colour}]", soft_wrap=True)
    if protocol is None:
        errors = sum(1 for d in diagnostics if d.severity == "error")
        err_console.print(f"protocol {ref}: {errors} error(s)")
        raise typer.Exit(Exit.BAD_PACK)
    out.print(f"protocol {protocol.id} {protocol.version}: ok - {len(protocol.drugs)} drugs, "
              f"{len(protocol.criteria)} pre-treatment criteria, {len(protocol.tests)} tests",
              markup=False)


@protocol_app.command("test")
def test(ref: ProtocolRef,
         verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every test.")]
         = False) -> None:
    """Run the protocol's known-answer tests; exit status 1 when any fails."""
    protocol = _load_or_exit(ref)
    results = run_protocol_tests(protocol)
    failed = [r for r in results if not r.passed]
    for result in results:
        if not result.passed or verbose:
            mark = "PASS" if result.passed else "FAIL"
            out.print(f"{mark} {protocol.file}:{result.test.line} {result.test.name}",
                      markup=False)
            for failure in result.failures:
                out.print(f"     {failure}", markup=False)
    out.print(f"{len(results) - len(failed)} passed, {len(failed)} failed", markup=False)
    raise typer.Exit(1 if failed else 0)


@sact_app.command("dose")
def dose(ref: ProtocolRef,
         height_cm: Annotated[str, typer.Option("--height-cm", help="Height in cm.")],
         weight_kg: Annotated[str, typer.Option("--weight-kg", help="Weight in kg.")],
         creatinine_umol_l: Annotated[str | None, typer.Option(
             "--creatinine-umol-l", help="Serum creatinine in umol/L.")] = None,
         creatinine_mg_dl: Annotated[str | None, typer.Option(
             "--creatinine-mg-dl", help="Serum creatinine in mg/dL.")] = None,
         age: Annotated[str | None, typer.Option("--age", help="Age in years.")] = None,
         sex: Annotated[str | None, typer.Option("--sex", help="male or female.")] = None,
         bsa_formula: Annotated[str, typer.Option(
             "--bsa-formula", help=f"One of: {', '.join(FORMULAS)}.")] = DEFAULT_FORMULA,
         weight_policy: Annotated[str | None, typer.Option(
             "--weight-policy", help="Weight for Cockcroft-Gault: actual, ideal, adjusted, "
                                     "rscg (default: the protocol's).")] = None,
         format: Annotated[Format, typer.Option("--format")] = Format.text) -> None:
    """Day-1 doses of a protocol: basis, calculated dose, banded dose (or why not), table."""
    protocol = _load_or_exit(ref)
    try:
        measures = _measures(height_cm, weight_kg, creatinine_umol_l, creatinine_mg_dl, age,
                             sex, bsa_formula, weight_policy)
        calculation = calculate_doses(protocol, measures)
    except ValueError as exc:
        err_console.print(f"[red]error[/red]: {escape(str(exc))}")
        raise typer.Exit(Exit.BAD_INPUT) from None
    if format is Format.json:
        sys.stdout.write(json.dumps(calculation.to_json(), indent=2, ensure_ascii=False) + "\n")
        return
    _print_text(calculation)


def _measures(height: str, weight: str, umol: str | None, mg_dl: str | None, age: str | None,
              sex: str | None, formula: str, policy: str | None) -> Measures:
    if umol is not None and mg_dl is not None:
        raise ValueError("give the creatinine once: --creatinine-umol-l or --creatinine-mg-dl")
    creatinine = None
    if umol is not None:
        creatinine = Quantity(decimal(umol, "--creatinine-umol-l"), "umol/L")
    elif mg_dl is not None:
        creatinine = Quantity(decimal(mg_dl, "--creatinine-mg-dl"), "mg/dL")
    if sex is not None and sex not in ("male", "female"):
        raise ValueError(f"--sex {sex!r} is not allowed; allowed: male, female")
    return Measures(decimal(height, "--height-cm"), decimal(weight, "--weight-kg"), creatinine,
                    None if age is None else decimal(age, "--age"), sex,  # type: ignore[arg-type]
                    formula, policy)


def _print_text(calculation: DoseCalculation) -> None:
    bsa = calculation.bsa
    out.print(f"{calculation.protocol_id} {calculation.protocol_version}: BSA "
              f"{rounded(bsa.value, 2)} m2 ({bsa.formula})", markup=False)
    if calculation.clearance is not None:
        c = calculation.clearance
        out.print(f"creatinine clearance {rounded(c.value, 1)} mL/min (Cockcroft-Gault, "
                  f"{c.weight_policy} weight {rounded(c.weight_used_kg, 1)} kg)", markup=False)
    for note in calculation.notes:
        out.print(f"note: {note}", markup=False)
    for line in calculation.lines:
        banded = (f"banded {plain(line.banded_mg)} {line.unit} ({line.band_variance_percent}%, "
                  f"{line.band_table_id} version {line.band_table_version})"
                  if line.banded_mg is not None else f"unbanded: {line.unbanded_reason}")
        out.print(f"{line.drug}: {line.basis} {_administration(line)} -> calculated "
                  f"{rounded(line.calculated_mg, 2)} {line.unit}; {banded}", markup=False)
        for flag in line.flags:
            out.print(f"    flag: {flag}", markup=False)


def _administration(line: DoseLine) -> str:
    """Route, duration and schedule in words: 'IV over 46 h, once, day 1'."""
    text = line.route
    if line.infusion_hours is not None:
        text += f" over {plain(rounded(line.infusion_hours, 2))} h"
    how = "twice daily" if line.administrations_per_day == 2 else "once"
    days = f"day {line.days[0]}" if len(line.days) == 1 else \
        f"days {line.days[0]}-{line.days[-1]}"
    return f"{text}, {how}, {days}"
