"""The words a pack gives people for its names and values (labels, titles, yes and no).

Every text a person reads (the CLI's text output, agendas, pages) names items, derived facts,
options and Standards of Care by the pack's labels and titles, never by their ids.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openmdt.knowledge.model import Pack
from openmdt.knowledge.values import convert_fact

# Local policy: people in English NHS trusts read times in UK time (GMT or BST).
READERS_TIME_ZONE = "Europe/London"


def date_words(value: date | datetime | str | None) -> str:
    """A date as people read it on every page and document: "16 June 1971".

    Accepts a date, a datetime (its date in UK time) or ISO text; None and text that is not
    a date read as "Not recorded" and as itself.
    """
    if value is None or value == "":
        return "Not recorded"
    moment = _as_date(value)
    if moment is None:
        return str(value)
    if isinstance(moment, datetime):
        moment = _in_uk_time(moment).date()
    return f"{moment.day} {moment:%B %Y}"


def time_words(value: datetime | str | None) -> str:
    """A moment as people read it: "27 November 2026 at 14:05" (UK time)."""
    if value is None or value == "":
        return "Not recorded"
    moment = _as_date(value)
    if not isinstance(moment, datetime):
        return date_words(moment) if moment is not None else str(value)
    local = _in_uk_time(moment)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _as_date(value: date | datetime | str) -> date | datetime | None:
    if isinstance(value, date):
        return value
    text = str(value)
    try:
        return datetime.fromisoformat(text) if "T" in text or " " in text.strip() \
            else date.fromisoformat(text)
    except ValueError:
        return None


def _in_uk_time(moment: datetime) -> datetime:
    """A stored moment (UTC; naive ones are UTC too) in UK time."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    try:
        return aware.astimezone(ZoneInfo(READERS_TIME_ZONE))
    except ZoneInfoNotFoundError:  # no time zone data installed: UTC is the next best
        return aware.astimezone(UTC)


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
        return date_words(value)
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
        value = fact_value(pack, name, facts, derived)
        if value is None or value == "":
            continue
        words = value_words(pack, name, value)
        label = label_of(pack, name) if short is None else short
        if not label:
            parts.append(words[:1].upper() + words[1:])
        else:
            parts.append(f"{label}: {words}" if isinstance(value, bool) else f"{label} {words}")
    return " · ".join(parts)


def fact_value(pack: Pack, name: str, facts: Mapping[str, Any],
               derived: Mapping[str, Any]) -> Any:
    """An item's or derived fact's value for a case: the derived value when there is one,
    else the recorded fact as its item's type (None when unknown)."""
    if derived.get(name) is not None:
        return derived[name]
    return _converted(pack, name, facts.get(name))


def _converted(pack: Pack, name: str, value: Any) -> Any:
    """A stored fact as its item's type (a CSV list stores "yes"); as stored if it fails."""
    item = pack.items.get(name)
    if item is None or value is None or value == "":
        return value
    with contextlib.suppress(Exception):
        return convert_fact(item, value)
    return value
