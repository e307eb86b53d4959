"""regional release dates

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:50:00

The day a film comes out in each country, from TMDb's release dates: a
release-day reminder goes out on the day the film is released in the user's
region (/settings region), not on its first release anywhere.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "movie_release_dates",
        sa.Column("movie_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("release_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["movie_id"], ["movies.id"], name=op.f("fk_movie_release_dates_movie_id_movies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("movie_id", "region", name=op.f("pk_movie_release_dates")),
    )


def downgrade() -> None:
    op.drop_table("movie_release_dates")
