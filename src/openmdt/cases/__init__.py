"""Cases: the input contract, readers for meeting lists, and the case error type."""

from openmdt.cases.errors import CASE_ERROR_CODES, CaseError
from openmdt.cases.readers import CaseInput, detect_format, iter_cases, read_cases

__all__ = ["CASE_ERROR_CODES", "CaseError", "CaseInput", "detect_format", "iter_cases",
           "read_cases"]
