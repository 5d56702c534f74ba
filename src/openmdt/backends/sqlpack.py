"""A pack compiled to one SQL query over a table of cases (one column per data item).

The query mirrors the pack kernel (knowledge/kernel.py) exactly, computed without skipping
(``run_all``): items converted and validated (validation.py), defaults and 'not assessed'
values applied, derived facts in dependency order (first-match tables with the kernel's rule
for rows that may or may not match), then every condition of the pack and which names are
unknown. It does so twice, side by side: once for the pack as it is and once for the pack
read on recorded facts only (knowledge/recorded.py), which triage needs before a case may
follow a Standard of Care. The three-valued results are packed two bits each into BIGINT
key columns, so distinct patterns are few and cheap to find (see patterns.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlglot import exp

from openmdt.backends.sqlexpr import (
    ExpressionWriter,
    SqlBackendError,
    case,
    constant,
    is_null,
    paren,
)
from openmdt.backends.validation import (
    InputColumn,
    Problem,
    convert_column,
    reserved,
    unknown_column,
)
from openmdt.knowledge.kernel import pack_conditions, unknown_names
from openmdt.knowledge.model import DerivedFact, Pack
from openmdt.knowledge.recorded import assumed_items, recorded_only_pack
from openmdt.language import Expression, ValueType

__all__ = ["EVALUATED", "PER_WORD", "CompiledQuery", "DerivedColumn", "compile_pack_query"]

PER_WORD = 31  # two bits per value in a signed 64-bit key word
ROW, CASE_ID, ERROR_ITEM, ERROR_CODE = "__row", "case_id", "__error_item", "__error_code"
EVALUATED = "__evaluated"
_SQL_TYPES = {ValueType.NUMBER: "DOUBLE", ValueType.INTEGER: "BIGINT",
              ValueType.BOOLEAN: "BOOLEAN", ValueType.ENUM: "VARCHAR",
              ValueType.TEXT: "VARCHAR", ValueType.DATE: "DATE"}


@dataclass(frozen=True)
class DerivedColumn:
    """A derived fact in the query's output: its column and type."""

    name: str
    column: str
    type: ValueType


@dataclass(frozen=True)
class CompiledQuery:
    """The query, where its outputs are, and how many values each key word holds."""

    ctes: tuple[tuple[str, exp.Select], ...]  # the layers, each reading the one before
    final: exp.Select  # the per-case outputs, reading the last layer
    derived: tuple[DerivedColumn, ...]
    key_columns: tuple[str, ...]
    values: int  # the kernel's value count: conditions, then unknown flags
    conditions: int

    @property
    def query(self) -> exp.Select:
        """The whole query: one row per input row."""
        return self.around(exp.select(exp.Star()).from_(EVALUATED))

    def around(self, outer: exp.Select) -> exp.Select:
        """``outer`` with every layer and the per-case outputs (``__evaluated``) before it."""
        query = outer
        for name, cte in (*self.ctes, (EVALUATED, self.final)):
            query = query.with_(exp.to_identifier(name, quoted=True), as_=cte, copy=False)
        return query

    def sql(self, dialect: str) -> str:
        return self.query.sql(dialect=dialect)


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def _alias(value: exp.Expression, name: str) -> exp.Alias:
    return exp.alias_(value, name, quoted=True)


def _first_problem(problems: Sequence[tuple[str | None, Problem]]
                   ) -> tuple[exp.Expression, exp.Expression]:
    """(error item, error code) of the first problem a row has, NULL when it has none."""
    if not problems:
        return exp.Null(), exp.Null()
    items = case([(p.condition, exp.Null() if item is None else exp.Literal.string(item))
                  for item, p in problems])
    codes = case([(p.condition, exp.Literal.string(p.code)) for _, p in problems])
    return items, codes


class _Layers:
    """Builds the chain of SELECTs: each adds columns to everything before it."""

    def __init__(self, source: str) -> None:
        self.ctes: list[tuple[str, exp.Select]] = []
        self.current = source

    def add(self, columns: Sequence[exp.Expression], *, star: bool = True) -> None:
        name = f"__layer{len(self.ctes)}"
        select = exp.select(*(([exp.Star()] if star else []) + list(columns))).from_(
            exp.to_identifier(self.current, quoted=True))
        self.ctes.append((name, select))
        self.current = name


