"""a respondent flow keeps the input of a page that did not validate

Revision ID: b5a2a299464d
Revises: 677f339a87ef
Create Date: 2026-12-01 09:10:00

Validation errors are shown after a redirect (POST-redirect-GET): what the person entered on
the page is kept here, server-side, until the page is answered validly.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5a2a299464d'
down_revision = '677f339a87ef'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('respondent_flows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejected_input', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('respondent_flows', schema=None) as batch_op:
        batch_op.drop_column('rejected_input')
