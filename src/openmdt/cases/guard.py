"""Checks every input boundary applies to case data before anything else reads it.

Text must be valid Unicode without control characters (a lone surrogate or a NUL stored once
would break every later read of the meeting), nesting and numbers are bounded (deep nesting
and huge integers make Python raise RecursionError and OverflowError far from the input),
strings have a length cap, and a number given as text must be plain ASCII decimal notation
(`float()` would also take `1_5` and Arabic-Indic digits).
"""

from __future__ import annotations

import math
import re
from typing import Any

from openmdt.cases.errors import CaseError

MAX_DEPTH = 8  # a case is {"facts": {item: value}}: a few levels are all it needs
MAX_TEXT_LENGTH = 2_000  # characters in one string of a case (a key or a value)
MAX_NUMBER_DIGITS = 30  # digits of an integer; far beyond any clinical value
MAX_FREE_TEXT_LENGTH = 20_000  # characters of a free-text field (rationale, notes)
_NUMBER_BOUND = 10**MAX_NUMBER_DIGITS

# Lone surrogates, C0 and C1 control characters and DEL; single-line text also refuses
# tab, line feed and carriage return.
_BAD_LINE_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_BAD_TEXT_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_EXPONENT_NUMBER = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+\s*")
_PLAIN_NUMBER = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*")


def _describe(character: str) -> str:
    code = ord(character)
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate (U+{code:04X}), which is not valid Unicode"
    return f"a control character (U+{code:04X})"


def text_problem(value: str, *, multiline: bool = False,
                 max_length: int = MAX_TEXT_LENGTH) -> str | None:
    """Why `value` is not acceptable text (None when it is)."""
    if len(value) > max_length:
        return f"is longer than {max_length:,} characters"
    found = (_BAD_TEXT_CHARACTER if multiline else _BAD_LINE_CHARACTER).search(value)
    if found is not None:
        return f"contains {_describe(found.group())}"
    return None


def check_text(value: str, *, multiline: bool = False,
               max_length: int = MAX_TEXT_LENGTH) -> str:
    """`value` unchanged, or ValueError saying what is wrong (for pydantic validators)."""
    problem = text_problem(value, multiline=multiline, max_length=max_length)
    if problem is not None:
        raise ValueError(f"the text {problem}")
    return value


def number_problem(value: int | float) -> str | None:
    """Why a JSON number is not acceptable (None when it is)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if not -_NUMBER_BOUND < value < _NUMBER_BOUND:
            return f"has more than {MAX_NUMBER_DIGITS} digits"
        return None
    if not math.isfinite(value):
        return "is not a finite number"
    return None


def numeric_text_problem(value: str) -> str | None:
    """Why a number written as text is not plain ASCII decimal notation (None if it is, or if
    it is not a number at all: that is the item's type check's business)."""
    if _EXPONENT_NUMBER.fullmatch(value):
        return "is not a plain decimal number (no exponent: write 1000, not 1e3)"
    if _PLAIN_NUMBER.fullmatch(value) or (value.isascii() and "_" not in value):
        return None
    try:
        float(value)
    except (ValueError, OverflowError):
        return None
    return "is not a plain decimal number (ASCII digits 0-9, an optional sign and point)"


# What in a case's source text could make check_case_data fail, apart from numbers: a
# control character or a backslash (an escape may make one), and digits after an underscore
# ("1_5"). Two searches: one pattern with both is ten times slower.
_CONTROL_OR_ESCAPE = re.compile(r"[\x00-\x1f\x7f\\]")
_UNDERSCORE_DIGIT = re.compile(r"_[0-9]|[0-9][eE][+-]?[0-9]")  # or an exponent


def source_is_clean(text: str) -> bool:
    """Whether the source text of one case cannot hold anything check_case_data refuses, so
    the value-by-value walk can be skipped: ASCII, no longer than one string may be, fewer
    brackets than the nesting limit, none of the patterns above. For text whose numbers the
    parser has already bounded (the JSON reader does) or that has none (a CSV row is text)."""
    return (len(text) <= MAX_TEXT_LENGTH and text.isascii()
            and text.count("{") + text.count("[") <= MAX_DEPTH
            and _CONTROL_OR_ESCAPE.search(text) is None
            and _UNDERSCORE_DIGIT.search(text) is None)


def check_case_data(data: Any, path: str = "$") -> None:
    """Raise CaseError (naming the JSON path) for the first value no case may hold."""
    _check_value(data, path, 0, in_facts=False)


def _fail(code: str, path: str, message: str, value: Any = None) -> CaseError:
    item = re.split(r"[.\[]", path[6:])[0] if path.startswith("facts.") else None
    shown = value if isinstance(value, str) and len(value) <= 40 else None
    return CaseError(code, f"{path}: {message}", path=path, item=item,
                     value=shown if item else None)


def _check_value(value: Any, path: str, depth: int, *, in_facts: bool) -> None:
    if isinstance(value, str):
        _check_string(value, path, in_facts=in_facts)
    elif isinstance(value, (int, float)):
        problem = number_problem(value)
        if problem is not None:
            raise _fail("number_too_large", path, f"the number {problem}")
    elif isinstance(value, (dict, list)):
        if depth >= MAX_DEPTH:
            raise _fail("nested_too_deeply", path,
                        f"the value is nested more than {MAX_DEPTH} levels deep")
        _check_container(value, path, depth, in_facts=in_facts)


def _check_container(value: dict | list, path: str, depth: int, *, in_facts: bool) -> None:
    if isinstance(value, list):
        for index, element in enumerate(value):
            _check_value(element, f"{path}[{index}]", depth + 1, in_facts=in_facts)
        return
    for key, element in value.items():
        key_text = str(key)
        problem = text_problem(key_text)
        if problem is not None:
            raise _fail("invalid_text", path, f"a field name {problem}")
        child = key_text if path == "$" else f"{path}.{key_text}"
        _check_value(element, child, depth + 1, in_facts=in_facts or child == "facts")


def _check_string(value: str, path: str, *, in_facts: bool) -> None:
    # a fact may be a note over several lines; ids, the site and patient details may not
    problem = text_problem(value, multiline=in_facts)
    if problem is not None:
        code = "text_too_long" if problem.startswith("is longer") else "invalid_text"
        raise _fail(code, path, f"the text {problem}")
    if in_facts:
        problem = numeric_text_problem(value)
        if problem is not None:
            raise _fail("wrong_type", path, f"{value!r} {problem}", value)
