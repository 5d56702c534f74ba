"""Helpers for the knowledge tests: build pack folders from the mini test pack."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Mapping
from pathlib import Path

from openmdt.knowledge import Diagnostic

TESTS = Path(__file__).resolve().parent.parent
MINI = TESTS / "engine" / "packs" / "mini"
MINI_OVERLAY = TESTS / "engine" / "packs" / "mini-overlay"
GOLDEN = Path(__file__).resolve().parent / "golden"


def pack_from_mini(target: Path, replace: Mapping[str, str] | None = None,
                   append: Mapping[str, str] | None = None) -> Path:
    """A copy of the mini pack at ``target`` with files replaced or appended to."""
    shutil.copytree(MINI, target)
    for name, text in (replace or {}).items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, text in (append or {}).items():
        with (target / name).open("a", encoding="utf-8") as handle:
            handle.write(text)
    return target


def formatted(diagnostics: list[Diagnostic], root: Path, placeholder: str = "<PACK>") -> str:
    """Diagnostics as golden-file text: one ``format()`` line each, the folder replaced."""
    lines = []
    for diagnostic in diagnostics:
        text = diagnostic.format()
        for form in _forms(root):
            text = text.replace(form, placeholder)
        lines.append(text)
    return "\n".join(lines) + "\n"


def _forms(root: Path) -> list[str]:
    forms = [str(root.resolve()), str(root)]
    with contextlib.suppress(ValueError):
        forms.append(str(root.resolve().relative_to(Path.cwd())))
    return forms
