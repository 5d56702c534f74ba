"""The words a pack gives people for its names and values (labels, titles, yes and no).

Every text a person reads (the CLI's text output, agendas, pages) names items, derived facts,
options and Standards of Care by the pack's labels and titles, never by their ids.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import date
from typing import Any

from openmdt.knowledge.model import Pack
from openmdt.knowledge.values import convert_fact


def humanise(name: str) -> str:
    """An identifier in words: "radical_prostatectomy" -> "Radical prostatectomy"."""
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def label_of(pack: Pack, name: str) -> str:
    """The label of a data item or derived fact."""
    item = pack.items.get(name)
    if item is not None:
        return item.label
    for fact in pack.derived:
        if fact.name == name:
            return fact.label or humanise(name)
    return humanise(name)


def value_words(pack: Pack, name: str, value: Any) -> str:
    """A value as a person reads it: Yes / No, words for codes, the unit after numbers."""
    if value is None:
        return "Unknown"
    if value is True or value is False:
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.strftime("%d %B %Y").lstrip("0")
    item = pack.items.get(name)
    if item is not None and isinstance(value, str) and value in item.value_labels:
        return item.value_labels[value]
    unit = f" {item.unit}" if item is not None and item.unit and isinstance(
        value, int | float) else ""
    return f"{value}{unit}".replace("_", " ")


def standard_title(pack: Pack, standard_id: str | None) -> str | None:
    """A Standard of Care's title by its id."""
    if standard_id is None:
        return None
    return next((s.title for s in pack.standards if s.id == standard_id), humanise(standard_id))


def option_title(pack: Pack, decision_id: str, option_id: str) -> str:
    """An option's title within its decision."""
    decision = pack.decision(decision_id)
    candidate = decision.candidate(option_id) if decision is not None else None
    return candidate.title if candidate is not None else humanise(option_id)


def summary_line(pack: Pack, facts: Mapping[str, Any], derived: Mapping[str, Any]) -> str:
    """The case in one line, in the pack's words: each item or derived fact of the pack's
    summary_line that is known ("New diagnosis · 66 years · PSA 8.4 ng/mL · CPG 1 · ...")."""
    parts = []
    for name, short in pack.summary_line:
        value = derived.get(name) if derived.get(name) is not None \
            else _converted(pack, name, facts.get(name))
        if value is None or value == "":
            continue
        words = value_words(pack, name, value)
        label = label_of(pack, name) if short is None else short
        if not label:
            parts.append(words[:1].upper() + words[1:])
        else:
            parts.append(f"{label}: {words}" if isinstance(value, bool) else f"{label} {words}")
    return " · ".join(parts)


def _converted(pack: Pack, name: str, value: Any) -> Any:
    """A stored fact as its item's type (a CSV list stores "yes"); as stored if it fails."""
    item = pack.items.get(name)
    if item is None or value is None or value == "":
        return value
    with contextlib.suppress(Exception):
        return convert_fact(item, value)
    return value
