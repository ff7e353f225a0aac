"""merge feature schemas

Revision ID: f7dc4922588b
Revises: 1f5c803c8fe6, 38f5e62fbcf9, a272aed57eeb
Create Date: 2026-11-25 21:34:38.446035+00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.tables.types


revision: str = 'f7dc4922588b'
down_revision: str | None = ('1f5c803c8fe6', '38f5e62fbcf9', 'a272aed57eeb')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
