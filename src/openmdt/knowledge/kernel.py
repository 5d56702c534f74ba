"""The pack kernel: every expression of a pack evaluated for one case in one function call.

"Compile once, evaluate many": when a pack is loaded, its derived facts and all its conditions
(decision applicability, arguments, Standards of Care and their exclusions, never-streamline
rules, triage conditions) are written as one Python function, built as a syntax tree from the
checked expression trees (see pycode.py) and compiled once. Evaluating a case is then a single
call that fills in the derived facts and returns the value of every condition, in slot order.

The definition of what it computes is the reference semantics (``semantics.py``: the
program interpreted step by step over the checked trees); the tests require the generated
kernel to agree with it on every value, and the conformance corpus holds every backend to it.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import CodeType
from typing import Any

from openmdt.knowledge.model import Decision, DerivedFact, Pack
from openmdt.knowledge.program import Program, Skip, Step, build_program
from openmdt.knowledge.pycode import ExpressionWriter, U, call, is_, load, store
from openmdt.knowledge.semantics import SKIPPED, resolve_possible, run_program, unknown_names
from openmdt.language import UNKNOWN, Expression
from openmdt.language.library import ARITHMETIC, COMPARISONS, FUNCTIONS, arithmetic, compare

KernelFunction = Callable[[dict[str, Any]], tuple[Any, ...]]


def pack_conditions(pack: Pack) -> Iterator[Expression]:
    """Every condition of the pack, in the kernel's slot order (the program's layout)."""
    return (step.expression for step in build_program(pack).steps)


@dataclass(frozen=True)
class KernelCode:
    """The compiled code of a pack's two kernel functions (kept in the compiled-pack cache:
    code objects marshal, functions do not)."""

    fast: CodeType
    full: CodeType


@dataclass(frozen=True)
class Kernel:
    """A compiled pack kernel: ``run(env)`` fills derived facts into env and returns the value
    of every condition in slot order, then one more entry: a tuple saying, for each of
    ``unknown_names(pack)``, whether it is unknown. What the engine settles from a case depends
    on exactly these, so the whole result is a key for remembering it."""

    run: KernelFunction
    program: Program  # the steps whose values run returns, in this order
    run_all: KernelFunction  # like run, but nothing is ever skipped (for explanations)
    code: KernelCode | None = None  # what run and run_all were made from (for the cache)

    def slot(self, expression: Expression) -> int:
        """Where the value of ``expression`` (a condition of this pack) is in the result."""
        return self.program.slot_of(expression)


# -- the generated kernel --------------------------------------------------------------------

class _Writer:
    """Builds the kernel function's statements."""

    def __init__(self, pack: Pack, skip: bool = True) -> None:
        self.pack = pack
        self.skip = skip
        self.program = build_program(pack)
        self.variables: dict[str, str] = {}
        self.expressions = ExpressionWriter(self.variable_of)
        self.body: list[ast.stmt] = []

    def variable_of(self, name: str) -> str | ast.expr:
        if name in self.pack.parameters:
            return ast.Constant(value=self.pack.parameters[name])  # a pack constant: folded
        if name not in self.variables:
            self.variables[name] = f"v{len(self.variables)}"
        return self.variables[name]

    def assign(self, name: str, value: ast.expr) -> None:
        self.body.append(ast.Assign(targets=[store(name)], value=value))

    def load_inputs(self, only: set[str] | None = None) -> None:
        for name in list(self.pack.items) + ["as_of"]:
            if only is not None and name not in only:
                continue
            self.assign(self.variable_of(name), ast.Subscript(
                value=load("env"), slice=ast.Constant(value=name), ctx=ast.Load()))

    def derived_fact(self, fact: DerivedFact, into_env: bool = True) -> None:
        target = self.variable_of(fact.name)
        statements = self._fact_statements(fact, target)
        if fact.fills_item:
            statements = [ast.If(test=is_(load(target), load(U)), body=statements, orelse=[])]
        self.body.extend(statements)
        if not into_env:
            return
        self.body.append(ast.Assign(targets=[ast.Subscript(
            value=load("env"), slice=ast.Constant(value=fact.name), ctx=ast.Store())],
            value=load(target)))

    def _value(self, expression: Expression | None) -> ast.expr:
        return load(U) if expression is None else self.expressions.write(expression.tree)

    def _fact_statements(self, fact: DerivedFact, target: str) -> list[ast.stmt]:
        if fact.expression is not None:
            return [ast.Assign(targets=[store(target)], value=self._value(fact.expression))]
        chain = [ast.Assign(targets=[store(target)], value=self._value(fact.otherwise))]
        for index in reversed(range(len(fact.rows))):
            row = fact.rows[index]
            chain = [
                ast.Assign(targets=[store("c")], value=self.expressions.write(row.condition.tree)),
                ast.If(test=is_(load("c"), ast.Constant(value=True)),
                       body=[ast.Assign(targets=[store(target)], value=self._value(row.value))],
                       orelse=[ast.If(test=is_(load("c"), ast.Constant(value=False)),
                                      body=chain, orelse=self._possible(fact, index, target))])]
        return chain

    def _possible(self, fact: DerivedFact, unknown_row: int, target: str) -> list[ast.stmt]:
        """Row ``unknown_row`` may or may not match: collect the value of every row that still
        could (up to the first that surely does) and keep it only if they all agree."""
        def append(value: ast.expr) -> ast.stmt:
            return ast.Expr(value=ast.Call(func=ast.Attribute(
                value=load("p"), attr="append", ctx=ast.Load()), args=[value], keywords=[]))

        statements: list[ast.stmt] = [
            ast.Assign(targets=[store("p")],
                       value=ast.List(elts=[self._value(fact.rows[unknown_row].value)],
                                      ctx=ast.Load())),
            ast.Assign(targets=[store("d")], value=ast.Constant(value=False))]
        for row in fact.rows[unknown_row + 1:]:
            statements.append(ast.If(test=is_(load("d"), ast.Constant(value=False)), body=[
                ast.Assign(targets=[store("c")], value=self.expressions.write(row.condition.tree)),
                ast.If(test=ast.Compare(left=load("c"), ops=[ast.IsNot()],
                                        comparators=[ast.Constant(value=False)]),
                       body=[append(self._value(row.value)),
                             ast.Assign(targets=[store("d")],
                                        value=is_(load("c"), ast.Constant(value=True)))],
                       orelse=[])], orelse=[]))
        statements.append(ast.If(test=is_(load("d"), ast.Constant(value=False)),
                                 body=[append(self._value(fact.otherwise))], orelse=[]))
        statements.append(ast.Assign(targets=[store(target)], value=call("_possible", load("p"))))
        return statements

    def conditions(self, steps: tuple[Step, ...] | None = None, first: int = 0
                   ) -> list[ast.expr]:
        """Statements computing the steps of the program (all of them, or ``steps``, which
        begin at slot ``first``); returns the slot variables in layout order.

        Unless every value is asked for, what triage would never read is skipped (see
        program.Skip): consecutive steps with the same skip rule share one test.
        """
        slots: list[ast.expr] = []
        group: list[ast.stmt] = []
        guard: Skip | None = None
        for step in self.program.steps if steps is None else steps:
            if step.skip != guard:
                self._unless(self._skip_test(guard, slots, first), group)
                group, guard = [], step.skip
            self._slot(step.expression, slots, group)
        self._unless(self._skip_test(guard, slots, first), group)
        return slots

    def _skip_test(self, skip: Skip | None, slots: list[ast.expr], first: int
                   ) -> ast.expr | None:
        if skip is None:
            return None
        if skip.unless_false is not None:
            return is_(slots[self.program.slot(skip.unless_false) - first],
                       ast.Constant(value=False))
        return ast.Compare(left=load(self.variable_of(skip.when_known)), ops=[ast.IsNot()],
                           comparators=[load(U)])

    def _unless(self, skip: ast.expr | None, body: list[ast.stmt]) -> None:
        """Add the slot assignments ``body``; when skipping and ``skip`` holds, every slot
        they assign is SKIPPED instead."""
        if skip is None or not self.skip or not body:
            self.body.extend(body)
            return
        skipped: list[ast.stmt] = [ast.Assign(targets=[store(s.targets[0].id)],
                                              value=load("SKIPPED")) for s in body]
        self.body.append(ast.If(test=skip, body=skipped, orelse=body))

    def _slot(self, expression: Expression, slots: list[ast.expr], body: list[ast.stmt]
              ) -> ast.Name:
        name = f"s{len(slots)}"
        body.append(ast.Assign(targets=[store(name)],
                               value=self.expressions.write(expression.tree)))
        slots.append(load(name))
        return load(name)

    def function(self) -> ast.Module:
        self.load_inputs()
        for fact in self.pack.derived:
            self.derived_fact(fact)
        values = self.conditions()
        unknowns = ast.Tuple(elts=[is_(load(self.variable_of(name)), load(U))
                                   for name in unknown_names(self.pack)], ctx=ast.Load())
        self.body.append(ast.Return(value=ast.Tuple(elts=[*values, unknowns], ctx=ast.Load())))
        return self._module()

    def decision_function(self, decision: Decision) -> tuple[ast.Module, int]:
        """A function computing only ``decision``'s steps (whether it applies, then its
        arguments) and the derived facts they read; returns it and the slot of its first
        value. Nothing is written back into ``env``."""
        steps = self.program.steps_of(decision)
        first = self.program.slot(steps[0].id) if steps else 0
        needed = _needed_names(self.pack, steps)
        self.load_inputs(needed)
        for fact in self.pack.derived:
            if fact.name in needed:
                self.derived_fact(fact, into_env=False)
        values = self.conditions(steps, first)
        self.body.append(ast.Return(value=ast.Tuple(elts=values, ctx=ast.Load())))
        return self._module(), first

    def _module(self) -> ast.Module:
        arguments = ast.arguments(posonlyargs=[], args=[ast.arg(arg="env")], vararg=None,
                                  kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
        definition = ast.FunctionDef(name="kernel", args=arguments, body=self.body,
                                     decorator_list=[], returns=None)
        return ast.fix_missing_locations(ast.Module(body=[definition], type_ignores=[]))


def _needed_names(pack: Pack, steps: tuple[Step, ...]) -> set[str]:
    """Every name the steps read, through derived facts too."""
    needed: set[str] = set()
    pending = [name for step in steps for name in step.expression.names]
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.add(name)
            pending.extend(pack.dependencies.get(name, ()))
    return needed


def _chain(operators: tuple[str, ...], values: tuple[Any, ...]) -> Any:
    result: Any = True
    for op, left, right in zip(operators, values, values[1:], strict=False):
        value = compare(COMPARISONS[op], left, right)
        if value is False:
            return False
        if value is UNKNOWN:
            result = UNKNOWN
    return result


def _arithmetic(op: str, left: Any, right: Any) -> Any:
    return arithmetic(ARITHMETIC[op], left, right)


def _namespace() -> dict[str, Any]:
    """The only names the generated code can reach: no builtins at all."""
    namespace: dict[str, Any] = {"__builtins__": {}, U: UNKNOWN, "SKIPPED": SKIPPED,
                                 "_possible": resolve_possible, "_chain": _chain,
                                 "_arithmetic": _arithmetic}
    namespace.update({f"_f_{name}": function for name, function in FUNCTIONS.items()})
    return namespace


def _code(pack: Pack, skip: bool) -> CodeType:
    module = _Writer(pack, skip).function()
    return _compiled(module, f"<kernel of pack {pack.id} {pack.version}>")


def _compiled(module: ast.Module, name: str) -> CodeType:
    """Compile a generated module. Constant operands may meet an ``is`` test (``True is
    True`` where a pack writes a literal condition): correct, and not worth a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        return compile(module, name, "exec")


def _function(code: CodeType) -> KernelFunction:
    namespace = _namespace()
    exec(code, namespace)  # runs the generated def only; pack text never gets here
    return namespace["kernel"]


@dataclass(frozen=True)
class DecisionKernel:
    """One decision's part of a kernel: ``run(env)`` returns the values of the decision's
    steps, which begin at slot ``first`` of the whole kernel's values (used where only that
    decision is weighed, many times: the completions of its missing items)."""

    run: Callable[[dict[str, Any]], tuple[Any, ...]]
    first: int


def decision_kernel(pack: Pack, decision: Decision) -> DecisionKernel:
    """Generate and compile the part of ``pack``'s kernel that weighs ``decision``."""
    module, first = _Writer(pack).decision_function(decision)
    code = _compiled(module, f"<kernel of {decision.id} in pack {pack.id} {pack.version}>")
    return DecisionKernel(_function(code), first)


