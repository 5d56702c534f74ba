"""Parse expression text into the tree of ``nodes``, accepting only whitelisted constructs.

Python's own parser (``ast.parse`` in eval mode) reads the text; every resulting node must then
be on the whitelist below, or parsing fails with ``construct_not_allowed``. Nothing here (or
anywhere in the language) evaluates the text.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable

from .errors import CONSTRUCT_NOT_ALLOWED, SYNTAX_ERROR, TOO_COMPLEX, ExpressionError
from .limits import MAX_DEPTH, MAX_NODES, MAX_SOURCE_LENGTH
from .nodes import (
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
from .source_map import WRAPPED_PREFIX, WRAPPED_SUFFIX, SourceMap
from .symbols import ValueType

__all__ = ["parse"]

NULL_HINT = "use known(x) to test for a missing value"
IN_HINT = 'write the values as a list, e.g. t_stage in ["T3", "T4"]'

_ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_REFUSED_ARITHMETIC = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.MatMult: "@",
}
_COMPARISONS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}
_REFUSED = {
    ast.Attribute: "attribute access (x.y)",
    ast.Subscript: "subscripts (x[...])",
    ast.Slice: "slices",
    ast.Lambda: "lambda",
    ast.IfExp: "conditional expressions (x if c else y)",
    ast.Dict: "dictionaries",
    ast.Set: "sets",
    ast.Tuple: "tuples",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.JoinedStr: "f-strings",
    ast.FormattedValue: "f-strings",
    ast.NamedExpr: "assignment expressions (:=)",
    ast.Starred: "starred arguments (*x)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}
_NOT_COUNTED = (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)


def parse(source: str) -> Node:
    """Parse expression text into an unchecked tree; raise ExpressionError if not accepted."""
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(
            TOO_COMPLEX,
            f"expression is too long: {len(source)} characters, "
            f"the limit is {MAX_SOURCE_LENGTH}",
        )
    if not source.strip():
        raise ExpressionError(SYNTAX_ERROR, "syntax error: the expression is empty")
    positions = SourceMap(source)
    body = _python_tree(source, positions)
    _check_size(body, positions)
    return _Converter(positions).convert(body)


def _python_tree(source: str, positions: SourceMap) -> ast.expr:
    """Run Python's parser on the text wrapped in parentheses and return the expression."""
    wrapped = WRAPPED_PREFIX + source + WRAPPED_SUFFIX
    try:
        body = ast.parse(wrapped, mode="eval").body
    except SyntaxError as error:
        offset = positions.from_characters(error.lineno, error.offset)
        raise ExpressionError(SYNTAX_ERROR, f"syntax error: {error.msg}", offset=offset) from None
    except (ValueError, UnicodeError) as error:
        raise ExpressionError(SYNTAX_ERROR, f"syntax error: {error}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            TOO_COMPLEX, f"expression is too deeply nested (the limit is {MAX_DEPTH})"
        ) from None
    last_line = wrapped.count("\n") + 1
    if body.lineno == 1 or body.end_lineno == last_line:
        _refuse_broken_wrapper(body, positions)
    return body


def _refuse_broken_wrapper(body: ast.expr, positions: SourceMap) -> None:
    """Reject text that closed our wrapping parenthesis itself, e.g. ``a) + (b``."""
    if isinstance(body, ast.Tuple) and not body.elts:
        raise ExpressionError(SYNTAX_ERROR, "syntax error: the expression is empty")
    if isinstance(body, ast.Tuple | ast.GeneratorExp):
        first = body.elts[0] if isinstance(body, ast.Tuple) else body.elt
        raise ExpressionError(
            CONSTRUCT_NOT_ALLOWED,
            f"not allowed in an expression: {_REFUSED[type(body)]}",
            offset=positions.from_bytes(first.lineno, first.col_offset),
        )
    raise ExpressionError(SYNTAX_ERROR, "syntax error: unbalanced parentheses")


def _check_size(body: ast.expr, positions: SourceMap) -> None:
    """Refuse trees deeper than MAX_DEPTH or larger than MAX_NODES, without recursing."""
    pending: list[tuple[ast.AST, int]] = [(body, 1)]
    count = 0
    while pending:
        node, depth = pending.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise _too_complex(f"too deeply nested (the limit is {MAX_DEPTH} levels)", node,
                               positions)
        if count > MAX_NODES:
            raise _too_complex(f"too large (the limit is {MAX_NODES} parts)", node, positions)
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, _NOT_COUNTED):
                pending.append((child, depth + 1))


def _too_complex(what: str, node: ast.AST, positions: SourceMap) -> ExpressionError:
    offset = positions.from_bytes(getattr(node, "lineno", 1), getattr(node, "col_offset", 0))
    return ExpressionError(TOO_COMPLEX, f"expression is {what}", offset=offset)


def _refuse(what: str, offset: int, hint: str | None = None) -> ExpressionError:
    """Build the error for a construct outside the whitelist."""
    return ExpressionError(
        CONSTRUCT_NOT_ALLOWED, f"not allowed in an expression: {what}", hint=hint, offset=offset
    )


