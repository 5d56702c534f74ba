"""Check a raw pack and compile it into an immutable ``Pack``, reporting every problem."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from openmdt.knowledge.checks import Reporter, did_you_mean
from openmdt.knowledge.cosd import CARE_PLAN_INTENTS, PLANNED_TREATMENT_TYPES
from openmdt.knowledge.fhir_bindings import BindingCompiler, FhirProfile
from openmdt.knowledge.model import (
    ITEM_VALUE_TYPES,
    Argument,
    Candidate,
    Conflict,
    DataItem,
    Decision,
    DerivedFact,
    Exclusion,
    NeverStreamline,
    Pack,
    PackTest,
    Source,
    StandardOfCare,
    TableRow,
)
from openmdt.knowledge.source_files import RawPack
from openmdt.knowledge.values import FactProblem, convert_fact
from openmdt.knowledge.yamlsource import LocatedDict, Position
from openmdt.language import Expression, Symbol, ValueType

META_KEYS = {"id", "title", "version", "site", "status", "approver", "approved_on", "licence",
             "license", "sources", "parameters", "minutes_per_case", "recommend_threshold",
             "base", "description", "summary_line", "agenda_filters"}
ITEM_KEYS = {"type", "unit", "min", "max", "values", "label", "question", "codes", "fhir", "triage",
             "description", "not_assessed", "default", "default_source", "streamline_safe",
             "streamline_safe_source", "value_labels"}
DERIVED_KEYS = {"type", "values", "expr", "table", "otherwise", "fills_item", "description",
                "source", "label", "helper"}
DECISION_KEYS = {"id", "title", "applies_when", "recommend_threshold", "candidates",
                 "description", "remove_candidates"}
CANDIDATE_KEYS = {"id", "title", "arguments", "description", "remove_arguments",
                  "information_only"}
ARGUMENT_KEYS = {"id", "polarity", "weight", "when", "text", "source", "strength"}
STANDARD_KEYS = {"id", "title", "decision", "option", "when", "source", "enabled", "exclusions",
                 "description", "care_plan_intent", "planned_treatment_types"}
EXCLUSION_KEYS = {"id", "when", "reason"}
NEVER_KEYS = {"id", "when", "reason", "source"}
CONFLICT_KEYS = {"id", "items", "when", "message", "source"}
TEST_KEYS = {"name", "facts", "expect", "as_of", "case_id", "site", "patient"}
EXPECT_KEYS = {"derived", "decisions", "route", "standard_of_care", "data_requests", "error",
               "reasons_include", "assumed", "conflicts", "data_requests_include"}
POLARITIES = ("for", "against", "confirming", "excluding")
STRENGTHS = ("offer", "consider", "do_not_offer", "info")
ID_PATTERN_HINT = "ids use lower-case letters, digits, '_' and '-'"


def _parameter_type(value: Any) -> ValueType | None:
    if isinstance(value, bool):
        return ValueType.BOOLEAN
    if isinstance(value, int):
        return ValueType.INTEGER
    if isinstance(value, float):
        return ValueType.NUMBER
    if isinstance(value, str):
        return ValueType.TEXT
    return None


class PackCompiler:
    """Turns one raw pack into a Pack; all problems end up in ``reporter.diagnostics``."""

    def __init__(self, raw: RawPack) -> None:
        self.raw = raw
        self.reporter = Reporter()
        self.items: dict[str, DataItem] = {}
        self.symbols: dict[str, Symbol] = {"as_of": Symbol("as_of", ValueType.DATE)}
        self.parameters: dict[str, Any] = {}
        self.argument_ids: set[str] = set()
        self.candidate_places: dict[tuple[str, str], tuple[Position, str]] = {}
        self.conflicts: list[Conflict] = []
        self.fhir: FhirProfile | None = None

    # -- pack.yaml -------------------------------------------------------------------------
    def compile_meta(self) -> dict[str, Any]:
        meta = self.raw.meta
        rep = self.reporter
        rep.check_keys(meta, "pack", META_KEYS, required=("id", "title", "version"))
        status = meta.get("status", "draft")
        if status not in ("draft", "approved"):
            rep.report(meta, "status", "pack.status", "value_not_allowed",
                       f"status {status!r} must be draft or approved")
        if status == "approved" and not meta.get("approver"):
            rep.report(meta, "status", "pack.approver", "missing_field",
                       "an approved pack names its approver")
        self._compile_parameters(meta)
        return {
            "id": rep.text(meta, "id", "pack") or "unnamed",
            "title": rep.text(meta, "title", "pack") or "",
            "version": rep.text(meta, "version", "pack") or "0",
            "site": rep.text(meta, "site", "pack", required=False),
            "status": status,
            "minutes_per_case": rep.number(meta, "minutes_per_case", "pack") or 3.2,
            "threshold": rep.number(meta, "recommend_threshold", "pack") or 1,
            "sources": self._compile_sources(meta),
        }

    def _compile_parameters(self, meta: LocatedDict) -> None:
        params = meta.get("parameters") or {}
        node = {}
        if params:
            node = self.reporter.mapping(meta, "parameters", "pack.parameters", params)
        for name, value in (node or {}).items():
            value_type = _parameter_type(value)
            if value_type is None:
                self.reporter.report(node, name, f"pack.parameters.{name}", "wrong_type",
                                     "a parameter is a number, boolean or text")
                continue
            self.parameters[name] = value
            self.symbols[name] = Symbol(name, value_type)

    def _compile_sources(self, meta: LocatedDict) -> tuple[Source, ...]:
        found = []
        items = self.reporter.sequence(meta, "sources", "pack.sources", meta.get("sources")) or []
        for index, node in enumerate(items):
            path = f"pack.sources[{index}]"
            node = self.reporter.mapping(items, index, path, node)
            if node is None:
                continue
            self.reporter.check_keys(node, path, {"id", "title", "publisher", "date", "url"},
                                     required=("id", "title"))
            found.append(Source(str(node.get("id")), str(node.get("title")),
                                _opt(node.get("publisher")), _opt(node.get("date")),
                                _opt(node.get("url"))))
        return tuple(found)

    # -- data.yaml -------------------------------------------------------------------------
    def compile_items(self) -> None:
        data = self.raw.data
        if data is None:
            self.reporter.report(self.raw.meta, None, "data", "missing_file",
                                 "the pack has no data.yaml (data dictionary)")
            return
        if (doc := self.reporter.mapping(data, None, "data", data)) is None:
            return
        self.reporter.check_keys(doc, "data", {"items", "fhir"}, required=("items",))
        items = self.reporter.mapping(doc, "items", "data.items", doc.get("items")) or {}
        for name, node in items.items():
            item = self._compile_item(items, name, node)
            if item is not None and isinstance(node, LocatedDict):
                item = self._with_default(node, f"data.items.{name}", item)
            if item is not None:
                self.items[name] = item
                self.symbols[name] = Symbol(name, ITEM_VALUE_TYPES[item.type], item.values)

    def _compile_item(self, items: LocatedDict, name: str, node: Any) -> DataItem | None:
        path = f"data.items.{name}"
        rep = self.reporter
        if name in self.parameters:
            rep.report(items, name, path, "duplicate_name", f"{name!r} is also a parameter")
        if (node := rep.mapping(items, name, path, node)) is None:
            return None
        rep.check_keys(node, path, ITEM_KEYS, required=("type",))
        item_type = node.get("type")
        if item_type not in ITEM_VALUE_TYPES:
            rep.report(node, "type", f"{path}.type", "value_not_allowed",
                       f"type {item_type!r} is not one of {', '.join(ITEM_VALUE_TYPES)}",
                       did_you_mean(str(item_type), ITEM_VALUE_TYPES))
            return None
        values = self._enum_values(node, path, item_type)
        codes = node.get("codes") or {}
        if not isinstance(codes, dict):
            rep.report(node, "codes", f"{path}.codes", "wrong_shape", "codes is a mapping")
            codes = {}
        triage = node.get("triage", False)
        not_assessed = self._not_assessed(node, path, values)
        return DataItem(
            name=name, type=item_type, label=str(node.get("label") or name.replace("_", " ")),
            question=_opt(node.get("question")), unit=_opt(node.get("unit")),
            minimum=rep.number(node, "min", path), maximum=rep.number(node, "max", path),
            values=values, codes={str(k): str(v) for k, v in codes.items()},
            triage_always=triage is True, description=_opt(node.get("description")),
            not_assessed=not_assessed, value_labels=self._value_labels(node, path, values))

    def _value_labels(self, node: LocatedDict, path: str, values: tuple[str, ...] | None
                      ) -> dict[str, str]:
        """The words shown for an enum item's codes; each key must be one of its values."""
        labels = node.get("value_labels")
        if labels is None:
            return {}
        if not isinstance(labels, dict) or values is None:
            self.reporter.report(node, "value_labels", f"{path}.value_labels", "wrong_shape",
                                 "value_labels maps an enum item's values to words")
            return {}
        for code in labels:
            if str(code) not in values:
                self.reporter.report(labels, code, f"{path}.value_labels.{code}",
                                     "value_not_allowed",
                                     f"{code!r} is not one of the values "
                                     f"({', '.join(values)})",
                                     did_you_mean(str(code), values))
        return {str(k): str(v) for k, v in labels.items() if str(k) in values}

    def _with_default(self, node: LocatedDict, path: str, item: DataItem) -> DataItem:
        """An item's assumed value when a case does not record it (an explicit local policy)."""
        if "default" not in node or node.get("default") is None:
            if "streamline_safe" in node:
                self.reporter.report(node, "streamline_safe", f"{path}.streamline_safe",
                                     "missing_default",
                                     "streamline_safe marks a default; this item has none")
            return item
        safe, safe_source = self._streamline_safe(node, path)
        source = node.get("default_source")
        if not source:
            self.reporter.report(node, "default", f"{path}.default_source", "missing_source",
                                 "an assumed value needs default_source saying whose policy it is")
        try:
            value = convert_fact(item, node["default"])
        except FactProblem as problem:
            self.reporter.report(node, "default", f"{path}.default", problem.code,
                                 f"default {node['default']!r} {problem.reason}: allowed "
                                 f"{item.allowed()}")
            return item
        return _replace(item, default=value, default_source=_opt(source), streamline_safe=safe,
                        streamline_safe_source=safe_source)

    def _streamline_safe(self, node: LocatedDict, path: str) -> tuple[bool, str | None]:
        """Whether a Standard of Care may rest on the item's default: only when the pack says
        so explicitly, citing whose decision it is."""
        safe = node.get("streamline_safe", False)
        if not isinstance(safe, bool):
            self.reporter.report(node, "streamline_safe", f"{path}.streamline_safe",
                                 "wrong_type", "streamline_safe is true or false")
            return False, None
        source = node.get("streamline_safe_source")
        if safe and not source:
            self.reporter.report(node, "streamline_safe", f"{path}.streamline_safe_source",
                                 "missing_source",
                                 "a default a Standard of Care may rest on needs "
                                 "streamline_safe_source saying who agreed it")
        return safe, _opt(source) if safe else None

    def _not_assessed(self, node: LocatedDict, path: str, values: tuple[str, ...] | None
                      ) -> frozenset[str]:
        """Allowed values that mean 'not assessed' (TX, MX): accepted, treated as unknown."""
        listed = node.get("not_assessed") or []
        if not isinstance(listed, list) or values is None:
            if listed:
                self.reporter.report(node, "not_assessed", f"{path}.not_assessed",
                                     "wrong_shape", "not_assessed lists values of an enum item")
            return frozenset()
        for value in listed:
            if value not in values:
                self.reporter.report(node, "not_assessed", f"{path}.not_assessed",
                                     "unknown_enum_value",
                                     f"{value!r} is not one of the item's values",
                                     did_you_mean(str(value), values))
        return frozenset(str(v) for v in listed)

    def _enum_values(self, node: LocatedDict, path: str, item_type: str) -> tuple[str, ...] | None:
        values = node.get("values")
        if item_type != "enum":
            if values is not None:
                self.reporter.report(node, "values", f"{path}.values", "unknown_key",
                                     "only enum items list values")
            return None
        if not isinstance(values, list) or not values:
            self.reporter.report(node, "values", f"{path}.values", "missing_field",
                                 "an enum item lists its allowed values")
            return ()
        return tuple(str(v) for v in values)

    def compile_fhir(self) -> None:
        """The pack's FHIR bindings (data.yaml `fhir:` entries), checked."""
        self.fhir = BindingCompiler(self.reporter).profile(self.raw.data, self.items)

    def compile_item_triage(self) -> None:
        """Second pass: triage conditions may refer to derived facts, so they come last."""
        items = (self.raw.data or {}).get("items") or {}
        for name, item in list(self.items.items()):
            node = items.get(name)
            if not isinstance(node, LocatedDict) or not isinstance(node.get("triage"), str):
                continue
            expr = self.reporter.expression(node, "triage", f"data.items.{name}", self.symbols,
                                            ValueType.BOOLEAN)
            self.items[name] = _replace(item, triage_when=expr)

    # -- derive.yaml -----------------------------------------------------------------------
    def declare_derived(self) -> dict[str, LocatedDict]:
        derive = self.raw.derive
        if derive is None:
            return {}
        if (doc := self.reporter.mapping(derive, None, "derive", derive)) is None:
            return {}
        self.reporter.check_keys(doc, "derive", {"derived"})
        nodes = self.reporter.mapping(doc, "derived", "derive.derived", doc.get("derived")) or {}
        declared: dict[str, LocatedDict] = {}
        for name, node in nodes.items():
            symbol = self._declare_derived(nodes, name, node)
            if symbol is not None:
                declared[name] = node
                self.symbols[name] = symbol
        return declared

    def _declare_derived(self, nodes: LocatedDict, name: str, node: Any) -> Symbol | None:
        path = f"derive.derived.{name}"
        rep = self.reporter
        if (node := rep.mapping(nodes, name, path, node)) is None:
            return None
        rep.check_keys(node, path, DERIVED_KEYS, required=("type",))
        type_name = node.get("type")
        if type_name not in ITEM_VALUE_TYPES:
            rep.report(node, "type", f"{path}.type", "value_not_allowed",
                       f"type {type_name!r} is not one of {', '.join(ITEM_VALUE_TYPES)}")
            return None
        fills = node.get("fills_item") is True
        if name in self.items and not fills:
            rep.report(nodes, name, path, "duplicate_name",
                       f"{name!r} is already a data item", "add 'fills_item: true' to compute "
                       "the item when a case does not give it")
        if fills and name not in self.items:
            rep.report(node, "fills_item", path, "unknown_name",
                       f"fills_item: there is no data item {name!r}",
                       did_you_mean(name, self.items))
        if name in self.parameters:
            rep.report(nodes, name, path, "duplicate_name", f"{name!r} is also a parameter")
        if ("expr" in node) == ("table" in node):
            rep.report(node, None, path, "missing_field",
                       "a derived fact has exactly one of 'expr' or 'table'")
        values = self._enum_values(node, path, type_name)
        return Symbol(name, ITEM_VALUE_TYPES[type_name], values)

    def compile_derived(self, declared: Mapping[str, LocatedDict]) -> list[DerivedFact]:
        facts = []
        for name, node in declared.items():
            path = f"derive.derived.{name}"
            symbols = dict(self.symbols)
            if node.get("fills_item") is True:
                symbols.pop(name, None)  # computing an item from itself would be a loop
            facts.append(self._compile_derived(name, node, path, symbols))
        return facts

    def _compile_derived(self, name: str, node: LocatedDict, path: str,
                         symbols: Mapping[str, Symbol]) -> DerivedFact:
        rep = self.reporter
        value_type = self.symbols[name].type
        expression = None
        rows: list[TableRow] = []
        if "expr" in node:
            expression = rep.expression(node, "expr", path, symbols, value_type)
        table = rep.sequence(node, "table", f"{path}.table", node.get("table")) or []
        for index, row in enumerate(table):
            row_path = f"{path}.table[{index}]"
            if (row := rep.mapping(table, index, row_path, row)) is None:
                continue
            rep.check_keys(row, row_path, {"when", "value"}, required=("when", "value"))
            condition = rep.expression(row, "when", row_path, symbols, ValueType.BOOLEAN)
            value = self._value_expression(row, "value", row_path, symbols, value_type)
            if condition is not None:
                rows.append(TableRow(condition, value))
        otherwise = self._value_expression(node, "otherwise", path, symbols, value_type)
        return DerivedFact(name, value_type, self.symbols[name].values, expression, tuple(rows),
                           otherwise, node.get("fills_item") is True,
                           _opt(node.get("description")), _opt(node.get("source")),
                           node.get("helper") is True, _opt(node.get("label")))

    def _value_expression(self, node: LocatedDict, key: str, path: str,
                          symbols: Mapping[str, Symbol], value_type: ValueType
                          ) -> Expression | None:
        value = node.get(key)
        if value is None:
            return None
        is_text = value_type in (ValueType.ENUM, ValueType.TEXT) and isinstance(value, str)
        if is_text and not _looks_like_expression(value, symbols):
            node = _with_value(node, key, repr(value))
        return self.reporter.expression(node, key, path, symbols, value_type)

    # -- decisions ---------------------------------------------------------------------------
    def compile_decisions(self, default_threshold: float) -> list[Decision]:
        decisions: list[Decision] = []
        seen: set[str] = set()
        for doc in self.raw.decisions:
            if (node := self.reporter.mapping(doc, None, "decision", doc)) is None:
                continue
            decision = self._compile_decision(node, default_threshold)
            if decision is None:
                continue
            if decision.id in seen:
                self.reporter.report(node, "id", "decision.id", "duplicate_id",
                                     f"decision id {decision.id!r} is used twice")
            seen.add(decision.id)
            decisions.append(decision)
        return decisions

    def _compile_decision(self, node: LocatedDict, default_threshold: float) -> Decision | None:
        rep = self.reporter
        rep.check_keys(node, "decision", DECISION_KEYS, required=("id", "title", "candidates"))
        decision_id = rep.text(node, "id", "decision")
        if decision_id is None:
            return None
        path = decision_id
        applies = None
        if "applies_when" in node:
            applies = rep.expression(node, "applies_when", path, self.symbols, ValueType.BOOLEAN)
        threshold = rep.number(node, "recommend_threshold", path)
        threshold = default_threshold if threshold is None else threshold
        candidates = self._compile_candidates(node, path, threshold)
        return Decision(decision_id, rep.text(node, "title", path) or decision_id, applies,
                        threshold, tuple(candidates), _opt(node.get("description")))

    def _compile_candidates(self, node: LocatedDict, path: str, threshold: float
                            ) -> list[Candidate]:
        rep = self.reporter
        seen: set[str] = set()
        result = []
        nodes = rep.sequence(node, "candidates", f"{path}.candidates", node.get("candidates")) or []
        for index, cand in enumerate(nodes):
            cand_path = f"{path}.candidates[{index}]"
            if (cand := rep.mapping(nodes, index, cand_path, cand)) is None:
                continue
            rep.check_keys(cand, cand_path, CANDIDATE_KEYS, required=("id", "arguments"))
            cand_id = rep.text(cand, "id", cand_path) or f"candidate_{index}"
            if cand_id in seen:
                rep.report(cand, "id", f"{cand_path}.id", "duplicate_id",
                           f"candidate id {cand_id!r} is used twice in decision {path!r}")
            seen.add(cand_id)
            arguments = self._compile_arguments(cand, cand_path)
            candidate = Candidate(cand_id, rep.text(cand, "title", cand_path, required=False)
                                  or cand_id.replace("_", " "), tuple(arguments),
                                  _opt(cand.get("description")),
                                  cand.get("information_only") is True)
            self._check_reachable(cand, cand_path, candidate, threshold)
            self.candidate_places[(path, cand_id)] = (cand.position, cand_path)
            result.append(candidate)
        return result

    def _compile_arguments(self, cand: LocatedDict, path: str) -> list[Argument]:
        rep = self.reporter
        result = []
        nodes = rep.sequence(cand, "arguments", f"{path}.arguments", cand.get("arguments")) or []
        for index, arg in enumerate(nodes):
            arg_path = f"{path}.arguments[{index}]"
            if (arg := rep.mapping(nodes, index, arg_path, arg)) is None:
                continue
            argument = self._compile_argument(arg, arg_path)
            if argument is not None:
                result.append(argument)
        return result

    def _compile_argument(self, arg: LocatedDict, path: str) -> Argument | None:
        rep = self.reporter
        rep.check_keys(arg, path, ARGUMENT_KEYS, required=("id", "polarity", "when", "text"))
        arg_id = rep.text(arg, "id", path) or "?"
        if arg_id in self.argument_ids:
            rep.report(arg, "id", f"{path}.id", "duplicate_id",
                       f"argument id {arg_id!r} is used twice in the pack")
        self.argument_ids.add(arg_id)
        polarity = arg.get("polarity")
        if polarity not in POLARITIES:
            rep.report(arg, "polarity", f"{path}.polarity", "value_not_allowed",
                       f"polarity {polarity!r} is not one of {', '.join(POLARITIES)}",
                       did_you_mean(str(polarity), POLARITIES))
            return None
        source = arg.get("source")
        if not source or not str(source).strip():
            rep.report(arg, None, f"{path}.source", "missing_source",
                       f"argument {arg_id!r} has no source",
                       "cite the guideline and recommendation, or 'local policy: ...'")
        strength = arg.get("strength")
        if strength is not None and strength not in STRENGTHS:
            rep.report(arg, "strength", f"{path}.strength", "value_not_allowed",
                       f"strength {strength!r} is not one of {', '.join(STRENGTHS)}")
        weight = rep.number(arg, "weight", path)
        weight = 1 if weight is None else weight
        if weight < 0:
            rep.report(arg, "weight", f"{path}.weight", "value_out_of_range",
                       "weights are not negative; use polarity 'against' instead")
        condition = rep.expression(arg, "when", path, self.symbols, ValueType.BOOLEAN)
        if condition is None:
            return None
        return Argument(arg_id, polarity, weight, condition, str(arg.get("text") or ""),
                        str(source or ""), strength)

    def _check_reachable(self, node: LocatedDict, path: str, candidate: Candidate,
                         threshold: float) -> None:
        best = sum(a.weight for a in candidate.arguments if a.polarity == "for")
        confirming = any(a.polarity == "confirming" for a in candidate.arguments)
        if candidate.information_only:
            if best >= threshold or confirming:
                self.reporter.report(
                    node, "information_only", path, "information_only_recommendable",
                    f"candidate {candidate.id!r} is information_only but its arguments could "
                    "recommend it", "remove information_only or its 'for'/'confirming' arguments")
        elif not confirming and best < threshold:
            self.reporter.report(
                node, "id", path, "candidate_never_recommended",
                f"candidate {candidate.id!r} can never be recommended: its 'for' arguments add "
                f"up to at most {best:g}, below the threshold {threshold:g}",
                "add a 'for' or 'confirming' argument, or lower recommend_threshold")
        for conf in (a for a in candidate.arguments if a.polarity == "confirming"):
            for exc in (a for a in candidate.arguments if a.polarity == "excluding"):
                if conf.condition.to_text() == exc.condition.to_text():
                    # the same condition: found even in a pack that does not compile
                    self.reporter.report(
                        node, "id", path, "argument_conflict",
                        f"arguments {conf.id!r} (confirming) and {exc.id!r} (excluding) hold "
                        "together", severity="warning")

    # -- standards.yaml ----------------------------------------------------------------------
    def compile_standards(self, decisions: list[Decision]
                          ) -> tuple[list[StandardOfCare], list[NeverStreamline]]:
        doc = self.raw.standards
        if doc is None:
            return [], []
        rep = self.reporter
        if (doc := rep.mapping(doc, None, "standards", doc)) is None:
            return [], []
        rep.check_keys(doc, "standards", {"standards", "never_streamline", "disable", "enable",
                                          "conflicts"})
        by_id = {d.id: d for d in decisions}
        standards = [s for s in self._standards(doc, by_id) if s is not None]
        never = [n for n in self._never(doc) if n is not None]
        self.conflicts = [c for c in self._conflicts(doc) if c is not None]
        return standards, never

    def _standards(self, doc: LocatedDict, decisions: Mapping[str, Decision]):
        rep = self.reporter
        seen: set[str] = set()
        nodes = rep.sequence(doc, "standards", "standards", doc.get("standards")) or []
        for index, node in enumerate(nodes):
            path = f"standards[{index}]"
            if (node := rep.mapping(nodes, index, path, node)) is None:
                continue
            rep.check_keys(node, path, STANDARD_KEYS, required=("id", "decision", "option",
                                                                "source"))
            soc_id = rep.text(node, "id", path) or f"standard_{index}"
            if soc_id in seen:
                rep.report(node, "id", f"{path}.id", "duplicate_id",
                           f"Standard of Care id {soc_id!r} is used twice")
            seen.add(soc_id)
            self._check_option(node, path, decisions)
            yield self._standard(node, path, soc_id)

    def _check_option(self, node: LocatedDict, path: str, decisions: Mapping[str, Decision]
                      ) -> None:
        decision_id = str(node.get("decision"))
        decision = decisions.get(decision_id)
        if decision is None:
            self.reporter.report(node, "decision", f"{path}.decision", "unknown_decision",
                                 f"there is no decision {decision_id!r}",
                                 did_you_mean(decision_id, decisions))
            return
        option = str(node.get("option"))
        options = [c.id for c in decision.candidates]
        if option not in options:
            self.reporter.report(node, "option", f"{path}.option", "unknown_option",
                                 f"decision {decision_id!r} has no option {option!r}; its "
                                 f"options are {', '.join(options)}", did_you_mean(option, options))

    def _standard(self, node: LocatedDict, path: str, soc_id: str) -> StandardOfCare:
        rep = self.reporter
        condition = None
        if "when" in node:
            condition = rep.expression(node, "when", path, self.symbols, ValueType.BOOLEAN)
        exclusions = []
        nodes = rep.sequence(node, "exclusions", f"{path}.exclusions", node.get("exclusions")) or []
        for index, exc in enumerate(nodes):
            exc_path = f"{path}.exclusions[{index}]"
            if (exc := rep.mapping(nodes, index, exc_path, exc)) is None:
                continue
            rep.check_keys(exc, exc_path, EXCLUSION_KEYS, required=("id", "when", "reason"))
            expr = rep.expression(exc, "when", exc_path, self.symbols, ValueType.BOOLEAN)
            if expr is not None:
                exclusions.append(Exclusion(str(exc.get("id")), expr, str(exc.get("reason"))))
        intent, types = self._care_plan(node, path)
        return StandardOfCare(soc_id, str(node.get("title") or soc_id), str(node.get("decision")),
                              str(node.get("option")), condition, tuple(exclusions),
                              str(node.get("source") or ""), node.get("enabled", True) is not False,
                              intent, types)

    def _care_plan(self, node: LocatedDict, path: str) -> tuple[str | None, tuple[str, ...]]:
        """The COSD care plan a confirmed Standard of Care records: CR0460 and CR0470."""
        rep = self.reporter
        intent = node.get("care_plan_intent")
        if intent is None:
            rep.report(node, None, f"{path}.care_plan_intent", "missing_field",
                       "a Standard of Care declares the COSD CR0460 care plan intent it records",
                       f"one of {', '.join(CARE_PLAN_INTENTS)}")
        elif str(intent) not in CARE_PLAN_INTENTS:
            rep.report(node, "care_plan_intent", f"{path}.care_plan_intent", "value_not_allowed",
                       f"care_plan_intent {intent!r} is not a COSD CR0460 code: allowed "
                       + ", ".join(f"{k} ({v})" for k, v in CARE_PLAN_INTENTS.items()))
        listed = node.get("planned_treatment_types")
        if not isinstance(listed, list) or not listed:
            rep.report(node, "planned_treatment_types" if listed is not None else None,
                       f"{path}.planned_treatment_types", "missing_field",
                       "a Standard of Care declares the COSD CR0470 planned treatment types it "
                       "records (a list)")
            listed = []
        for code in listed:
            if str(code) not in PLANNED_TREATMENT_TYPES:
                rep.report(node, "planned_treatment_types", f"{path}.planned_treatment_types",
                           "value_not_allowed", f"{code!r} is not a COSD CR0470 code: allowed "
                           + ", ".join(PLANNED_TREATMENT_TYPES))
        return (None if intent is None else str(intent)), tuple(str(c) for c in listed)

    def _never(self, doc: LocatedDict):
        rep = self.reporter
        nodes = rep.sequence(doc, "never_streamline", "never_streamline",
                             doc.get("never_streamline")) or []
        for index, node in enumerate(nodes):
            path = f"never_streamline[{index}]"
            if (node := rep.mapping(nodes, index, path, node)) is None:
                continue
            rep.check_keys(node, path, NEVER_KEYS, required=("id", "when", "reason", "source"))
            expr = rep.expression(node, "when", path, self.symbols, ValueType.BOOLEAN)
            if expr is not None:
                yield NeverStreamline(str(node.get("id")), expr, str(node.get("reason")),
                                      str(node.get("source") or ""))

    def _conflicts(self, doc: LocatedDict):
        rep = self.reporter
        nodes = rep.sequence(doc, "conflicts", "conflicts", doc.get("conflicts")) or []
        seen: set[str] = set()
        for index, node in enumerate(nodes):
            path = f"conflicts[{index}]"
            if (node := rep.mapping(nodes, index, path, node)) is None:
                continue
            rep.check_keys(node, path, CONFLICT_KEYS,
                           required=("id", "items", "when", "message", "source"))
            conflict_id = rep.text(node, "id", path) or f"conflict_{index}"
            if conflict_id in seen:
                rep.report(node, "id", f"{path}.id", "duplicate_id",
                           f"conflict id {conflict_id!r} is used twice")
            seen.add(conflict_id)
            items = self._conflict_items(node, path)
            expr = rep.expression(node, "when", path, self.symbols, ValueType.BOOLEAN)
            if expr is not None and items is not None:
                yield Conflict(conflict_id, items, expr, str(node.get("message")),
                               str(node.get("source") or ""))

    def _conflict_items(self, node: LocatedDict, path: str) -> tuple[str, ...] | None:
        listed = node.get("items")
        if not isinstance(listed, list) or not listed:
            self.reporter.report(node, "items", f"{path}.items", "wrong_shape",
                                 "items is a list of the data items that disagree")
            return None
        unknown = [str(name) for name in listed if str(name) not in self.items]
        for name in unknown:
            self.reporter.report(node, "items", f"{path}.items", "unknown_item",
                                 f"{name!r} is not an item of the data dictionary",
                                 did_you_mean(name, self.items))
        return None if unknown else tuple(str(name) for name in listed)

    def summary_line(self, derived: list[DerivedFact]) -> tuple[tuple[str, str | None], ...]:
        """pack.yaml summary_line: the items and derived facts a case's one-line clinical
        summary shows, in order (agenda rows and the top of the case page); each a name, or
        {name: short label} ("" shows the value alone)."""
        entries: list[tuple[str, str | None]] = []
        for entry in self._listed_names("summary_line", derived):
            name, short = (next(iter(entry.items())) if isinstance(entry, dict) and entry
                           else (entry, None))
            if self._known_name("summary_line", name, derived):
                entries.append((str(name), None if short is None else str(short)))
        return tuple(entries)

    def agenda_filters(self, derived: list[DerivedFact]) -> tuple[str, ...]:
        """pack.yaml agenda_filters: the items and derived facts (e.g. the risk group) the
        agenda can be filtered by, in the order the filter form shows them."""
        return tuple(str(name) for name in self._listed_names("agenda_filters", derived)
                     if self._known_name("agenda_filters", name, derived))

    def _listed_names(self, key: str, derived: list[DerivedFact]) -> list[Any]:
        listed = self.raw.meta.get(key)
        if listed is None:
            return []
        if not isinstance(listed, list):
            self.reporter.report(self.raw.meta, key, f"pack.{key}", "wrong_shape",
                                 f"{key} is a list of items and derived facts")
            return []
        return listed

    def _known_name(self, key: str, name: Any, derived: list[DerivedFact]) -> bool:
        known = set(self.items) | {fact.name for fact in derived}
        if str(name) in known:
            return True
        self.reporter.report(self.raw.meta, key, f"pack.{key}", "unknown_name",
                             f"{name!r} is not an item or derived fact",
                             did_you_mean(str(name), sorted(known)))
        return False

    # -- tests/*.yaml -------------------------------------------------------------------------
    def compile_tests(self) -> list[PackTest]:
        tests = []
        for doc in self.raw.tests:
            if (doc := self.reporter.mapping(doc, None, "tests", doc)) is None:
                continue
            self.reporter.check_keys(doc, "tests", {"tests", "description"})
            nodes = self.reporter.sequence(doc, "tests", "tests", doc.get("tests")) or []
            for index, node in enumerate(nodes):
                test = self._compile_test(nodes, index, node)
                if test is not None:
                    tests.append(test)
        return tests

    def _compile_test(self, nodes: Any, index: int, node: Any) -> PackTest | None:
        path = f"tests[{index}]"
        rep = self.reporter
        if (node := rep.mapping(nodes, index, path, node)) is None:
            return None
        rep.check_keys(node, path, TEST_KEYS, required=("name", "facts", "expect"))
        expect = node.get("expect") or {}
        if isinstance(expect, LocatedDict):
            rep.check_keys(expect, f"{path}.expect", EXPECT_KEYS)
        case = {"case_id": str(node.get("case_id") or node.get("name") or f"test-{index}"),
                "facts": _plain(node.get("facts") or {})}
        if node.get("site"):
            case["site"] = str(node.get("site"))
        pos = nodes.where(index)
        return PackTest(str(node.get("name")), case, _plain(expect), node.get("as_of"),
                        pos.file, pos.line)


