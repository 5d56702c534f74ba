"""YAML reading that remembers where every value came from (file, line, column).

Pack diagnostics must point at the exact place an author wrote something, so mappings and
sequences are loaded as ``Located`` containers that carry their file and the position of each
child value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Position:
    """Where a value starts: 1-based line and column, and the scalar's quoting style."""

    file: str
    line: int
    column: int
    quoted: bool = False


class LocatedDict(dict):
    """A YAML mapping that knows its own position and each value's position."""

    def __init__(self, position: Position) -> None:
        super().__init__()
        self.position = position
        self.positions: dict[Any, Position] = {}

    def where(self, key: Any) -> Position:
        """Position of the value under ``key`` (the mapping's own position if absent)."""
        return self.positions.get(key, self.position)


class LocatedList(list):
    """A YAML sequence that knows its own position and each item's position."""

    def __init__(self, position: Position) -> None:
        super().__init__()
        self.position = position
        self.positions: list[Position] = []

    def where(self, index: int) -> Position:
        """Position of the item at ``index``."""
        if 0 <= index < len(self.positions):
            return self.positions[index]
        return self.position


class YamlProblem(Exception):
    """A file that is not valid YAML; carries the position of the problem."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def _position(file: str, node: yaml.Node) -> Position:
    mark = node.start_mark
    quoted = isinstance(node, yaml.ScalarNode) and node.style in ("'", '"')
    return Position(file, mark.line + 1, mark.column + 1, quoted)


MAX_ALIAS_USES = 100  # an alias used more often than this is an expansion bomb, not a pack
MAX_NUMBER_DIGITS = 30  # an integer literal with more digits is no clinical value


class _Converter:
    """Nodes to located containers, refusing alias bombs, self-references and bad numbers."""

    def __init__(self, file: str, constructor: Any) -> None:
        self.file = file
        self.constructor = constructor
        self.seen: set[int] = set()
        self.open: set[int] = set()
        self.alias_uses = 0

    def convert(self, node: yaml.Node) -> Any:
        self._count(node)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            self.open.add(id(node))
            try:
                if isinstance(node, yaml.MappingNode):
                    return self._mapping(node)
                return self._sequence(node)
            finally:
                self.open.discard(id(node))
        return _checked_scalar(self.constructor.construct_object(node, deep=True),
                               _position(self.file, node))

    def _count(self, node: yaml.Node) -> None:
        if id(node) in self.open:
            raise YamlProblem("invalid YAML: an alias refers to a node that contains it",
                              _position(self.file, node))
        if id(node) in self.seen:
            self.alias_uses += 1
            if self.alias_uses > MAX_ALIAS_USES:
                raise YamlProblem(f"invalid YAML: aliases are used more than {MAX_ALIAS_USES} "
                                  "times", _position(self.file, node))
        self.seen.add(id(node))

    def _mapping(self, node: yaml.MappingNode) -> LocatedDict:
        result = LocatedDict(_position(self.file, node))
        for key_node, value_node in node.value:
            key = self.convert(key_node)
            if key in result:
                raise YamlProblem(f"duplicate key {key!r}", _position(self.file, key_node))
            result[key] = self.convert(value_node)
            result.positions[key] = _position(self.file, value_node)
        return result

    def _sequence(self, node: yaml.SequenceNode) -> LocatedList:
        items = LocatedList(_position(self.file, node))
        for child in node.value:
            items.append(self.convert(child))
            items.positions.append(_position(self.file, child))
        return items


def _checked_scalar(value: Any, position: Position) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not -(10**MAX_NUMBER_DIGITS) < value < 10**MAX_NUMBER_DIGITS:
        raise YamlProblem(f"invalid YAML: a number has more than {MAX_NUMBER_DIGITS} digits",
                          position)
    if isinstance(value, float) and not math.isfinite(value):
        raise YamlProblem("invalid YAML: a number is not finite (.nan, .inf and numbers too "
                          "large for a float are not allowed)", position)
    return value


def _convert(file: str, node: yaml.Node, constructor: Any) -> Any:
    return _Converter(file, constructor).convert(node)


def load_located(path: Path, display_name: str | None = None) -> Any:
    """Read one YAML file into located containers; raises YamlProblem when malformed."""
    name = display_name or str(path)
    text = path.read_text(encoding="utf-8")
    return parse_located(text, name)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster


def parse_located(text: str, name: str) -> Any:
    """Parse YAML text into located containers; raises YamlProblem when malformed."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(name, node, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = f"invalid YAML: {exc.problem or exc}"
        raise YamlProblem(problem, Position(name, line, column)) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}", Position(name, 1, 1)) from exc
    finally:
        loader.dispose()
