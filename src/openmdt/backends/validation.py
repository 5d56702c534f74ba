"""Validation of a table of cases, compiled to SQL: the Python path's checks and error codes.

SQL validates nothing by itself, so each input column is converted to its item's type here,
with the same rules as ``knowledge.values.convert_fact`` and ``engine.normalise``: blank text
is unknown, numbers are parsed like Python's ``float``, enum values match exactly or by a
unique case-insensitive spelling, booleans accept the same words. A row's first problem (in
column order, as the Python path reports the first bad fact) gives its error item and code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from openmdt.backends.sqlexpr import SqlBackendError, case, constant, is_null, paren
from openmdt.cases.readers import RESERVED_COLUMNS
from openmdt.knowledge.model import DataItem
from openmdt.knowledge.values import FALSE_WORDS, TRUE_WORDS

__all__ = ["ColumnKind", "Converted", "InputColumn", "convert_column", "unknown_column"]

# Python's str.strip() removes more (Unicode spaces); these are the ones met in lists.
_WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0"
_WHITESPACE_CLASS = "[" + _WHITESPACE + "]"
# The plain decimal notation knowledge.values accepts for a number written as text.
_FLOAT_TEXT = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_BASIC_DATE = r"^[0-9]{8}$"
_LARGEST_DOUBLE = 1.7976931348623157e308
ColumnKind = str  # "text" | "integer" | "number" | "boolean" | "date"
KINDS = ("text", "integer", "number", "boolean", "date")


@dataclass(frozen=True)
class InputColumn:
    """A column of the input table and the kind of values it holds."""

    name: str
    kind: ColumnKind


@dataclass(frozen=True)
class Problem:
    """When a column's value is refused: the condition, the error code and the reason."""

    condition: exp.Expression
    code: str
    reason: str


@dataclass(frozen=True)
class Converted:
    """A column's value as its item's type (NULL when blank), and the problems it may have."""

    value: exp.Expression
    problems: tuple[Problem, ...]


