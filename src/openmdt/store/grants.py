"""PostgreSQL privileges for the application's role: it may read and append to the audit
tables, never change or remove a row (docs/audit.md; the triggers are the second line)."""

from __future__ import annotations

import re

AUDIT_TABLES = ("audit_events", "audit_checkpoints")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def app_role_statements(role: str, schema: str = "public") -> list[str]:
    """The GRANT and REVOKE statements to run as the schema's owner, after `db upgrade`."""
    for name in (role, schema):
        if not _NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a plain lower-case SQL name")
    audit = ", ".join(f"{schema}.{table}" for table in AUDIT_TABLES)
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {audit} FROM {role}",
    ]
