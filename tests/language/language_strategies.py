"""Hypothesis strategies: well-typed expression text, case values with Unknown, noise text."""

from __future__ import annotations

import datetime
import functools
from typing import Any

from hypothesis import strategies as st

from openmdt.language import UNKNOWN, Symbol, ValueType

ENUM_VALUES = ("A", "B", "C")

SYMBOLS = {
    symbol.name: symbol
    for symbol in (
        Symbol("b1", ValueType.BOOLEAN),
        Symbol("b2", ValueType.BOOLEAN),
        Symbol("b3", ValueType.BOOLEAN),
        Symbol("n1", ValueType.NUMBER),
        Symbol("n2", ValueType.NUMBER),
        Symbol("i1", ValueType.INTEGER),
        Symbol("e1", ValueType.ENUM, ENUM_VALUES),
        Symbol("d1", ValueType.DATE),
        Symbol("d2", ValueType.DATE),
    )
}

DEPTH = 3

_DATES = st.dates(datetime.date(1990, 1, 1), datetime.date(2030, 12, 31))
_CONCRETE: dict[ValueType, st.SearchStrategy[Any]] = {
    ValueType.BOOLEAN: st.booleans(),
    ValueType.NUMBER: st.integers(-4, 4)
    | st.floats(-50, 50, allow_nan=False, allow_infinity=False)
    | st.sampled_from([0.5, 2.5, 0.0]),
    ValueType.INTEGER: st.integers(-4, 4),
    ValueType.ENUM: st.sampled_from(ENUM_VALUES),
    ValueType.DATE: _DATES,
}


def concrete_value(name: str) -> st.SearchStrategy[Any]:
    """Any known value of a symbol's type."""
    return _CONCRETE[SYMBOLS[name].type]


def envs(unknown_share: float = 0.3) -> st.SearchStrategy[dict[str, Any]]:
    """Case values for every symbol, some of them Unknown."""
    weight = max(1, round(unknown_share * 10))
    return st.fixed_dictionaries(
        {
            name: st.one_of(*[st.just(UNKNOWN)] * weight, *[concrete_value(name)] * (10 - weight))
            for name in SYMBOLS
        }
    )


def _join(name: str, parts: list[str]) -> str:
    return f"{name}({', '.join(parts)})"


_NUMBER_LEAVES = st.sampled_from(["n1", "n2", "i1", "0", "1", "-2", "3", "0.5", "-1.5", "2.5"])
_DATE_LEAVES = st.sampled_from(["d1", "d2"])
_BOOLEAN_LEAVES = st.sampled_from(
    ["b1", "b2", "b3", "true", "false", 'e1 == "A"', 'e1 != "B"', 'e1 in ["A", "C"]',
     'e1 not in ["B"]', "d1 < d2", "d1 == d2", '"C" == e1']
)


