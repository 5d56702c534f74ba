"""A bounded memory of results, owned by one pack's engine plan (see engine.plan).

Every result the engine remembers between cases lives in a ``Memo`` reachable from the pack's
``EnginePlan``: nothing is remembered at module level, one pack's memory never answers for
another pack, and ``forget_remembered`` empties all of it.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class Memo(Generic[Value]):
    """Results by key, at most ``limit`` of them (emptied whole when full: cheap, and a
    pattern seen again is worked out again)."""

    __slots__ = ("_data", "limit")

    def __init__(self, limit: int) -> None:
        self._data: dict[Hashable, Value] = {}
        self.limit = limit

    def get(self, key: Hashable) -> Value | None:
        return self._data.get(key)

    def put(self, key: Hashable, value: Value) -> Value:
        if len(self._data) >= self.limit:
            self._data.clear()
        self._data[key] = value
        return value

    def clear(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
