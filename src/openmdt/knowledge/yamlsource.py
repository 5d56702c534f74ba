"""YAML reading that remembers where every value came from (file, line, column).

Pack diagnostics must point at the exact place an author wrote something, so mappings and
sequences are loaded as ``Located`` containers that carry their file and the position of each
child value.
"""

from __future__ import annotations

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


def _convert(file: str, node: yaml.Node, constructor: Any) -> Any:
    if isinstance(node, yaml.MappingNode):
        result = LocatedDict(_position(file, node))
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if key in result:
                raise YamlProblem(f"duplicate key {key!r}", _position(file, key_node))
            result[key] = _convert(file, value_node, constructor)
            result.positions[key] = _position(file, value_node)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = LocatedList(_position(file, node))
        for child in node.value:
            items.append(_convert(file, child, constructor))
            items.positions.append(_position(file, child))
        return items
    return constructor.construct_object(node, deep=True)


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