class _Converter:
    """Converts whitelisted Python ast nodes into expression nodes, refusing the rest."""

    def __init__(self, positions: SourceMap) -> None:
        self._positions = positions
        self._handlers: dict[type[ast.AST], Callable[..., Node]] = {
            ast.Constant: self._constant,
            ast.Name: self._name,
            ast.List: self._list,
            ast.UnaryOp: self._unary,
            ast.BoolOp: self._logic,
            ast.BinOp: self._arithmetic,
            ast.Compare: self._comparison,
            ast.Call: self._call,
        }

    def offset(self, node: ast.AST) -> int:
        """Character offset of a Python ast node in the author's text."""
        return self._positions.from_bytes(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def convert(self, node: ast.expr) -> Node:
        """Convert one Python expression node, or raise construct_not_allowed."""
        handler = self._handlers.get(type(node))
        if handler is None:
            what = _REFUSED.get(type(node), f"this construct ({type(node).__name__})")
            raise _refuse(what, self.offset(node))
        return handler(node)

    def _constant(self, node: ast.Constant) -> Node:
        value, offset = node.value, self.offset(node)
        if value is None:
            raise _refuse("None (there is no null value)", offset, NULL_HINT)
        if isinstance(value, bool):
            return Literal(value, type=ValueType.BOOLEAN, offset=offset)
        if isinstance(value, int):
            return Literal(value, type=ValueType.INTEGER, offset=offset)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise _refuse("a number too large to represent", offset)
            return Literal(value, type=ValueType.NUMBER, offset=offset)
        if isinstance(value, str):
            return Literal(value, type=ValueType.TEXT, offset=offset)
        raise _refuse(f"{type(value).__name__} literals", offset)

    def _name(self, node: ast.Name) -> Node:
        offset = self.offset(node)
        if node.id in ("true", "false"):
            return Literal(node.id == "true", type=ValueType.BOOLEAN, offset=offset)
        if node.id == "null":
            raise _refuse("null (there is no null value)", offset, NULL_HINT)
        return Name(node.id, offset=offset)

    def _list(self, node: ast.List) -> Node:
        items = []
        for element in node.elts:
            item = self.convert(element)
            if not isinstance(item, Literal):
                raise _refuse("list items other than literal values", item.offset)
            items.append(item)
        return ListOf(tuple(items), offset=self.offset(node))

    def _unary(self, node: ast.UnaryOp) -> Node:
        offset = self.offset(node)
        if isinstance(node.op, ast.Not):
            return Not(self.convert(node.operand), offset=offset)
        if not isinstance(node.op, ast.USub):
            symbol = "+" if isinstance(node.op, ast.UAdd) else "~"
            raise _refuse(f"unary '{symbol}'", offset)
        operand = self.convert(node.operand)
        if isinstance(operand, Literal) and operand.type in (ValueType.INTEGER, ValueType.NUMBER):
            # Fold "-5" into one literal so lists and at_least(k, ...) can hold negative numbers.
            return Literal(-operand.value, type=operand.type, offset=offset)  # type: ignore[operator]
        return Negative(operand, offset=offset)

    def _logic(self, node: ast.BoolOp) -> Node:
        operator = "and" if isinstance(node.op, ast.And) else "or"
        operands = tuple(self.convert(value) for value in node.values)
        return Logic(operator, operands, offset=self.offset(node))

    def _arithmetic(self, node: ast.BinOp) -> Node:
        operator = _ARITHMETIC.get(type(node.op))
        if operator is None:
            symbol = _REFUSED_ARITHMETIC.get(type(node.op), type(node.op).__name__)
            raise _refuse(f"the operator '{symbol}'", self.offset(node))
        left, right = self.convert(node.left), self.convert(node.right)
        return Arithmetic(operator, left, right, offset=self.offset(node))

    def _comparison(self, node: ast.Compare) -> Node:
        operands = [self.convert(node.left)]
        operators = []
        for op, right in zip(node.ops, node.comparators, strict=True):
            operator = _COMPARISONS.get(type(op))
            if operator is None:
                raise _refuse("'is' / 'is not'", self.offset(right), "use == or known(x)")
            if operator in ("in", "not in") and not isinstance(right, ast.List):
                raise _refuse(f"'{operator}' without a list literal", self.offset(right), IN_HINT)
            operators.append(operator)
            operands.append(self.convert(right))
        return Comparison(tuple(operands), tuple(operators), offset=self.offset(node))

    def _call(self, node: ast.Call) -> Node:
        if not isinstance(node.func, ast.Name):
            raise _refuse(
                "calling anything but a library function by name",
                self.offset(node.func),
                "call a function by its name, e.g. known(psa)",
            )
        if node.keywords:
            keyword = node.keywords[0]
            raise _refuse("keyword arguments", self.offset(keyword), "pass arguments by position")
        arguments = tuple(self.convert(argument) for argument in node.args)
        return Call(node.func.id, arguments, offset=self.offset(node))
