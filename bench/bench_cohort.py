"""Cohort engines on generated Parquet cases, and `--detail summary` against `full`.

    .venv/bin/python bench/bench_cohort.py [--sizes 1000000 10000000] [--spark 1000000]
        [--detail-cases 100000] [--memory-limit 3GB] [--results FILE]

One run, in this order: `openmdt evaluate --detail full|summary` on ``--detail-cases`` JSONL
cases; then per size in ``--sizes`` DuckDB and the Python backend on the same Parquet file;
then Spark local on ``--spark`` cases. Each run is its own process: wall and CPU seconds and
peak resident memory come from the operating system (``wait4``); for Spark, whose JVM is a
child of the driver, the resident memory of the whole process tree is sampled as well. Every
result is appended to ``--results`` (JSON lines) as soon as it is measured, so a long run that
is stopped keeps what it did. No assertions: see bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

AS_OF = date(2026, 11, 27)
POOL = 20_000  # distinct synthetic cases, repeated with new ids
PACK = "prostate-nice-ng131"


def make_input(path: Path, cases: int) -> None:
    """Synthetic prostate cases (a pool of 20,000 repeated with new ids) as Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from openmdt.synth import generate_prostate_list

    pool = generate_prostate_list(min(cases, POOL), 2026)
    rows = [{"case_id": c["case_id"], **c["facts"]} for c in pool]
    base = pa.Table.from_pylist(rows)
    with pq.ParquetWriter(path, base.schema) as writer:
        for start in range(0, cases, len(rows)):
            part = base.slice(0, min(len(rows), cases - start))
            ids = pa.array([f"C{start + i:09d}" for i in range(part.num_rows)])
            writer.write_table(part.set_column(0, "case_id", ids))


def make_jsonl(path: Path, cases: int) -> None:
    from openmdt.synth import generate_prostate_list

    with path.open("w", encoding="utf-8") as out:
        for case in generate_prostate_list(cases, 9):
            out.write(json.dumps(case) + "\n")


def _process_tree(root: int) -> dict[int, tuple[int, float]]:
    """``root`` and its descendants (Linux /proc): pid -> (resident bytes, CPU seconds)."""
    parents: dict[int, int] = {}
    figures: dict[int, tuple[int, float]] = {}
    page, ticks = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        figures[int(entry)] = (int(fields[21]) * page,
                               (int(fields[11]) + int(fields[12])) / ticks)
    tree: dict[int, tuple[int, float]] = {}
    pending = [root]
    while pending:
        pid = pending.pop()
        if pid in figures:
            tree[pid] = figures[pid]
        pending.extend(p for p, parent in parents.items() if parent == pid)
    return tree


