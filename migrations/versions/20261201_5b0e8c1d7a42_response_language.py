"""response language

Revision ID: 5b0e8c1d7a42
Revises: 54665d7466a1
Create Date: 2026-12-01 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b0e8c1d7a42'
down_revision = '54665d7466a1'
branch_labels = None
depends_on = None


def upgrade():
    # Existing responses keep NULL: the language they were answered in was not recorded.
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_column('language')
