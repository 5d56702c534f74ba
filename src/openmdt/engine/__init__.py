"""The pure evaluation engine: normalise, derive, decide, explain, triage."""

from openmdt.cases.errors import CaseError
from openmdt.engine.evaluate import Evaluation, evaluate
from openmdt.engine.normalise import Case, validate_case

__all__ = ["Case", "CaseError", "Evaluation", "evaluate", "validate_case"]
