"""pending prompts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 07:00:00

The conversation moves from per-process adapter memory into the database: a
question the bot asked (write your review of X) waits here, visible to every
instance, until it is answered, cleared by another command, or expires.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.schema

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_prompts",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("chat", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("movie_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("expires_at", storage.schema.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["movie_id"], ["movies.id"], name=op.f("fk_pending_prompts_movie_id_movies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_pending_prompts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "chat", name=op.f("pk_pending_prompts")),
    )
    with op.batch_alter_table("pending_prompts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_prompts_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pending_prompts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_prompts_expires_at"))
    op.drop_table("pending_prompts")
