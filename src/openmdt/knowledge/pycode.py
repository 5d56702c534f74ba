"""Generate Python syntax trees from checked expression trees (the pack kernel's backend).

Only ``ast`` nodes are built here, from the language's checked tree: names become local
variables, literals become ``ast.Constant`` values. Pack text is never parsed as Python and
never reaches ``eval``/``exec``; the checker has already refused everything that is not in the
language. The semantics are those of the language's reference interpreter (three-valued; the Python
written here short-circuits where Kleene logic allows), which the tests and the conformance
corpus compare value for value.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from itertools import count

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

U = "U"  # the generated code's name for the UNKNOWN singleton
OPERATORS: dict[str, ast.cmpop] = {
    "==": ast.Eq(), "!=": ast.NotEq(), "<": ast.Lt(), "<=": ast.LtE(), ">": ast.Gt(),
    ">=": ast.GtE(), "in": ast.In(), "not in": ast.NotIn(),
}


def load(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


def store(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Store())


def is_(left: ast.expr, right: ast.expr) -> ast.Compare:
    return ast.Compare(left=left, ops=[ast.Is()], comparators=[right])


def if_exp(test: ast.expr, body: ast.expr, orelse: ast.expr) -> ast.IfExp:
    return ast.IfExp(test=test, body=body, orelse=orelse)


def call(function: str, *arguments: ast.expr) -> ast.Call:
    return ast.Call(func=load(function), args=list(arguments), keywords=[])


class ExpressionWriter:
    """Writes one expression tree as a Python expression over local variables."""

    def __init__(self, variable_of: Callable[[str], str | ast.expr]) -> None:
        self.variable_of = variable_of
        self._temps = count()

    def temp(self) -> str:
        return f"t{next(self._temps)}"

    def bind(self, value: ast.expr) -> tuple[ast.expr, ast.expr]:
        """(expression that evaluates and remembers ``value``, expression reading it back)."""
        if isinstance(value, (ast.Name, ast.Constant)):
            return value, value
        name = self.temp()
        return ast.NamedExpr(target=store(name), value=value), load(name)

    def write(self, node: Node) -> ast.expr:
        method = getattr(self, f"_{type(node).__name__.lower()}")
        return method(node)

    def _literal(self, node: Literal) -> ast.expr:
        return ast.Constant(value=node.value)

    def _name(self, node: Name) -> ast.expr:
        variable = self.variable_of(node.name)
        return load(variable) if isinstance(variable, str) else variable

    def _listof(self, node: ListOf) -> ast.expr:
        return ast.Constant(value=tuple(item.value for item in node.items))

    def _unless_unknown(self, value: ast.expr, make: Callable[[ast.expr], ast.expr]) -> ast.expr:
        if isinstance(value, ast.Constant):
            return make(value)  # a literal or pack parameter is never unknown
        first, again = self.bind(value)
        return if_exp(is_(first, load(U)), load(U), make(again))

    def _not(self, node: Not) -> ast.expr:
        return self._unless_unknown(self.write(node.operand),
                                    lambda v: ast.UnaryOp(op=ast.Not(), operand=v))

    def _negative(self, node: Negative) -> ast.expr:
        return self._unless_unknown(self.write(node.operand),
                                    lambda v: ast.UnaryOp(op=ast.USub(), operand=v))

    def _logic(self, node: Logic) -> ast.expr:
        """Kleene and/or: the deciding value stops evaluation; otherwise Unknown wins."""
        deciding = node.operator == "or"
        bound = []
        for operand in node.operands:
            first, again = self.bind(self.write(operand))
            bound.append((first, again))
        all_other = ast.BoolOp(op=ast.And(), values=[
            is_(again, ast.Constant(value=not deciding)) for _, again in bound])
        result: ast.expr = if_exp(all_other, ast.Constant(value=not deciding), load(U))
        for first, _ in reversed(bound):
            result = if_exp(is_(first, ast.Constant(value=deciding)),
                            ast.Constant(value=deciding), result)
        return result

    def _comparison(self, node: Comparison) -> ast.expr:
        if len(node.operands) > 2:
            values = ast.Tuple(elts=[self.write(o) for o in node.operands], ctx=ast.Load())
            return call("_chain", ast.Constant(value=node.operators), values)
        operator = node.operators[0]
        right_node = node.operands[1]
        if operator in ("in", "not in") and isinstance(right_node, ListOf):
            members = ast.Constant(value=frozenset(i.value for i in right_node.items))
            return self._unless_unknown(self.write(node.operands[0]), lambda v: ast.Compare(
                left=v, ops=[OPERATORS[operator]], comparators=[members]))
        left_first, left = self.bind(self.write(node.operands[0]))
        right_first, right = self.bind(self.write(right_node))
        compare = ast.Compare(left=left, ops=[OPERATORS[operator]], comparators=[right])
        tests = [is_(side, load(U)) for side in (left_first, right_first)
                 if not isinstance(side, ast.Constant)]
        if not tests:
            return compare
        test = tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.Or(), values=tests)
        return if_exp(test, load(U), compare)

    def _arithmetic(self, node: Arithmetic) -> ast.expr:
        return call("_arithmetic", ast.Constant(value=node.operator), self.write(node.left),
                    self.write(node.right))

    def _call(self, node: Call) -> ast.expr:
        arguments = [self.write(a) for a in node.arguments]
        if node.function == "known":
            return ast.Compare(left=arguments[0], ops=[ast.IsNot()], comparators=[load(U)])
        if node.function == "unknown":
            return is_(arguments[0], load(U))
        if node.function == "coalesce":
            first, again = self.bind(arguments[0])
            return if_exp(is_(first, load(U)), arguments[1], again)
        constant = all(isinstance(a, ast.Constant) for a in arguments[1:])
        if node.function == "between" and constant:
            low, high = arguments[1:]
            return self._unless_unknown(arguments[0], lambda v: ast.Compare(
                left=low, ops=[ast.LtE(), ast.LtE()], comparators=[v, high]))
        if node.function == "at_least" and isinstance(arguments[0], ast.Constant):
            return self._at_least(arguments[0], arguments[1:])
        return call(f"_f_{node.function}", *arguments)

    def _at_least(self, needed: ast.Constant, conditions: list[ast.expr]) -> ast.expr:
        """Kleene at_least: True once enough hold; False if too few could; else Unknown."""
        bound = [self.bind(condition) for condition in conditions]

        def total(tests: list[ast.expr]) -> ast.expr:
            result = tests[0]
            for test in tests[1:]:
                result = ast.BinOp(left=result, op=ast.Add(), right=test)
            return result

        held = self.temp()
        count_held = ast.NamedExpr(target=store(held), value=total(
            [is_(first, ast.Constant(value=True)) for first, _ in bound]))
        could = ast.BinOp(left=load(held), op=ast.Add(),
                          right=total([is_(again, load(U)) for _, again in bound]))
        return if_exp(ast.Compare(left=count_held, ops=[ast.GtE()], comparators=[needed]),
                      ast.Constant(value=True),
                      if_exp(ast.Compare(left=could, ops=[ast.Lt()], comparators=[needed]),
                             ast.Constant(value=False), load(U)))
