"""Engine benchmark: evaluate() in-process and `openmdt evaluate` on JSONL, beside a baseline.

Measures only; `bench/run.py` generates the cases, calls these functions and writes
bench/RESULTS.md. Every pass runs on the same cases in the same process, so the engine's
times and the hand-written baseline's times (bench/baseline.py) are directly comparable.
"""

from __future__ import annotations

import cProfile
import pstats
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bench.baseline import baseline_evaluate, is_complete_m0
from bench.baseline_full import full_baseline

from openmdt.engine import evaluate
from openmdt.engine.plan import forget_remembered
from openmdt.knowledge import Pack
from openmdt.synth import write_jsonl

DECISION_ID = "localised_treatment"
MAX_LISTED_DISAGREEMENTS = 20

Case = Mapping[str, Any]


# Timing -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Timing:
    """Per-case times of one pass over the cases, in microseconds, and the pass's total."""

    label: str
    cases: int
    total_s: float
    median_us: float
    p99_us: float
    mean_us: float
    max_us: float
    cpu_s: float = 0.0

    @property
    def cases_per_s(self) -> float:
        return self.cases / self.total_s if self.total_s else float("inf")


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (fraction 0.5 is the median)."""
    if not ordered:
        raise ValueError("no values")
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def summarise(label: str, times_ns: Sequence[int], total_s: float, cpu_s: float = 0.0
              ) -> Timing:
    """Median, p99, mean and maximum of per-case times given in nanoseconds."""
    ordered = sorted(times_ns)
    micro = 1e-3
    return Timing(label, len(ordered), total_s, percentile(ordered, 0.5) * micro,
                  percentile(ordered, 0.99) * micro, sum(ordered) / len(ordered) * micro,
                  ordered[-1] * micro, cpu_s)


def time_each(label: str, run: Callable[[Case], object], cases: Sequence[Case]) -> Timing:
    """Time ``run`` on every case with perf_counter_ns; the total is the whole loop's time.

    The loop's CPU time is kept too: on a shared machine, wall time well above CPU time
    means the pass waited for a core.
    """
    clock = time.perf_counter_ns
    times: list[int] = []
    append = times.append
    cpu_start = time.process_time()
    loop_start = clock()
    for case in cases:
        start = clock()
        run(case)
        append(clock() - start)
    total_s = (clock() - loop_start) / 1e9
    return summarise(label, times, total_s, time.process_time() - cpu_start)


def time_each_forgetting(label: str, pack: Pack, run: Callable[[Case], object],
                         cases: Sequence[Case]) -> Timing:
    """Like time_each, but everything the engine remembers is dropped before each case (not
    timed): what a case costs when its pattern has not been seen before."""
    clock = time.perf_counter_ns
    times: list[int] = []
    cpu_s = 0.0
    for case in cases:
        forget_remembered(pack)
        cpu_start = time.process_time()
        start = clock()
        run(case)
        times.append(clock() - start)
        cpu_s += time.process_time() - cpu_start
    return summarise(label, times, sum(times) / 1e9, cpu_s)


@dataclass(frozen=True)
class InProcess:
    """The in-process passes: engine (as used, and with nothing remembered), with to_dict()
    and to_json(), the two hand-written baselines and the bare timer."""

    engine: Timing
    engine_to_dict: Timing
    engine_to_json: Timing
    engine_forgetting: Timing
    baseline: Timing
    full_baseline: Timing
    timer: Timing
    patterns: int  # distinct settled patterns (kernel values and unknowns) among the cases
    explained_patterns: int  # the same with every argument computed (as JSON output needs)

    @property
    def median_ratio(self) -> float:
        return self.engine.median_us / self.baseline.median_us

    @property
    def total_ratio(self) -> float:
        return self.engine.total_s / self.baseline.total_s

    @property
    def full_median_ratio(self) -> float:
        return self.engine.median_us / self.full_baseline.median_us

    @property
    def full_total_ratio(self) -> float:
        return self.engine.total_s / self.full_baseline.total_s


FORGETTING_CASES = 10_000  # the pass that forgets everything first is slow: a sample


def measure_in_process(pack: Pack, cases: Sequence[Case], as_of: date) -> InProcess:
    """Time evaluate() (also with to_dict(), to_json() and with nothing remembered), both
    baselines and an empty call on every case."""
    engine = time_each("evaluate()", lambda case: evaluate(pack, case, as_of), cases)
    return InProcess(
        engine=engine,
        engine_to_dict=time_each("evaluate().to_dict()",
                                 lambda case: evaluate(pack, case, as_of).to_dict(), cases),
        engine_to_json=time_each("evaluate(explain=True).to_json()",
                                 lambda case: evaluate(pack, case, as_of, explain=True).to_json(),
                                 cases),
        engine_forgetting=time_each_forgetting(
            f"evaluate(), nothing remembered ({min(len(cases), FORGETTING_CASES):,} cases)",
            pack, lambda case: evaluate(pack, case, as_of), cases[:FORGETTING_CASES]),
        baseline=time_each("baseline (CPG + 1 decision)", baseline_evaluate, cases),
        full_baseline=time_each("full baseline (CPG + 8 decisions)",
                                lambda case: full_baseline(case, as_of=as_of), cases),
        timer=time_each("empty call", lambda case: None, cases),
        patterns=count_patterns(pack, cases, as_of, explain=False),
        explained_patterns=count_patterns(pack, cases, as_of, explain=True),
    )


def count_patterns(pack: Pack, cases: Sequence[Case], as_of: date, explain: bool) -> int:
    """How many distinct settled results the cases share (each is remembered once)."""
    return len({id(evaluate(pack, case, as_of, explain=explain).settled) for case in cases})


# Agreement --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Disagreement:
    """One complete M0 case on which the engine and the baseline differ."""

    case_id: str
    facts: dict[str, Any]
    engine_cpg: Any
    baseline_cpg: int | None
    engine_status: str
    engine_recommended: tuple[str, ...]
    baseline_recommended: tuple[str, ...] | None


@dataclass
class Agreement:
    """How often the engine and the baseline give the same CPG and recommended set."""

    cpg_compared: int = 0
    cpg_agreed: int = 0
    complete_m0: int = 0
    complete_m0_applicable: int = 0
    agreed: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)
    disagreement_count: int = 0
    full_compared: int = 0  # (case, decision) pairs the full baseline decides
    full_agreed: int = 0

    @property
    def rate(self) -> float:
        return self.agreed / self.complete_m0 if self.complete_m0 else 1.0

    @property
    def cpg_rate(self) -> float:
        return self.cpg_agreed / self.cpg_compared if self.cpg_compared else 1.0


_SHOWN_FACTS = ("pathway_point", "psa", "grade_group", "gleason_primary", "gleason_secondary",
                "t_stage", "n_stage", "m_stage", "fit_for_radical_treatment",
                "declines_radical_treatment", "active_surveillance_unacceptable",
                "biopsy_done", "prior_radical_treatment", "biochemical_relapse",
                "castration_resistant")


def _localised_decision(evaluation: Any) -> Any:
    for decision in evaluation.decisions:
        if decision.decision.id == DECISION_ID:
            return decision
    raise LookupError(f"the pack has no decision {DECISION_ID!r}; the baseline mirrors it")


def compare_case(pack: Pack, case: Case, as_of: date, agreement: Agreement) -> None:
    """Evaluate one case with both and count it (CPG always; the set for complete M0 cases)."""
    evaluation = evaluate(pack, case, as_of)
    baseline_cpg, baseline_set = baseline_evaluate(case)
    engine_cpg = evaluation.derived.get("cpg")
    if baseline_cpg is not None:
        agreement.cpg_compared += 1
        agreement.cpg_agreed += engine_cpg == baseline_cpg
    if not is_complete_m0(case["facts"]):
        return
    decision = _localised_decision(evaluation)
    agreement.complete_m0 += 1
    agreement.complete_m0_applicable += decision.applies is True
    same = (baseline_set is not None and decision.status != "provisional"
            and set(decision.recommended) == set(baseline_set) and engine_cpg == baseline_cpg)
    if same:
        agreement.agreed += 1
        return
    agreement.disagreement_count += 1
    if len(agreement.disagreements) < MAX_LISTED_DISAGREEMENTS:
        facts = {k: case["facts"][k] for k in _SHOWN_FACTS if k in case["facts"]}
        agreement.disagreements.append(Disagreement(
            str(case["case_id"]), facts, engine_cpg, baseline_cpg, decision.status,
            tuple(decision.recommended), baseline_set))


def check_agreement(pack: Pack, cases: Sequence[Case], as_of: date) -> Agreement:
    """Compare engine and both baselines on every case; also the benchmark's warm-up pass."""
    agreement = Agreement()
    for case in cases:
        compare_case(pack, case, as_of, agreement)
        compare_full(pack, case, as_of, agreement)
    return agreement


