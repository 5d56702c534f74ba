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
    one_if,
    paren,
    total,
)
from openmdt.backends.validation import (
    InputColumn,
    Problem,
    convert_column,
    reserved,
    trimmed,
    unknown_column,
)
from openmdt.engine.plan import engine_plan
from openmdt.knowledge.domains import ItemCells
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
    recorded_codes: tuple[int, ...]  # per recorded-only kernel value: its code's position
    cell_columns: tuple[str, ...] = ()  # the cells of the items decisions read (fact_cells)

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
        select = exp.Select(expressions=([exp.Star()] if star else []) + list(columns)).from_(
            exp.to_identifier(self.current, quoted=True), copy=False)
        self.ctes.append((name, select))
        self.current = name


class _PackQuery:
    def __init__(self, pack: Pack, columns: Sequence[InputColumn], as_of: date | None) -> None:
        self.pack = pack
        self.recorded = recorded_only_pack(pack)
        self.columns = list(columns)
        self.as_of = as_of
        self.where: dict[str, dict[str, str]] = {"n": {}, "r": {}}  # kernel -> name -> column
        self.written: dict[str, str] = {}  # name -> the pack kernel's SQL for it

    def column_of(self, kernel: str) -> Callable[[str], exp.Expression]:
        def lookup(name: str) -> exp.Expression:
            if name in self.pack.parameters:
                return constant(self.pack.parameters[name])
            if name not in self.where[kernel]:
                raise SqlBackendError(f"{name} is used before it is computed")
            return _col(self.where[kernel][name])
        return lookup

    def inputs(self, layers: _Layers) -> None:
        """Three layers: text columns trimmed once; each column converted and each of its
        problems a flag; then the row's first problem (item and code) from the flags."""
        given = {c.name: c for c in self.columns}
        texts = [c for c in self.columns if c.kind == "text" and not reserved(c.name)
                 and c.name in self.pack.items]
        if texts:
            layers.add([_alias(trimmed(_col(c.name)), f"__trim_{c.name}") for c in texts])
        trimmed_names = {c.name for c in texts}
        converted: list[exp.Expression] = []
        problems: list[tuple[str | None, Problem]] = [(None, self._missing_case_id(given))]
        for column in self.columns:
            if reserved(column.name):
                continue
            item = self.pack.items.get(column.name)
            if item is None:
                problems.append((column.name, unknown_column(column)))
                continue
            text = _col(f"__trim_{column.name}") if column.name in trimmed_names else None
            result = convert_column(item, column, text)
            problems.extend((item.name, p) for p in result.problems)
            converted.append(_alias(result.value, f"__given_{item.name}"))
        case_id = exp.Cast(this=_col(CASE_ID), to=exp.DataType.build("VARCHAR")) \
            if CASE_ID in given else exp.Null()
        flags = [_alias(p.condition, f"__problem_{i}") for i, (_, p) in enumerate(problems)]
        layers.add([_alias(case_id, "__case_id"), *flags, *converted])
        error_item, error_code = _first_problem([
            (item, Problem(_col(f"__problem_{i}"), p.code, p.reason))
            for i, (item, p) in enumerate(problems)])
        layers.add([_alias(error_item, ERROR_ITEM), _alias(error_code, ERROR_CODE)])
        self._environment(layers, given)

    def _missing_case_id(self, given: dict[str, InputColumn]) -> Problem:
        if CASE_ID not in given:
            return Problem(exp.true(), "missing_case_id", "the case has no case_id")
        text = exp.Trim(this=exp.Cast(this=_col(CASE_ID), to=exp.DataType.build("VARCHAR")))
        blank = exp.EQ(this=text, expression=exp.Literal.string(""))
        return Problem(exp.or_(is_null(_col(CASE_ID)), blank, copy=False), "missing_case_id",
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
                    filled = case([(paren(exp.or_(*members, copy=False)), exp.Cast(
                        this=exp.Null(), to=exp.DataType.build(sql_type)))], filled)
                self._place(columns, kernel, name, filled, f"{kernel}{index}")
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
                self._place(columns, kernel, fact.name,
                            exp.Cast(this=value, to=exp.DataType.build(sql_type)),
                            f"{kernel}d{index}")
            layers.add(columns)

    def _place(self, columns: list[exp.Expression], kernel: str, name: str,
               value: exp.Expression, column: str) -> None:
        """Add ``value`` as ``column``, unless it is the recorded-only kernel's value and
        the same SQL as the pack kernel's (most values read no assumed default): then both
        kernels read the pack kernel's column."""
        if kernel == "r" and value.sql(copy=False) == self.written.get(name):
            self.where["r"][name] = self.where["n"][name]
            return
        if kernel == "n":
            self.written[name] = value.sql(copy=False)
        columns.append(_alias(value, column))
        self.where[kernel][name] = column

    def keys(self) -> tuple[list[exp.Expression], int, int, tuple[int, ...]]:
        """The key words: the pack kernel's conditions and unknown flags, then those of the
        recorded-only kernel that differ, two bits each; and where each of the recorded-only
        kernel's values is among the codes (``CompiledQuery.recorded_codes``)."""
        written: list[list[exp.Expression]] = []
        for kernel, pack in (("n", self.pack), ("r", self.recorded)):
            writer = ExpressionWriter(self.column_of(kernel))
            expressions = list(pack_conditions(pack))
            conditions = len(expressions)
            written.append([_three_valued(writer.write(e.tree)) for e in expressions] + [
                case([(is_null(self.column_of(kernel)(name)), exp.Literal.number(1))],
                     exp.Literal.number(0)) for name in unknown_names(pack)])
        codes, recorded = written
        if len(codes) != len(recorded):
            raise SqlBackendError("the recorded-only kernel has another layout")
        slots: list[int] = []
        extra: list[exp.Expression] = []
        for index, (normal, code) in enumerate(zip(codes, recorded, strict=True)):
            if code.sql(copy=False) == normal.sql(copy=False):
                slots.append(index)
            else:
                slots.append(len(codes) + len(extra))
                extra.append(code)
        values = len(codes)
        codes = codes + extra
        words = [_word(codes[start:start + PER_WORD]) for start in range(0, len(codes), PER_WORD)]
        return words, values, conditions, tuple(slots)

    def fact_cells(self) -> list[exp.Expression]:
        """The cell (knowledge.domains) of each item a decision reads, as each kernel reads
        it: with the pattern, all an exact status depends on (engine.exact remembers it by
        these), so cases that agree on them are settled once."""
        exact = engine_plan(self.pack).exact
        # The evaluation date, also read, is one constant for the whole cohort.
        names = sorted(n for n in set().union(*exact.reads.values()) if n in self.pack.items)
        cells: list[exp.Expression] = []
        for kernel in ("n", "r"):
            for name in names:
                if kernel == "r" and self.where["r"][name] == self.where["n"][name]:
                    continue  # the same value in both kernels
                value = _col(self.where[kernel][name])
                cells.append(_alias(_cell(exact.cells[name], value),
                                    f"__cell_{len(cells)}"))
        return cells


def _cell(cells: ItemCells | None, value: exp.Expression) -> exp.Expression:
    """``ItemCells.cell`` in SQL: the value itself, or for a number read against constants
    the count of boundaries it is above plus those it is at or above (0 to 2k, one per
    interval and per boundary); NULL when unknown."""
    if cells is None or cells.boundaries is None:
        return value
    terms = [one_if(exp.GT(this=value, expression=constant(float(b))))
             for b in cells.boundaries]
    terms += [one_if(exp.GTE(this=value, expression=constant(float(b))))
              for b in cells.boundaries]
    return case([(is_null(value), exp.Null())], paren(total(terms)))


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
                paren(exp.and_(paren(exp.or_(exp.Not(this=condition), same)), rest, copy=False)))


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
    words, values, conditions, recorded_codes = builder.keys()
    derived = tuple(DerivedColumn(f.name, f"nd{i}", f.type) for i, f in enumerate(pack.derived))
    outputs: list[exp.Expression] = [_alias(_col(ROW), ROW), _alias(_col("__case_id"), CASE_ID),
                                     _col(ERROR_ITEM), _col(ERROR_CODE)]
    outputs += [_col(d.column) for d in derived]
    keys = tuple(f"__k{i}" for i in range(len(words)))
    outputs += [_alias(w, k) for w, k in zip(words, keys, strict=True)]
    cells = builder.fact_cells()
    outputs += cells
    final = exp.Select(expressions=outputs).from_(
        exp.to_identifier(layers.current, quoted=True), copy=False)
    return CompiledQuery(tuple(layers.ctes), final, derived, keys, values, conditions,
                         recorded_codes, tuple(c.alias_or_name for c in cells))
