"""Evaluating the cases of a FHIR input: one service for the CLI, the API and CDS Hooks.

A fact the record gives two different values for is a conflict: the latest is used (as the
FHIR reader reports), but a Standard of Care never rests on it, so such a case goes to full
discussion with the conflict as its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from openmdt.cases.errors import CaseError
from openmdt.cases.readers import CaseInput
from openmdt.engine.batch import CaseOutcome, evaluate_records
from openmdt.engine.evaluate import Detail, Evaluation
from openmdt.engine.triage import Triage
from openmdt.interop.fhir_in import FhirCase, FhirRead, NotMapped, read_fhir_cases
from openmdt.knowledge import Pack, PackLoadError, load_pack, shipped_pack_ids


@dataclass(frozen=True)
class FhirOutcome:
    """One patient's evaluation (or error) with the report of how the case was read."""

    outcome: CaseOutcome
    fhir: FhirCase | None

    @property
    def evaluation(self) -> Evaluation | None:
        return self.outcome.evaluation

    def to_dict(self, detail: Detail = "full") -> dict[str, Any]:
        result = self.outcome.to_dict(detail)
        if self.fhir is not None:
            result["fhir"] = self.fhir.report()
        return result


@dataclass(frozen=True)
class FhirEvaluation:
    """Every patient's outcome, the resources about no patient, and input errors."""

    outcomes: list[FhirOutcome]
    not_mapped: list[NotMapped]
    errors: list[CaseError]

    @property
    def case_outcomes(self) -> list[CaseOutcome]:
        return [o.outcome for o in self.outcomes]


def base_packs() -> list[Pack]:
    """The shipped base packs (a FHIR record picks the one whose primary cancer it has)."""
    packs = []
    for pack_id in shipped_pack_ids():
        try:
            pack = load_pack(pack_id)
        except PackLoadError:
            continue
        if pack.base is None and pack.fhir is not None:
            packs.append(pack)
    return packs


def read_with_packs(text: str | dict[str, Any], pack: Pack | None, as_of: date, source: str
                    ) -> tuple[list[tuple[FhirCase, Pack | None]], FhirRead]:
    """Each patient's case, read with ``pack``, or else with the shipped pack whose primary
    cancer the record has (None when no pack's is there)."""
    if pack is not None:
        read = read_fhir_cases(text, pack, as_of, source)
        return [(case, pack) for case in read.cases], read
    reads = [(candidate, read_fhir_cases(text, candidate, as_of, source))
             for candidate in base_packs()]
    if not reads:
        raise CaseError("no_pack", "no shipped pack reads FHIR; give --pack", path="site")
    chosen: dict[str, tuple[FhirCase, Pack | None]] = {}
    for candidate, read in reads:
        for case in read.cases:
            if case.case_id not in chosen or (case.primary_cancer
                                              and chosen[case.case_id][1] is None):
                chosen[case.case_id] = (case, candidate if case.primary_cancer else None)
    return list(chosen.values()), _read_of_chosen(reads, chosen)


def _read_of_chosen(reads: list[tuple[Pack, FhirRead]],
                    chosen: dict[str, tuple[FhirCase, Pack | None]]) -> FhirRead:
    """The errors and unread resources of the reading(s) whose pack a case follows: each pack
    validates the resources it could read a fact from, so an invalid resource is reported by
    the pack that reads it (all packs' findings when no case found its pack)."""
    used = [read for candidate, read in reads
            if any(case_pack is candidate for _, case_pack in chosen.values())]
    used = used or [read for _, read in reads]
    if len(used) == 1:
        return used[0]
    errors = {(e.code, e.message): e for read in used for e in read.errors}
    loose = {n.reference: n for read in used for n in read.not_mapped}
    return FhirRead(used[0].cases, list(loose.values()), list(errors.values()),
                    used[0].resources)


def evaluate_fhir(text: str | dict[str, Any], pack: Pack | None, as_of: date,
                  source: str = "<input>") -> FhirEvaluation:
    """Read a FHIR input and evaluate each patient's case."""
    cases, read = read_with_packs(text, pack, as_of, source)
    outcomes = []
    for index, (case, case_pack) in enumerate(cases, start=1):
        record = CaseInput(index, case.case_id, case.data)
        if case_pack is None:
            error = CaseError("no_pack", f"case {case.case_id}: no shipped pack's primary "
                              "cancer is in the record; give --pack", path="site",
                              case_id=case.case_id)
            outcomes.append(FhirOutcome(CaseOutcome(record, None, error), case))
            continue
        [outcome] = evaluate_records([record], case_pack, as_of)
        if outcome.evaluation is not None:
            outcome = replace(outcome, evaluation=discuss_conflicts(outcome.evaluation, case))
        outcomes.append(FhirOutcome(outcome, case))
    return FhirEvaluation(outcomes, read.not_mapped, read.errors)


def discuss_conflicts(evaluation: Evaluation, case: FhirCase) -> Evaluation:
    """The evaluation, sent to full discussion when it would follow a Standard of Care while
    the record gives conflicting values of an item (no Standard of Care rests on those)."""
    if not case.conflicts or evaluation.route != "standard_of_care":
        return evaluation
    reasons = [conflict.message(evaluation.pack) for conflict in case.conflicts]
    explained = evaluation.explained  # worked out (and remembered) on the original first
    triage = Triage("full_discussion", None, reasons + list(explained.triage.reasons), [],
                    evaluation.pack.minutes_per_case)
    settled = replace(explained, triage=triage, texts={}, open=False)
    return replace(evaluation, settled=settled)
