"""The evaluation output as typed records: the one reader of evaluation JSON.

The engine writes an evaluation as JSON (``Evaluation.to_dict`` / ``to_json``; its contract is
docs/pack-format.md's output section). Everything that reads one back (the web pages, the
meeting workflow, the command line's text, pack tests, reports) reads it through
``EvaluationRecord.read``: keys are named once here, a record that does not have the shape is a
``ResultShapeError`` naming the JSON path, and ``to_dict`` gives back exactly what was read (a
test pins the round trip on every pack test of every shipped pack, in both details).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Route = Literal["standard_of_care", "full_discussion", "not_ready"]
Status = Literal["definitive", "provisional", "not_applicable"]
STATUSES = ("definitive", "provisional", "not_applicable")
ROUTES = ("standard_of_care", "full_discussion", "not_ready")


class ResultShapeError(ValueError):
    """A stored evaluation that does not have the engine's output shape."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ResultShapeError(path, f"expected an object, got {type(value).__name__}")
    return value


def _list(value: Any, path: str) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise ResultShapeError(path, f"expected a list, got {type(value).__name__}")
    return value


def _field(data: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in data:
        raise ResultShapeError(f"{path}.{key}", "missing")
    return data[key]


def _text(data: Mapping[str, Any], key: str, path: str) -> str:
    value = _field(data, key, path)
    if not isinstance(value, str):
        raise ResultShapeError(f"{path}.{key}", f"expected text, got {value!r}")
    return value


def _truth(data: Mapping[str, Any], key: str, path: str) -> bool | None:
    value = _field(data, key, path)
    if value is not None and not isinstance(value, bool):
        raise ResultShapeError(f"{path}.{key}", f"expected true, false or null, got {value!r}")
    return value


def _texts(data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
    values = _list(_field(data, key, path), f"{path}.{key}")
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise ResultShapeError(f"{path}.{key}[{index}]", f"expected text, got {value!r}")
    return tuple(values)


def _one_of(data: Mapping[str, Any], key: str, allowed: Sequence[str], path: str) -> Any:
    value = _field(data, key, path)
    if value not in allowed:
        raise ResultShapeError(f"{path}.{key}", f"{value!r} is not one of {', '.join(allowed)}")
    return value


@dataclass(frozen=True)
class ArgumentRecord:
    """One argument of a candidate: whether it held for this case, and why it matters."""

    id: str
    polarity: str
    weight: float
    holds: bool | None
    text: str
    source: str
    strength: str | None

    @classmethod
    def read(cls, data: Any, path: str) -> ArgumentRecord:
        data = _mapping(data, path)
        return cls(_text(data, "id", path), _text(data, "polarity", path),
                   _field(data, "weight", path), _truth(data, "holds", path),
                   _text(data, "text", path), _field(data, "source", path),
                   _field(data, "strength", path))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "polarity": self.polarity, "weight": self.weight,
                "holds": self.holds, "text": self.text, "source": self.source,
                "strength": self.strength}


@dataclass(frozen=True)
class OptionRecord:
    """One candidate option of a decision. ``--detail summary`` keeps no title, range or
    arguments, only the ids of the arguments that held (``held``)."""

    id: str
    net_support: float | None
    recommended: bool | None
    title: str | None = None
    net_support_range: tuple[float, float] | None = None
    arguments: tuple[ArgumentRecord, ...] = ()
    held: tuple[str, ...] | None = None
    missing: tuple[str, ...] = ()
    conflict: str | None = None

    @classmethod
    def read(cls, data: Any, path: str) -> OptionRecord:
        data = _mapping(data, path)
        common = (_text(data, "id", path), _field(data, "net_support", path),
                  _truth(data, "recommended", path))
        if "held" in data:  # summary detail
            return cls(*common, held=_texts(data, "held", path))
        low, high = _list(_field(data, "net_support_range", path), f"{path}.net_support_range")
        arguments = _list(_field(data, "arguments", path), f"{path}.arguments")
        return cls(*common, title=_text(data, "title", path), net_support_range=(low, high),
                   arguments=tuple(ArgumentRecord.read(a, f"{path}.arguments[{i}]")
                                   for i, a in enumerate(arguments)),
                   missing=_texts(data, "missing", path) if "missing" in data else (),
                   conflict=data.get("conflict"))

    @property
    def excluded(self) -> bool:
        """An excluding argument holds: the option is ruled out whatever else holds."""
        return any(a.holds is True and a.polarity == "excluding" for a in self.arguments)

    def held_ids(self) -> tuple[str, ...]:
        """The ids of the arguments that held, in either detail."""
        if self.held is not None:
            return self.held
        return tuple(a.id for a in self.arguments if a.holds is True)

    def to_dict(self) -> dict[str, Any]:
        if self.held is not None:
            return {"id": self.id, "net_support": self.net_support,
                    "recommended": self.recommended, "held": list(self.held)}
        result: dict[str, Any] = {
            "id": self.id, "title": self.title, "net_support": self.net_support,
            "net_support_range": list(self.net_support_range or ()),
            "recommended": self.recommended, "arguments": [a.to_dict() for a in self.arguments]}
        if self.missing:
            result["missing"] = list(self.missing)
        if self.conflict:
            result["conflict"] = self.conflict
        return result


@dataclass(frozen=True)
class DecisionRecord:
    """One decision: its status, the options recommended and the items that could change it."""

    id: str
    status: Status
    recommended: tuple[str, ...]
    missing: tuple[str, ...]
    options: tuple[OptionRecord, ...]
    title: str | None = None  # full detail only
    applies: bool | None = None  # full detail only

    @classmethod
    def read(cls, data: Any, path: str) -> DecisionRecord:
        data = _mapping(data, path)
        candidates = _list(_field(data, "candidates", path), f"{path}.candidates")
        options = tuple(OptionRecord.read(c, f"{path}.candidates[{i}]")
                        for i, c in enumerate(candidates))
        full = "title" in data
        return cls(_text(data, "id", path), _one_of(data, "status", STATUSES, path),
                   _texts(data, "recommended", path), _texts(data, "missing", path), options,
                   title=_text(data, "title", path) if full else None,
                   applies=_truth(data, "applies", path) if "applies" in data else None)

    @property
    def applicable(self) -> bool:
        return self.status != "not_applicable"

    def option(self, option_id: str) -> OptionRecord | None:
        return next((o for o in self.options if o.id == option_id), None)

    def to_dict(self) -> dict[str, Any]:
        if self.title is None:
            return {"id": self.id, "status": self.status, "recommended": list(self.recommended),
                    "missing": list(self.missing),
                    "candidates": [o.to_dict() for o in self.options]}
        return {"id": self.id, "title": self.title, "status": self.status,
                "applies": self.applies, "recommended": list(self.recommended),
                "missing": list(self.missing), "candidates": [o.to_dict() for o in self.options]}


@dataclass(frozen=True)
class TriageRecord:
    """The route the case takes, why, the Standard of Care it meets and the data still needed."""

    route: Route
    standard_of_care: str | None
    reasons: tuple[str, ...]
    data_requests: tuple[str, ...]
    minutes: float | None

    @classmethod
    def read(cls, data: Any, path: str) -> TriageRecord:
        data = _mapping(data, path)
        standard = _field(data, "standard_of_care", path)
        if standard is not None and not isinstance(standard, str):
            raise ResultShapeError(f"{path}.standard_of_care", f"expected an id, got {standard!r}")
        return cls(_one_of(data, "route", ROUTES, path), standard,
                   _texts(data, "reasons", path), _texts(data, "data_requests", path),
                   _field(data, "minutes", path))

    def to_dict(self) -> dict[str, Any]:
        return {"route": self.route, "standard_of_care": self.standard_of_care,
                "reasons": list(self.reasons), "data_requests": list(self.data_requests),
                "minutes": self.minutes}


@dataclass(frozen=True)
class ConflictRecord:
    """Recorded facts that contradict each other."""

    id: str
    items: tuple[str, ...]
    values: Mapping[str, Any]
    message: str

    @classmethod
    def read(cls, data: Any, path: str) -> ConflictRecord:
        data = _mapping(data, path)
        return cls(_text(data, "id", path), _texts(data, "items", path),
                   dict(_mapping(_field(data, "values", path), f"{path}.values")),
                   _text(data, "message", path))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "items": list(self.items), "values": dict(self.values),
                "message": self.message}


