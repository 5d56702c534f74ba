"""Limits on the size of an expression, so a pack cannot make loading or evaluation blow up."""

from __future__ import annotations

MAX_SOURCE_LENGTH = 4000
"""Most characters an expression's text may have (below Python's 4300-digit integer limit)."""

MAX_DEPTH = 60
"""Deepest nesting of the parsed tree; keeps every recursive walk far from Python's stack limit."""

MAX_NODES = 1000
"""Most parts (names, literals, operators, calls) one expression may have."""
