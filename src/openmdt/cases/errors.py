"""The one error type for bad case input: names the case, the item, the value, what is allowed."""

from __future__ import annotations

from typing import Any

CASE_ERROR_CODES = {
    "unknown_item": "the case gives a fact the data dictionary does not have",
    "unknown_field": "a case record has a field other than case_id, site, patient, facts, "
                     "pathway and columns (facts go under facts)",
    "wrong_type": "the value has the wrong type for the item",
    "value_out_of_range": "the number is outside the item's allowed range",
    "value_not_allowed": "the value is not one of the item's allowed values",
    "invalid_json": "the line or file is not valid JSON",
    "invalid_csv": "the CSV row cannot be read",
    "duplicate_column": "two CSV columns have the same name (ignoring case and spaces)",
    "unknown_column": "a CSV column names no list column and no item of the pack",
    "invalid_text": "text that is not valid Unicode or holds a control character",
    "text_too_long": "a text value longer than allowed",
    "nested_too_deeply": "a value nested deeper than a case needs",
    "number_too_large": "a number with more digits than allowed",
    "wrong_shape": "the case is not an object with case_id and facts",
    "missing_case_id": "the case has no case_id",
    "duplicate_case_id": "the same case_id appears twice in one list",
    "unknown_site": "no pack is known for the case's site",
    "no_pack": "neither the case's site nor --pack names a pack",
    "site_mismatch": "the case's site is not the site of the pack (or meeting) evaluating it",
    "invalid_fhir": "a FHIR resource is not valid FHIR R4, or the Bundle type is not read",
    "no_primary_cancer": "no Condition in the FHIR record is the pack's primary cancer",
    "dates_out_of_order": "two pathway dates (or one and the MDT meeting date) out of the "
                          "pathway's order",
}


class CaseError(Exception):
    """A case that cannot be evaluated as given; nothing about it is guessed."""

    def __init__(self, code: str, message: str, *, path: str = "", case_id: str | None = None,
                 line: int | None = None, item: str | None = None, value: Any = None,
                 allowed: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path
        self.case_id = case_id
        self.line = line
        self.item = item
        self.value = value
        self.allowed = allowed

    def to_dict(self) -> dict[str, Any]:
        """The error object of the output contract (code, message, path, and details)."""
        result: dict[str, Any] = {"code": self.code, "message": self.message, "path": self.path}
        if self.item is not None:
            result["item"] = self.item
            result["value"] = self.value
        if self.allowed is not None:
            result["allowed"] = self.allowed
        return result

    def __reduce__(self) -> tuple[object, tuple[dict[str, Any]]]:
        # keeps every field across processes (the default would rebuild from the message only)
        return (_restore_case_error, (dict(self.__dict__),))

    def at(self, *, case_id: str | None = None, line: int | None = None) -> CaseError:
        """The same error, placed at a case and input line."""
        if case_id is not None and self.case_id is None:
            self.case_id = case_id
            self.message = f"case {case_id}: {self.message}"
        if line is not None:
            self.line = line
        return self


def _restore_case_error(state: dict[str, Any]) -> CaseError:
    error = CaseError.__new__(CaseError)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error