@functools.cache
def numbers(depth: int = DEPTH, monotone: bool = False) -> st.SearchStrategy[str]:
    """Text of a number-valued expression, at most `depth` levels deep."""
    if depth == 0:
        return _NUMBER_LEAVES
    sub, conditions = numbers(depth - 1, monotone), booleans(depth - 1, monotone)
    options = [
        _NUMBER_LEAVES,
        st.tuples(sub, st.sampled_from("+-*/"), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        sub.map(lambda text: f"-({text})"),
        sub.map(lambda text: f"abs({text})"),
        st.tuples(st.sampled_from(["min", "max"]), st.lists(sub, min_size=2, max_size=3)).map(
            lambda t: _join(*t)
        ),
        st.lists(conditions, min_size=1, max_size=3).map(lambda cs: _join("count_true", cs)),
        st.tuples(st.sampled_from(["years_between", "days_between"]), _DATE_LEAVES,
                  _DATE_LEAVES).map(lambda t: _join(t[0], [t[1], t[2]])),
    ]
    if not monotone:
        options.append(st.lists(sub, min_size=2, max_size=2).map(lambda a: _join("coalesce", a)))
    return st.one_of(options)


@functools.cache
def booleans(depth: int = DEPTH, monotone: bool = False) -> st.SearchStrategy[str]:
    """Text of a boolean expression, at most `depth` levels deep."""
    if depth == 0:
        return _BOOLEAN_LEAVES
    sub, values = booleans(depth - 1, monotone), numbers(depth - 1, monotone)
    comparison = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
    options = [
        _BOOLEAN_LEAVES,
        st.tuples(st.sampled_from(["and", "or"]), st.lists(sub, min_size=2, max_size=3)).map(
            lambda t: "(" + f" {t[0]} ".join(t[1]) + ")"
        ),
        sub.map(lambda text: f"not ({text})"),
        st.tuples(values, comparison, values).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(values, values, values).map(lambda t: f"({t[0]} < {t[1]} <= {t[2]})"),
        st.tuples(sub, st.sampled_from(["==", "!="]), sub).map(
            lambda t: f"(({t[0]}) {t[1]} ({t[2]}))"
        ),
        st.lists(values, min_size=3, max_size=3).map(lambda a: _join("between", a)),
        st.lists(sub, min_size=1, max_size=4).flatmap(
            lambda cs: st.integers(0, len(cs)).map(lambda k: _join("at_least", [str(k), *cs]))
        ),
        values.map(lambda text: f"({text} in [0, 1, -2, 2.5])"),
    ]
    if not monotone:
        options += [
            st.tuples(st.sampled_from(["known", "unknown"]), values | sub).map(
                lambda t: _join(t[0], [t[1]])
            ),
            st.lists(sub, min_size=2, max_size=2).map(lambda a: _join("coalesce", a)),
        ]
    return st.one_of(options)


TOKENS = [
    "b1", "n1", "i1", "e1", "d1", "x", "psa", "true", "false", "True", "None", "null", "0",
    "1", "-", "2.5", "1e999", '"A"', "'B'", '"Z"', "and", "or", "not", "in", "is", "if", "else",
    "for", "lambda", "==", "!=", "<", "<=", ">", ">=", "+", "*", "/", "**", "%", "//", "(", ")",
    "[", "]", "{", "}", ",", ":", ":=", ".", "*", "known", "at_least", "between", "min",
    "coalesce", "count_true", "years_between", "eval", "__import__", "f'", "\n", "#", "\\",
    "=", ";", "@", "~",
]

noise_from_tokens = st.lists(st.sampled_from(TOKENS), max_size=14).map(" ".join)


SMALL_DOMAINS: dict[str, tuple[Any, ...]] = {
    "b1": (True, False),
    "b2": (True, False),
    "b3": (True, False),
    "e1": ENUM_VALUES,
    "i1": (-2, -1, 0, 1, 2),
}
"""Every value the small-domain symbols can take, so all completions can be enumerated."""

_SMALL_LEAVES = st.sampled_from(
    ["b1", "b2", "b3", 'e1 == "A"', 'e1 in ["B", "C"]', 'e1 != "C"', "i1 > 0", "i1 <= -1",
     "i1 == 0", "-2 < i1 < 2", "between(i1, 0, 1)", "i1 + 1 >= 2", "i1 * i1 == 1",
     "count_true(b1, b2) >= 1", "max(i1, 0) == 0"]
)


@functools.cache
def small_conditions(depth: int = DEPTH) -> st.SearchStrategy[str]:
    """Boolean expressions over the small-domain symbols only (see SMALL_DOMAINS)."""
    if depth == 0:
        return _SMALL_LEAVES
    sub = small_conditions(depth - 1)
    return st.one_of(
        _SMALL_LEAVES,
        st.tuples(st.sampled_from(["and", "or"]), st.lists(sub, min_size=2, max_size=3)).map(
            lambda t: "(" + f" {t[0]} ".join(t[1]) + ")"
        ),
        sub.map(lambda text: f"not ({text})"),
        st.tuples(sub, sub).map(lambda t: f"(({t[0]}) == ({t[1]}))"),
        st.lists(sub, min_size=1, max_size=4).flatmap(
            lambda cs: st.integers(0, len(cs)).map(lambda k: _join("at_least", [str(k), *cs]))
        ),
    )
