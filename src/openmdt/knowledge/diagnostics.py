"""Pack diagnostics: every problem found when loading a pack, with its exact place."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a pack: where it is, a stable code, what is wrong and how to fix it."""

    file: str
    path: str
    line: int
    column: int
    code: str
    message: str
    hint: str | None = None
    severity: Severity = "error"

    def format(self) -> str:
        """One line for a terminal: ``file:line:column: severity[code] path: message``."""
        text = f"{self.file}:{self.line}:{self.column}: {self.severity}[{self.code}] "
        text += f"{self.path}: {self.message}" if self.path else self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class PackLoadError(Exception):
    """A pack could not be loaded; ``diagnostics`` lists every problem found."""

    def __init__(self, pack_ref: str, diagnostics: list[Diagnostic]) -> None:
        self.pack_ref = pack_ref
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity == "error"]
        super().__init__(f"pack {pack_ref} has {len(errors)} error(s)")
