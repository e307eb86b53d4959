"""scheduled messages: opt-in per-user schedules and a ledger with leases

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:30:00

Scheduled messages become opt-in. Nobody chose the old defaults (weekly picks
and reminders on, timezone UTC), and the old schema kept no record of who
turned them on, so every existing user is moved to off: a bot that goes quiet
until asked loses less trust than one that keeps writing at 03:00. The old
"UTC" default is dropped too (NULL means "never told us"), so saying yes asks
for the zone instead of assuming it. The old week-keyed ledger only guarded
messages that no longer exist (whole-watchlist reminders), so it is replaced
by `scheduled_messages`; `send_budget` is the shared send pacing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.schema

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("timezone", existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column("reminders", new_column_name="release_reminders", existing_type=sa.Boolean())
        batch_op.add_column(sa.Column("nudges", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("weekly_day", sa.SmallInteger(), nullable=False, server_default="4"))
        batch_op.add_column(sa.Column("send_hour", sa.SmallInteger(), nullable=False, server_default="18"))
        batch_op.add_column(sa.Column("quiet_start", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("quiet_end", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("next_run_at", storage.schema.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_next_run_at"), ["next_run_at"], unique=False)
    users = sa.table(
        "users",
        sa.column("timezone", sa.String),
        sa.column("weekly_picks", sa.Boolean),
        sa.column("release_reminders", sa.Boolean),
        sa.column("quiet_start", sa.SmallInteger),
        sa.column("quiet_end", sa.SmallInteger),
    )
    op.execute(users.update().values(weekly_picks=False, release_reminders=False, quiet_start=22, quiet_end=8))
    op.execute(users.update().where(users.c.timezone == "UTC").values(timezone=None))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("nudges", server_default=None)
        batch_op.alter_column("weekly_day", server_default=None)
        batch_op.alter_column("send_hour", server_default=None)

    with op.batch_alter_table("watchlist", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nudged_at", storage.schema.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("snoozed_until", storage.schema.UtcDateTime(timezone=True), nullable=True))

    with op.batch_alter_table("pending_prompts", schema=None) as batch_op:
        batch_op.alter_column("movie_id", existing_type=_ID, nullable=True)

    op.drop_table("notifications")
    op.create_table(
        "scheduled_messages",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("movie_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", storage.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("window_end", storage.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", storage.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", storage.schema.UtcDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("updated_at", storage.schema.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_scheduled_messages_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_messages")),
        sa.UniqueConstraint("user_id", "kind", "period", "movie_id", name="uq_scheduled_messages_key"),
    )
    with op.batch_alter_table("scheduled_messages", schema=None) as batch_op:
        batch_op.create_index("ix_scheduled_messages_status_next", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_scheduled_messages_status_lease", ["status", "lease_until"], unique=False)
        batch_op.create_index("ix_scheduled_messages_updated_at", ["updated_at"], unique=False)
    op.create_table(
        "send_budget",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("tat", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_send_budget")),
    )


def downgrade() -> None:
    op.drop_table("send_budget")
    op.drop_table("scheduled_messages")
    op.create_table(
        "notifications",
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("at", storage.schema.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", "period", name=op.f("pk_notifications")),
    )
    op.execute(sa.text("DELETE FROM pending_prompts WHERE movie_id IS NULL"))
    with op.batch_alter_table("pending_prompts", schema=None) as batch_op:
        batch_op.alter_column("movie_id", existing_type=_ID, nullable=False)
    with op.batch_alter_table("watchlist", schema=None) as batch_op:
        batch_op.drop_column("snoozed_until")
        batch_op.drop_column("nudged_at")
    op.execute(sa.text("UPDATE users SET timezone = 'UTC' WHERE timezone IS NULL"))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_next_run_at"))
        batch_op.drop_column("next_run_at")
        batch_op.drop_column("quiet_end")
        batch_op.drop_column("quiet_start")
        batch_op.drop_column("send_hour")
        batch_op.drop_column("weekly_day")
        batch_op.drop_column("nudges")
        batch_op.alter_column("release_reminders", new_column_name="reminders", existing_type=sa.Boolean())
        batch_op.alter_column("timezone", existing_type=sa.String(length=64), nullable=False)
