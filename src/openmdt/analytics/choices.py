"""The MDT's chosen options as written in a historic file, resolved against a pack.

A choice is one or more options separated by ``;``; each is ``decision_id:option_id`` (or
``decision_id/option_id``, OpenMDT's own reference) or a bare ``option_id`` that names one
option of the pack unambiguously. An option no decision of the pack has (an option the pack
does not model, such as a referral elsewhere) is kept as *outside the pack*: the audit counts
it as not evaluable. A known decision with an option it does not have, and a bare option id
that two decisions share, are errors naming what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

from openmdt.knowledge.model import Pack

__all__ = ["ChoiceError", "ChosenOption", "OptionIndex", "parse_choice"]

OUTSIDE_PACK = ""  # the decision id of an option no decision of the pack has


@dataclass(frozen=True)
class ChosenOption:
    """One chosen option: its decision (OUTSIDE_PACK when the pack has none) and option."""

    decision_id: str
    option_id: str

    @property
    def ref(self) -> str:
        """``decision_id/option_id``, or the option as written when outside the pack."""
        return f"{self.decision_id}/{self.option_id}" if self.decision_id else self.option_id

    @property
    def in_pack(self) -> bool:
        return bool(self.decision_id)


class ChoiceError(ValueError):
    """A choice that cannot be read: the value and what is allowed."""

    def __init__(self, message: str, value: str, allowed: str) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.allowed = allowed


@dataclass(frozen=True)
class OptionIndex:
    """Every option of a pack by decision, and the decisions of each bare option id."""

    options: dict[str, tuple[str, ...]]  # decision id -> its option ids, in order
    decisions_of: dict[str, tuple[str, ...]]  # option id -> the decisions that have it

    @classmethod
    def of(cls, pack: Pack) -> OptionIndex:
        options = {d.id: tuple(c.id for c in d.candidates) for d in pack.decisions}
        decisions_of: dict[str, list[str]] = {}
        for decision_id, ids in options.items():
            for option_id in ids:
                decisions_of.setdefault(option_id, []).append(decision_id)
        return cls(options, {k: tuple(v) for k, v in decisions_of.items()})

    def resolve(self, text: str) -> ChosenOption:
        """One option as written; ChoiceError when it is wrong or ambiguous."""
        for separator in (":", "/"):
            if separator in text:
                decision_id, option_id = (part.strip() for part in text.split(separator, 1))
                return self._qualified(text, decision_id, option_id)
        owners = self.decisions_of.get(text, ())
        if len(owners) > 1:
            refs = ", ".join(f"{d}:{text}" for d in owners)
            raise ChoiceError(f"option {text!r} belongs to {len(owners)} decisions; name its "
                              f"decision", text, refs)
        return ChosenOption(owners[0] if owners else OUTSIDE_PACK, text)

    def _qualified(self, text: str, decision_id: str, option_id: str) -> ChosenOption:
        options = self.options.get(decision_id)
        if options is None:
            return ChosenOption(OUTSIDE_PACK, text)
        if option_id not in options:
            raise ChoiceError(f"decision {decision_id!r} has no option {option_id!r}", text,
                              ", ".join(options))
        return ChosenOption(decision_id, option_id)


def parse_choice(index: OptionIndex, text: str) -> tuple[ChosenOption, ...]:
    """The options of a ``;``-separated choice, in order, each once."""
    parts = [part.strip() for part in text.split(";")]
    if not any(parts):
        raise ChoiceError("no option is given", text,
                          "options separated by ';', each decision_id:option_id")
    if not all(parts):
        raise ChoiceError("an empty option between ';'", text,
                          "options separated by ';', each decision_id:option_id")
    chosen = [index.resolve(part) for part in parts]
    return tuple(dict.fromkeys(chosen))