def compare_full(pack: Pack, case: Case, as_of: date, agreement: Agreement) -> None:
    """Every decision the full baseline decides (complete data) must match the engine's."""
    evaluation = evaluate(pack, case, as_of)
    _, decided = full_baseline(case, as_of=as_of)
    for result in evaluation.decisions:
        mine = decided[result.decision.id]
        if mine is None:
            continue
        agreement.full_compared += 1
        if result.status != "provisional" and tuple(result.recommended) == mine:
            agreement.full_agreed += 1
        else:
            agreement.disagreement_count += 1
            if len(agreement.disagreements) < MAX_LISTED_DISAGREEMENTS:
                agreement.disagreements.append(Disagreement(
                    f"{case['case_id']} ({result.decision.id})", dict(case["facts"]),
                    evaluation.derived.get("cpg"), None, result.status,
                    tuple(result.recommended), mine))


# The command line -------------------------------------------------------------------------

@dataclass(frozen=True)
class CliTiming:
    """`openmdt evaluate FILE` as a subprocess: wall time for all cases, and start-up alone."""

    cases: int
    wall_s: float
    startup_s: float
    startup_runs: int
    exit_code: int
    cpu_s: float = 0.0
    startup_cpu_s: float = 0.0
    two_jobs_wall_s: float = 0.0  # the same file with --jobs 2
    two_jobs_cpu_s: float = 0.0

    @property
    def cases_per_s(self) -> float:
        return self.cases / self.wall_s

    @property
    def cases_per_s_after_startup(self) -> float:
        return self.cases / max(self.wall_s - self.startup_s, 1e-9)


