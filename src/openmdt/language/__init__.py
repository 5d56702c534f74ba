"""The OpenMDT expression language: safe, typed, three-valued expressions for knowledge packs.

An expression such as ``grade_group == 5 or at_least(2, psa > psa_high_risk, t_stage in
["T3", "T4"])`` goes through a pipeline of small modules: ``parse`` (Python's ``ast`` in eval
mode, then a whitelist of constructs) -> ``check`` (names, types, enum values) -> a checked tree,
which ``interpreter`` evaluates plainly (the reference semantics, over the operators of
``library``) and which the backends compile (the pack kernel's Python, SQL); ``printer`` gives
canonical text. No text is ever passed to eval, exec or
compile. Logic is Kleene three-valued (``kleene``); a value that is not known is ``UNKNOWN``.

Language
    Literals: integers, decimals, double- or single-quoted strings, ``true``/``false`` (or
    ``True``/``False``). There is no null: to test for a missing value use ``known(x)``.
    Names: data items, derived facts and parameters from the symbol table.
    Operators: ``and or not``; ``== != < <= > >=`` (chains such as ``0 <= x < 10``);
    ``in`` / ``not in`` with a list of literals; ``+ - * /`` and unary ``-`` on numbers.
    Functions: ``known(x)``, ``unknown(x)``, ``at_least(k, c1, c2, ...)``,
    ``count_true(c1, ...)``, ``between(x, lo, hi)`` (inclusive), ``min(...)``, ``max(...)``,
    ``abs(x)``, ``years_between(d1, d2)``, ``days_between(d1, d2)``, ``coalesce(x, default)``.
    Text may span several lines.

Types
    Numbers and integers mix (an integer is a number); ordering (``<`` etc., ``between``,
    ``min``, ``max``) applies to numbers and to dates; enums and texts compare only with
    ``==``, ``!=``, ``in``; an enum compared with a string literal must name an allowed value.

Unknown
    Any operation with an UNKNOWN operand gives UNKNOWN, except: ``and``/``or`` short-circuit
    both ways (``UNKNOWN and false`` is false, ``UNKNOWN or true`` is true); chains and
    ``between`` are Kleene 'and's of their comparisons; ``at_least`` is true as soon as k
    conditions hold and false once they no longer can; ``known``/``unknown`` are never
    UNKNOWN; ``coalesce`` gives the default. Arithmetic without a finite result (division by
    zero, overflow) gives UNKNOWN rather than raising. ``known``, ``unknown`` and
    ``coalesce`` look at whether data is missing, so, unlike everything else, their result may
    change when missing data arrives.

Error codes (``ExpressionError.code``; ``offset`` is the 0-based character offset)
    ``syntax_error``            the text is not a Python-like expression
    ``construct_not_allowed``   attribute access, subscripts, lambdas, comprehensions,
                                f-strings, ``:=``, ``is``, ``None``/``null``, calls of anything
                                but a function name, keyword or starred arguments, ``**`` etc.
    ``unknown_name``            a name not in the symbol table (hint: did you mean ...?)
    ``unknown_function``        a call of a function not in the library (hint as above)
    ``wrong_arity``             a function called with the wrong number of arguments
    ``type_mismatch``           an operand of the wrong type (message says wanted and found)
    ``unknown_enum_value``      a string that is not an allowed value of the enum it meets
    ``too_complex``             longer, deeper or larger than the limits in ``limits``
"""

from .errors import ExpressionError
from .expression import Expression, compile_expression
from .kleene import UNKNOWN, Unknown, is_unknown, kleene_and, kleene_not, kleene_or
from .symbols import Symbol, ValueType

__all__ = [
    "UNKNOWN",
    "Unknown",
    "is_unknown",
    "ValueType",
    "Symbol",
    "ExpressionError",
    "Expression",
    "compile_expression",
    "kleene_and",
    "kleene_or",
    "kleene_not",
]
