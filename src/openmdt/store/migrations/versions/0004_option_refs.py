"""Outcomes name each option with its decision: ``decision_id/option_id``.

An option id alone can mean two treatments (docetaxel with radiotherapy for non-metastatic
disease, docetaxel with ADT for metastatic disease), and letters showed the wrong one. Each
stored chosen and recommended option is qualified from the evaluation of the facts version
the outcome was recorded on: the decision that recommended it, else the one that applied.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from openmdt.meetings.options import SEPARATOR, legacy_ref

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_outcomes = sa.table("outcomes", sa.column("id", sa.Integer), sa.column("case_id", sa.Integer),
                     sa.column("fact_version", sa.Integer),
                     sa.column("chosen_options", sa.JSON),
                     sa.column("recommended_options", sa.JSON))
_versions = sa.table("fact_versions", sa.column("case_id", sa.Integer),
                     sa.column("version", sa.Integer), sa.column("evaluation", sa.JSON))


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_outcomes)).mappings().all()
    for row in rows:
        chosen, recommended = _loaded(row["chosen_options"]), _loaded(row["recommended_options"])
        if all(SEPARATOR in str(o) for o in [*chosen, *recommended]):
            continue
        evaluation = _loaded(connection.execute(
            sa.select(_versions.c.evaluation).where(
                _versions.c.case_id == row["case_id"],
                _versions.c.version == row["fact_version"])).scalar())
        connection.execute(_outcomes.update().where(_outcomes.c.id == row["id"]).values(
            chosen_options=[legacy_ref(evaluation, str(o)) for o in chosen],
            recommended_options=[legacy_ref(evaluation, str(o)) for o in recommended]))


def downgrade() -> None:
    connection = op.get_bind()
    for row in connection.execute(sa.select(_outcomes)).mappings().all():
        connection.execute(_outcomes.update().where(_outcomes.c.id == row["id"]).values(
            chosen_options=[str(o).split(SEPARATOR)[-1]
                            for o in _loaded(row["chosen_options"])],
            recommended_options=[str(o).split(SEPARATOR)[-1]
                                 for o in _loaded(row["recommended_options"])]))
