"""`openmdt report`: proof-of-value reports (concordance audit; issue 11)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from openmdt.analytics.recorded import RecordedFilter
from openmdt.cli.support import Exit, err_console, load_pack_or_exit

report_app = typer.Typer(help="Proof-of-value reports: concordance audit of historic or "
                              "recorded MDT outcomes.", no_args_is_help=True)


def _write(data: bytes, output: Path | None, fmt: str) -> None:
    if output is None:
        if fmt == "pdf":
            err_console.print("[red]error[/red]: a PDF needs -o FILE")
            raise typer.Exit(Exit.BAD_INPUT)
        sys.stdout.write(data.decode())
        return
    output.write_bytes(data)
    err_console.print(f"wrote {output}")


@report_app.command("concordance")
def concordance_command(
    historic: Annotated[Path | None, typer.Argument(
        help="Historic outcomes CSV (meeting-list columns plus meeting_date, mdt_decision, "
             "deviation_code, panel_decision). Leave out to audit recorded outcomes.")] = None,
    pack: Annotated[str, typer.Option("--pack", help="Pack id or folder.")]
    = "prostate-nice-ng131",
    fmt: Annotated[str, typer.Option("--format", help="text, json, html or pdf.")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write; "
                                                                       "default stdout.")] = None,
    risk_group: Annotated[str, typer.Option("--risk-group", help="The pack's risk group to "
                                                                 "break figures down by.")]
    = "cpg",
    date_from: Annotated[str | None, typer.Option("--from", help="Recorded outcomes: first "
                                                                 "meeting date (YYYY-MM-DD).")]
    = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Recorded outcomes: last meeting "
                                                             "date (YYYY-MM-DD).")] = None,
    meeting_type: Annotated[str | None, typer.Option("--meeting-type", help="Recorded "
                                                     "outcomes: COSD MDT type (CR3190).")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Recorded outcomes: organisation "
                                                          "name.")] = None,
) -> None:
    """Concordance of MDT decisions with the guideline: rates with 95% Wilson intervals, by
    decision, option, risk group, meeting, month and organisation; Cohen's kappa; every
    non-concordant decision and every rejected row."""
    from openmdt.analytics import audit_historic
    from openmdt.analytics.render import FORMATS, render_concordance

    if fmt not in FORMATS:
        err_console.print(f"[red]error[/red]: --format must be one of {', '.join(FORMATS)}, "
                          f"not {fmt!r}")
        raise typer.Exit(Exit.BAD_INPUT)
    chosen = load_pack_or_exit(pack)
    if historic is not None:
        try:
            text = historic.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            err_console.print(f"[red]error[/red]: cannot read {historic}: {exc}")
            raise typer.Exit(Exit.BAD_INPUT) from None
        audit = audit_historic(text, chosen, source=historic.name, risk_group=risk_group)
    else:
        audit = _recorded_audit(chosen, RecordedFilter(
            _date_option("--from", date_from), _date_option("--to", date_to), meeting_type,
            org), risk_group)
    _write(render_concordance(audit, chosen, fmt), output, fmt)
    if audit.errors:
        err_console.print(f"{len(audit.errors)} rows rejected (listed in the report)")
        raise typer.Exit(Exit.BAD_INPUT)


def _date_option(name: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        err_console.print(f"[red]error[/red]: {name} {value!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(Exit.BAD_INPUT) from None


def _recorded_audit(pack: Any, where: Any, risk_group: str) -> Any:
    """The audit of the recorded outcomes in the database (OPENMDT_DATABASE_URL)."""
    from openmdt.analytics import audit_recorded
    from openmdt.store.database import database_url_from_env, make_engine, make_sessionmaker

    engine = make_engine(database_url_from_env())
    try:
        with make_sessionmaker(engine)() as session:
            return audit_recorded(session, pack, where, risk_group=risk_group)
    finally:
        engine.dispose()
