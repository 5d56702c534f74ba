"""Evaluating a whole meeting list: each case with its pack; one bad case never stops others."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from openmdt.cases.errors import CaseError
from openmdt.cases.readers import CaseInput
from openmdt.engine.evaluate import Detail, Evaluation, evaluate
from openmdt.knowledge import Pack, PackLoadError, pack_for_site


@dataclass(frozen=True)
class CaseOutcome:
    """One input case and either its evaluation or the error that stopped it."""

    record: CaseInput
    evaluation: Evaluation | None
    error: CaseError | None

    def to_json(self, detail: Detail = "full") -> str:
        """One line of compact JSON: the evaluation, or the error with its input line."""
        if self.evaluation is not None:
            return self.evaluation.to_json(detail)
        from openmdt.engine.jsonout import dumps

        return dumps(self.to_dict())

    def to_dict(self, detail: Detail = "full") -> dict:
        if self.evaluation is not None:
            return self.evaluation.to_dict(detail)
        assert self.error is not None
        return {"case_id": self.record.case_id, "line": self.record.line,
                "error": self.error.to_dict()}


class PackChooser:
    """Picks each case's pack: the one given, else the default pack of the case's site."""

    def __init__(self, pack: Pack | None) -> None:
        self.pack = pack
        self._by_site: dict[str, Pack | None] = {}

    def choose(self, site: object, case_id: str | None) -> Pack:
        if self.pack is not None:
            return self.pack
        if not site:
            if "" not in self._by_site:  # looked up once per list, not per case
                self._by_site[""] = _only_base_pack()
            only = self._by_site[""]
            if only is not None:
                return only  # one guideline shipped: a list without a site column means it
            raise CaseError("no_pack", f"case {case_id}: the case has no site; give --pack",
                            path="site", case_id=case_id)
        site = str(site)
        if site not in self._by_site:
            try:
                self._by_site[site] = pack_for_site(site)
            except (LookupError, PackLoadError) as exc:
                raise CaseError("unknown_site", f"case {case_id}: {exc}", path="site",
                                case_id=case_id, value=site) from None
        return self._by_site[site]


def _only_base_pack() -> Pack | None:
    """The shipped base pack when there is exactly one (overlays do not count), else None."""
    from openmdt.knowledge import load_pack, shipped_pack_ids

    bases = []
    for pack_id in shipped_pack_ids():
        try:
            pack = load_pack(pack_id)
        except PackLoadError:
            continue
        if pack.base is None:
            bases.append(pack)
    return bases[0] if len(bases) == 1 else None


def evaluate_records(records: Iterable[CaseInput], pack: Pack | None, as_of: date | None,
                     *, explain: bool = False) -> Iterator[CaseOutcome]:
    """Evaluate each readable case, in input order (``explain``: see engine.evaluate)."""
    chooser = PackChooser(pack)
    for record in records:
        if record.error is not None or record.data is None:
            yield CaseOutcome(record, None, record.error)
            continue
        try:
            case_pack = chooser.choose(record.data.get("site"), record.case_id)
            evaluation = evaluate(case_pack, record.data, as_of=as_of, explain=explain)
            yield CaseOutcome(record, evaluation, None)
        except CaseError as exc:
            yield CaseOutcome(record, None, exc.at(line=record.line))
