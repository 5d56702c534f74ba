"""Tracing unknown derived facts back to the missing data items that would settle them.

The derived facts themselves are computed by the pack kernel (openmdt.knowledge.kernel).
"""

from __future__ import annotations

from collections.abc import Iterable

from openmdt.knowledge.model import Pack
from openmdt.knowledge.program import Trace


def unknown_inputs(pack: Pack, names: Iterable[str], trace: Trace, found: set[str]
                   ) -> set[str]:
    """The unknown data items behind ``names``: follows unknown derived facts to their inputs
    (read from the case's trace: which names are unknown is all that matters).

    A derived fact whose value is known is not followed: its missing inputs cannot matter.
    An item filled by a derived fact (grade group from Gleason) is asked for as the item.
    """
    for name in names:
        if not trace.unknown(name) or name in found:
            continue
        if name in pack.items:
            found.add(name)
        elif name in pack.dependencies:
            inputs = pack.dependencies[name]
            before = len(found)
            unknown_inputs(pack, inputs, trace, found)
            if len(found) == before and not _has_unknown_input(pack, inputs, trace):
                # Unknown although every input is recorded: the recorded values do not
                # settle it (NX where nodal staging is needed), so its own items are asked for.
                found.update(n for n in inputs if n in pack.items)
    return found


def _has_unknown_input(pack: Pack, names: Iterable[str], trace: Trace) -> bool:
    return any(trace.unknown(n) for n in names if n in pack.items or n in pack.dependencies)