def reference_kernel(pack: Pack) -> Kernel:
    """The reference semantics (``semantics.run_program``) in the shape of a compiled kernel,
    so that the engine can run on it and tests can set it beside the generated kernel."""
    program = build_program(pack)
    return Kernel(lambda env: run_program(pack, program, env), program,
                  lambda env: run_program(pack, program, env, skip=False))


def expression_function(expression: Expression) -> KernelFunction:
    """One expression alone, written as the kernel writes it: a function of the case's
    values (names become lookups in ``env``) giving its value. For the conformance corpus
    and the language's property tests, which hold this backend to the reference."""
    variables = {name: f"v{i}" for i, name in enumerate(sorted(expression.names))}
    writer = ExpressionWriter(variables.__getitem__)
    body: list[ast.stmt] = [ast.Assign(targets=[store(variable)], value=ast.Subscript(
        value=load("env"), slice=ast.Constant(value=name), ctx=ast.Load()))
        for name, variable in variables.items()]
    body.append(ast.Return(value=writer.write(expression.tree)))
    arguments = ast.arguments(posonlyargs=[], args=[ast.arg(arg="env")], vararg=None,
                              kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    module = ast.fix_missing_locations(ast.Module(body=[ast.FunctionDef(
        name="kernel", args=arguments, body=body, decorator_list=[], returns=None)],
        type_ignores=[]))
    return _function(_compiled(module, "<expression>"))


def kernel_code(pack: Pack) -> KernelCode:
    """Generate and compile the code of the pack's kernel (from syntax trees, never text)."""
    return KernelCode(_code(pack, skip=True), _code(pack, skip=False))


def kernel_from_code(pack: Pack, code: KernelCode) -> Kernel:
    """The kernel of `pack` from its compiled code (the slots are this pack's expressions)."""
    return Kernel(_function(code.fast), build_program(pack), _function(code.full), code)


def compile_kernel(pack: Pack) -> Kernel:
    """Generate and compile the pack's kernel functions (from syntax trees, never text)."""
    return kernel_from_code(pack, kernel_code(pack))


__all__ = ["SKIPPED", "DecisionKernel", "Kernel", "KernelCode", "compile_kernel",
           "decision_kernel", "expression_function", "kernel_code", "kernel_from_code",
           "pack_conditions", "reference_kernel", "unknown_names"]
