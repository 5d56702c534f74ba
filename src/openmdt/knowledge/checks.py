"""Small helpers the pack compiler uses to report problems with their exact place."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from openmdt.knowledge.diagnostics import Diagnostic, Severity
from openmdt.knowledge.yamlsource import LocatedDict, LocatedList, Position
from openmdt.language import Expression, ExpressionError, Symbol, ValueType, compile_expression


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A 'did you mean X?' hint when ``word`` is close to one of ``choices``."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def position_of(container: Any, key: Any) -> Position:
    """Where the value under ``key`` of a located container was written."""
    if isinstance(container, (LocatedDict, LocatedList)):
        return container.where(key)
    return Position("<unknown>", 1, 1)


class Reporter:
    """Collects diagnostics; every problem is kept, loading never stops at the first."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def report(self, container: Any, key: Any, path: str, code: str, message: str,
               hint: str | None = None, severity: Severity = "error", column_offset: int = 0
               ) -> None:
        pos = position_of(container, key)
        self.diagnostics.append(Diagnostic(pos.file, path, pos.line, pos.column + column_offset,
                                           code, message, hint, severity))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    def check_keys(self, node: LocatedDict, path: str, allowed: set[str],
                   required: Iterable[str] = ()) -> None:
        """Report keys that are not part of this node kind, and required keys that are absent."""
        for key in node:
            if key not in allowed:
                self.report(node, key, f"{path}.{key}", "unknown_key",
                            f"{key!r} is not a field here; allowed: {', '.join(sorted(allowed))}",
                            did_you_mean(key, allowed))
        for key in required:
            if key not in node:
                self.report(node, None, path, "missing_field",
                            f"required field {key!r} is missing")

    def mapping(self, container: Any, key: Any, path: str, value: Any) -> LocatedDict | None:
        """The value as a mapping, or a reported problem and None."""
        if isinstance(value, LocatedDict):
            return value
        self.report(container, key, path, "wrong_shape",
                    f"expected a mapping, found {_kind(value)}")
        return None

    def sequence(self, container: Any, key: Any, path: str, value: Any) -> LocatedList | None:
        """The value as a list (None stays an empty list), or a reported problem and None."""
        if value is None:
            return LocatedList(position_of(container, key))
        if isinstance(value, LocatedList):
            return value
        self.report(container, key, path, "wrong_shape", f"expected a list, found {_kind(value)}")
        return None

    def text(self, node: LocatedDict, key: str, path: str, required: bool = True) -> str | None:
        """A string field; numbers are accepted and turned into text."""
        value = node.get(key)
        if value is None:
            if required:
                self.report(node, None, f"{path}.{key}", "missing_field",
                            f"required field {key!r} is missing")
            return None
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        self.report(node, key, f"{path}.{key}", "wrong_type", f"{key!r} must be text")
        return None

    def number(self, node: LocatedDict, key: str, path: str) -> float | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        self.report(node, key, f"{path}.{key}", "wrong_type", f"{key!r} must be a number")
        return None

    def expression(self, node: LocatedDict, key: str, path: str,
                   symbols: Mapping[str, Symbol], expect: ValueType | None) -> Expression | None:
        """Compile the expression under ``key``; problems are reported at their column."""
        source = node.get(key)
        if isinstance(source, bool):
            source = "true" if source else "false"
        if isinstance(source, (int, float)):
            source = repr(source)
        if not isinstance(source, str):
            self.report(node, key, f"{path}.{key}", "wrong_type",
                        f"{key!r} must be an expression written as text")
            return None
        try:
            return compile_expression(source, symbols, expect=expect)
        except ExpressionError as exc:
            quoted = 1 if position_of(node, key).quoted else 0
            offset = exc.offset + quoted if "\n" not in source else 0
            self.report(node, key, f"{path}.{key}", exc.code, f"{exc.message} in {source!r}",
                        exc.hint, column_offset=offset)
            return None


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"
