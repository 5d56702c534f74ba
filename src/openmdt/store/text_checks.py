"""Text checks for the service layer: every named action refuses text no record may hold."""

from __future__ import annotations

from typing import Any

from openmdt.cases.guard import MAX_FREE_TEXT_LENGTH, check_case_data, text_problem
from openmdt.store.errors import InvalidRequest


def _invalid(field: str, problem: str) -> InvalidRequest:
    message = f"{field}: the text {problem}."
    code = "text_too_long" if problem.startswith("is longer") else "invalid_text"
    return InvalidRequest(message, code=code, field=field,
                          errors=[{"path": field, "code": code, "message": message}])


def require_clean_text(*, free: dict[str, Any] | None = None, **lines: Any) -> None:
    """Raise InvalidRequest (422, naming the field) for text that is not valid Unicode, has a
    control character, or is too long. `lines` are one-line fields (names, codes); `free`
    maps free-text fields (rationale, notes), where line breaks and tabs are fine."""
    for field, value in lines.items():
        _check_field(field, value, multiline=False, max_length=2_000)
    for field, value in (free or {}).items():
        _check_field(field, value, multiline=True, max_length=MAX_FREE_TEXT_LENGTH)


def _check_field(field: str, value: Any, *, multiline: bool, max_length: int) -> None:
    values = value if isinstance(value, (list, tuple)) else [value]
    for index, text in enumerate(values):
        if not isinstance(text, str):
            continue
        problem = text_problem(text, multiline=multiline, max_length=max_length)
        if problem is not None:
            name = field if values is not value else f"{field}[{index}]"
            raise _invalid(name, problem)


def require_clean_case(data: dict[str, Any]) -> None:
    """Raise InvalidRequest (422, with the JSON path) for case data no case may hold."""
    from openmdt.cases import CaseError

    try:
        check_case_data(data)
    except CaseError as error:
        detail = {"path": error.path, "code": error.code, "message": error.message}
        raise InvalidRequest(error.message, code=error.code, field=error.path,
                             errors=[detail]) from error