class _PackQuery:
    def __init__(self, pack: Pack, columns: Sequence[InputColumn], as_of: date | None) -> None:
        self.pack = pack
        self.recorded = recorded_only_pack(pack)
        self.columns = list(columns)
        self.as_of = as_of
        self.where: dict[str, dict[str, str]] = {"n": {}, "r": {}}  # kernel -> name -> column

    def column_of(self, kernel: str) -> Callable[[str], exp.Expression]:
        def lookup(name: str) -> exp.Expression:
            if name in self.pack.parameters:
                return constant(self.pack.parameters[name])
            if name not in self.where[kernel]:
                raise SqlBackendError(f"{name} is used before it is computed")
            return _col(self.where[kernel][name])
        return lookup

    def inputs(self, layers: _Layers) -> None:
        given = {c.name: c for c in self.columns}
        converted: list[exp.Expression] = []
        problems: list[tuple[str | None, Problem]] = [(None, self._missing_case_id(given))]
        for column in self.columns:
            if reserved(column.name):
                continue
            item = self.pack.items.get(column.name)
            if item is None:
                problems.append((column.name, unknown_column(column)))
                continue
            result = convert_column(item, column)
            problems.extend((item.name, p) for p in result.problems)
            converted.append(_alias(result.value, f"__given_{item.name}"))
        error_item, error_code = _first_problem(problems)
        case_id = exp.Cast(this=_col(CASE_ID), to=exp.DataType.build("VARCHAR")) \
            if CASE_ID in given else exp.Null()
        layers.add([_alias(case_id, "__case_id"), _alias(error_item, ERROR_ITEM),
                    _alias(error_code, ERROR_CODE), *converted])
        self._environment(layers, given)

    def _missing_case_id(self, given: dict[str, InputColumn]) -> Problem:
        if CASE_ID not in given:
            return Problem(exp.true(), "missing_case_id", "the case has no case_id")
        text = exp.Trim(this=exp.Cast(this=_col(CASE_ID), to=exp.DataType.build("VARCHAR")))
        blank = exp.EQ(this=text, expression=exp.Literal.string(""))
        return Problem(exp.or_(is_null(_col(CASE_ID)), blank), "missing_case_id",
                       "the case has no case_id")

    def _environment(self, layers: _Layers, given: dict[str, InputColumn]) -> None:
        """Each item's value for both kernels: default, then 'not assessed' values unknown."""
        assumed = set(assumed_items(self.pack))
        columns: list[exp.Expression] = []
        for index, (name, item) in enumerate(self.pack.items.items()):
            sql_type = _SQL_TYPES[item.type if isinstance(item.type, ValueType)
                                  else ValueType(item.type)]
            value: exp.Expression = exp.Cast(this=exp.Null(), to=exp.DataType.build(sql_type))
            if name in given:
                value = _col(f"__given_{name}")
            for kernel in ("n", "r"):
                filled = value
                if item.default is not None and not (kernel == "r" and name in assumed):
                    filled = exp.Coalesce(this=value, expressions=[constant(item.default)])
                if item.not_assessed:
                    members = [exp.EQ(this=paren(filled), expression=constant(v))
                               for v in sorted(item.not_assessed)]
                    filled = case([(paren(exp.or_(*members)), exp.Cast(
                        this=exp.Null(), to=exp.DataType.build(sql_type)))], filled)
                columns.append(_alias(filled, f"{kernel}{index}"))
                self.where[kernel][name] = f"{kernel}{index}"
        as_of = exp.Cast(this=exp.Null() if self.as_of is None else exp.Literal.string(
            self.as_of.isoformat()), to=exp.DataType.build("DATE"))
        columns.append(_alias(as_of, "__as_of"))
        for kernel in ("n", "r"):
            self.where[kernel]["as_of"] = "__as_of"
        layers.add(columns)

    def derived(self, layers: _Layers) -> None:
        """One layer per derived fact, in dependency order (the pack's order)."""
        for index, (fact, recorded) in enumerate(zip(self.pack.derived, self.recorded.derived,
                                                     strict=True)):
            columns = []
            for kernel, version in (("n", fact), ("r", recorded)):
                writer = ExpressionWriter(self.column_of(kernel))
                value = _fact_value(version, writer)
                if version.fills_item:
                    value = exp.Coalesce(this=self.column_of(kernel)(fact.name),
                                         expressions=[value])
                sql_type = _SQL_TYPES[fact.type]
                columns.append(_alias(exp.Cast(this=value, to=exp.DataType.build(sql_type)),
                                      f"{kernel}d{index}"))
            layers.add(columns)
            for kernel in ("n", "r"):
                self.where[kernel][fact.name] = f"{kernel}d{index}"

    def keys(self) -> tuple[list[exp.Expression], int, int]:
        """The key words: both kernels' conditions and unknown flags, two bits each."""
        codes: list[exp.Expression] = []
        conditions = 0
        for kernel, pack in (("n", self.pack), ("r", self.recorded)):
            writer = ExpressionWriter(self.column_of(kernel))
            expressions = list(pack_conditions(pack))
            conditions = len(expressions)
            codes.extend(_three_valued(writer.write(e.tree)) for e in expressions)
            codes.extend(case([(is_null(self.column_of(kernel)(name)), exp.Literal.number(1))],
                              exp.Literal.number(0)) for name in unknown_names(pack))
        values = len(codes) // 2
        words = [_word(codes[start:start + PER_WORD]) for start in range(0, len(codes), PER_WORD)]
        return words, values, conditions