def _looks_like_expression(value: str, symbols: Mapping[str, Symbol]) -> bool:
    """Whether a table value written as bare text is an expression or a plain enum literal."""
    stripped = value.strip()
    return stripped in symbols or stripped[:1] in ("'", '"') or "(" in stripped


def _with_value(node: LocatedDict, key: str, value: str) -> LocatedDict:
    copy = LocatedDict(node.position)
    copy.update(node)
    copy.positions = dict(node.positions)
    copy[key] = value
    return copy


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _plain(value: Any) -> Any:
    """Located containers turned back into plain dicts and lists (for test expectations)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _replace(item: DataItem, **changes: Any) -> DataItem:
    from dataclasses import replace

    return replace(item, **changes)


def build_pack(compiler: PackCompiler, meta: dict[str, Any], digest: str, base: str | None,
               derived: list[DerivedFact], decisions: list[Decision],
               standards: list[StandardOfCare], never: list[NeverStreamline],
               tests: list[PackTest], dependencies: Mapping[str, frozenset[str]],
               shown: tuple[tuple[tuple[str, str | None], ...], tuple[str, ...]] = ((), ()),
               ) -> Pack:
    """Assemble the immutable pack once every part compiled (mappings are read-only views);
    `shown` is the compiled summary_line and agenda_filters."""
    return Pack(
        id=meta["id"], title=meta["title"], version=meta["version"], hash=f"sha256:{digest}",
        site=meta["site"], status=meta["status"], base=base,
        minutes_per_case=float(meta["minutes_per_case"]), sources=meta["sources"],
        parameters=MappingProxyType(dict(compiler.parameters)),
        items=MappingProxyType(dict(compiler.items)), derived=tuple(derived),
        decisions=tuple(decisions), standards=tuple(standards),
        never_streamline=tuple(never), tests=tuple(tests), root=str(compiler.raw.root),
        dependencies=MappingProxyType(dict(dependencies)), conflicts=tuple(compiler.conflicts),
        summary_line=shown[0], agenda_filters=shown[1], fhir=compiler.fhir)
