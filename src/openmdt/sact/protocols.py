"""Loading regimen protocols: YAML checked at load time, reported like pack diagnostics.

Every problem is kept (file, YAML path, line:column, stable code, hint) through the pack
loader's ``Reporter``; a protocol with an error is never returned.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from openmdt.knowledge.checks import Reporter, did_you_mean
from openmdt.knowledge.diagnostics import Diagnostic, PackLoadError
from openmdt.knowledge.yamlsource import LocatedDict, LocatedList, YamlProblem, load_located
from openmdt.sact.banding import TableLoadError, load_table, table_ids
from openmdt.sact.model import (
    ACTIONS,
    DOSE_UNITS,
    FREQUENCIES,
    ROUTES,
    TESTS,
    VINCA_ALKALOIDS,
    Band,
    Criterion,
    DoseLevel,
    Drug,
    Indication,
    Protocol,
    ProtocolTest,
    Source,
)
from openmdt.sact.quantities import decimal
from openmdt.sact.renal import WEIGHT_POLICIES

SHIPPED_PROTOCOLS = Path(__file__).resolve().parent / "protocols"
CONFIDENCE = ("C", "S", "local policy")
STATUSES = ("draft", "approved")
PROTOCOL_KEYS = {"id", "title", "version", "status", "site", "sources", "cycle_length_days",
                 "cycles", "cycles_source", "indications", "bsa_cap", "carboplatin_gfr_cap",
                 "weight_policy", "drugs", "criteria", "tests", "notes"}
DRUG_KEYS = {"drug", "dose", "unit", "route", "days", "frequency", "source", "infusion_minutes",
             "infusion_hours", "diluent", "volume_ml", "container", "banding",
             "not_banded_reason", "max_single_dose_mg", "max_single_dose_source", "dose_levels",
             "supportive"}
CRITERION_KEYS = {"test", "unit", "valid_days", "valid_days_source", "bands", "source"}
BAND_KEYS = {"at_least", "above", "below", "at_most", "action", "percent", "drugs"}
TEST_KEYS = {"name", "height_cm", "weight_kg", "creatinine_umol_l", "age", "sex",
             "bsa_formula", "expect_mg", "expect_banded_mg"}


def shipped_protocol_ids() -> list[str]:
    """Ids of the protocols shipped with OpenMDT, sorted."""
    return sorted(p.stem for p in SHIPPED_PROTOCOLS.glob("*.yaml"))


def resolve_protocol_file(ref: str | Path) -> Path | None:
    """The file of a protocol given as a path or a shipped id; None if there is none."""
    for candidate in (Path(ref), SHIPPED_PROTOCOLS / f"{ref}.yaml"):
        if candidate.is_file():
            return candidate
    return None


def check_protocol(ref: str | Path) -> tuple[Protocol | None, list[Diagnostic]]:
    """Load and check a protocol: the protocol (or None) and every diagnostic."""
    path = resolve_protocol_file(ref)
    if path is None:
        return None, [Diagnostic(str(ref), "", 1, 1, "protocol_not_found",
                                 f"no protocol file or shipped protocol named {str(ref)!r}",
                                 f"shipped protocols: {', '.join(shipped_protocol_ids())}")]
    try:
        node = load_located(path, _display(path))
    except YamlProblem as exc:
        p = exc.position
        return None, [Diagnostic(p.file, "", p.line, p.column, "invalid_yaml", exc.message)]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Diagnostic(_display(path), "", 1, 1, "unreadable_file", str(exc))]
    builder = _Builder(Reporter(), _display(path))
    protocol = builder.protocol(node)
    if protocol is None or builder.reporter.has_errors:
        return None, builder.reporter.diagnostics
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return _with(protocol, digest=digest), builder.reporter.diagnostics


def load_protocol(ref: str | Path) -> Protocol:
    """A checked protocol by shipped id or path; raises PackLoadError with every problem."""
    path = resolve_protocol_file(ref)
    if path is None:
        raise PackLoadError(str(ref), check_protocol(ref)[1])
    return _load_cached(str(path.resolve()), path.stat().st_mtime_ns)


@cache
def _load_cached(path: str, _mtime: int) -> Protocol:
    protocol, diagnostics = check_protocol(path)
    if protocol is None:
        raise PackLoadError(path, diagnostics)
    return protocol


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _with(protocol: Protocol, **changes: Any) -> Protocol:
    from dataclasses import replace

    return replace(protocol, **changes)


class _Builder:
    """Turns one located YAML document into a Protocol, reporting every problem."""

    def __init__(self, reporter: Reporter, file: str) -> None:
        self.reporter = reporter
        self.file = file

    def protocol(self, node: Any) -> Protocol | None:
        r = self.reporter
        if not isinstance(node, LocatedDict):
            r.report(node, None, "", "wrong_shape", "a protocol file must be a mapping")
            return None
        r.check_keys(node, "protocol", PROTOCOL_KEYS, required=(
            "id", "title", "version", "status", "site", "sources", "cycle_length_days",
            "cycles", "cycles_source", "drugs", "criteria"))
        self._choice(node, "status", "protocol", STATUSES)
        self._choice(node, "weight_policy", "protocol", WEIGHT_POLICIES, required=False)
        drugs = self._drugs(node)
        names = [d.drug for d in drugs]
        criteria = self._criteria(node, names)
        tests = self._tests(node, names)
        cap, cap_reason = self._bsa_cap(node)
        if r.has_errors:
            return None
        return Protocol(
            id=str(node["id"]), title=str(node["title"]), version=str(node["version"]),
            status=str(node["status"]), site=str(node["site"]),
            cycle_length_days=self._integer(node, "cycle_length_days", "protocol", 1) or 1,
            cycles=self._integer(node, "cycles", "protocol", 1) or 1,
            cycles_source=self._source(node, "cycles_source", "protocol"),
            drugs=tuple(drugs), criteria=tuple(criteria), sources=self._sources(node),
            indications=self._indications(node), bsa_cap_m2=cap, bsa_cap_reason=cap_reason,
            carboplatin_gfr_cap=self._number(node, "carboplatin_gfr_cap", "protocol"),
            weight_policy=str(node.get("weight_policy", "actual")), tests=tuple(tests),
            file=self.file, notes=tuple(str(n) for n in node.get("notes") or ()))

    # -- small readers -------------------------------------------------------------------
    def _choice(self, node: LocatedDict, key: str, path: str, allowed: tuple[str, ...],
                required: bool = True) -> str | None:
        value = node.get(key)
        if value is None and not required:
            return None
        if value not in allowed:
            self.reporter.report(node, key, f"{path}.{key}", f"unknown_{key}",
                                 f"{key} {value!r} is not allowed; allowed: "
                                 f"{', '.join(allowed)}", did_you_mean(str(value), allowed))
            return None
        return str(value)

    def _number(self, node: LocatedDict, key: str, path: str,
                positive: bool = True) -> Decimal | None:
        value = node.get(key)
        if value is None:
            return None
        try:
            number = decimal(value, key)
        except ValueError:
            self.reporter.report(node, key, f"{path}.{key}", "wrong_type",
                                 f"{key} must be a number, found {value!r}")
            return None
        if positive and number <= 0:
            self.reporter.report(node, key, f"{path}.{key}", "not_positive",
                                 f"{key} must be above 0, found {value!r}")
        return number

    def _integer(self, node: LocatedDict, key: str, path: str, low: int) -> int | None:
        value = node.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            if value is not None:
                self.reporter.report(node, key, f"{path}.{key}", "wrong_type",
                                     f"{key} must be a whole number of at least {low}, "
                                     f"found {value!r}")
            return None
        return value

    def _source(self, node: LocatedDict, key: str, path: str) -> Source:
        value = node.get(key)
        if isinstance(value, LocatedDict):
            self.reporter.check_keys(value, f"{path}.{key}", {"text", "confidence"},
                                     required=("text", "confidence"))
            confidence = value.get("confidence")
            if confidence not in CONFIDENCE:
                self.reporter.report(value, "confidence", f"{path}.{key}.confidence",
                                     "unknown_confidence",
                                     f"confidence {confidence!r} is not allowed; allowed: "
                                     f"{', '.join(CONFIDENCE)}",
                                     "C confirmed, S secondary (SACT notes); a rule no source "
                                     "gives is 'local policy'")
            return Source(str(value.get("text", "")), str(confidence))
        self.reporter.report(node, key if key in node else None, f"{path}.{key}",
                             "missing_source", f"{path} needs a {key} (text and confidence)",
                             "every rule cites its source")
        return Source("", "")

    def _sources(self, node: LocatedDict) -> tuple[Source, ...]:
        items = self.reporter.sequence(node, "sources", "protocol.sources", node.get("sources"))
        found = []
        for index, item in enumerate(items or []):
            holder = LocatedDict(items.where(index))
            holder["source"] = item
            holder.positions["source"] = items.where(index)
            found.append(self._source(holder, "source", f"protocol.sources[{index}]"))
        if items is not None and not found:
            self.reporter.report(node, "sources", "protocol.sources", "missing_source",
                                 "a protocol cites at least one source")
        return tuple(found)

    def _indications(self, node: LocatedDict) -> tuple[Indication, ...]:
        items = self.reporter.sequence(node, "indications", "protocol.indications",
                                       node.get("indications"))
        found = []
        for index, item in enumerate(items or []):
            path = f"protocol.indications[{index}]"
            if not isinstance(item, LocatedDict):
                self.reporter.report(items, index, path, "wrong_shape",
                                     "an indication is {pack, option}")
                continue
            self.reporter.check_keys(item, path, {"pack", "option"}, required=("pack", "option"))
            if "/" not in str(item.get("option", "")):
                self.reporter.report(item, "option", f"{path}.option", "wrong_option",
                                     "an option is written decision_id/option_id")
            found.append(Indication(str(item.get("pack")), str(item.get("option"))))
        return tuple(found)

    def _bsa_cap(self, node: LocatedDict) -> tuple[Decimal | None, str | None]:
        cap = node.get("bsa_cap")
        if cap is None:
            return None, None
        if not isinstance(cap, LocatedDict):
            self.reporter.report(node, "bsa_cap", "protocol.bsa_cap", "wrong_shape",
                                 "bsa_cap is {max_m2, reason}")
            return None, None
        self.reporter.check_keys(cap, "protocol.bsa_cap", {"max_m2", "reason"},
                                 required=("max_m2", "reason"))
        return self._number(cap, "max_m2", "protocol.bsa_cap"), str(cap.get("reason", ""))

    # -- drugs -----------------------------------------------------------------------------
    def _drugs(self, node: LocatedDict) -> list[Drug]:
        items = self.reporter.sequence(node, "drugs", "protocol.drugs", node.get("drugs"))
        drugs: list[Drug] = []
        for index, item in enumerate(items or []):
            path = f"protocol.drugs[{index}]"
            if not isinstance(item, LocatedDict):
                self.reporter.report(items, index, path, "wrong_shape", "a drug is a mapping")
                continue
            drug = self._drug(item, path)
            if drug is not None:
                if any((d.drug, d.infusion_hours, d.days) == (drug.drug, drug.infusion_hours,
                                                              drug.days) for d in drugs):
                    self.reporter.report(item, "drug", f"{path}.drug", "duplicate_drug",
                                         f"{drug.drug} is listed twice with the same schedule")
                drugs.append(drug)
        if items is not None and not drugs and not self.reporter.has_errors:
            self.reporter.report(node, "drugs", "protocol.drugs", "no_drugs",
                                 "a protocol has at least one drug")
        return drugs

    def _drug(self, node: LocatedDict, path: str) -> Drug | None:
        r = self.reporter
        r.check_keys(node, path, DRUG_KEYS, required=("drug", "dose", "unit", "route", "days",
                                                       "frequency", "source"))
        name = str(node.get("drug", ""))
        unit = self._choice(node, "unit", path, DOSE_UNITS)
        route = self._choice(node, "route", path, ROUTES)
        self._choice(node, "frequency", path, tuple(FREQUENCIES))
        self._route_rules(node, path, name, route)
        dose = self._number(node, "dose", path)
        days = self._days(node, path)
        banding = self._banding(node, path, name, unit)
        levels = self._dose_levels(node, path, dose)
        cap = self._number(node, "max_single_dose_mg", path)
        if name == "bleomycin" and unit not in ("IU", "IU/m2"):
            r.report(node, "unit", f"{path}.unit", "bleomycin_in_iu",
                     "bleomycin is prescribed in IU, never mg (SACT notes §4.1)")
        if dose is None or unit is None or route is None or not days:
            return None
        return Drug(
            drug=name, dose=dose, unit=unit, route=route, days=days,
            frequency=str(node["frequency"]), source=self._source(node, "source", path),
            infusion_minutes=self._integer(node, "infusion_minutes", path, 1),
            infusion_hours=self._number(node, "infusion_hours", path),
            diluent=_text(node.get("diluent")), volume_ml=self._number(node, "volume_ml", path),
            container=_text(node.get("container")), banding=banding,
            not_banded_reason=_text(node.get("not_banded_reason")), max_single_dose_mg=cap,
            max_single_dose_source=(self._source(node, "max_single_dose_source", path)
                                    if cap is not None else None),
            dose_levels=levels,
            supportive=bool(node.get("supportive", False)))

    def _route_rules(self, node: LocatedDict, path: str, name: str, route: str | None) -> None:
        """Vinca alkaloids: IV, in a minibag, never intrathecal or a syringe (§4.2, §5.1)."""
        if name not in VINCA_ALKALOIDS:
            return
        if route != "IV":
            self.reporter.report(node, "route", f"{path}.route", "vinca_route",
                                 f"{name} may only be given IV, found {route!r}: intrathecal "
                                 "vinca alkaloids are fatal (ISMP; Toft report)")
        if node.get("container") != "minibag":
            self.reporter.report(node, "container" if "container" in node else None,
                                 f"{path}.container", "vinca_container",
                                 f"{name} is given in a minibag, never a syringe "
                                 "(ISMP statement, SACT notes §4.2)", "container: minibag")

    def _days(self, node: LocatedDict, path: str) -> tuple[int, ...]:
        days = node.get("days")
        if (not isinstance(days, list) or not days
                or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                           for d in days)):
            if "days" in node:
                self.reporter.report(node, "days", f"{path}.days", "wrong_days",
                                     "days is a list of cycle days, e.g. [1] or [1, 2, 3] (0 is "
                                     "the day before day 1)")
            return ()
        return tuple(days)

    def _banding(self, node: LocatedDict, path: str, name: str, unit: str | None) -> str | None:
        table_id = node.get("banding")
        if table_id is None:
            if not node.get("not_banded_reason") and unit in ("mg/m2", "mg/kg", "AUC"):
                self.reporter.report(node, None, f"{path}.banding", "banding_unstated",
                                     f"{name}: name a banding table or give not_banded_reason",
                                     f"tables: {', '.join(table_ids())}")
            return None
        if table_id not in table_ids():
            self.reporter.report(node, "banding", f"{path}.banding", "unknown_table",
                                 f"no banding table {table_id!r}",
                                 did_you_mean(str(table_id), table_ids()))
            return None
        try:
            table = load_table(str(table_id))
        except TableLoadError as exc:
            self.reporter.diagnostics.extend(exc.diagnostics)
            return None
        if name not in table.drugs:
            self.reporter.report(node, "banding", f"{path}.banding", "drug_not_in_table",
                                 f"{table.title} does not list {name}; it lists "
                                 f"{', '.join(table.drugs)}")
        return str(table_id)

    def _dose_levels(self, node: LocatedDict, path: str, dose: Decimal | None
                     ) -> tuple[DoseLevel, ...]:
        items = self.reporter.sequence(node, "dose_levels", f"{path}.dose_levels",
                                       node.get("dose_levels"))
        levels = []
        for index, item in enumerate(items or []):
            where = f"{path}.dose_levels[{index}]"
            if not isinstance(item, LocatedDict):
                self.reporter.report(items, index, where, "wrong_shape",
                                     "a dose level is {dose, when, source}")
                continue
            self.reporter.check_keys(item, where, {"dose", "when", "source"},
                                     required=("dose", "when", "source"))
            level = self._number(item, "dose", where)
            if level is not None and dose is not None and level >= dose:
                self.reporter.report(item, "dose", f"{where}.dose", "level_not_reduced",
                                     f"a reduced dose level ({level}) must be below the "
                                     f"protocol dose ({dose})")
            if level is not None:
                levels.append(DoseLevel(level, str(item.get("when", "")),
                                        self._source(item, "source", where)))
        return tuple(levels)

    # -- criteria --------------------------------------------------------------------------
    def _criteria(self, node: LocatedDict, drugs: list[str]) -> list[Criterion]:
        items = self.reporter.sequence(node, "criteria", "protocol.criteria",
                                       node.get("criteria"))
        found = []
        for index, item in enumerate(items or []):
            path = f"protocol.criteria[{index}]"
            if not isinstance(item, LocatedDict):
                self.reporter.report(items, index, path, "wrong_shape",
                                     "a criterion is a mapping")
                continue
            criterion = self._criterion(item, path, drugs)
            if criterion is not None:
                found.append(criterion)
        return found

    def _criterion(self, node: LocatedDict, path: str, drugs: list[str]) -> Criterion | None:
        self.reporter.check_keys(node, path, CRITERION_KEYS, required=(
            "test", "unit", "valid_days", "valid_days_source", "bands", "source"))
        test = self._choice(node, "test", path, tuple(TESTS))
        unit = node.get("unit")
        if test is not None and unit not in TESTS[test]:
            self.reporter.report(node, "unit", f"{path}.unit", "wrong_unit",
                                 f"{test} is read in {' or '.join(TESTS[test])}, not {unit!r}")
        bands = self._bands(node, path, drugs)
        valid_days = self._integer(node, "valid_days", path, 0)
        if test is None or valid_days is None or not bands:
            return None
        return Criterion(test, str(unit), valid_days,
                         self._source(node, "valid_days_source", path), tuple(bands),
                         self._source(node, "source", path))

    def _bands(self, node: LocatedDict, path: str, drugs: list[str]) -> list[Band]:
        items = self.reporter.sequence(node, "bands", f"{path}.bands", node.get("bands"))
        bands: list[Band] = []
        for index, item in enumerate(items or []):
            band = self._band(items, index, item, f"{path}.bands[{index}]", drugs)
            if band is not None:
                bands.append(band)
        if items is not None and bands:
            self._coverage(node, path, sorted(bands, key=_band_order))
        return bands

    def _band(self, items: LocatedList, index: int, item: Any, path: str,
              drugs: list[str]) -> Band | None:
        if not isinstance(item, LocatedDict):
            self.reporter.report(items, index, path, "wrong_shape", "a band is a mapping")
            return None
        self.reporter.check_keys(item, path, BAND_KEYS, required=("action",))
        action = self._choice(item, "action", path, ACTIONS)
        percent = self._number(item, "percent", path)
        if action == "reduce" and (percent is None or not 0 < percent < 100):
            self.reporter.report(item, "percent" if "percent" in item else None,
                                 f"{path}.percent", "reduce_percent",
                                 "a reduce band gives a percent between 0 and 100")
        scoped = tuple(str(d) for d in item.get("drugs") or ())
        for name in scoped:
            if name not in drugs:
                self.reporter.report(item, "drugs", f"{path}.drugs", "unknown_drug",
                                     f"{name!r} is not a drug of this protocol",
                                     did_you_mean(name, drugs))
        if action is None:
            return None
        for pair in (("at_least", "above"), ("below", "at_most")):
            if all(key in item for key in pair):
                self.reporter.report(item, pair[1], path, "conflicting_bounds",
                                     f"give {pair[0]} or {pair[1]}, not both")
        low_key = "above" if "above" in item else "at_least"
        high_key = "at_most" if "at_most" in item else "below"
        return Band(self._number(item, low_key, path, positive=False),
                    self._number(item, high_key, path, positive=False), action,
                    percent if action == "reduce" and percent else Decimal(100), scoped,
                    items.where(index).line, low_key == "at_least", high_key == "at_most")

    def _coverage(self, node: LocatedDict, path: str, bands: list[Band]) -> None:
        """A criterion's bands cover every value from 0 up, with no gap and no overlap."""
        edge: Decimal | None = None
        closed = False
        for i, band in enumerate(bands):
            starts_well = (band.low in (None, Decimal(0)) if i == 0
                           else band.low == edge and band.low_inclusive != closed)
            if not starts_well:
                self._gap(node, path, edge, band)
                return
            edge, closed = band.high, band.high_inclusive
            if edge is None and i != len(bands) - 1:
                self._gap(node, path, edge, bands[i + 1])
                return
        if edge is not None:
            self.reporter.report(node, "bands", f"{path}.bands", "bands_not_covering",
                                 f"no band says what to do at or above {edge}",
                                 "add a band 'at_least: ...' (hold if no source says)")

    def _gap(self, node: LocatedDict, path: str, edge: Decimal | None, band: Band) -> None:
        self.reporter.report(node, "bands", f"{path}.bands", "bands_not_covering",
                             f"bands leave a gap or overlap between {edge} and {band.low} "
                             f"(line {band.line})",
                             "every value needs exactly one band; 'hold' where no source "
                             "gives a rule")

    # -- tests -----------------------------------------------------------------------------
    def _tests(self, node: LocatedDict, drugs: list[str]) -> list[ProtocolTest]:
        items = self.reporter.sequence(node, "tests", "protocol.tests", node.get("tests"))
        found = []
        for index, item in enumerate(items or []):
            path = f"protocol.tests[{index}]"
            if not isinstance(item, LocatedDict):
                self.reporter.report(items, index, path, "wrong_shape", "a test is a mapping")
                continue
            self.reporter.check_keys(item, path, TEST_KEYS, required=(
                "name", "height_cm", "weight_kg", "expect_mg"))
            expected = self._expected(item, "expect_mg", path, drugs)
            banded = self._expected(item, "expect_banded_mg", path, drugs)
            inputs = {k: str(item[k]) for k in ("height_cm", "weight_kg", "creatinine_umol_l",
                                                 "age", "sex", "bsa_formula") if k in item}
            found.append(ProtocolTest(str(item.get("name")), items.where(index).line, inputs,
                                      {k: v for k, v in expected.items() if v is not None},
                                      banded))
        return found

    def _expected(self, node: LocatedDict, key: str, path: str, drugs: list[str]
                  ) -> dict[str, Decimal | None]:
        value = node.get(key)
        if value is None:
            return {}
        if not isinstance(value, LocatedDict):
            self.reporter.report(node, key, f"{path}.{key}", "wrong_shape",
                                 f"{key} maps drug -> mg")
            return {}
        result: dict[str, Decimal | None] = {}
        for drug, amount in value.items():
            if drug not in drugs:
                self.reporter.report(value, drug, f"{path}.{key}.{drug}", "unknown_drug",
                                     f"{drug!r} is not a drug of this protocol",
                                     did_you_mean(str(drug), drugs))
            result[str(drug)] = None if amount is None else self._number(value, drug,
                                                                         f"{path}.{key}")
        return result


def _band_order(band: Band) -> tuple[int, Decimal]:
    return (0, Decimal(0)) if band.low is None else (1, band.low)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
