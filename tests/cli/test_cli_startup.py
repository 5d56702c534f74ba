"""The command line starts fast by importing only what the command runs: `--help` imports
neither the engine nor the pack compiler; the lazy table agrees with the commands."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from openmdt.cli.lazy import LAZY_COMMANDS

PROBE = """
import sys
from openmdt.cli import main
sys.argv = ["openmdt", *{args!r}]
try:
    main()
except SystemExit:
    pass
heavy = ("openmdt.engine", "openmdt.knowledge.compiler", "openmdt.web", "yaml", "jinja2",
         "sqlalchemy")
print("IMPORTED:" + ",".join(name for name in heavy if name in sys.modules))
"""


def _imported_by(*args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=list(args))],
                          capture_output=True, text=True, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("IMPORTED:"))
    return [name for name in line.removeprefix("IMPORTED:").split(",") if name]


def test_help_lists_every_command_without_importing_them() -> None:
    done = subprocess.run([sys.executable, "-m", "openmdt.cli", "--help"],
                          capture_output=True, text=True, check=True)
    for command in LAZY_COMMANDS:
        assert f"  {command.name} " in done.stdout, command.name
    assert _imported_by("--help") == []


def test_a_pack_command_does_not_import_the_web_app_or_the_database() -> None:
    imported = _imported_by("pack", "list")
    assert "openmdt.web" not in imported and "sqlalchemy" not in imported


@pytest.mark.parametrize("command", LAZY_COMMANDS, ids=lambda c: c.name)
def test_each_summary_is_the_first_line_of_the_commands_help(command) -> None:
    loaded = command.click_command()
    first = (loaded.help or "").strip().splitlines()[0]
    assert " ".join(command.summary.split()) == " ".join(first.split())


def test_an_unknown_command_is_refused_with_exit_2() -> None:
    done = subprocess.run([sys.executable, "-m", "openmdt.cli", "no-such-command"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "No such command 'no-such-command'" in done.stderr


def test_the_full_app_has_the_same_commands() -> None:
    from openmdt.cli import app

    names = set(typer.main.get_command(app).commands)
    assert names == {command.name for command in LAZY_COMMANDS}
