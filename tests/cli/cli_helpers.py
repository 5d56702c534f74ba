"""Helpers for the command-line tests: the mini pack, case files and two ways to run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from openmdt.cli import app

TESTS = Path(__file__).resolve().parent.parent
MINI = str(TESTS / "engine" / "packs" / "mini")
AS_OF = ["--as-of", "2026-01-01"]

LOW_FIT = {"score": 5, "grade": 1, "stage": "A", "fit": True, "spread": False}
EXCLUDED = {"score": 5, "grade": 1, "stage": "A", "fit": False, "spread": False}
NOT_READY = {"grade": 1, "stage": "A", "fit": True, "spread": False}


@dataclass(frozen=True)
class Run:
    """What a command printed and its exit status."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


def invoke(*args: str, stdin: str | None = None) -> Run:
    """Run the Typer app in-process (CliRunner); an escaped exception fails the test."""
    result = CliRunner().invoke(app, list(args), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


def run_process(*args: str, stdin: str | None = None, cwd: Path | None = None) -> Run:
    """Run ``python -m openmdt.cli`` as a user would, in a child process."""
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("OPENMDT_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "openmdt.cli", *args], input=stdin,
                          capture_output=True, text=True, timeout=120, env=env, cwd=cwd)
    return Run(done.returncode, done.stdout, done.stderr)


def case(case_id: str, facts: dict[str, Any]) -> dict[str, Any]:
    return {"case_id": case_id, "facts": facts}


def write_jsonl(path: Path, lines: list[dict[str, Any] | str]) -> Path:
    """A JSONL file; a str line is written as given (to write malformed lines)."""
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n"
                   for line in lines)
    path.write_text(text, encoding="utf-8")
    return path
