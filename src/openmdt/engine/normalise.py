"""Normalise and validate a case's facts against the pack's data dictionary."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from openmdt.cases.errors import CaseError
from openmdt.engine.plan import EnginePlan, engine_plan
from openmdt.knowledge.model import DataItem, Pack
from openmdt.knowledge.values import FactProblem


class Case(NamedTuple):
    """A validated case: known facts only, each converted to its item's type (immutable)."""

    case_id: str
    site: str | None
    facts: Mapping[str, Any]
    patient: Mapping[str, Any] = MappingProxyType({})


def _fact_error(case_id: str, item: DataItem, value: Any, problem: FactProblem) -> CaseError:
    hint = ""
    if problem.code == "value_not_allowed" and isinstance(value, str):
        from openmdt.knowledge.checks import did_you_mean  # error path only: not at start-up

        close = did_you_mean(value, item.values or ())
        hint = f"; {close}" if close else ""
    message = (f"case {case_id}: {item.name} = {value!r} {problem.reason}: allowed "
               f"{item.allowed()}{hint}")
    return CaseError(problem.code, message, path=f"facts.{item.name}", case_id=case_id,
                     item=item.name, value=value, allowed=item.allowed())


def normalise_facts(pack: Pack, case_id: str, facts: Mapping[str, Any],
                    plan: EnginePlan | None = None) -> dict[str, Any]:
    """Known facts converted to their types; the first bad fact raises CaseError.

    A value already of its item's type and within its allowed values is taken as it is
    (the usual case for JSON input); anything else goes through the item's converter.
    """
    result: dict[str, Any] = {}
    plan = plan or engine_plan(pack)
    ready, converters = plan.ready_values, plan.converters
    for name, value in facts.items():
        accepts = ready.get(name)
        kind = type(value)
        if accepts is not None:
            if kind is str or kind is bool:
                if accepts[0] and kind is str and value in accepts[0] or (
                        accepts[1] and kind is bool):
                    result[name] = value
                    continue
            elif (kind is int or (kind is float and accepts[4])) and accepts[2] <= value \
                    <= accepts[3]:
                result[name] = value
                continue
        convert = converters.get(name)
        if convert is None:
            from openmdt.knowledge.checks import did_you_mean

            close = did_you_mean(name, pack.items)
            raise CaseError("unknown_item", f"case {case_id}: {name!r} is not an item of pack "
                            f"{pack.id}" + (f"; {close}" if close else ""),
                            path=f"facts.{name}", case_id=case_id, item=name, value=value,
                            allowed="an item of the data dictionary")
        if value is None or (kind is str and not value.strip()):
            continue  # unknown: an empty cell or a JSON null
        try:
            result[name] = convert(value)
        except FactProblem as problem:
            raise _fact_error(case_id, pack.items[name], value, problem) from None
    return result


def validate_case(pack: Pack, data: Mapping[str, Any], plan: EnginePlan | None = None) -> Case:
    """A validated Case from raw case data ({case_id, site, patient, facts})."""
    if type(data) is not dict and not isinstance(data, Mapping):
        raise CaseError("wrong_shape", "a case is an object with case_id and facts", path="$")
    case_id = data.get("case_id")
    if case_id is not None and type(case_id) is not str:
        case_id = str(case_id)
    if case_id is None or not case_id.strip():
        raise CaseError("missing_case_id", "the case has no case_id", path="case_id")
    if len(data) > 2 and not CASE_FIELDS.issuperset(data):
        _refuse_unknown_fields(pack, case_id, data)
    facts = data.get("facts", {})
    if type(facts) is not dict and not isinstance(facts, Mapping):
        raise CaseError("wrong_shape", f"case {case_id}: facts must be an object", path="facts",
                        case_id=case_id)
    patient = data.get("patient") or {}
    site = data.get("site")
    site = site if site is None or type(site) is str else str(site)
    _check_site(pack, case_id, site)
    return Case(case_id, site,
                normalise_facts(pack, case_id, facts, plan),
                dict(patient) if isinstance(patient, Mapping) else {})


# The fields of a case record; facts go under "facts" (readers.py, the import API).
CASE_FIELDS = frozenset({"case_id", "site", "patient", "facts", "pathway", "columns"})


def _refuse_unknown_fields(pack: Pack, case_id: str, data: Mapping[str, Any]) -> None:
    """A field a case record does not have is refused, never dropped: a fact given beside
    "facts" rather than in it would otherwise be read as missing."""
    name = sorted(str(k) for k in data if k not in CASE_FIELDS)[0]
    hint = (f'; facts go under "facts", e.g. {{"facts": {{"{name}": ...}}}}'
            if name in pack.items else "")
    raise CaseError("unknown_field", f"case {case_id}: {name!r} is not a field of a case "
                    f"record{hint}", path=name, case_id=case_id,
                    allowed=", ".join(sorted(CASE_FIELDS)))


def _check_site(pack: Pack, case_id: str, site: str | None) -> None:
    """A case that names its tumour site is evaluated only by a pack for that site: it is
    never read as another site's case (an empty site leaves the choice to the caller)."""
    if site and site.strip() and pack.site and site.strip() != pack.site:
        raise CaseError("site_mismatch", f"case {case_id}: the case is for site {site!r}, but "
                        f"pack {pack.id} is for site {pack.site!r}; use a {pack.site} list or a "
                        f"pack for {site!r}", path="site", case_id=case_id, value=site,
                        allowed=pack.site)
