"""Tenant-scoped look-ups and role checks shared by the meeting actions and reads."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from openmdt.store.errors import (
    MeetingLocked,
    NotFound,
    PermissionDenied,
    StaleVersion,
    WorkflowConflict,
)
from openmdt.store.models import Meeting, MeetingCase, User

# Who may do what (docs/web-contract.md section 6 is the same table).
EDIT_ROLES = ("coordinator", "chair")
FLAG_ROLES = ("coordinator", "clinician", "chair")
DECIDE_ROLES = ("chair",)
AUDIT_ROLES = ("auditor", "admin")
READ_ROLES = ("coordinator", "clinician", "chair", "auditor", "admin")

MAX_ID = 2**63 - 1  # ids are 64-bit signed integers in SQLite and PostgreSQL


def valid_id(value: object) -> bool:
    """Whether `value` can be a row id (a larger number would fail in the database driver)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


P = ParamSpec("P")
R = TypeVar("R")


def require_role(user: User, roles: tuple[str, ...]) -> None:
    """Raise PermissionDenied unless the user's role is one of `roles`."""
    if user.role not in roles:
        raise PermissionDenied(
            f"The {user.role} role cannot do this; it needs: {', '.join(roles)}.",
            required_roles=list(roles),
        )


def meeting_for(
    session: Session, meeting_id: int, user: User, *, with_cases: bool = False
) -> Meeting:
    """The meeting if it belongs to the user's organisation; NotFound otherwise."""
    if not valid_id(meeting_id):
        raise NotFound(f"Meeting {meeting_id} was not found.")
    query = select(Meeting).where(
        Meeting.id == meeting_id, Meeting.organisation_id == user.organisation_id
    )
    if with_cases:  # one query per table instead of two per case (agenda of 90 cases)
        cases = selectinload(Meeting.cases)
        query = query.options(
            cases.selectinload(MeetingCase.fact_versions),
            cases.selectinload(MeetingCase.outcomes),
            selectinload(Meeting.attendance),
        )
    meeting = session.scalars(query).first()
    if meeting is None:
        raise NotFound(f"Meeting {meeting_id} was not found.")
    return meeting


def case_for(session: Session, case_id: int, user: User) -> MeetingCase:
    """The listed case if it belongs to the user's organisation; NotFound otherwise."""
    if not valid_id(case_id):
        raise NotFound(f"Case {case_id} was not found.")
    case = session.scalars(
        select(MeetingCase).where(
            MeetingCase.id == case_id, MeetingCase.organisation_id == user.organisation_id
        )
    ).first()
    if case is None:
        raise NotFound(f"Case {case_id} was not found.")
    return case


def require_open(meeting: Meeting) -> None:
    """Raise MeetingLocked when the meeting is finalised."""
    if meeting.finalised:
        raise MeetingLocked(
            f"Meeting {meeting.id} is finalised; its record can only be amended "
            "through an outcome amendment."
        )


def action(function: Callable[P, R]) -> Callable[P, R]:
    """Run a named action as one transaction: commit on success, roll back on any error."""

    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        session: Session = args[0]  # type: ignore[assignment]
        try:
            result = function(*args, **kwargs)
            session.commit()
            return result
        except StaleDataError as error:
            session.rollback()
            raise StaleVersion(
                "Someone else saved this record at the same time; reload and try again."
            ) from error
        except IntegrityError as error:
            # Usually two people adding the same version at once (a unique key refused it).
            session.rollback()
            raise WorkflowConflict(
                "The change conflicts with the stored record (perhaps a concurrent save); "
                "reload and try again.",
                code="conflicting_write",
            ) from error
        except BaseException:
            session.rollback()
            raise

    return run


def json_ready(value: Any) -> Any:
    """Dates and other scalars as JSON text (for audit details and stored facts)."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
