"""Docs are tested: every CLI command and option, and every error code, is documented."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import typer

from openmdt.cases import CASE_ERROR_CODES
from openmdt.cli import app
from openmdt.language.errors import ERROR_CODES as EXPRESSION_ERROR_CODES

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_SOURCES = ROOT / "src" / "openmdt" / "knowledge"
# Which positional argument of a reporting call is the diagnostic code.
CODE_ARGUMENT = {"report": 3, "Diagnostic": 4}


def _read(paths: list[Path]) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in paths if p.is_file())


USER_DOCS = _read([ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
CODE_DOCS = _read([ROOT / "docs" / "pack-format.md", ROOT / "docs" / "errors.md"])


def _commands(command: object, prefix: tuple[str, ...] = ()) -> list[tuple[tuple, object]]:
    found = [(prefix, command)]
    for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
        found += _commands(sub, (*prefix, name))
    return found


COMMANDS = [(path, command) for path, command in _commands(typer.main.get_command(app))
            if path]
# Each option with all its names (e.g. --verbose / -v, --serve / --no-serve).
OPTIONS = sorted({(path, tuple(param.opts) + tuple(param.secondary_opts))
                  for path, command in COMMANDS for param in getattr(command, "params", [])
                  if any(name.startswith("-") for name in param.opts)})


def _compiler_diagnostic_codes() -> set[str]:
    """Codes written literally in the pack loader's reporting calls."""
    codes = set()
    for path in KNOWLEDGE_SOURCES.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            index = CODE_ARGUMENT.get(name)
            if index is not None and len(node.args) > index:
                argument = node.args[index]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    codes.add(argument.value)
    return codes


ALL_CODES = sorted(set(CASE_ERROR_CODES) | set(EXPRESSION_ERROR_CODES)
                   | _compiler_diagnostic_codes())


def test_the_scan_finds_the_compiler_codes() -> None:
    assert {"duplicate_id", "derived_cycle", "unknown_option", "invalid_yaml"} <= set(ALL_CODES)


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p))
def test_every_command_is_documented(path: tuple[str, ...]) -> None:
    assert f"openmdt {' '.join(path)}" in USER_DOCS, (
        f"'openmdt {' '.join(path)}' is not mentioned in README.md or docs/")


def _mentioned(name: str) -> bool:
    """Whether an option name appears as a whole word (``-v`` is not part of ``--verbose``)."""
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", USER_DOCS) is not None


@pytest.mark.parametrize(("path", "names"), OPTIONS,
                         ids=[f"{' '.join(p)} {max(n, key=len)}" for p, n in OPTIONS])
def test_every_option_is_documented(path: tuple[str, ...], names: tuple[str, ...]) -> None:
    assert any(_mentioned(name) for name in names), (
        f"option {' / '.join(names)} of 'openmdt {' '.join(path)}' is not in README.md or "
        "docs/")


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_error_code_is_documented(code: str) -> None:
    assert f"`{code}`" in CODE_DOCS, f"error code {code} is not in docs/errors.md"