class TreeSampler(threading.Thread):
    """Samples the process tree twice a second: peak resident memory (MB) of the whole tree
    and CPU seconds of each process (the JVM of Spark is a child that is not waited for)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0.0
        self.cpu: dict[int, float] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.5):
            self.sample()

    def sample(self) -> None:
        tree = _process_tree(os.getpid())
        self.peak = max(self.peak, sum(rss for rss, _ in tree.values()) / 2**20)
        for pid, (_, cpu) in tree.items():
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu)


def run_engine(engine: str, source: Path, output: Path, memory_limit: str | None
               ) -> dict[str, Any]:
    from openmdt.backends.run import write_cohort
    from openmdt.knowledge import load_pack

    pack = load_pack(PACK)
    sampler = TreeSampler()
    sampler.start()
    started = time.perf_counter()
    options: dict[str, Any] = {"master": "local[*]"} if engine == "spark" else {
        "memory_limit": memory_limit}
    result = write_cohort(pack, str(source), output, AS_OF, engine, **options)
    seconds = time.perf_counter() - started
    sampler.stopped.set()
    sampler.sample()
    return {"cases": result.cases, "seconds": seconds, "patterns": result.patterns or 0,
            "tree_peak_rss_mb": sampler.peak, "tree_cpu_s": sum(sampler.cpu.values())}


def _run(command: list[str], stdout: Any) -> dict[str, float]:
    """Run a command to completion with wait4, for its resource usage."""
    with tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if status != 0:
            errors.seek(0)
            raise RuntimeError(f"{command} exited with {status}: {errors.read()[-3000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024}


def engine_child(engine: str, source: Path, output: Path, memory_limit: str | None
                 ) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", engine, str(source), str(output)]
    if memory_limit:
        command += ["--memory-limit", memory_limit]
    with tempfile.TemporaryFile("w+") as out:
        figures = _run(command, out)
        out.seek(0)
        inner = json.loads(out.read().strip().splitlines()[-1])
    inner.update(figures)
    inner["cases_per_s"] = inner["cases"] / inner["seconds"]
    inner["cases_per_cpu_s"] = inner["cases"] / figures["cpu_s"]
    output.unlink(missing_ok=True)
    return inner


def detail_run(source: Path, detail: str, folder: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "openmdt.cli", "evaluate", str(source), "--pack", PACK,
               "--as-of", AS_OF.isoformat(), "--detail", detail]
    target = folder / f"out_{detail}.jsonl"
    with target.open("w") as out:
        figures = _run(command, out)
    figures["output_mb"] = target.stat().st_size / 2**20
    target.unlink()
    return figures


_RECORDING = threading.Lock()


def record(results: Path, name: str, figures: dict[str, Any]) -> None:
    line = {"run": name, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "load": os.getloadavg(), **figures}
    with _RECORDING:
        print(json.dumps(line), flush=True)
        with results.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000, 10_000_000])
    parser.add_argument("--python-sizes", type=int, nargs="*", default=None,
                        help="sizes the Python backend runs (default: all of --sizes)")
    parser.add_argument("--spark", type=int, default=1_000_000, help="0: no Spark run")
    parser.add_argument("--detail-cases", type=int, default=100_000, help="0: no detail run")
    parser.add_argument("--memory-limit", default=None, help="DuckDB's, for every size")
    parser.add_argument("--parallel", action="store_true",
                        help="run every measurement at once (on a machine shared with other "
                             "work, CPU seconds are then the comparable figure)")
    parser.add_argument("--results", type=Path, default=Path("bench_cohort_results.jsonl"))
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        engine, source, output = args.child
        print(json.dumps(run_engine(engine, Path(source), Path(output), args.memory_limit)))
        return
    python_sizes = args.sizes if args.python_sizes is None else args.python_sizes
    from concurrent.futures import Future, ThreadPoolExecutor

    with tempfile.TemporaryDirectory() as name, ThreadPoolExecutor(max_workers=16) as pool:
        folder = Path(name)
        running: list[tuple[str, Future[dict[str, Any]]]] = []

        def start(run: str, job: Any) -> None:
            """Run now (serial), or in the background as soon as its input exists."""
            if args.parallel:
                future = pool.submit(job)
                future.add_done_callback(lambda f: record(args.results, run, f.result()))
                running.append((run, future))
            else:
                record(args.results, run, job())

        if args.detail_cases:
            cases = folder / "cases.jsonl"
            make_jsonl(cases, args.detail_cases)
            for detail in ("full", "summary"):
                start(f"evaluate --detail {detail} {args.detail_cases}",
                      lambda d=detail: _detail(cases, d, folder, args.detail_cases))
        for size in sorted({*args.sizes, *([args.spark] if args.spark else [])}):
            source = folder / f"cases_{size}.parquet"
            make_input(source, size)
            for engine in ("duckdb", "python", "spark"):
                wanted = {"duckdb": size in args.sizes, "python": size in python_sizes,
                          "spark": size == args.spark}[engine]
                if wanted:
                    output = folder / f"out_{engine}_{size}.parquet"
                    start(f"cohort {engine} {size}",
                          lambda e=engine, s=source, o=output: engine_child(
                              e, s, o, args.memory_limit))
        for _, future in running:
            future.result()


def _detail(cases: Path, detail: str, folder: Path, count: int) -> dict[str, Any]:
    figures = detail_run(cases, detail, folder)
    figures["cases_per_s"] = count / figures["wall_s"]
    figures["cases_per_cpu_s"] = count / figures["cpu_s"]
    return figures


if __name__ == "__main__":
    main()
