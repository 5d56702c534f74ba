"""Safety by construction: no eval/exec/compile in the language package, only the whitelist."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from language_helpers import SYMBOLS

import openmdt.language
from openmdt.language import ExpressionError, compile_expression

PACKAGE = Path(openmdt.language.__file__).parent
FORBIDDEN = {"eval", "exec", "compile", "__import__", "globals", "locals", "vars"}


def _package_sources() -> list[Path]:
    sources = sorted(PACKAGE.glob("*.py"))
    assert len(sources) > 5
    return sources


@pytest.mark.parametrize("path", _package_sources(), ids=lambda path: path.name)
def test_no_dynamic_code_in_the_language_package(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert node.id not in FORBIDDEN, f"{path.name}:{node.lineno} uses {node.id}"
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN:
            # re.compile builds a regular expression; any other .eval/.exec/.compile is refused.
            on_re = isinstance(node.value, ast.Name) and node.value.id == "re"
            assert on_re and node.attr == "compile", f"{path.name}:{node.lineno} uses .{node.attr}"
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = {alias.name for alias in node.names} | {getattr(node, "module", None)}
            assert not names & {"builtins", "importlib", "os", "subprocess", "pickle"}, names


@pytest.mark.parametrize(
    "attack",
    [
        "__import__('os').system('true')",
        "psa.__class__.__mro__",
        "().__class__",
        "[c for c in ().__class__.__bases__]",
        "open('/etc/passwd')",
        "eval('1')",
        "exec('x=1')",
        "globals()",
        "(lambda: 0).__code__",
        "__builtins__",
        "psa if fit else frail",
        "{**{}}",
        "psa[0]",
        "'%s' % psa",
        "`psa`",
    ],
)
def test_attacks_are_refused_at_load_time(attack: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(attack, SYMBOLS)
    assert caught.value.code in {
        "syntax_error",
        "construct_not_allowed",
        "unknown_name",
        "unknown_function",
        "type_mismatch",
    }
