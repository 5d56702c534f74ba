"""DuckDB vs the Python backend on generated cases from Parquet: cases/s and peak RSS.

    .venv/bin/python bench/bench_cohort.py --cases 1000000 [--python-cases 20000]

Each engine runs in its own process (peak RSS is per process). The Python backend is timed
on ``--python-cases`` rows of the same file (its throughput does not depend on the size);
the ratio is of throughputs measured in the same run. No assertions: see bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

AS_OF = date(2026, 11, 27)


def make_input(path: Path, cases: int) -> None:
    """Synthetic prostate cases (a pool of 20,000 repeated with new ids) as Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from openmdt.synth import generate_prostate_list

    pool = generate_prostate_list(min(cases, 20_000), 2026)
    rows = [{"case_id": c["case_id"], **c["facts"]} for c in pool]
    base = pa.Table.from_pylist(rows)
    with pq.ParquetWriter(path, base.schema) as writer:
        for start in range(0, cases, len(rows)):
            part = base.slice(0, min(len(rows), cases - start))
            ids = pa.array([f"C{start + i:09d}" for i in range(part.num_rows)])
            writer.write_table(part.set_column(0, "case_id", ids))


def run_engine(engine: str, source: Path, output: Path) -> dict[str, float]:
    from openmdt.backends.run import write_cohort
    from openmdt.knowledge import load_pack

    pack = load_pack("prostate-nice-ng131")
    started = time.perf_counter()
    result = write_cohort(pack, str(source), output, AS_OF, engine)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"cases": result.cases, "seconds": seconds, "cases_per_s": result.cases / seconds,
            "peak_rss_mb": peak, "patterns": result.patterns or 0}


def _child(engine: str, source: Path, output: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", engine, str(source), str(output)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--python-cases", type=int, default=20_000)
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        engine, source, output = args.child
        print(json.dumps(run_engine(engine, Path(source), Path(output))))
        return
    with tempfile.TemporaryDirectory() as folder:
        big, small = Path(folder) / "cases.parquet", Path(folder) / "python.parquet"
        make_input(big, args.cases)
        make_input(small, args.python_cases)
        duck = _child("duckdb", big, Path(folder) / "out_duckdb.parquet")
        python = _child("python", small, Path(folder) / "out_python.parquet")
    print(f"duckdb: {duck}\npython: {python}")
    print(f"ratio (cases/s): {duck['cases_per_s'] / python['cases_per_s']:.0f}x")


if __name__ == "__main__":
    main()
