"""Check a parsed tree against the symbol table: resolve names, check types and enum values.

Returns the same tree with every node's ``type`` filled in. All problems are ExpressionErrors
pointing at the offending part of the text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from .check_calls import check_call
from .errors import (
    UNKNOWN_ENUM_VALUE,
    UNKNOWN_FUNCTION,
    UNKNOWN_NAME,
    WRONG_ARITY,
    ExpressionError,
    did_you_mean,
)
from .kinds import Checked, Kind, numeric_result, type_mismatch
from .library import ARITY
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
from .symbols import NUMERIC, Symbol, ValueType

__all__ = ["check"]

BOOLEAN, ENUM, TEXT, DATE = ValueType.BOOLEAN, ValueType.ENUM, ValueType.TEXT, ValueType.DATE
ORDERED = "number or date"


def check(tree: Node, symbols: Mapping[str, Symbol]) -> Checked:
    """Type-check a parsed tree; return the typed tree and the kind of its result."""
    return _Checker(symbols).check(tree)


def _typed(node: Node, kind: Kind, **changes: object) -> Checked:
    return replace(node, type=kind.type, **changes), kind  # type: ignore[arg-type]


class _Checker:
    """Walks the tree once, with one handler per node kind."""

    def __init__(self, symbols: Mapping[str, Symbol]) -> None:
        self.symbols = symbols
        self._handlers: dict[type, Callable[..., Checked]] = {
            Literal: self._literal,
            Name: self._name,
            ListOf: self._list,
            Not: self._not,
            Negative: self._negative,
            Logic: self._logic,
            Arithmetic: self._arithmetic,
            Comparison: self._comparison,
            Call: self._call,
        }

    def check(self, node: Node) -> Checked:
        """Check one node (and its children)."""
        return self._handlers[type(node)](node)

    def expect(self, node: Node, wanted: set[ValueType] | frozenset[ValueType], where: str,
               description: str) -> Checked:
        """Check a node and require its type to be one of `wanted`."""
        typed, kind = self.check(node)
        if kind.type not in wanted:
            raise type_mismatch(where, description, kind.describe(), node.offset)
        return typed, kind

    def _literal(self, node: Literal) -> Checked:
        return node, Kind(node.type or ValueType.TEXT)

    def _name(self, node: Name) -> Checked:
        symbol = self.symbols.get(node.name)
        if symbol is None:
            hint = did_you_mean(node.name, self.symbols)
            if node.name in ARITY:
                hint = f"{node.name} is a function: call it, e.g. {node.name}(...)"
            raise ExpressionError(
                UNKNOWN_NAME, f"unknown name '{node.name}'", hint=hint, offset=node.offset
            )
        return _typed(node, Kind(symbol.type, symbol.values, node.name))

    def _list(self, node: ListOf) -> Checked:
        raise type_mismatch(
            "this place",
            "a single value",
            "a list",
            node.offset,
            hint="a list can only follow 'in' or 'not in'",
        )

    def _not(self, node: Not) -> Checked:
        operand, _ = self.expect(node.operand, {BOOLEAN}, "'not'", "boolean")
        return _typed(node, Kind(BOOLEAN), operand=operand)

    def _negative(self, node: Negative) -> Checked:
        operand, kind = self.expect(node.operand, NUMERIC, "unary '-'", "number")
        return _typed(node, Kind(kind.type), operand=operand)

    def _logic(self, node: Logic) -> Checked:
        where = f"'{node.operator}'"
        operands = tuple(self.expect(op, {BOOLEAN}, where, "boolean")[0] for op in node.operands)
        return _typed(node, Kind(BOOLEAN), operands=operands)

    def _arithmetic(self, node: Arithmetic) -> Checked:
        where = f"'{node.operator}'"
        left, left_kind = self.expect(node.left, NUMERIC, where, "number")
        right, right_kind = self.expect(node.right, NUMERIC, where, "number")
        kind = numeric_result([left_kind, right_kind])
        if node.operator == "/":
            kind = Kind(ValueType.NUMBER)
        return _typed(node, kind, left=left, right=right)

    def _comparison(self, node: Comparison) -> Checked:
        left, left_kind = self.check(node.operands[0])
        operands = [left]
        for operator, right in zip(node.operators, node.operands[1:], strict=True):
            if operator in ("in", "not in"):
                right_typed, right_kind = self._members(right, left, left_kind, operator)
            else:
                right_typed, right_kind = self.check(right)
                self._comparable(operator, (left, left_kind), (right, right_kind))
            operands.append(right_typed)
            left, left_kind = right_typed, right_kind
        return _typed(node, Kind(BOOLEAN), operands=tuple(operands))

    def _comparable(self, operator: str, left: Checked, right: Checked) -> None:
        """Check that two operands may be compared with an operator."""
        where = f"'{operator}'"
        if operator in ("==", "!="):
            self.same_type(where, left, right)
            return
        for node, kind in (left, right):
            if kind.type not in NUMERIC and kind.type is not DATE:
                raise type_mismatch(where, ORDERED, kind.describe(), node.offset)
        if (left[1].type is DATE) != (right[1].type is DATE):
            raise type_mismatch(where, left[1].describe(), right[1].describe(), right[0].offset)

    def same_type(self, where: str, left: Checked, right: Checked) -> Kind:
        """Check two operands have one type (numbers mix; an enum meets a text literal)."""
        (left_node, left_kind), (right_node, right_kind) = left, right
        if left_kind.type in NUMERIC and right_kind.type in NUMERIC:
            return numeric_result([left_kind, right_kind])
        if left_kind.type is ENUM and isinstance(right_node, Literal) and right_kind.type is TEXT:
            self.enum_value(left_kind, right_node)
            return left_kind
        if right_kind.type is ENUM and isinstance(left_node, Literal) and left_kind.type is TEXT:
            self.enum_value(right_kind, left_node)
            return right_kind
        if left_kind.type is right_kind.type and left_kind.type is not ValueType.LIST:
            return left_kind
        found = f"{left_kind.describe()} and {right_kind.describe()}"
        raise type_mismatch(where, "two values of the same type", found, right_node.offset)

    def enum_value(self, kind: Kind, literal: Literal) -> None:
        """Check a text literal is one of an enum's allowed values."""
        if kind.values is None or literal.value in kind.values:
            return
        item = kind.item or "this enum"
        raise ExpressionError(
            UNKNOWN_ENUM_VALUE,
            f"'{literal.value}' is not an allowed value of {item}; "
            f"allowed values: {', '.join(kind.values)}",
            hint=did_you_mean(str(literal.value), kind.values),
            offset=literal.offset,
        )

    def _members(self, node: Node, left: Node, left_kind: Kind, operator: str) -> Checked:
        """Check the list on the right of in / not in against the value on its left."""
        if not isinstance(node, ListOf):  # the parser guarantees a list; keep the checker total
            raise type_mismatch(f"'{operator}'", "a list", self.check(node)[1].describe(),
                                node.offset)
        if left_kind.type is ValueType.LIST:
            raise type_mismatch(f"'{operator}'", "a value on its left", "a list", left.offset)
        items = tuple(self._member(item, left_kind, operator) for item in node.items)
        return replace(node, items=items, type=ValueType.LIST), Kind(ValueType.LIST)

    def _member(self, item: Literal, left_kind: Kind, operator: str) -> Literal:
        item_kind = Kind(item.type or TEXT)
        same = (left_kind.type in NUMERIC and item_kind.type in NUMERIC) or (
            left_kind.type is item_kind.type
        )
        if left_kind.type is ENUM and item_kind.type is TEXT:
            self.enum_value(left_kind, item)
        elif not same:
            raise type_mismatch(
                f"the list after '{operator}'",
                f"{left_kind.describe()} values",
                item_kind.describe(),
                item.offset,
            )
        return item

    def _call(self, node: Call) -> Checked:
        if node.function not in ARITY:
            raise ExpressionError(
                UNKNOWN_FUNCTION,
                f"unknown function '{node.function}'",
                hint=did_you_mean(node.function, ARITY)
                or f"available functions: {', '.join(sorted(ARITY))}",
                offset=node.offset,
            )
        _check_arity(node)
        arguments, kind = check_call(self, node)
        return _typed(node, kind, arguments=arguments)


def _check_arity(node: Call) -> None:
    fewest, most = ARITY[node.function]
    given = len(node.arguments)
    if fewest <= given and (most is None or given <= most):
        return
    if most is None:
        wanted = f"at least {fewest}"
    else:
        wanted = f"{fewest}" if fewest == most else f"{fewest} to {most}"
    noun = "argument" if wanted == "1" else "arguments"
    raise ExpressionError(
        WRONG_ARITY,
        f"{node.function}() takes {wanted} {noun}, found {given}",
        offset=node.offset,
    )
