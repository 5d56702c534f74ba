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
    risk_group: Annotated[str | None, typer.Option(
        "--risk-group", help="The pack's risk group to break figures down by (default: cpg "
                             "when the pack has it).")] = None,
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
    from openmdt.analytics import audit_historic, check_risk_group
    from openmdt.analytics.render import FORMATS, render_concordance

    _check_format(fmt, FORMATS)
    chosen = load_pack_or_exit(pack)
    try:
        check_risk_group(chosen, risk_group)
    except ValueError as exc:
        err_console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(Exit.BAD_PACK) from None
    if historic is not None:
        audit = audit_historic(_read_text(historic), chosen, source=historic.name,
                               risk_group=risk_group)
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


def _recorded_audit(pack: Any, where: Any, risk_group: str | None) -> Any:
    """The audit of the recorded outcomes in the database (OPENMDT_DATABASE_URL)."""
    from openmdt.analytics import audit_recorded
    from openmdt.store.database import database_url_from_env, make_engine, make_sessionmaker

    engine = make_engine(database_url_from_env())
    try:
        with make_sessionmaker(engine)() as session:
            return audit_recorded(session, pack, where, risk_group=risk_group)
    finally:
        engine.dispose()


@report_app.command("value")
def value_command(
    historic: Annotated[Path | None, typer.Option(
        "--historic", help="Measure the streamlined share from a historic outcomes file.")]
    = None,
    assumptions: Annotated[Path | None, typer.Option(
        "--assumptions", help="Assumptions YAML (default: the shipped, cited defaults).")]
    = None,
    pack: Annotated[str, typer.Option("--pack", help="Pack id or folder.")]
    = "prostate-nice-ng131",
    fmt: Annotated[str, typer.Option("--format", help="text, json, html or pdf.")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write; "
                                                                       "default stdout.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Measure from the meetings "
                                                                 "recorded from this date.")]
    = None,
    date_to: Annotated[str | None, typer.Option("--to", help="... up to this date.")] = None,
    meeting_type: Annotated[str | None, typer.Option("--meeting-type",
                                                     help="COSD MDT type (CR3190).")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation name.")] = None,
) -> None:
    """Clinician time and money released by streamlining, a three-year cash flow with the
    payback year, sensitivity (tornado) and break-even; every figure lists its assumptions."""
    from openmdt.analytics.assumptions import AssumptionsError, load_assumptions
    from openmdt.analytics.render import FORMATS
    from openmdt.analytics.render_value import render_value
    from openmdt.analytics.value import value_report

    _check_format(fmt, FORMATS)
    try:
        loaded = load_assumptions(assumptions)
    except AssumptionsError as exc:
        err_console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(Exit.BAD_INPUT) from None
    measured = None
    if historic is not None:
        measured = _historic_routes(load_pack_or_exit(pack), historic)
    elif date_from or date_to or meeting_type or org:
        measured = _recorded_routes(load_pack_or_exit(pack), RecordedFilter(
            _date_option("--from", date_from), _date_option("--to", date_to), meeting_type,
            org))
    _write(render_value(value_report(loaded, measured), fmt), output, fmt)


def _check_format(fmt: str, formats: tuple[str, ...]) -> None:
    if fmt not in formats:
        err_console.print(f"[red]error[/red]: --format must be one of {', '.join(formats)}, "
                          f"not {fmt!r}")
        raise typer.Exit(Exit.BAD_INPUT)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        err_console.print(f"[red]error[/red]: cannot read {path}: {exc}")
        raise typer.Exit(Exit.BAD_INPUT) from None


def _historic_routes(pack: Any, path: Path) -> Any:
    from openmdt.analytics import read_historic
    from openmdt.analytics.value import measured_routes

    rows = read_historic(_read_text(path), pack, source=path.name).rows
    return measured_routes([row.route for row in rows],
                           len({(row.organisation, row.meeting_date) for row in rows}),
                           path.name)


def _recorded_routes(pack: Any, where: Any) -> Any:
    from openmdt.analytics.recorded import recorded_routes
    from openmdt.store.database import database_url_from_env, make_engine, make_sessionmaker

    engine = make_engine(database_url_from_env())
    try:
        with make_sessionmaker(engine)() as session:
            return recorded_routes(session, pack, where)
    finally:
        engine.dispose()


