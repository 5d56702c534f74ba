"""Distinct kernel patterns settled once, with the engine's own functions.

The SQL query gives, per case, the key words of its pattern (both kernels' three-valued
results and unknown flags, two bits each). Every case with the same words is settled the
same way, so each distinct pattern is decoded here and handed to
``engine.evaluate.settle_pattern``; the results are joined back to the cases by the words.
A pattern with a provisional decision is settled again for each of its cases with the case's
facts (``settle_case``): the exact status (engine.exact) depends on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from openmdt.backends.sqlpack import PER_WORD, CompiledQuery
from openmdt.engine.evaluate import Settled, pattern_needs_facts, settle_pattern
from openmdt.engine.normalise import Case
from openmdt.knowledge.model import Pack
from openmdt.language import UNKNOWN

__all__ = ["DecisionOutcome", "PatternResult", "decode", "pattern_result", "settle_case",
           "settle_words"]

_THREE_VALUED = {0: False, 1: True, 2: UNKNOWN}


@dataclass(frozen=True)
class DecisionOutcome:
    """The summary of one decision: status, recommended options, missing items."""

    status: str
    recommended: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class PatternResult:
    """What every case with one pattern gets: its route and its decisions."""

    route: str
    standard_of_care: str | None
    data_requests: tuple[str, ...]
    decisions: tuple[DecisionOutcome, ...]
    needs_facts: bool = False  # a provisional decision: its exact status needs each case's facts


_BYTE_CODES = tuple(tuple((byte >> shift) & 3 for shift in (0, 2, 4, 6)) for byte in range(256))


def _codes(words: Sequence[int], count: int) -> list[int]:
    """The two-bit codes of the key words, lowest first (four to a byte)."""
    codes: list[int] = []
    for word in words:
        part = [c for byte in word.to_bytes(8, "little", signed=True)
                for c in _BYTE_CODES[byte]]
        codes.extend(part[:PER_WORD])
    return codes[:count]


def decode(query: CompiledQuery, words: Sequence[int]
           ) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """The kernel values (``run_all``'s tuple) of the pack and of its recorded-only kernel
    (whose values are mostly the pack kernel's: ``recorded_codes`` says where each is)."""
    codes = _codes(words, max((query.values - 1, *query.recorded_codes)) + 1)
    flags = query.values - query.conditions

    def kernel(part: list[int]) -> tuple[object, ...]:
        conditions = tuple(_THREE_VALUED[c] for c in part[:query.conditions])
        return (*conditions, tuple(c == 1 for c in part[query.conditions:]))

    normal = codes[:query.values]
    recorded = [codes[slot] for slot in query.recorded_codes]
    assert len(normal) == len(recorded) == query.conditions + flags
    return kernel(normal), kernel(recorded)


def settle_words(pack: Pack, query: CompiledQuery, words: Sequence[int]) -> PatternResult:
    """The route and decisions of the pattern ``words``, settled by the engine (with
    ``needs_facts`` when a case's own facts can make a decision's status exact)."""
    values, recorded = decode(query, words)
    return pattern_result(settle_pattern(pack, values, recorded),
                          pattern_needs_facts(pack, values, recorded))


def settle_case(pack: Pack, decoded: tuple[tuple[object, ...], tuple[object, ...]],
                case: Case, as_of: date | None) -> PatternResult:
    """The route and decisions of one case of a pattern that needs its facts (``decoded``:
    what ``decode`` gives for the pattern's words)."""
    values, recorded = decoded
    return pattern_result(settle_pattern(pack, values, recorded, case, as_of))


def pattern_result(settled: Settled, needs_facts: bool = False) -> PatternResult:
    triage = settled.triage
    decisions = tuple(DecisionOutcome(d.status, tuple(d.recommended), tuple(d.missing))
                      for d in settled.decisions)
    return PatternResult(triage.route, triage.standard_of_care, tuple(triage.data_requests),
                         decisions, needs_facts)
