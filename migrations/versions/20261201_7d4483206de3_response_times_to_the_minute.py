"""response times to the minute: existing responses and finished flows lose their seconds

New responses are stored rounded down to RESPONSE_TIME_MINUTES (default 1). Rows stored before
keep microseconds that an access log could be matched against, so they are rounded down to the
minute here as well: nothing reads the seconds (fieldwork counts by day, filters by day, the
comments list shows minutes), and the fiscal year cannot change.

Revision ID: 7d4483206de3
Revises: 633fd286f2cf
Create Date: 2026-12-01 11:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d4483206de3'
down_revision = '633fd286f2cf'
branch_labels = None
depends_on = None


def _minute(column):
    if op.get_bind().dialect.name == "postgresql":
        return f"date_trunc('minute', {column})"
    # SQLAlchemy keeps SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' text.
    return f"strftime('%Y-%m-%d %H:%M:00.000000', {column})"


def upgrade():
    op.execute(f"UPDATE responses SET submitted_at = {_minute('submitted_at')}")
    op.execute(
        f"UPDATE respondent_flows SET submitted_at = {_minute('submitted_at')}, "
        f"created_at = {_minute('submitted_at')}, updated_at = {_minute('submitted_at')} "
        "WHERE submitted_at IS NOT NULL"
    )


def downgrade():
    pass  # the seconds are gone for good, which is the point