def openmdt_command() -> list[str]:
    """The installed `openmdt` script beside this Python, else the one on PATH."""
    beside = Path(sys.executable).with_name("openmdt")
    found = str(beside) if beside.exists() else shutil.which("openmdt")
    if found is None:
        raise FileNotFoundError("no `openmdt` command: install the project (pip install -e .)")
    return [found]


def write_cases(cases: Sequence[Case], path: Path) -> Path:
    """Write the cases as JSON Lines (the CLI's input)."""
    with path.open("w", encoding="utf-8") as stream:
        write_jsonl(cases, stream)
    return path


def evaluate_args(jsonl: Path, pack_ref: str, as_of: date, jobs: int = 1) -> list[str]:
    arguments = ["evaluate", str(jsonl), "--pack", pack_ref, "--as-of", as_of.isoformat()]
    return arguments if jobs == 1 else [*arguments, "--jobs", str(jobs)]


@dataclass(frozen=True)
class CliRun:
    """One `openmdt evaluate` process: wall seconds, CPU seconds (user + system), status."""

    wall_s: float
    cpu_s: float
    exit_code: int


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_cli(command: list[str], jsonl: Path, pack_ref: str, as_of: date, jobs: int = 1
            ) -> CliRun:
    """Run `openmdt evaluate` with output to /dev/null and time it."""
    cpu_start = _children_cpu_s()
    start = time.perf_counter()
    done = subprocess.run([*command, *evaluate_args(jsonl, pack_ref, as_of, jobs)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1 = some case rejected; anything else is a failure
        raise RuntimeError(f"openmdt evaluate failed ({done.returncode}): "
                           f"{done.stderr.decode(errors='replace')[-2000:]}")
    return CliRun(wall, _children_cpu_s() - cpu_start, done.returncode)


def measure_cli(cases: Sequence[Case], pack_ref: str, as_of: date, workdir: Path,
                startup_runs: int) -> CliTiming:
    """Start-up time (median over 1-case runs) and the wall time for the whole file."""
    command = openmdt_command()
    one = write_cases(cases[:1], workdir / "one-case.jsonl")
    startups = sorted((run_cli(command, one, pack_ref, as_of) for _ in range(startup_runs)),
                      key=lambda r: r.wall_s)
    every = write_cases(cases, workdir / "cases.jsonl")
    whole = run_cli(command, every, pack_ref, as_of)
    two_jobs = run_cli(command, every, pack_ref, as_of, jobs=2)
    startup = percentile(startups, 0.5)
    return CliTiming(len(cases), whole.wall_s, startup.wall_s, startup_runs, whole.exit_code,
                     whole.cpu_s, startup.cpu_s, two_jobs.wall_s, two_jobs.cpu_s)


# Profiles ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class HotSpot:
    """One function's share of a profile, per case."""

    function: str
    calls_per_case: float
    own_us_per_case: float
    cumulative_us_per_case: float
    own_share: float


@dataclass(frozen=True)
class Profile:
    """The top functions of a cProfile run by own time and by cumulative time."""

    label: str
    cases: int
    profiled_us_per_case: float
    by_own_time: list[HotSpot]
    by_cumulative: list[HotSpot]


def _function_name(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    for marker in ("/src/", "/site-packages/", "/lib/python3.11/"):
        if marker in filename:
            return f"{filename.split(marker, 1)[1]}:{line} {name}"
    return name if filename == "~" else f"{Path(filename).name}:{line} {name}"


def summarise_profile(label: str, stats: pstats.Stats, cases: int, top: int) -> Profile:
    """Turn raw cProfile stats into per-case hot spots (openmdt code first for cumulative)."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = stats.total_tt  # type: ignore[attr-defined]
    spots = [HotSpot(_function_name(key), calls / cases, own / cases * 1e6,
                     cumulative / cases * 1e6, own / total if total else 0.0)
             for key, (_, calls, own, cumulative, _) in raw.items()]
    by_own = sorted(spots, key=lambda s: s.own_us_per_case, reverse=True)[:top]
    ours = [s for s in spots if s.function.startswith("openmdt/")]
    by_cumulative = sorted(ours, key=lambda s: s.cumulative_us_per_case, reverse=True)[:top]
    return Profile(label, cases, total / cases * 1e6, by_own, by_cumulative)


def profile_engine(pack: Pack, cases: Sequence[Case], as_of: date, top: int) -> Profile:
    """cProfile of evaluate() over the cases (cProfile slows small functions the most)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for case in cases:
        evaluate(pack, case, as_of)
    profiler.disable()
    return summarise_profile("evaluate()", pstats.Stats(profiler), len(cases), top)


def profile_cli(cases: Sequence[Case], pack_ref: str, as_of: date, workdir: Path,
                top: int) -> Profile:
    """cProfile of the whole `openmdt evaluate` process on a JSONL file of the cases."""
    jsonl = write_cases(cases, workdir / "profiled-cases.jsonl")
    output = workdir / "cli.prof"
    command = [sys.executable, "-m", "cProfile", "-o", str(output), *openmdt_command()]
    done = subprocess.run([*command, *evaluate_args(jsonl, pack_ref, as_of)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    if not output.exists():
        raise RuntimeError(f"profiling the CLI failed ({done.returncode}): "
                           f"{done.stderr.decode(errors='replace')[-2000:]}")
    return summarise_profile("openmdt evaluate", pstats.Stats(str(output)), len(cases), top)