def _col(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def trimmed(value: exp.Expression) -> exp.Expression:
    """The text without leading and trailing whitespace. Trimming a set of characters is
    slow (about 1 µs a value in DuckDB), so it is done only where a value starts or ends
    with one of them (a regular expression is about five times faster)."""
    edge = _matches(value, f"^{_WHITESPACE_CLASS}|{_WHITESPACE_CLASS}$")
    return case([(edge, exp.Trim(this=value, expression=exp.Literal.string(_WHITESPACE)))],
                value)


def _matches(value: exp.Expression, pattern: str) -> exp.Expression:
    return exp.RegexpLike(this=value, expression=exp.Literal.string(pattern))


def _finite(value: exp.Expression) -> exp.Expression:
    """NaN and infinities fail (NaN is larger than every number in DuckDB and Spark)."""
    return exp.LTE(this=exp.Abs(this=value), expression=constant(_LARGEST_DOUBLE))


def _cast(value: exp.Expression, sql_type: str, *, try_: bool = False) -> exp.Expression:
    kind = exp.TryCast if try_ else exp.Cast
    return kind(this=value, to=exp.DataType.build(sql_type))


def unknown_column(column: InputColumn) -> Problem:
    """A column that is not an item: every value given in it is refused."""
    return Problem(exp.Not(this=is_null(_col(column.name))), "unknown_item",
                   "is not an item of the pack")


def convert_column(item: DataItem, column: InputColumn,
                   text: exp.Expression | None = None) -> Converted:
    """The column's values converted to ``item``'s type, with the Python path's problems.
    ``text`` is the column's value trimmed (``trimmed``), when a text column has it computed
    already: trimming is the costly part, so it is done once."""
    raw = _col(column.name)
    text = trimmed(raw) if text is None else text
    if item.type in ("number", "integer"):
        return _number(item, raw, column.kind, text)
    converters = {"boolean": _boolean, "enum": _enum, "date": _date, "text": _text}
    if item.type not in converters:
        raise SqlBackendError(f"item {item.name}: no SQL validation for type {item.type}")
    return converters[item.type](item, raw, column.kind, text)


def _refused(kind: ColumnKind, raw: exp.Expression, sql_type: str, reason: str) -> Converted:
    """Every given value is the wrong type."""
    return Converted(_cast(exp.Null(), sql_type),
                     (Problem(exp.Not(this=is_null(raw)), "wrong_type", reason),))


def _blank(text: exp.Expression) -> exp.Expression:
    return exp.EQ(this=text, expression=exp.Literal.string(""))


def _number(item: DataItem, raw: exp.Expression, kind: ColumnKind, text: exp.Expression
            ) -> Converted:
    sql_type = "BIGINT" if item.type == "integer" else "DOUBLE"
    if kind in ("boolean", "date"):
        return _refused(kind, raw, sql_type, "is a boolean" if kind == "boolean"
                        else "is not a number")
    problems: list[Problem] = []
    if kind == "text":
        parsed = case([(_matches(text, _FLOAT_TEXT), _cast(exp.Replace(
            this=text, expression=exp.Literal.string("_"), replacement=exp.Literal.string("")),
            "DOUBLE", try_=True))])
        number = case([(exp.or_(is_null(raw), _blank(text), copy=False), exp.Null())], parsed)
        bad = exp.and_(exp.Not(this=is_null(raw)), exp.Not(this=paren(_blank(text))),
                       exp.Not(this=paren(exp.and_(exp.Not(this=is_null(parsed)),
                                                   _finite(parsed)))), copy=False)
        problems.append(Problem(bad, "wrong_type", "is not a number"))
    else:
        number = _cast(raw, "DOUBLE") if kind == "number" else raw
        if kind == "number":
            bad = exp.Not(this=paren(_finite(number)))
            problems.append(Problem(bad, "wrong_type", "is not a number"))
    value = paren(number)
    if item.type == "integer" and kind != "integer":
        fraction = exp.NEQ(this=value, expression=exp.Floor(this=value))
        problems.append(Problem(fraction, "wrong_type", "is not a whole number"))
    problems.extend(_range(item, value))
    return Converted(_cast(value, sql_type, try_=item.type == "integer"), tuple(problems))


def _range(item: DataItem, value: exp.Expression) -> list[Problem]:
    outside = []
    if item.minimum is not None:
        outside.append(exp.LT(this=value, expression=constant(item.minimum)))
    if item.maximum is not None:
        outside.append(exp.GT(this=value, expression=constant(item.maximum)))
    if not outside:
        return []
    return [Problem(paren(exp.or_(*outside, copy=False)), "value_out_of_range", "is out of range")]


def _given_text(raw: exp.Expression, text: exp.Expression
                ) -> tuple[exp.Expression, exp.Expression]:
    """(the trimmed text, whether a non-blank value is given)."""
    return text, exp.and_(exp.Not(this=is_null(raw)), exp.Not(this=paren(_blank(text))), copy=False)


def _words(value: exp.Expression, words: Sequence[str]) -> exp.Expression:
    return paren(exp.or_(*(exp.EQ(this=value, expression=exp.Literal.string(w))
                           for w in sorted(words)), copy=False))


def _boolean(item: DataItem, raw: exp.Expression, kind: ColumnKind, text: exp.Expression
             ) -> Converted:
    if kind == "boolean":
        return Converted(raw, ())
    if kind != "text":
        return _refused(kind, raw, "BOOLEAN", "is not true or false")
    text, given = _given_text(raw, text)
    word = exp.Lower(this=text)
    value = case([(exp.Not(this=paren(given)), exp.Null()), (_words(word, TRUE_WORDS),
                  exp.true()), (_words(word, FALSE_WORDS), exp.false())])
    bad = exp.and_(given, exp.Not(this=paren(_words(word, TRUE_WORDS | FALSE_WORDS))), copy=False)
    return Converted(value, (Problem(bad, "wrong_type", "is not true or false"),))


def _enum(item: DataItem, raw: exp.Expression, kind: ColumnKind, text: exp.Expression
          ) -> Converted:
    if kind != "text":
        return _refused(kind, raw, "VARCHAR", "is not text")
    text, given = _given_text(raw, text)
    values = tuple(item.values or ())
    whens = [(exp.EQ(this=text, expression=exp.Literal.string(v)), exp.Literal.string(v))
             for v in values]
    for value in values:  # a spelling that folds to exactly one allowed value
        if sum(1 for v in values if v.lower() == value.lower()) == 1:
            whens.append((exp.EQ(this=exp.Lower(this=text),
                                 expression=exp.Literal.string(value.lower())),
                          exp.Literal.string(value)))
    if not whens:
        return _refused(kind, raw, "VARCHAR", "is not allowed")
    matched = case(whens)
    value = case([(exp.Not(this=paren(given)), exp.Null())], matched)
    bad = exp.and_(given, is_null(matched), copy=False)
    return Converted(value, (Problem(bad, "value_not_allowed", "is not allowed"),))


def _date(item: DataItem, raw: exp.Expression, kind: ColumnKind, text: exp.Expression
          ) -> Converted:
    if kind == "date":
        return Converted(raw, ())
    if kind != "text":
        return _refused(kind, raw, "DATE", "is not a date")
    text, given = _given_text(raw, text)
    basic = exp.Concat(expressions=[
        exp.Substring(this=text, start=exp.Literal.number(1), length=exp.Literal.number(4)),
        exp.Literal.string("-"),
        exp.Substring(this=text, start=exp.Literal.number(5), length=exp.Literal.number(2)),
        exp.Literal.string("-"),
        exp.Substring(this=text, start=exp.Literal.number(7), length=exp.Literal.number(2))])
    parsed = case([(_matches(text, _ISO_DATE), _cast(text, "DATE", try_=True)),
                   (_matches(text, _BASIC_DATE), _cast(basic, "DATE", try_=True))])
    value = case([(exp.Not(this=paren(given)), exp.Null())], parsed)
    bad = exp.and_(given, is_null(parsed), copy=False)
    return Converted(value, (Problem(bad, "wrong_type", "is not a date"),))


def _text(item: DataItem, raw: exp.Expression, kind: ColumnKind, text: exp.Expression
          ) -> Converted:
    if kind != "text":
        return _refused(kind, raw, "VARCHAR", "is not text")
    _, given = _given_text(raw, text)
    return Converted(case([(given, raw)]), ())


def reserved(name: str) -> bool:
    """Columns that name the case and patient rather than give facts."""
    return name in RESERVED_COLUMNS
