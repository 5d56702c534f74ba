"""Evaluating a long case file on several processes, output still in input order.

The compiled pack is shared with the worker processes by forking after it is loaded, so each
worker starts at once; cases travel in chunks of plain data and come back as JSON text.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from datetime import date

from openmdt.cases import CaseInput
from openmdt.engine.batch import evaluate_records
from openmdt.knowledge import Pack

CHUNK = 400
PARALLEL_FROM = 2_000  # fewer cases than this are not worth starting processes for

_pack: Pack | None = None
_as_of: date | None = None


def default_jobs(cases: int) -> int:
    """How many processes to use for this many cases: one per CPU, for long files only."""
    if cases < PARALLEL_FROM or multiprocessing.get_start_method(allow_none=True) == "spawn":
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _evaluate_chunk(chunk: Sequence[CaseInput]) -> list[tuple[str, bool]]:
    return [(outcome.to_json(), outcome.evaluation is None)
            for outcome in evaluate_records(chunk, _pack, _as_of, explain=True)]


def _chunks(records: Sequence[CaseInput]) -> Iterator[Sequence[CaseInput]]:
    for start in range(0, len(records), CHUNK):
        yield records[start:start + CHUNK]


def evaluate_in_parallel(records: Sequence[CaseInput], pack: Pack | None, as_of: date | None,
                         jobs: int) -> Iterator[tuple[str, bool]]:
    """(JSON line, rejected) for each record, in input order, using ``jobs`` processes."""
    global _pack, _as_of
    if jobs <= 1:
        for outcome in evaluate_records(records, pack, as_of, explain=True):
            yield outcome.to_json(), outcome.evaluation is None
        return
    _pack, _as_of = pack, as_of
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs) as pool:
        for results in pool.imap(_evaluate_chunk, _chunks(records)):
            yield from results
