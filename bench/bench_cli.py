"""Start-up of the command line: `openmdt --help` and a one-case `openmdt evaluate`.

Each command runs as a child process (as a user runs it) `--runs` times; the table gives the
median and the fastest wall time. In the same run, for comparison:

- **main branch**: the same commands with `PYTHONPATH` at another source tree (`--baseline-src`,
  e.g. /work/main/src, the code before lazy imports and the pack cache);
- **cache off**: this tree with `OPENMDT_PACK_CACHE=off` (lazy imports only);
- **cache on**: this tree with a warm pack cache in a temporary folder.

    .venv/bin/python bench/bench_cli.py --baseline-src /work/main/src

Targets (issue 10): `--help` under 0.3 s, a one-case evaluate under 0.6 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = "import sys; from openmdt.cli import main; sys.argv[0] = 'openmdt'; main()"
TARGETS = {"`openmdt --help`": 0.3, "`openmdt evaluate` (one case)": 0.6}


def _case_file(folder: Path) -> Path:
    from openmdt.synth import generate_prostate_list

    path = folder / "one-case.json"
    path.write_text(json.dumps(generate_prostate_list(1, seed=5)[0], default=str),
                    encoding="utf-8")
    return path


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(args: list[str], env: dict[str, str], runs: int) -> tuple[float, float, float]:
    """Median and fastest wall time, and median CPU time (user + system) of the child:
    on a busy machine the wall time waits for a core, the CPU time does not."""
    times, cpu = [], []
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), _cpu_of_children()
        done = subprocess.run([sys.executable, "-c", ENTRY, *args], env=env,
                              capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        cpu.append(_cpu_of_children() - cpu_start)
        if done.returncode != 0:
            raise SystemExit(f"{args} failed: {done.stderr.decode()[-500:]}")
    return statistics.median(times), min(times), statistics.median(cpu)


def _variants(src: Path, baseline: Path | None, cache: Path) -> dict[str, dict[str, str]]:
    base = {k: v for k, v in os.environ.items() if k != "OPENMDT_PACK_CACHE"}
    variants = {}
    if baseline is not None:
        variants["main branch"] = {**base, "PYTHONPATH": str(baseline),
                                   "OPENMDT_PACK_CACHE": "off"}
    variants["cache off"] = {**base, "PYTHONPATH": str(src), "OPENMDT_PACK_CACHE": "off"}
    variants["cache on (warm)"] = {**base, "PYTHONPATH": str(src),
                                   "OPENMDT_PACK_CACHE": str(cache)}
    return variants


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline-src", type=Path, default=None)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        case = _case_file(Path(folder))
        cache = Path(folder) / "pack-cache"
        commands = {"`openmdt --help`": ["--help"],
                    "`openmdt evaluate` (one case)": ["evaluate", str(case)]}
        variants = _variants(ROOT / "src", options.baseline_src, cache)
        _time(commands["`openmdt evaluate` (one case)"], variants["cache on (warm)"], 1)  # warm
        load = os.getloadavg()
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
              f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}, {options.runs} runs each\n")
        print("| Command | " + " | ".join(variants) + " | Target |")
        print("|---|" + "---:|" * len(variants) + "---:|")
        for name, args in commands.items():
            cells = [f"{m:.2f} s (min {f:.2f}; CPU {c:.2f})" for m, f, c in
                     (_time(args, env, options.runs) for env in variants.values())]
            print(f"| {name} | " + " | ".join(cells)
                  + f" | < {TARGETS[name]} s |")


if __name__ == "__main__":
    main()