def _three_valued(condition: exp.Expression) -> exp.Expression:
    """1 true, 0 false, 2 unknown."""
    as_number = exp.Cast(this=paren(condition), to=exp.DataType.build("INT"))
    return exp.Coalesce(this=as_number, expressions=[exp.Literal.number(2)])


def _word(codes: Sequence[exp.Expression]) -> exp.Expression:
    terms = [exp.Mul(this=exp.Cast(this=code, to=exp.DataType.build("BIGINT")),
                     expression=constant(4 ** position))
             for position, code in enumerate(codes)]
    total: exp.Expression = terms[0]
    for term in terms[1:]:
        total = exp.Add(this=total, expression=term)
    return total


def _value(expression: Expression | None, writer: ExpressionWriter) -> exp.Expression:
    return exp.Null() if expression is None else paren(writer.write(expression.tree))


def _fact_value(fact: DerivedFact, writer: ExpressionWriter) -> exp.Expression:
    if fact.expression is not None:
        return _value(fact.expression, writer)
    return _table(fact, writer, 0)


def _table(fact: DerivedFact, writer: ExpressionWriter, index: int) -> exp.Expression:
    """First matching row; a row that may or may not match gives a value only if every row
    that could still match (up to the first that surely does) gives the same one."""
    if index == len(fact.rows):
        return _value(fact.otherwise, writer)
    row = fact.rows[index]
    condition = paren(writer.write(row.condition.tree))
    value = _value(row.value, writer)
    return case([(condition, value), (exp.Not(this=condition), _table(fact, writer, index + 1))],
                _possible(fact, writer, index, value))


def _possible(fact: DerivedFact, writer: ExpressionWriter, index: int, first: exp.Expression
              ) -> exp.Expression:
    agree = _agree(fact, writer, index + 1, first)
    return case([(is_null(first), exp.Null()), (agree, first)])


def _agree(fact: DerivedFact, writer: ExpressionWriter, index: int, first: exp.Expression
           ) -> exp.Expression:
    """Whether every value still possible from row ``index`` on is known and equals first
    (never NULL); each row's test appears once, so the size grows with the rows, not 2^n."""
    if index == len(fact.rows):
        return _same(_value(fact.otherwise, writer), first)
    row = fact.rows[index]
    condition = paren(writer.write(row.condition.tree))
    same = _same(_value(row.value, writer), first)
    rest = _agree(fact, writer, index + 1, first)
    return case([(condition, same)],
                paren(exp.and_(paren(exp.or_(exp.Not(this=condition), same)), rest)))


def _same(value: exp.Expression, first: exp.Expression) -> exp.Expression:
    return exp.Coalesce(this=exp.EQ(this=value, expression=first), expressions=[exp.false()])


def compile_pack_query(pack: Pack, columns: Sequence[InputColumn], source: str,
                       as_of: date | None) -> CompiledQuery:
    """The pack as one query over the table ``source`` whose columns are ``columns`` (plus
    ``__row``, the row number). Raises SqlBackendError for anything it cannot express."""
    builder = _PackQuery(pack, columns, as_of)
    layers = _Layers(source)
    builder.inputs(layers)
    builder.derived(layers)
    words, values, conditions = builder.keys()
    derived = tuple(DerivedColumn(f.name, f"nd{i}", f.type) for i, f in enumerate(pack.derived))
    outputs: list[exp.Expression] = [_alias(_col(ROW), ROW), _alias(_col("__case_id"), CASE_ID),
                                     _col(ERROR_ITEM), _col(ERROR_CODE)]
    outputs += [_col(d.column) for d in derived]
    keys = tuple(f"__k{i}" for i in range(len(words)))
    outputs += [_alias(w, k) for w, k in zip(words, keys, strict=True)]
    final = exp.select(*outputs).from_(exp.to_identifier(layers.current, quoted=True))
    return CompiledQuery(tuple(layers.ctes), final, derived, keys, values, conditions)
