"""The value assumptions file (YAML): loaded, checked and hashed.

The defaults ship with the package (``analytics/data/assumptions.yaml``), each with its
citation or labelled as a local policy; a finance team edits a copy. A problem names the
file, the key path, the value and what is allowed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = ["ASSUMPTION_KEYS", "Assumption", "Assumptions", "AssumptionsError", "Role",
           "load_assumptions"]

ASSUMPTION_KEYS = ("minutes_per_case_discussed", "attendees", "cost_per_case_discussed",
                   "cases_per_year", "meetings_per_year", "streamlined_share",
                   "trusts_in_alliance", "implementation_cost", "running_cost_per_year")
COST_METHODS = ("per_case", "attendee_time")
BASES = ("published", "local policy")
_SHARES = {"streamlined_share"}
_POSITIVE = {"meetings_per_year", "trusts_in_alliance"}


class AssumptionsError(ValueError):
    """An assumptions file that cannot be used: where, the value and what is allowed."""


@dataclass(frozen=True)
class Assumption:
    """One assumption: its value, unit, sensitivity range and where it comes from."""

    key: str
    label: str
    value: float
    unit: str
    low: float
    high: float
    basis: str  # published | local policy
    source: str


@dataclass(frozen=True)
class Role:
    """Attendees of one professional role and their cost per hour (attendee_time method)."""

    key: str
    label: str
    count: float
    cost_per_hour: float


@dataclass(frozen=True)
class Assumptions:
    """Every assumption of the value report, the roles, and the file's name and hash."""

    currency: str
    cost_method: str
    items: Mapping[str, Assumption]
    roles: tuple[Role, ...]
    source: str
    hash: str

    def __getitem__(self, key: str) -> float:
        return self.items[key].value

    def with_value(self, key: str, value: float) -> Assumptions:
        """The same assumptions with one value changed (sensitivity, break-even)."""
        items = dict(self.items)
        items[key] = replace(items[key], value=value)
        return replace(self, items=items)

    def attendee_cost_per_hour(self) -> float:
        return sum(role.count * role.cost_per_hour for role in self.roles)


def load_assumptions(path: Path | None = None) -> Assumptions:
    """The assumptions in ``path``, or the shipped defaults."""
    if path is None:
        text = resources.files("openmdt.analytics").joinpath("data/assumptions.yaml").read_text(
            encoding="utf-8")
        name = "shipped defaults (openmdt/analytics/data/assumptions.yaml)"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AssumptionsError(f"{path}: cannot read the assumptions file: {exc}") from None
        name = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AssumptionsError(f"{name}: not valid YAML: {exc}") from None
    digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _parsed(data, name, digest)


def _parsed(data: Any, name: str, digest: str) -> Assumptions:
    if not isinstance(data, Mapping):
        raise AssumptionsError(f"{name}: the file must be a mapping with 'assumptions'")
    method = data.get("cost_method", "per_case")
    if method not in COST_METHODS:
        raise AssumptionsError(f"{name}: cost_method: {method!r} is not allowed; allowed: "
                               f"{', '.join(COST_METHODS)}")
    raw = data.get("assumptions")
    if not isinstance(raw, Mapping):
        raise AssumptionsError(f"{name}: 'assumptions' must be a mapping of "
                               f"{', '.join(ASSUMPTION_KEYS)}")
    unknown = sorted(set(raw) - set(ASSUMPTION_KEYS))
    if unknown:
        raise AssumptionsError(f"{name}: assumptions.{unknown[0]}: not a known assumption; "
                               f"allowed: {', '.join(ASSUMPTION_KEYS)}")
    missing = [key for key in ASSUMPTION_KEYS if key not in raw]
    if missing:
        raise AssumptionsError(f"{name}: assumptions.{missing[0]}: missing")
    items = {key: _assumption(key, raw[key], name) for key in ASSUMPTION_KEYS}
    roles = tuple(_role(key, value, name) for key, value in (data.get("roles") or {}).items())
    if method == "attendee_time" and not roles:
        raise AssumptionsError(f"{name}: roles: cost_method attendee_time needs the roles")
    return Assumptions(str(data.get("currency", "GBP")), method, items, roles, name, digest)


def _number(value: Any, where: str, *, low: float = 0.0, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AssumptionsError(f"{where}: {value!r} is not a number")
    if value < low or (high is not None and value > high):
        allowed = f"from {low:g} to {high:g}" if high is not None else f"{low:g} or more"
        raise AssumptionsError(f"{where}: {value!r} is out of range; allowed: {allowed}")
    return float(value)


def _assumption(key: str, raw: Any, name: str) -> Assumption:
    where = f"{name}: assumptions.{key}"
    if not isinstance(raw, Mapping):
        raise AssumptionsError(f"{where}: must be a mapping with value, unit, source")
    high = 1.0 if key in _SHARES else None
    value = _number(raw.get("value"), f"{where}.value", high=high)
    if key in _POSITIVE and value == 0:
        raise AssumptionsError(f"{where}.value: 0 is not allowed; allowed: more than 0")
    low = _number(raw.get("low", value), f"{where}.low", high=high)
    top = _number(raw.get("high", value), f"{where}.high", high=high)
    if not low <= value <= top:
        raise AssumptionsError(f"{where}: low {low:g}, value {value:g} and high {top:g} must "
                               "be in that order")
    basis = raw.get("basis")
    if basis not in BASES:
        raise AssumptionsError(f"{where}.basis: {basis!r} is not allowed; allowed: "
                               f"{', '.join(BASES)}")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise AssumptionsError(f"{where}.source: every assumption names its source (or says "
                               "it is a local policy)")
    return Assumption(key, str(raw.get("label") or key), value, str(raw.get("unit") or ""),
                      low, top, basis, source.strip())


def _role(key: str, raw: Any, name: str) -> Role:
    where = f"{name}: roles.{key}"
    if not isinstance(raw, Mapping):
        raise AssumptionsError(f"{where}: must be a mapping with count and cost_per_hour")
    return Role(key, str(raw.get("label") or key), _number(raw.get("count"), f"{where}.count"),
                _number(raw.get("cost_per_hour"), f"{where}.cost_per_hour"))
