"""Accounts: users and roles, argon2 passwords, hashed API tokens, sessions, login throttling."""

from openmdt.accounts.passwords import hash_password, verify_password
from openmdt.accounts.sessions import (
    SESSION_LIFETIME,
    close_session,
    open_session,
    user_for_session,
)
from openmdt.accounts.throttle import MAX_FAILURES, WINDOW
from openmdt.accounts.tokens import issue_api_token, user_for_api_token
from openmdt.accounts.users import create_user, get_or_create_organisation, login
from openmdt.store.errors import InvalidCredentials, LoginThrottled
from openmdt.store.models import ROLES

__all__ = [
    "MAX_FAILURES",
    "ROLES",
    "SESSION_LIFETIME",
    "WINDOW",
    "InvalidCredentials",
    "LoginThrottled",
    "close_session",
    "create_user",
    "get_or_create_organisation",
    "hash_password",
    "issue_api_token",
    "login",
    "open_session",
    "user_for_api_token",
    "user_for_session",
    "verify_password",
]
