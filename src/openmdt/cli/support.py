"""Shared pieces of the command line: reading inputs, loading packs, exit statuses."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import IntEnum
from pathlib import Path
from typing import Any, NamedTuple

import typer
from rich.console import Console
from rich.markup import escape

from openmdt.cases import CaseInput, detect_format, iter_cases
from openmdt.cases.readers import Format
from openmdt.knowledge import Pack, PackLoadError, load_pack

err_console = Console(stderr=True, highlight=False, soft_wrap=True)  # never hard-wrap messages


class Exit(IntEnum):
    """Exit statuses: 0 all good, 1 some input rejected, 2 the pack or the file unusable."""

    OK = 0
    BAD_INPUT = 1
    BAD_PACK = 2


class InputText(NamedTuple):
    """A case file's text, its format and the name to give in error messages."""

    text: str
    format: Format
    name: str

    def cases(self) -> Iterator[CaseInput]:
        """The case records, read one at a time as they are used."""
        return iter_cases(self.text, self.format, source=self.name)

    def line_count(self) -> int:
        return self.text.count("\n") + 1


def read_input(file: str) -> list[CaseInput]:
    """Read a case file (or '-' for standard input) into case records."""
    return list(read_input_text(file).cases())


def read_input_text(file: str) -> InputText:
    """The text of a case file (or '-' for standard input); exit 2 if it cannot be read."""
    if file == "-":
        text, name = sys.stdin.read(), "<stdin>"
    else:
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            err_console.print(f"[red]error[/red]: cannot read {file}: {exc}")
            raise typer.Exit(Exit.BAD_PACK) from None
        name = str(path)
    return InputText(text, detect_format(text, name), name)


def checked_list(source: InputText, pack: Any) -> InputText:
    """A CSV list with its header spelled as the pack spells it (case and surrounding spaces
    ignored); a column that names nothing is said once, with "did you mean", and the command
    stops (exit 1) instead of refusing every row for it. Without --pack, a column is checked
    against the items of every shipped pack."""
    if source.format != "csv":
        return source
    from openmdt.cases.columns import canonical_header

    text, unknown = canonical_header(source.text, _items_to_match(pack))
    for column in unknown:
        err_console.print(f"[red]error[/red]: {source.name}: {escape(column.message)}")
    if unknown:
        err_console.print("nothing was evaluated: correct the header and run again")
        raise typer.Exit(Exit.BAD_INPUT)
    return source._replace(text=text)


def _items_to_match(pack: Any) -> dict[str, Any]:
    if pack is not None:
        return dict(pack.items)
    from openmdt.knowledge import load_pack, shipped_pack_ids

    items: dict[str, Any] = {}
    for pack_id in shipped_pack_ids():
        items.update(load_pack(pack_id).items)
    return items


@contextmanager
def long_run() -> Iterator[None]:
    """Garbage-collector settings while evaluating many cases in one process.

    What is alive at the start (the compiled pack, imported modules) is moved out of the
    collector's sight, and young objects are collected less often. Evaluating a case creates
    no reference cycles (a test checks this), so this saves time (about 10% on 100,000
    cases) and holds on to nothing. The settings are restored at the end.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def load_pack_or_exit(ref: str | None) -> Pack | None:
    """The pack named on the command line; on failure print all diagnostics and exit 2."""
    if ref is None:
        return None
    try:
        return load_pack(ref)
    except PackLoadError as exc:
        print_diagnostics(exc)
        raise typer.Exit(Exit.BAD_PACK) from None


def print_diagnostics(exc: PackLoadError) -> None:
    for diagnostic in exc.diagnostics:
        colour = "red" if diagnostic.severity == "error" else "yellow"
        err_console.print(f"[{colour}]{escape(diagnostic.format())}[/{colour}]", markup=True,
                          soft_wrap=True)
    err_console.print(f"{exc}")


def parse_as_of(value: str | None) -> date:
    """The evaluation date: given as YYYY-MM-DD, else today (read here, at the edge)."""
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        err_console.print(f"[red]error[/red]: --as-of {value!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(Exit.BAD_PACK) from None
