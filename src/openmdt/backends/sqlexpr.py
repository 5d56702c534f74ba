"""Write checked expression trees as sqlglot expressions (the SQL backend's expression writer).

Only sqlglot nodes are built, from the language's checked tree: names become columns, literals
and pack parameters become typed SQL literals. Pack text is never pasted into SQL. SQL NULL is
Unknown; ``AND``/``OR``/``NOT`` and comparisons are already Kleene in SQL, and every library
function is written so that it gives the value the Python kernel gives (``GREATEST``/``LEAST``
ignore NULL in some engines, so ``min``/``max`` test for NULL first; division by zero is NULL).
Anything the writer cannot express raises SqlBackendError when the pack is compiled.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlglot import exp

from openmdt.language.nodes import (
    Arithmetic,
    Call,
    Comparison,
    ListOf,
    Literal,
    Logic,
    Name,
    Negative,
    Node,
    Not,
)

__all__ = ["ExpressionWriter", "SqlBackendError", "constant"]

_BIGINT_RANGE = (-(2**63), 2**63 - 1)
_COMPARISONS: dict[str, type[exp.Binary]] = {
    "==": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE,
}
_ARITHMETIC: dict[str, type[exp.Binary]] = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul}


class SqlBackendError(Exception):
    """A pack (or input) the SQL backend cannot express exactly: refused, never approximated."""


def _typed(value: exp.Expression, sql_type: str) -> exp.Expression:
    return exp.Cast(this=value, to=exp.DataType.build(sql_type))


def constant(value: Any) -> exp.Expression:
    """A Python value (literal or pack parameter) as a typed SQL literal."""
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, int):
        if not _BIGINT_RANGE[0] <= value <= _BIGINT_RANGE[1]:
            raise SqlBackendError(f"the whole number {value} does not fit a 64-bit integer")
        return _typed(exp.Literal.number(value), "BIGINT")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SqlBackendError(f"the number {value} is not finite")
        return _typed(exp.Literal.number(repr(value)), "DOUBLE")
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, date):
        return _typed(exp.Literal.string(value.isoformat()), "DATE")
    raise SqlBackendError(f"a value of type {type(value).__name__} cannot be written in SQL")


def paren(node: exp.Expression) -> exp.Expression:
    """Parenthesised unless atomic: trees are built, so precedence is made explicit."""
    if isinstance(node, exp.Column | exp.Literal | exp.Boolean | exp.Null | exp.Paren
                  | exp.Cast):
        return node
    return exp.Paren(this=node)


def is_null(node: exp.Expression) -> exp.Expression:
    return exp.Is(this=paren(node), expression=exp.Null())


def any_null(nodes: Sequence[exp.Expression]) -> exp.Expression:
    return exp.or_(*(is_null(n) for n in nodes), copy=False)


def case(whens: Sequence[tuple[exp.Expression, exp.Expression]],
         otherwise: exp.Expression | None = None) -> exp.Expression:
    # Built directly: the builder methods copy every branch (most of the compile time).
    return exp.Case(ifs=[exp.If(this=condition, true=value) for condition, value in whens],
                    default=otherwise if otherwise is not None else exp.Null())


def one_if(condition: exp.Expression) -> exp.Expression:
    """1 when the condition holds, else 0 (false and NULL alike)."""
    return case([(condition, exp.Literal.number(1))], exp.Literal.number(0))


def total(terms: Sequence[exp.Expression]) -> exp.Expression:
    result = terms[0]
    for term in terms[1:]:
        result = exp.Add(this=result, expression=term)
    return paren(result)


class ExpressionWriter:
    """Writes one expression tree as a SQL expression over the columns ``column_of`` names."""

    def __init__(self, column_of: Callable[[str], exp.Expression]) -> None:
        self.column_of = column_of

    def write(self, node: Node) -> exp.Expression:
        method = getattr(self, f"_{type(node).__name__.lower()}", None)
        if method is None:
            raise SqlBackendError(f"no SQL for a {type(node).__name__} node")
        return method(node)

    def _literal(self, node: Literal) -> exp.Expression:
        return constant(node.value)

    def _name(self, node: Name) -> exp.Expression:
        return self.column_of(node.name)

    def _listof(self, node: ListOf) -> exp.Expression:
        raise SqlBackendError("a list is only allowed on the right of 'in' / 'not in'")

    def _not(self, node: Not) -> exp.Expression:
        return exp.Not(this=paren(self.write(node.operand)))

    def _negative(self, node: Negative) -> exp.Expression:
        return exp.Neg(this=paren(self.write(node.operand)))

    def _logic(self, node: Logic) -> exp.Expression:
        operands = [paren(self.write(o)) for o in node.operands]
        combine = exp.and_ if node.operator == "and" else exp.or_
        joined = combine(*operands, copy=False)
        return paren(joined)

    def _comparison(self, node: Comparison) -> exp.Expression:
        """A chain is the Kleene 'and' of its pairs (each middle operand read twice)."""
        terms = []
        for index, operator in enumerate(node.operators):
            left, right = node.operands[index], node.operands[index + 1]
            terms.append(paren(self._pair(operator, left, right)))
        return terms[0] if len(terms) == 1 else paren(exp.and_(*terms, copy=False))

    def _pair(self, operator: str, left: Node, right: Node) -> exp.Expression:
        value = paren(self.write(left))
        if operator in ("in", "not in"):
            if not isinstance(right, ListOf):
                raise SqlBackendError(f"'{operator}' needs a list on its right")
            member = self._member(value, right)
            return exp.Not(this=paren(member)) if operator == "not in" else member
        if operator not in _COMPARISONS:
            raise SqlBackendError(f"no SQL for the comparison {operator!r}")
        return _COMPARISONS[operator](this=value, expression=paren(self.write(right)))

    def _member(self, value: exp.Expression, members: ListOf) -> exp.Expression:
        """An OR chain of equalities (a long IN list may become a join in some engines)."""
        if not members.items:
            return case([(is_null(value), exp.Null())], exp.false())
        return paren(exp.or_(*(exp.EQ(this=value, expression=constant(item.value))
                               for item in members.items), copy=False))

    def _arithmetic(self, node: Arithmetic) -> exp.Expression:
        left, right = paren(self.write(node.left)), paren(self.write(node.right))
        if node.operator == "/":
            quotient = exp.Div(this=_typed(left, "DOUBLE"), expression=_typed(right, "DOUBLE"))
            zero = exp.EQ(this=right, expression=exp.Literal.number(0))
            return case([(zero, exp.Null())], quotient)
        if node.operator not in _ARITHMETIC:
            raise SqlBackendError(f"no SQL for the operator {node.operator!r}")
        return paren(_ARITHMETIC[node.operator](this=left, expression=right))

    def _call(self, node: Call) -> exp.Expression:
        writer = getattr(self, f"_call_{node.function}", None)
        if writer is None:
            raise SqlBackendError(f"no SQL for the function {node.function}()")
        return writer(node)

    def _arguments(self, node: Call) -> list[exp.Expression]:
        return [paren(self.write(a)) for a in node.arguments]

    def _call_known(self, node: Call) -> exp.Expression:
        return exp.Not(this=is_null(self.write(node.arguments[0])))

    def _call_unknown(self, node: Call) -> exp.Expression:
        return is_null(self.write(node.arguments[0]))

    def _call_coalesce(self, node: Call) -> exp.Expression:
        first, fallback = self._arguments(node)
        return exp.Coalesce(this=first, expressions=[fallback])

    def _call_between(self, node: Call) -> exp.Expression:
        value, low, high = self._arguments(node)
        return paren(exp.and_(exp.LTE(this=low, expression=value),
                              exp.LTE(this=value, expression=high), copy=False))

    def _call_at_least(self, node: Call) -> exp.Expression:
        needed_node = node.arguments[0]
        if not isinstance(needed_node, Literal) or type(needed_node.value) is not int:
            raise SqlBackendError("at_least() needs a whole-number literal first")
        conditions = [paren(self.write(a)) for a in node.arguments[1:]]
        needed = exp.Literal.number(needed_node.value)
        held = total([one_if(c) for c in conditions])
        open_ = total([one_if(is_null(c)) for c in conditions])
        return case([(exp.GTE(this=held, expression=needed), exp.true()),
                     (exp.LT(this=exp.Add(this=held, expression=open_), expression=needed),
                      exp.false())], exp.Null())

    def _call_count_true(self, node: Call) -> exp.Expression:
        conditions = self._arguments(node)
        return case([(any_null(conditions), exp.Null())],
                    _typed(total([one_if(c) for c in conditions]), "BIGINT"))

    def _extreme(self, node: Call, kind: type[exp.Func]) -> exp.Expression:
        values = self._arguments(node)
        extreme = kind(this=values[0], expressions=values[1:])
        return case([(any_null(values), exp.Null())], extreme)

    def _call_min(self, node: Call) -> exp.Expression:
        return self._extreme(node, exp.Least)

    def _call_max(self, node: Call) -> exp.Expression:
        return self._extreme(node, exp.Greatest)

    def _call_abs(self, node: Call) -> exp.Expression:
        return exp.Abs(this=self._arguments(node)[0])

    def _call_days_between(self, node: Call) -> exp.Expression:
        start, end = self._arguments(node)
        return exp.DateDiff(this=end, expression=start, unit=exp.var("DAY"))

    def _call_years_between(self, node: Call) -> exp.Expression:
        start, end = self._arguments(node)
        backwards = exp.LT(this=end, expression=start)
        return case([(any_null([start, end]), exp.Null()),
                     (backwards, exp.Neg(this=paren(whole_years(end, start))))],
                    whole_years(start, end))


def whole_years(start: exp.Expression, end: exp.Expression) -> exp.Expression:
    """Completed years from start to end (end >= start); born 29 February, a year ends on
    1 March, as in the language's library."""
    def part(kind: type[exp.Func], value: exp.Expression) -> exp.Expression:
        return kind(this=value)

    before = exp.or_(
        exp.LT(this=part(exp.Month, end), expression=part(exp.Month, start)),
        paren(exp.and_(exp.EQ(this=part(exp.Month, end), expression=part(exp.Month, start)),
                       exp.LT(this=part(exp.Day, end), expression=part(exp.Day, start)))),
        copy=False)
    years = exp.Sub(this=part(exp.Year, end), expression=part(exp.Year, start))
    return _typed(paren(exp.Sub(this=paren(years), expression=one_if(before))), "BIGINT")