@report_app.command("pathway")
def pathway_command(
    historic: Annotated[Path | None, typer.Argument(
        help="Historic outcomes CSV with pathway dates. Leave out to read the recorded "
             "meetings.")] = None,
    standards: Annotated[Path | None, typer.Option(
        "--standards", help="Waiting-time standards YAML (default: the shipped settings).")]
    = None,
    pack: Annotated[str, typer.Option("--pack", help="Pack id or folder.")]
    = "prostate-nice-ng131",
    fmt: Annotated[str, typer.Option("--format", help="text, json, html or pdf.")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write; "
                                                                       "default stdout.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Recorded meetings from this "
                                                                 "date (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="... up to this date.")] = None,
    meeting_type: Annotated[str | None, typer.Option("--meeting-type",
                                                     help="COSD MDT type (CR3190).")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation name.")] = None,
) -> None:
    """Days referral -> first seen -> diagnosis -> MDT -> decision to treat -> first
    treatment by route; the 28-, 31- and 62-day standards met (thresholds are settings with
    their source); days lost to cases not ready or rolled over, by data item and team."""
    from openmdt.analytics.pathway import (
        StandardsError,
        cases_from_rows,
        load_standards,
        pathway_report,
    )
    from openmdt.analytics.render import FORMATS
    from openmdt.analytics.render_pathway import render_pathway

    _check_format(fmt, FORMATS)
    try:
        loaded = load_standards(standards)
    except StandardsError as exc:
        err_console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(Exit.BAD_INPUT) from None
    chosen = load_pack_or_exit(pack)
    rejected = 0
    if historic is not None:
        from openmdt.analytics import read_historic

        read = read_historic(_read_text(historic), chosen, source=historic.name)
        cases, rejected = cases_from_rows(read.rows), len(read.errors)
    else:
        cases = _recorded_pathway(chosen, RecordedFilter(
            _date_option("--from", date_from), _date_option("--to", date_to), meeting_type,
            org))
    _write(render_pathway(pathway_report(cases, loaded), chosen, fmt), output, fmt)
    if rejected:
        err_console.print(f"{rejected} rows rejected (see openmdt report concordance)")
        raise typer.Exit(Exit.BAD_INPUT)


def _recorded_pathway(pack: Any, where: Any) -> Any:
    from openmdt.analytics.recorded import recorded_pathway_cases
    from openmdt.store.database import database_url_from_env, make_engine, make_sessionmaker

    engine = make_engine(database_url_from_env())
    try:
        with make_sessionmaker(engine)() as session:
            return recorded_pathway_cases(session, pack, where)
    finally:
        engine.dispose()


@report_app.command("streamlining")
def streamlining_command(
    pack: Annotated[str, typer.Option("--pack", help="Pack id or folder.")]
    = "prostate-nice-ng131",
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write; "
                                                                       "default stdout.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First meeting date.")]
    = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last meeting date.")] = None,
    meeting_type: Annotated[str | None, typer.Option("--meeting-type",
                                                     help="COSD MDT type (CR3190).")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation name.")] = None,
) -> None:
    """Route shares and meeting load before and after streamlining, roll-overs and their
    causes, streamlined cases later escalated, and the audit samples' disagreement rate."""
    import json

    from openmdt.analytics.streamlining import streamlining_report, streamlining_text
    from openmdt.store.database import database_url_from_env, make_engine, make_sessionmaker

    _check_format(fmt, ("text", "json"))
    chosen = load_pack_or_exit(pack)
    where = RecordedFilter(_date_option("--from", date_from), _date_option("--to", date_to),
                           meeting_type, org)
    engine = make_engine(database_url_from_env())
    try:
        with make_sessionmaker(engine)() as session:
            report = streamlining_report(session, chosen, where)
            text = (json.dumps(report.to_dict(), indent=2) + "\n" if fmt == "json"
                    else streamlining_text(report))
    finally:
        engine.dispose()
    _write(text.encode(), output, fmt)


@report_app.command("pilot")
def pilot_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write pilot.html, "
                                                                "pilot.pdf and the CSV tables.")],
    historic: Annotated[Path | None, typer.Option(
        "--historic", help="A historic outcomes file; else the recorded meetings.")] = None,
    assumptions: Annotated[Path | None, typer.Option(
        "--assumptions", help="Assumptions YAML (default: the shipped, cited defaults).")]
    = None,
    standards: Annotated[Path | None, typer.Option(
        "--standards", help="Waiting-time standards YAML (default: the shipped settings).")]
    = None,
    pack: Annotated[str, typer.Option("--pack", help="Pack id or folder.")]
    = "prostate-nice-ng131",
    date_from: Annotated[str | None, typer.Option("--from", help="First meeting date.")]
    = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last meeting date.")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation name.")] = None,
    alliance: Annotated[str | None, typer.Option(
        "--alliance", help="An alliance's name: its trusts side by side from aggregates only "
                           "(alliance.html, alliance.pdf and CSV tables; recorded meetings, "
                           "the alliance's Standard of Care set).")] = None,
) -> None:
    """The pilot report: executive summary, clinical safety, concordance, time and money,
    pathway and method, as HTML and PDF with SVG charts, and every table as CSV."""
    from openmdt.analytics.assumptions import AssumptionsError, load_assumptions
    from openmdt.analytics.pathway import StandardsError, load_standards
    from openmdt.analytics.pilot import historic_pilot, recorded_pilot, write_pilot
    from openmdt.store.database import database_url_from_env, make_engine, make_sessionmaker

    try:
        loaded = load_assumptions(assumptions)
        settings = load_standards(standards)
    except (AssumptionsError, StandardsError) as exc:
        err_console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(Exit.BAD_INPUT) from None
    if alliance is not None:
        _alliance_pilot(alliance, output, loaded, settings, date_from, date_to,
                        historic is not None or org is not None)
        return
    chosen = load_pack_or_exit(pack)
    if historic is not None:
        report = historic_pilot(_read_text(historic), chosen, historic.name, loaded, settings)
    else:
        where = RecordedFilter(_date_option("--from", date_from), _date_option("--to", date_to),
                               None, org)
        engine = make_engine(database_url_from_env())
        try:
            with make_sessionmaker(engine)() as session:
                report = recorded_pilot(session, chosen, where, loaded, settings)
        finally:
            engine.dispose()
    for path in write_pilot(report, output):
        err_console.print(f"wrote {path}")
    if report.concordance.errors:
        err_console.print(f"{len(report.concordance.errors)} rows rejected (listed in the "
                          "report)")
        raise typer.Exit(Exit.BAD_INPUT)


