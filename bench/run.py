"""Run the engine benchmark and rewrite the engine section of bench/RESULTS.md.

    .venv/bin/python bench/run.py [--n 100000] [--quick] [--date YYYY-MM-DD] [--output FILE]

Generates synthetic prostate cases (seed fixed; not timed), times evaluate() in-process
against the hand-written baseline on the same cases, checks that they agree, times
`openmdt evaluate FILE` as a subprocess, and profiles both. Only the text between the engine
markers in the results file is replaced; every other section (e.g. "## Web and API") is kept.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/run.py` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

from bench.bench_engine import (  # noqa: E402
    Agreement,
    CliTiming,
    HotSpot,
    InProcess,
    Profile,
    Timing,
    check_agreement,
    measure_cli,
    measure_in_process,
    profile_cli,
    profile_engine,
)

from openmdt.knowledge import Pack, PackLoadError, load_pack  # noqa: E402
from openmdt.knowledge.source_files import resolve_pack_dir  # noqa: E402
from openmdt.synth import generate_prostate_list  # noqa: E402

PACK = "prostate-nice-ng131"
SEED = 20261127
AS_OF = date(2026, 11, 27)
DEFAULT_N = 100_000
QUICK_N = 2_000
IN_PROCESS_TARGET = 3.0  # engine within 3x of the hand-written function
CLI_TARGET = 10_000  # cases per second through `openmdt evaluate`
START = "<!-- engine-benchmark:start (written by bench/run.py; do not edit by hand) -->"
END = "<!-- engine-benchmark:end -->"
TITLE = "# OpenMDT benchmarks\n"
RESULTS = ROOT / "bench" / "RESULTS.md"


@dataclass(frozen=True)
class RunInfo:
    """Where, when and on what the benchmark ran."""

    date: str
    cases: int
    seed: int
    quick: bool
    pack: dict[str, str]
    generation_s: float
    machine: str
    load: str
    commit: str
    load_end: str = ""


@dataclass(frozen=True)
class Results:
    """Everything one benchmark run measured."""

    run: RunInfo
    in_process: InProcess
    agreement: Agreement
    cli: CliTiming
    engine_profile: Profile
    cli_profile: Profile


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=None, help=f"cases (default {DEFAULT_N:,})")
    parser.add_argument("--quick", action="store_true",
                        help=f"a short run ({QUICK_N:,} cases, fewer repeats) to try the code")
    parser.add_argument("--date", default=os.environ.get("OPENMDT_BENCH_DATE"),
                        help="date stamped on the results (default $OPENMDT_BENCH_DATE, "
                             "else today)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="results file to update")
    parser.add_argument("--print-only", action="store_true",
                        help="print the engine section instead of writing the results file")
    return parser.parse_args(argv)


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                              check=False)
    except OSError:
        return ""
    return done.stdout.strip()


def _commit() -> str:
    """The commit, saying so when src/ has uncommitted changes (others work in this tree)."""
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" + uncommitted changes in src/" if _git("status", "--porcelain", "src")
                     else "")


def _machine() -> str:
    return (f"{os.cpu_count()} CPU cores ({platform.machine()}, {platform.processor() or 'cpu'}"
            f"), Python {platform.python_version()}, {platform.system()} {platform.release()}")


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def _progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def snapshot_pack(workdir: Path, attempts: int = 5, wait_s: float = 30) -> tuple[Path, Pack]:
    """Copy the shipped pack and load the copy, so every pass (and the CLI) uses one content.

    The pack may be mid-edit in a shared work tree; a copy that does not load is retried.
    """
    source = resolve_pack_dir(PACK)
    if source is None:
        raise SystemExit(f"no shipped pack {PACK!r}")
    target = workdir / PACK
    for attempt in range(1, attempts + 1):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
        try:
            return target, load_pack(target)
        except PackLoadError as exc:
            if attempt == attempts:
                raise
            _progress(f"pack does not load ({exc}); retrying in {wait_s:g} s")
            time.sleep(wait_s)
    raise AssertionError("unreachable")


def run_benchmark(n: int, quick: bool, stamp: str) -> Results:
    """Generate the cases and take every measurement; progress goes to standard error."""
    _progress(f"generating {n:,} synthetic prostate cases (seed {SEED})")
    start = time.perf_counter()
    cases = generate_prostate_list(n, seed=SEED, as_of=AS_OF)
    generation_s = time.perf_counter() - start
    profiled = cases[: min(n, 2_000 if quick else 20_000)]
    with tempfile.TemporaryDirectory(prefix="openmdt-bench-") as tmp:
        workdir = Path(tmp)
        pack_dir, pack = snapshot_pack(workdir)  # compiled once; every evaluation shares it
        info = RunInfo(stamp, n, SEED, quick, pack.reference, generation_s, _machine(),
                       _load(), _commit())
        _progress("agreement check (also the warm-up)")
        agreement = check_agreement(pack, cases, AS_OF)
        _progress("in-process timing: evaluate(), evaluate().to_dict(), baseline")
        in_process = measure_in_process(pack, cases, AS_OF)
        _progress("command line: start-up and the whole file")
        cli = measure_cli(cases, str(pack_dir), AS_OF, workdir, startup_runs=1 if quick else 5)
        _progress(f"profiling evaluate() and the command line on {len(profiled):,} cases")
        engine_profile = profile_engine(pack, profiled, AS_OF, top=15)
        cli_profile = profile_cli(profiled, str(pack_dir), AS_OF, workdir, top=15)
    info = replace(info, load_end=_load())
    return Results(info, in_process, agreement, cli, engine_profile, cli_profile)


# Rendering --------------------------------------------------------------------------------

def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def _verdict(met: bool) -> str:
    return "**yes**" if met else "**no**"


def _run_header(run: RunInfo) -> list[str]:
    pack = run.pack
    kind = "Quick run (not for comparison)" if run.quick else "Full run"
    return [
        "## Engine", "",
        f"{kind} of {run.date}: {run.cases:,} synthetic prostate cases "
        f"(`generate_prostate_list`, seed {run.seed}, as_of {AS_OF.isoformat()}; generated in "
        f"{_fmt(run.generation_s)} s, not timed), pack `{pack['id']}` {pack['version']} "
        f"(`{pack['hash'][:19]}…`), commit `{run.commit}`. The pack folder is copied once at "
        "the start, so every pass and the command line use the same pack.", "",
        f"Machine: {run.machine}; load average (1/5/15 min) {run.load} at the start and "
        f"{run.load_end} at the end. The machine is shared with other engineers' test runs, so "
        "figures can be noisy; compare CPU with wall time below.", "",
    ]


def _targets(results: Results) -> list[str]:
    timing, cli = results.in_process, results.cli
    ratio, full = timing.median_ratio, timing.full_median_ratio
    return [
        "### Targets", "",
        "| Target | Measured | Met? |", "|---|---|---|",
        f"| In-process `evaluate()` within {IN_PROCESS_TARGET:g}x of the hand-written function: "
        "the one-decision yardstick (`bench/baseline.py`: CPG and `localised_treatment`) "
        f"| {_fmt(ratio)}x (median per case), {_fmt(timing.total_ratio)}x (total) "
        f"| {_verdict(ratio <= IN_PROCESS_TARGET)} |",
        f"| The same, against the full yardstick (`bench/baseline_full.py`: CPG and the "
        f"recommended sets of all eight decisions, as `evaluate()` computes them) "
        f"| {_fmt(full)}x (median per case), {_fmt(timing.full_total_ratio)}x (total) "
        f"| {_verdict(full <= IN_PROCESS_TARGET)} |",
        f"| `openmdt evaluate FILE` at {CLI_TARGET:,} cases/s or more "
        f"| {_fmt(cli.cases_per_s, 0)} cases/s ({_fmt(cli.cases_per_s_after_startup, 0)} "
        f"without start-up) | {_verdict(cli.cases_per_s >= CLI_TARGET)} |", "",
    ]


def _timing_row(timing: Timing) -> str:
    return (f"| {timing.label} | {_fmt(timing.median_us, 2)} | {_fmt(timing.p99_us, 2)} "
            f"| {_fmt(timing.mean_us, 2)} | {_fmt(timing.max_us, 0)} | {_fmt(timing.total_s, 2)} "
            f"| {_fmt(timing.cpu_s, 2)} | {_fmt(timing.cases_per_s, 0)} |")


def _in_process(timing: InProcess) -> list[str]:
    to_dict = timing.engine_to_dict.median_us - timing.engine.median_us
    return [
        "### In-process, per case", "",
        "Per-case times in microseconds; total (wall) and CPU in seconds for the whole pass, "
        "timer included. CPU well below wall means the pass waited for a core.", "",
        "| Pass | median | p99 | mean | max | total s | CPU s | cases/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *(_timing_row(t) for t in (timing.engine, timing.engine_to_dict, timing.engine_to_json,
                                   timing.engine_forgetting, timing.baseline,
                                   timing.full_baseline, timing.timer)), "",
        f"- `evaluate()` / one-decision baseline: **{_fmt(timing.median_ratio)}x** on the "
        f"median, {_fmt(timing.total_ratio)}x on the total.",
        f"- `evaluate()` / full baseline: **{_fmt(timing.full_median_ratio)}x** on the median, "
        f"{_fmt(timing.full_total_ratio)}x on the total.",
        f"- Decisions and triage are a pure function of the kernel's values and of which names "
        f"are unknown, and are remembered by them: the {timing.engine.cases:,} cases have "
        f"{timing.patterns:,} distinct patterns ({timing.explained_patterns:,} with every "
        "argument computed, as the JSON output needs). The row \"nothing remembered\" drops every "
        "remembered result before each case (not timed): the cost of a case whose pattern is "
        "new, as for the first cases after start-up.",
        f"- `evaluate().to_dict()` / baseline: "
        f"{_fmt(timing.engine_to_dict.median_us / timing.baseline.median_us)}x on the median; "
        f"`to_dict()` adds about {_fmt(to_dict)} µs per case (difference of medians).",
        "- The empty timed call is the cost of the timer and the call itself, included in every "
        "row; it matters only for the baseline.", "",
    ]


def _percent(part: int, whole: int) -> str:
    return f"{part:,}/{whole:,} ({100 * part / whole:.2f}%)" if whole else "0/0"


def _disagreement_rows(agreement: Agreement) -> list[str]:
    if not agreement.disagreements:
        return ["No disagreements.", ""]
    rows = ["| case | facts | CPG engine / baseline | engine (status) | baseline |",
            "|---|---|---|---|---|"]
    for d in agreement.disagreements:
        facts = ", ".join(f"{k}={v}" for k, v in d.facts.items())
        rows.append(f"| {d.case_id} | {facts} | {d.engine_cpg} / {d.baseline_cpg} "
                    f"| {', '.join(d.engine_recommended) or '-'} ({d.engine_status}) "
                    f"| {', '.join(d.baseline_recommended or ()) or '-'} |")
    shown = len(agreement.disagreements)
    if agreement.disagreement_count > shown:
        rows.append(f"\n{agreement.disagreement_count - shown:,} more not listed.")
    return [*rows, ""]


def _agreement(agreement: Agreement) -> list[str]:
    return [
        "### Engine and baseline agree?", "",
        f"- CPG, on every case with PSA, grade and an assessed T stage: "
        f"{_percent(agreement.cpg_agreed, agreement.cpg_compared)} agree.",
        f"- Recommended set of `localised_treatment` (and the CPG), on every complete M0 case "
        f"(PSA, grade, assessed T stage, fitness and pathway point recorded, and for a new "
        f"diagnosis the N stage and the person's wishes; the decision applies to "
        f"{agreement.complete_m0_applicable:,} of them, the rest are not newly diagnosed): "
        f"**{_percent(agreement.agreed, agreement.complete_m0)}** agree.",
        f"- Full baseline: every (case, decision) whose data it finds complete enough to decide "
        f"(not applicable counts as decided): "
        f"**{_percent(agreement.full_agreed, agreement.full_compared)}** agree.", "",
        *_disagreement_rows(agreement),
    ]


def _cli(cli: CliTiming) -> list[str]:
    return [
        "### Command line: `openmdt evaluate FILE --pack ... --as-of ... > /dev/null`", "",
        "| Measure | Value |", "|---|---:|",
        f"| Start-up, 1-case file (median of {cli.startup_runs} runs), wall / CPU | "
        f"{_fmt(cli.startup_s, 2)} s / {_fmt(cli.startup_cpu_s, 2)} s |",
        f"| {cli.cases:,} cases, wall / CPU | {_fmt(cli.wall_s, 1)} s / {_fmt(cli.cpu_s, 1)} s |",
        f"| Cases per second (wall) | {_fmt(cli.cases_per_s, 0)} |",
        f"| Cases per second without start-up | {_fmt(cli.cases_per_s_after_startup, 0)} |",
        f"| Per case, without start-up | "
        f"{_fmt(1e6 / cli.cases_per_s_after_startup, 1)} µs |",
        f"| Cases per CPU second without start-up | "
        f"{_fmt(cli.cases / max(cli.cpu_s - cli.startup_cpu_s, 1e-9), 0)} |",
        f"| Exit status | {cli.exit_code} |",
        f"| With `--jobs 2`: wall / CPU (all processes) | {_fmt(cli.two_jobs_wall_s, 1)} s / "
        f"{_fmt(cli.two_jobs_cpu_s, 1)} s ({_fmt(cli.cases / cli.two_jobs_wall_s, 0)} cases/s) |",
        "",
    ]


def _spot_rows(spots: list[HotSpot]) -> list[str]:
    rows = ["| Function | calls/case | own µs/case | cumulative µs/case | share of own time |",
            "|---|---:|---:|---:|---:|"]
    rows += [f"| `{s.function}` | {_fmt(s.calls_per_case, 1)} | {_fmt(s.own_us_per_case, 1)} "
             f"| {_fmt(s.cumulative_us_per_case, 1)} | {100 * s.own_share:.1f}% |"
             for s in spots]
    return [*rows, ""]


def _profile(profile: Profile) -> list[str]:
    return [
        f"#### {profile.label}: {profile.cases:,} cases, "
        f"{_fmt(profile.profiled_us_per_case)} µs per case under the profiler", "",
        "Top functions by own time:", "", *_spot_rows(profile.by_own_time),
        "Top OpenMDT functions by cumulative time:", "", *_spot_rows(profile.by_cumulative),
    ]


def _method() -> list[str]:
    return [
        "### Method", "",
        "- Cases: `generate_prostate_list(n, seed)` with the synthetic case mix (new diagnoses, "
        "pre-biopsy MRI, relapse, castration-resistant; about 14% lack one triage item). "
        "Generation is not timed.",
        "- In-process: the pack is loaded (compiled) once; `evaluate(pack, case, as_of)` gets "
        "the raw case dict, so validation against the data dictionary is included. Each call is "
        "timed with `time.perf_counter_ns`; p99 is the nearest-rank 99th percentile. A first "
        "untimed pass over all cases (the agreement check) warms up. The garbage collector stays "
        "on, as in real use.",
        "- Baselines: plain functions on the same raw case, mirroring the pack for complete "
        "data. `bench/baseline.py` computes the CPG (NG131 table 1) and the recommended set of "
        "`localised_treatment` only; `bench/baseline_full.py` computes the CPG and the "
        "recommended sets of all eight decisions (the derived facts they need by hand; an "
        "absent item is unknown, as the pack has a default only for significant comorbidity, "
        "and the pathway point fills in castration status, relapse and previous radical "
        "treatment). Neither validates the facts, weighs unknown data, "
        "explains, or triages, as `evaluate()` does.",
        "- Command line: the cases are written as JSONL to a temporary file; `openmdt evaluate "
        "FILE --pack <copy of prostate-nice-ng131> --as-of 2026-11-27` runs as a subprocess "
        "with output to /dev/null; start-up is measured on a 1-case file.",
        "- Profiles: cProfile (pyinstrument is not installed); it adds overhead to every Python "
        "call, so profiled times are larger than the timings above and favour spotting "
        "call-heavy code.", "",
    ]


def render_section(results: Results) -> str:
    """The engine section of RESULTS.md, in Markdown."""
    lines = [*_run_header(results.run), *_targets(results), *_in_process(results.in_process),
             *_agreement(results.agreement), *_cli(results.cli),
             "### Where the time goes (cProfile)", "", *_profile(results.engine_profile),
             *_profile(results.cli_profile), *_method()]
    return "\n".join(lines)


# Results file -----------------------------------------------------------------------------

def replace_section(old: str, section: str) -> str:
    """The results file with the engine section replaced (or added); all else unchanged."""
    block = f"{START}\n{section.rstrip()}\n{END}"
    if START in old and END in old:
        head, rest = old.split(START, 1)
        return head + block + rest.split(END, 1)[1]
    if not old.strip():
        return f"{TITLE}\n{block}\n\n## Web and API\n\nSee bench/RESULTS-api.md.\n"
    first, newline, rest = old.partition("\n")
    if first.startswith("# "):  # keep the title first, the engine section right below it
        return f"{first}\n\n{block}\n\n{rest.lstrip()}"
    return f"{block}\n\n{old}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write (or print) the engine section."""
    args = _parse(argv)
    n = args.n if args.n is not None else (QUICK_N if args.quick else DEFAULT_N)
    stamp = args.date or date.today().isoformat()  # the script, not the library, reads the clock
    results = run_benchmark(n, args.quick, stamp)
    section = render_section(results)
    if args.print_only:
        print(section)
        return 0
    old = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    args.output.write_text(replace_section(old, section), encoding="utf-8")
    _progress(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
