"""Turn Python's (line, column) positions back into character offsets in the author's text."""

from __future__ import annotations

import re

__all__ = ["WRAPPED_PREFIX", "WRAPPED_SUFFIX", "SourceMap"]

WRAPPED_PREFIX = "(\n"
WRAPPED_SUFFIX = "\n)"
"""The text is parsed inside parentheses on lines of their own so it may span several lines."""

_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


class SourceMap:
    """Maps positions in the wrapped text Python parsed to offsets in the original text."""

    def __init__(self, source: str) -> None:
        self._length = len(source)
        parts = _LINE_BREAK.split(source)
        self._lines = parts[0::2]
        self._starts: list[int] = []
        position = 0
        for index, line in enumerate(self._lines):
            self._starts.append(position)
            breaker = parts[2 * index + 1] if 2 * index + 1 < len(parts) else ""
            position += len(line) + len(breaker)

    def from_bytes(self, lineno: int, byte_column: int) -> int:
        """Offset of an ast node position (1-based line, UTF-8 byte column)."""
        index = lineno - 2  # line 1 holds the opening parenthesis of the wrapper
        if index < 0:
            return 0
        if index >= len(self._lines):
            return self._length
        encoded = self._lines[index].encode("utf-8", errors="surrogatepass")
        characters = len(encoded[:byte_column].decode("utf-8", errors="ignore"))
        return min(self._starts[index] + characters, self._length)

    def from_characters(self, lineno: int | None, column: int | None) -> int:
        """Offset of a SyntaxError position (1-based line, 1-based character column)."""
        if lineno is None:
            return 0
        index = lineno - 2
        if index < 0:
            return 0
        if index >= len(self._lines):
            return self._length
        column = max((column or 1) - 1, 0)
        return min(self._starts[index] + column, self._length)
