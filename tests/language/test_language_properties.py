"""Property tests: total parsing, backend agreement, printing round trip and Kleene soundness."""

from __future__ import annotations

import itertools

from hypothesis import assume, event, given
from hypothesis import strategies as st
from language_helpers import PROPERTY_SETTINGS, same_value
from language_strategies import (
    SMALL_DOMAINS,
    SYMBOLS,
    booleans,
    concrete_value,
    envs,
    noise_from_tokens,
    numbers,
    small_conditions,
)

from openmdt.knowledge.kernel import expression_function
from openmdt.language import UNKNOWN, ExpressionError, ValueType, compile_expression

any_expression = booleans() | numbers()


def _compiles_or_refuses(text: str) -> None:
    """Compiling gives an Expression or an ExpressionError, never any other exception."""
    try:
        expression = compile_expression(text, SYMBOLS)
    except ExpressionError as error:
        event(error.code)
        assert error.code and error.message
        assert 0 <= error.offset <= len(text)
        return
    event("compiled")
    all_unknown = dict.fromkeys(SYMBOLS, UNKNOWN)
    assert same_value(expression.evaluate(all_unknown),
                      expression_function(expression)(all_unknown))


@PROPERTY_SETTINGS
@given(st.text(max_size=60))
def test_any_text_compiles_or_raises_expression_error(text: str) -> None:
    _compiles_or_refuses(text)


@PROPERTY_SETTINGS
@given(noise_from_tokens)
def test_expression_like_noise_compiles_or_raises_expression_error(text: str) -> None:
    _compiles_or_refuses(text)


@PROPERTY_SETTINGS
@given(any_expression, envs())
def test_the_python_backend_agrees_with_the_reference(text: str, env: dict[str, object]
                                                      ) -> None:
    expression = compile_expression(text, SYMBOLS)
    assert same_value(expression.evaluate(env), expression_function(expression)(env)), text


@PROPERTY_SETTINGS
@given(booleans(), envs())
def test_boolean_expressions_give_true_false_or_unknown(text: str, env: dict[str, object]) -> None:
    expression = compile_expression(text, SYMBOLS, expect=ValueType.BOOLEAN)
    assert expression.evaluate(env) in (True, False, UNKNOWN)


@PROPERTY_SETTINGS
@given(any_expression, envs())
def test_printed_text_compiles_to_the_same_expression(text: str, env: dict[str, object]) -> None:
    expression = compile_expression(text, SYMBOLS)
    printed = expression.to_text()
    again = compile_expression(printed, SYMBOLS)
    assert again.tree == expression.tree
    assert again.type is expression.type
    assert again.to_text() == printed
    assert same_value(again.evaluate(env), expression.evaluate(env))


@PROPERTY_SETTINGS
@given(booleans(monotone=True) | numbers(monotone=True), st.data())
def test_a_known_result_holds_for_every_completion_of_the_unknowns(
    text: str, data: st.DataObject
) -> None:
    # known(), unknown() and coalesce() observe missingness itself, so they are left out.
    expression = compile_expression(text, SYMBOLS)
    names = sorted(expression.names)
    assume(names)
    complete = {name: data.draw(concrete_value(name), label=name) for name in SYMBOLS}
    missing = data.draw(st.sets(st.sampled_from(names), min_size=1), label="missing")
    result = expression.evaluate({**complete, **dict.fromkeys(missing, UNKNOWN)})
    if result is UNKNOWN:
        event("unknown result")
        return
    event("known result despite missing values")
    completions = [complete] + [
        {**complete, **{name: data.draw(concrete_value(name)) for name in missing}}
        for _ in range(4)
    ]
    for completion in completions:
        completed = expression.evaluate(completion)
        assert same_value(completed, result), (text, completion, completed, result)


@PROPERTY_SETTINGS
@given(small_conditions(), st.data())
def test_a_known_result_holds_for_all_completions_enumerated(
    text: str, data: st.DataObject
) -> None:
    expression = compile_expression(text, SYMBOLS)
    names = sorted(expression.names)
    partial = {
        name: data.draw(st.sampled_from((UNKNOWN, *SMALL_DOMAINS[name])), label=name)
        for name in names
    }
    result = expression.evaluate(partial)
    missing = [name for name in names if partial[name] is UNKNOWN]
    if result is UNKNOWN or not missing:
        event("unknown result" if result is UNKNOWN else "nothing missing")
        return
    event("known result despite missing values")
    for values in itertools.product(*(SMALL_DOMAINS[name] for name in missing)):
        completed = expression.evaluate({**partial, **dict(zip(missing, values, strict=True))})
        assert completed is result, (text, partial, values)
