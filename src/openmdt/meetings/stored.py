"""A case's stored evaluation read back for the workflow, or a clear error when it cannot be.

A stored evaluation is the engine's JSON as it was written; ``engine.result`` reads it. One
that does not have the shape (a row changed by hand, a damaged copy) is not a crash: every
read of the workflow raises ``StoredEvaluationUnreadable`` naming the JSON path, which the API
answers as problem details and the pages show in place of the evaluation.
"""

from __future__ import annotations

from typing import Any

from openmdt.engine.result import EvaluationRecord, ResultShapeError
from openmdt.store.errors import ServiceError


class StoredEvaluationUnreadable(ServiceError):
    """The case's stored evaluation does not have the engine's output shape."""

    code = "stored_evaluation_unreadable"
    status = 409
    title = "The stored evaluation cannot be read"


def read_evaluation(evaluation: Any) -> EvaluationRecord | None:
    """The stored evaluation's record (None when none is stored)."""
    try:
        return EvaluationRecord.read_stored(evaluation)
    except ResultShapeError as error:
        raise StoredEvaluationUnreadable(
            f"The stored evaluation of this case cannot be read ({error}). Save the case's "
            "facts again to evaluate it afresh.", path=error.path) from error
