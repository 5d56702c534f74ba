"""Evaluating a long JSONL case file on several processes, output still in input order.

The compiled pack is shared with the worker processes by forking after it is loaded, so each
worker starts at once. The parent only cuts the file into numbered chunks of lines; each
worker reads its chunk's cases, evaluates them and, when its chunk's turn comes, writes the
JSON lines straight to standard output. The parent never parses a case nor copies the (large)
output, so it is never the bottleneck.

A repeated case_id must be reported exactly as in one process (the first use wins, wherever
it is in the file): at its turn a worker first reads the case_ids written so far from a
shared log, marks its own repeats, then adds its case_ids to the log.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice
from typing import Any

from openmdt.cases import CaseInput
from openmdt.cases.readers import mark_duplicate, read_jsonl_lines
from openmdt.engine.batch import evaluate_records
from openmdt.engine.evaluate import Detail
from openmdt.knowledge import Pack

CHUNK = 64  # lines per task
CHUNK_TIMEOUT_S = 300  # far longer than any chunk takes (a few ms)
PARALLEL_FROM = 2_000  # fewer cases than this are not worth starting processes for
_IOV_MAX = 512  # buffers per writev call (Linux allows 1,024)

Task = tuple[int, int, list[str]]  # (chunk number, number of its first line, its lines)


def default_jobs(cases: int) -> int:
    """How many processes to use for this many cases: one per CPU, for long files only."""
    if cases < PARALLEL_FROM or multiprocessing.get_start_method(allow_none=True) == "spawn":
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def json_lines(records: Iterable[CaseInput], pack: Pack | None, as_of: date | None,
               detail: Detail = "full") -> Iterator[tuple[str, bool]]:
    """(JSON line without its newline, rejected) for each record, in this process. A summary
    shows nothing of a decision that does not apply, so its arguments are never computed."""
    explain = detail == "full"
    for outcome in evaluate_records(records, pack, as_of, explain=explain):
        yield outcome.to_json(detail), outcome.evaluation is None


class _Shared:
    """What the workers inherit from the parent when they are forked."""

    pack: Pack | None = None
    as_of: date | None = None
    detail: Detail = "full"
    source = "<input>"
    output_fd = 1
    turn: Any = None  # multiprocessing.Value: the chunk whose turn it is to write
    turn_changed: Any = None  # multiprocessing.Condition guarding turn
    log_fd = -1  # the case_ids written so far: one JSON [case_id, line] per line


class _Worker:
    """Per worker process: the case_ids it has read from the shared log so far."""

    seen: dict[str, int] = {}
    log_offset = 0


def _tasks(lines: list[str], size: int) -> Iterator[Task]:
    numbered = iter(lines)
    number, first = 0, 1
    while chunk := list(islice(numbered, size)):
        yield number, first, chunk
        number, first = number + 1, first + len(chunk)


def _write_all(fd: int, blocks: list[bytes]) -> None:
    """Write every block, in order (several per system call; a pipe may take part of one)."""
    pending = [memoryview(block) for block in blocks]
    while pending:
        written = os.writev(fd, pending[:_IOV_MAX])
        while pending and written >= len(pending[0]):
            written -= len(pending.pop(0))
        if written:
            pending[0] = pending[0][written:]


def _catch_up() -> None:
    """Read the case_ids that other chunks have logged since this worker last looked."""
    size = os.fstat(_Shared.log_fd).st_size
    if size > _Worker.log_offset:
        data = os.pread(_Shared.log_fd, size - _Worker.log_offset, _Worker.log_offset)
        _Worker.log_offset = size
        for entry in data.decode().splitlines():
            case_id, line = json.loads(entry)
            _Worker.seen.setdefault(case_id, line)


def _settle_repeats(records: list[CaseInput], texts: list[tuple[str, bool]]
                    ) -> list[tuple[str, bool]]:
    """At the chunk's turn: replace the output of repeated case_ids by their error, log the
    new case_ids (the records are in input order, so the first use wins as in one process)."""
    _catch_up()
    entries, result = [], []
    for record, (text, rejected) in zip(records, texts, strict=True):
        marked = mark_duplicate(record, _Worker.seen)
        if marked is not record:
            text, rejected = next(json_lines([marked], _Shared.pack, _Shared.as_of,
                                             _Shared.detail))
        elif record.error is None and record.case_id is not None:
            entries.append(json.dumps([record.case_id, record.line]) + "\n")
        result.append((text, rejected))
    if entries:
        os.write(_Shared.log_fd, "".join(entries).encode())
        _Worker.log_offset = os.fstat(_Shared.log_fd).st_size
    return result


def _evaluate_and_write(task: Task) -> bool:
    """In a worker: evaluate a chunk, write it when its turn comes; whether any was rejected.

    Each case's line is its own buffer (about 31 KB): joining a chunk into one large buffer
    would cost a fresh memory mapping, and its page faults, per chunk.
    """
    number, first, lines = task
    records = list(read_jsonl_lines(lines, first, _Shared.source))
    texts = list(json_lines(records, _Shared.pack, _Shared.as_of, _Shared.detail))
    with _Shared.turn_changed:
        _Shared.turn_changed.wait_for(lambda: _Shared.turn.value == number)
        try:
            texts = _settle_repeats(records, texts)
            _write_all(_Shared.output_fd, [(text + "\n").encode() for text, _ in texts])
        finally:
            _Shared.turn.value = number + 1
            _Shared.turn_changed.notify_all()
    return any(rejected for _, rejected in texts)


def evaluate_jsonl_in_parallel(text: str, source: str, pack: Pack | None, as_of: date | None,
                               jobs: int, fd: int, detail: Detail = "full") -> bool:
    """Evaluate the cases of a JSONL text on ``jobs`` worker processes, which write the JSON
    lines to the file descriptor ``fd`` in input order; whether any case was rejected."""
    context = multiprocessing.get_context("fork")
    with tempfile.TemporaryFile() as log:
        _Shared.pack, _Shared.as_of, _Shared.source, _Shared.output_fd = pack, as_of, source, fd
        _Shared.detail = detail
        _Shared.turn = context.Value("q", 0, lock=False)
        _Shared.turn_changed = context.Condition()
        _Shared.log_fd = log.fileno()
        rejected = False
        with context.Pool(jobs) as pool:
            lines = text.removeprefix("\ufeff").splitlines()
            results = pool.imap(_evaluate_and_write, _tasks(lines, CHUNK))
            while (bad := _next_result(results)) is not None:
                rejected |= bad
    return rejected


def _next_result(results: Any) -> bool | None:
    """The next chunk's result, None after the last; a worker that died (killed, out of
    memory) would otherwise leave the others waiting for its turn for ever."""
    try:
        return results.next(timeout=CHUNK_TIMEOUT_S)
    except StopIteration:
        return None
    except multiprocessing.TimeoutError:
        raise RuntimeError(f"no worker finished a chunk of {CHUNK} cases in "
                           f"{CHUNK_TIMEOUT_S} s; a worker process may have been killed "
                           "(try again, or without --jobs)") from None
