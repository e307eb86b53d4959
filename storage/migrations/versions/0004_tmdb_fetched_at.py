"""tmdb fetched at

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 21:29:04.861189

Records when TMDb supplied a movie's content, so a daily job can refresh or drop
it before TMDb's six-month limit. Rows TMDb filled in before this column existed
are the ones with TMDb-only content (overview, poster, keywords: neither the
bundled catalog nor MovieLens imports have these); they start from their
`updated_at`, the last time such content could have been written.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.schema

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("movies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tmdb_fetched_at", storage.schema.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_movies_tmdb_fetched_at", ["tmdb_fetched_at"], unique=False)
    op.execute(
        "UPDATE movies SET tmdb_fetched_at = updated_at"
        " WHERE tmdb_id IS NOT NULL AND (overview IS NOT NULL OR poster_path IS NOT NULL OR keywords <> '')"
    )


def downgrade() -> None:
    with op.batch_alter_table("movies", schema=None) as batch_op:
        batch_op.drop_index("ix_movies_tmdb_fetched_at")
        batch_op.drop_column("tmdb_fetched_at")
