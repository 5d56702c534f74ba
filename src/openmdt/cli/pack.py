"""`openmdt pack list | check | test`: for knowledge engineers."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from openmdt.cli.support import Exit, err_console, load_pack_or_exit
from openmdt.knowledge import Pack, check_pack, load_pack, shipped_pack_ids
from openmdt.knowledge.describe import describe_pack
from openmdt.knowledge.diagnostics import PackLoadError
from openmdt.knowledge.testing import run_pack_tests

pack_app = typer.Typer(help="List, check and test knowledge packs.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
PackRef = Annotated[str, typer.Argument(help="A shipped pack id or a pack folder.")]


@pack_app.command("list")
def list_packs() -> None:
    """The packs shipped with OpenMDT: id, version, site, status, base, title."""
    rows = [("id", "version", "site", "status", "base", "title")]
    for pack_id in shipped_pack_ids():
        try:
            pack = load_pack(pack_id)
        except PackLoadError as exc:
            rows.append((pack_id, "-", "-", f"broken ({len(exc.diagnostics)} problems)", "", ""))
            continue
        rows.append((pack.id, pack.version, pack.site or "", pack.status, pack.base or "",
                     pack.title))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:  # plain aligned columns: never wrapped, whatever the terminal width
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        out.print("  ".join(cells + [row[5]]), markup=False)


@pack_app.command("check")
def check(ref: PackRef) -> None:
    """Load a pack and report every problem (file:line:column, code, message, hint)."""
    pack, diagnostics = check_pack(ref)
    for diagnostic in diagnostics:
        colour = "red" if diagnostic.severity == "error" else "yellow"
        err_console.print(f"[{colour}]{escape(diagnostic.format())}[/{colour}]", soft_wrap=True)
    if pack is None:
        errors = sum(1 for d in diagnostics if d.severity == "error")
        err_console.print(f"pack {ref}: {errors} error(s)")
        raise typer.Exit(Exit.BAD_PACK)
    out.print(f"pack {pack.id} {pack.version} ({pack.hash}): ok - {len(pack.items)} items, "
              f"{len(pack.derived)} derived facts, {len(pack.decisions)} decisions, "
              f"{len(pack.standards)} Standards of Care, {len(pack.conflicts)} conflict "
              f"checks, {len(pack.tests)} tests")
    _print_defaults(pack)


def _print_defaults(pack: Pack) -> None:
    """Every assumed value, and which of them a Standard of Care may rest on."""
    defaults = [item for item in pack.items.values() if item.default is not None]
    if not defaults:
        return
    out.print("assumed values (a Standard of Care never rests on one unless it is "
              "streamline_safe):", markup=False)
    for item in defaults:
        safe = (f"  streamline_safe: {item.streamline_safe_source}" if item.streamline_safe
                else "  (case not ready for a Standard of Care until recorded)")
        out.print(f"  {item.name} = {item.default!r}  [{item.default_source}]{safe}",
                  markup=False)


class ShowFormat(StrEnum):
    text = "text"
    json = "json"


@pack_app.command("show")
def show(ref: PackRef,
         format: Annotated[ShowFormat, typer.Option(
             "--format", help="text (titles and ids) or json (every text, source and "
                              "condition, for reading --detail summary output).")
         ] = ShowFormat.text) -> None:
    """What a pack contains: items, derived facts, decisions, options and their arguments."""
    pack = load_pack_or_exit(ref)
    assert pack is not None  # a reference is always given
    described = describe_pack(pack)
    if format is ShowFormat.json:
        sys.stdout.write(json.dumps(described, indent=2, ensure_ascii=False) + "\n")
        return
    out.print(f"{pack.id} {pack.version} - {pack.title}", markup=False)
    for decision in described["decisions"]:
        out.print(f"\n{decision['id']}: {decision['title']}", markup=False)
        for candidate in decision["candidates"]:
            arguments = ", ".join(a["id"] for a in candidate["arguments"]) or "-"
            out.print(f"  {candidate['id']}: {candidate['title']}  [{arguments}]",
                      markup=False)
    for standard in described["standards"]:
        state = "" if standard["enabled"] else " (switched off)"
        out.print(f"\nStandard of Care {standard['id']}{state}: {standard['title']}",
                  markup=False)


@pack_app.command("test")
def test(ref: PackRef,
         verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every test.")]
         = False) -> None:
    """Run the pack's tests (tests/*.yaml); exit status 1 when any fails."""
    try:
        pack = load_pack(ref)
    except PackLoadError as exc:
        from openmdt.cli.support import print_diagnostics

        print_diagnostics(exc)
        raise typer.Exit(Exit.BAD_PACK) from None
    results = run_pack_tests(pack)
    failed = [r for r in results if not r.passed]
    for result in results:
        if not result.passed or verbose:
            mark = "[green]PASS[/green]" if result.passed else "[red]FAIL[/red]"
            out.print(f"{mark} {result.test.file}:{result.test.line} {result.test.name}")
            for failure in result.failures:
                out.print(f"     {failure}", markup=False)
    out.print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    raise typer.Exit(1 if failed else 0)
