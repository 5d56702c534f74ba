"""The command line's commands, imported only when run: `openmdt --help` lists them from
this table without importing the engine, the pack compiler or the web app.

`LAZY_COMMANDS` is the one list of the top-level commands: the lazy root group (used by
`main`) and the full Typer app (`openmdt.cli.app`, for tests and docs) are both built from it.
A test checks that each summary here is the first line of the command's own help.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from typer import _click as click  # Typer's own click: its commands are of these types
from typer.core import TyperGroup

__all__ = ["LAZY_COMMANDS", "LazyCommand", "LazyGroup", "ROOT_HELP"]

ROOT_HELP = "OpenMDT: explainable decision support for cancer MDT meetings."


@dataclass(frozen=True)
class LazyCommand:
    """A top-level command: its name, where it lives, and its one-line summary."""

    name: str
    module: str
    attribute: str  # a Typer app (a group of commands) or a command function
    summary: str

    def load(self) -> Any:
        """The Typer app or command function (ImportError when an optional part is absent)."""
        return getattr(importlib.import_module(self.module), self.attribute)

    def click_command(self) -> click.Command:
        """The command as click runs it."""
        import typer

        target = self.load()
        # Mounted under a parent as `build_app` mounts it, so that a group with one command
        # stays a group (`openmdt synth prostate`), as it is in the full app.
        parent = typer.Typer(context_settings={"help_option_names": ["-h", "--help"]})
        parent.command(hidden=True)(_unused)
        if isinstance(target, typer.Typer):
            parent.add_typer(target, name=self.name)
        else:
            parent.command(self.name)(target)
        return typer.main.get_command(parent).commands[self.name]


def _unused() -> None:
    """A hidden placeholder: with two commands the parent is a group, never one command."""


LAZY_COMMANDS = (
    LazyCommand("evaluate", "openmdt.cli.cases", "evaluate_command",
                "Evaluate cases: derived facts, every decision with its candidates and "
                "arguments, triage."),
    LazyCommand("triage", "openmdt.cli.cases", "triage_command",
                "The agenda: full discussion first (with reasons), not ready (data requests), "
                "then SoC."),
    LazyCommand("serve", "openmdt.cli.server", "serve_command",
                "Run the web app and API (migrates the database first)."),
    LazyCommand("demo", "openmdt.cli.demo", "demo_command",
                "Run the main job on bundled synthetic data: list, triage, agenda, web app."),
    LazyCommand("pack", "openmdt.cli.pack", "pack_app",
                "List, check and test knowledge packs."),
    LazyCommand("synth", "openmdt.synth.cli", "synth_app",
                "Generate synthetic MDT lists: fictional patients (999 NHS numbers), realistic "
                "case mix."),
    LazyCommand("cohort", "openmdt.cli.cohort", "cohort_app",
                "Evaluate a pack over a cohort (Parquet, CSV or JSONL, or a FHIR R4 Bundle or "
                "NDJSON) and summarise the results."),
    LazyCommand("db", "openmdt.cli.server", "db_app", "Database schema."),
    LazyCommand("users", "openmdt.cli.server", "users_app", "User accounts."),
    LazyCommand("audit", "openmdt.cli.server", "audit_app", "The audit trail."),
    LazyCommand("alliance", "openmdt.cli.server", "alliance_app",
                "Cancer Alliances: member trusts and the shared Standard of Care set."),
    LazyCommand("sact", "openmdt.cli.sact", "sact_app",
                "Chemotherapy (SACT) protocols and dose calculation."),
    LazyCommand("export", "openmdt.cli.export", "export_app", "Exports for national datasets."),
    LazyCommand("report", "openmdt.cli.report", "report_app",
                "Proof-of-value reports: concordance audit of historic or recorded MDT "
                "outcomes."),
)


class LazyGroup(TyperGroup):
    """The root group: imports a command's module only when that command runs; runs it as
    Typer does (its exits, errors and exit codes); plain help text, from the table."""

    def __init__(self) -> None:
        super().__init__(name="openmdt", help=ROOT_HELP, no_args_is_help=True,
                         rich_markup_mode=None,
                         context_settings={"help_option_names": ["-h", "--help"]})
        self._table = {command.name: command for command in LAZY_COMMANDS}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self._table)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self._table.get(cmd_name)
        if command is None:
            return None
        try:
            return command.click_command()
        except ImportError as error:
            raise click.ClickException(
                f"the '{cmd_name}' command is not available in this installation: "
                f"{error}") from error

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the table (no command module is imported for --help)."""
        with formatter.section("Commands"):
            formatter.write_dl([(c.name, c.summary) for c in LAZY_COMMANDS])