def _alliance_pilot(name: str, output: Path, assumptions: Any, standards: Any,
                    date_from: str | None, date_to: str | None, conflicting: bool) -> None:
    """`report pilot --alliance NAME`: the alliance report from the recorded meetings."""
    from openmdt.accounts.alliances import alliance_by_name, member_trusts
    from openmdt.analytics.alliance import recorded_alliance
    from openmdt.analytics.render_alliance import write_alliance
    from openmdt.store.database import database_url_from_env, make_engine, make_sessionmaker
    from openmdt.store.errors import ServiceError

    if conflicting:
        err_console.print("[red]error[/red]: --alliance reads the recorded meetings of the "
                          "alliance's trusts; leave out --historic and --org")
        raise typer.Exit(Exit.BAD_INPUT)
    where = RecordedFilter(_date_option("--from", date_from), _date_option("--to", date_to))
    engine = make_engine(database_url_from_env())
    try:
        with make_sessionmaker(engine)() as session:
            try:
                found = alliance_by_name(session, name)
            except ServiceError as error:
                err_console.print(f"[red]error[/red]: {error.detail}")
                raise typer.Exit(Exit.BAD_INPUT) from None
            trusts = [t.name for t in member_trusts(session, found)]
            report = recorded_alliance(session, found.label, load_pack_or_exit(found.pack_id),
                                       trusts, where, assumptions, standards)
    finally:
        engine.dispose()
    for path in write_alliance(report, output):
        err_console.print(f"wrote {path}")
