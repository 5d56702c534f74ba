"""`openmdt export cosd`: the COSD MDT and care-plan items of the meetings in a period."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from openmdt.cli.support import Exit, err_console

export_app = typer.Typer(help="Exports for national datasets.", no_args_is_help=True)


@export_app.callback()
def _export_group() -> None:
    """Exports for national datasets."""


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        err_console.print(f"[red]error[/red]: {option} {escape(repr(value))} is not a date "
                          "(YYYY-MM-DD)")
        raise typer.Exit(Exit.BAD_PACK) from None


def dictionary_path(output: Path) -> Path:
    """Where the data-dictionary sheet goes: beside the export, ``NAME-data-dictionary.csv``."""
    return output.with_name(f"{output.stem}-data-dictionary.csv")


@export_app.command("cosd")
def cosd_command(
    start: Annotated[str, typer.Option("--from", help="First meeting date (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last meeting date (YYYY-MM-DD).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The CSV file to write; the "
                                         "data-dictionary sheet goes beside it.")],
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation's meetings "
                                            "(its name).")] = None,
) -> None:
    """Write the COSD MDT and care-plan items (CSV and a data-dictionary sheet); gaps are
    reported per record and marked in the GAPS column.

    CSV only: the COSD submission XML is not produced, because no source available to
    OpenMDT gives its shape for the MDT and care-plan sections (the schema is on NHS TRUD,
    behind a login); OpenMDT does not guess element names.
    """
    from openmdt.interop.cosd_export import (
        build_records,
        export_rows,
        packs_for,
        write_csv,
        write_dictionary,
    )
    from openmdt.store.database import database_url_from_env, make_engine, make_sessionmaker

    first, last = _date(start, "--from"), _date(end, "--to")
    if first > last:
        err_console.print("[red]error[/red]: --from is after --to")
        raise typer.Exit(Exit.BAD_PACK)
    engine = make_engine(database_url_from_env())
    with make_sessionmaker(engine)() as db:
        rows = export_rows(db, first, last, org)
    engine.dispose()
    items, records = build_records(rows, packs_for(rows))
    with output.open("w", encoding="utf-8", newline="") as handle:
        write_csv(items, records, handle)
    with dictionary_path(output).open("w", encoding="utf-8", newline="") as handle:
        write_dictionary(items, handle)
    for record in records:
        for gap in record.gaps:
            err_console.print(f"record {record.number} (case {escape(record.case_ref)}): "
                              f"{escape(gap.text())}", markup=True)
    with_gaps = sum(1 for r in records if r.gaps)
    err_console.print(f"{len(records)} records written to {output} ({with_gaps} with gaps); "
                      f"data dictionary: {dictionary_path(output)}; CSV only, no XML (its "
                      "shape is not known to OpenMDT: see the data dictionary)")
