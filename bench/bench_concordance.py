"""The concordance audit against `openmdt evaluate` on the same synthetic cases, per case.

    .venv/bin/python bench/bench_concordance.py --cases 100000

A synthetic history (`openmdt synth history prostate`, seed 2026) is written as the historic
file, and its meeting-list columns alone as the input of `openmdt evaluate` (the outcome
columns would be unknown items there). The commands run as child processes, one after the
other in the same run; wall and CPU time (the child's user + system) are recorded. The
target (issue 11): the audit is not slower per case than `openmdt evaluate`. No assertions:
see bench/RESULTS.md.

The audit evaluates each row at its own meeting date (ages, intervals and the exact status
depend on it), so `openmdt evaluate --as-of` one fixed date does different work on the same
rows. The like-for-like baseline is therefore `openmdt evaluate`'s own code path
(`cli.cases._write_json_lines`, JSON to /dev/null) run once per meeting date on that date's
rows, in one child process (start-up paid once, as the audit pays it); the fixed-date run is
kept for reference.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUTCOME_COLUMNS = {"organisation", "meeting_date", "mdt_decision", "deviation_code",
                   "panel_decision", "referring_team"}


def write_inputs(folder: Path, cases: int) -> tuple[Path, Path, int]:
    """The historic file and the meeting list of the same rows; returns the row count."""
    from openmdt.knowledge import load_pack
    from openmdt.synth.history import HISTORY_COLUMNS, generate_prostate_history

    history = generate_prostate_history(load_pack("prostate-nice-ng131"), cases, 2026,
                                        concordance=0.9, deviation_rate=0.5)
    historic, listing = folder / "historic.csv", folder / "list.csv"
    with historic.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=HISTORY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(history.rows)
    columns = [c for c in HISTORY_COLUMNS if c not in OUTCOME_COLUMNS]
    with listing.open("w", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        # evaluate refuses a repeated case_id: a relisted case gets a suffix there
        seen: set[str] = set()
        for row in history.rows:
            case_id = row["case_id"] + ("-2" if row["case_id"] in seen else "")
            seen.add(row["case_id"])
            writer.writerow([case_id if c == "case_id" else row[c] for c in columns])
    with (folder / "dates.txt").open("w") as stream:
        stream.writelines(f"{row['meeting_date']}\n" for row in history.rows)
    return historic, listing, len(history.rows)


def evaluate_by_date(listing: Path, dates: Path) -> None:
    """``openmdt evaluate``'s JSON path over the list, each row at its meeting date (the
    child process of the like-for-like baseline)."""
    from datetime import date

    from openmdt.cli.cases import _write_json_lines
    from openmdt.cli.support import InputText
    from openmdt.knowledge import load_pack

    pack = load_pack("prostate-nice-ng131")
    header, *lines = listing.read_text().splitlines()
    by_date: dict[str, list[str]] = {}
    for line, day in zip(lines, dates.read_text().split(), strict=True):
        by_date.setdefault(day, []).append(line)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the rest of the process writes here
    for day, rows in by_date.items():
        text = "\n".join([header, *rows]) + "\n"
        _write_json_lines(InputText(text, "csv", str(listing)), pack, date.fromisoformat(day),
                          1)


def timed(args: list[str]) -> dict[str, float]:
    """Run a command; its wall time and the CPU time it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--evaluate-by-date", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.evaluate_by_date:
        evaluate_by_date(*args.evaluate_by_date)
        return
    openmdt = [sys.executable, "-m", "openmdt.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        historic, listing, rows = write_inputs(folder, args.cases)
        generated = time.perf_counter() - started
        load = os.getloadavg()
        evaluate = timed([sys.executable, __file__, "--evaluate-by-date", str(listing),
                          str(folder / "dates.txt")])
        fixed = timed([*openmdt, "evaluate", str(listing), "--as-of", "2025-06-01"])
        audit = timed([*openmdt, "report", "concordance", str(historic), "--format", "json",
                       "-o", str(folder / "audit.json")])
        load_after = os.getloadavg()
    print(f"rows {rows} (cases {args.cases}); generated in {generated:.1f} s, not timed")
    print(f"load average {load[0]:.2f} at the start, {load_after[0]:.2f} at the end")
    for name, t in (("openmdt evaluate, each row at its meeting date", evaluate),
                    ("openmdt evaluate --as-of 2025-06-01 (other work)", fixed),
                    ("openmdt report concordance", audit)):
        print(f"{name}: wall {t['wall']:.1f} s ({t['wall'] / rows * 1e3:.3f} ms/case), "
              f"CPU {t['cpu']:.1f} s ({t['cpu'] / rows * 1e3:.3f} ms/case)")
    print(f"audit / evaluate per case: wall {audit['wall'] / evaluate['wall']:.2f}x, "
          f"CPU {audit['cpu'] / evaluate['cpu']:.2f}x")


if __name__ == "__main__":
    main()