@dataclass(frozen=True)
class PackRecord:
    """The pack an evaluation was made with."""

    id: str
    version: str
    hash: str

    @property
    def line(self) -> str:
        return f"{self.id} {self.version} {self.hash}"


@dataclass(frozen=True)
class EvaluationRecord:
    """One case's evaluation, read back from the engine's JSON."""

    case_id: str | None
    pack: PackRecord
    as_of: str | None
    assumed: Mapping[str, Any]
    conflicts: tuple[ConflictRecord, ...]
    derived: Mapping[str, Any]
    decisions: tuple[DecisionRecord, ...]
    triage: TriageRecord
    extra: Mapping[str, Any] = field(default_factory=dict)  # keys a newer engine may add

    KEYS = ("case_id", "pack", "as_of", "assumed", "conflicts", "derived", "decisions", "triage")

    @classmethod
    def read(cls, data: Any, path: str = "$") -> EvaluationRecord:
        """The record of an evaluation's JSON (parsed); ResultShapeError names what is wrong."""
        data = _mapping(data, path)
        pack = _mapping(_field(data, "pack", path), f"{path}.pack")
        decisions = _list(_field(data, "decisions", path), f"{path}.decisions")
        # Evaluations stored before conflicts and assumed values were reported lack them.
        conflicts = _list(data.get("conflicts", []), f"{path}.conflicts")
        return cls(
            case_id=_field(data, "case_id", path),
            pack=PackRecord(_text(pack, "id", f"{path}.pack"),
                            str(_field(pack, "version", f"{path}.pack")),
                            _text(pack, "hash", f"{path}.pack")),
            as_of=_field(data, "as_of", path),
            assumed=dict(_mapping(data.get("assumed", {}), f"{path}.assumed")),
            conflicts=tuple(ConflictRecord.read(c, f"{path}.conflicts[{i}]")
                            for i, c in enumerate(conflicts)),
            derived=dict(_mapping(_field(data, "derived", path), f"{path}.derived")),
            decisions=tuple(DecisionRecord.read(d, f"{path}.decisions[{i}]")
                            for i, d in enumerate(decisions)),
            triage=TriageRecord.read(_field(data, "triage", path), f"{path}.triage"),
            extra={k: v for k, v in data.items() if k not in cls.KEYS})

    @classmethod
    def read_stored(cls, data: Any) -> EvaluationRecord | None:
        """A stored evaluation's record, or None when none is stored."""
        return None if data is None else cls.read(data)

    @property
    def route(self) -> Route:
        return self.triage.route

    def decision(self, decision_id: str) -> DecisionRecord | None:
        return next((d for d in self.decisions if d.id == decision_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready evaluation, key for key what was read."""
        return {"case_id": self.case_id,
                "pack": {"id": self.pack.id, "version": self.pack.version,
                         "hash": self.pack.hash},
                "as_of": self.as_of, "assumed": dict(self.assumed),
                "conflicts": [c.to_dict() for c in self.conflicts],
                "derived": dict(self.derived),
                "decisions": [d.to_dict() for d in self.decisions],
                "triage": self.triage.to_dict(), **self.extra}


def derived_of(data: Any, path: str = "$") -> Mapping[str, Any]:
    """Only the derived facts of a stored evaluation (an agenda reads 90 of them), or none."""
    if data is None:
        return {}
    return dict(_mapping(_field(_mapping(data, path), "derived", path), f"{path}.derived"))
