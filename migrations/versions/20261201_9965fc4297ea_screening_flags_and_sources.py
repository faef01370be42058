"""screening: flags on responses, the honeypot on flows, a one-day table of submission sources

Revision ID: 9965fc4297ea
Revises: b5a2a299464d
Create Date: 2026-12-01 11:00:09.676430

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9965fc4297ea'
down_revision = 'b5a2a299464d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('submission_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_hash', sa.String(length=32), nullable=False),
    sa.Column('session_hash', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_sources'))
    )
    with op.batch_alter_table('submission_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_sources_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_sources_session_hash'), ['session_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_sources_source_hash'), ['source_hash'], unique=False)

    # ALTER TABLE … ADD COLUMN, never a copy of the table: with foreign keys on, SQLite drops the
    # old `responses` table by deleting its rows, and every answer would go with them.
    with op.batch_alter_table('respondent_flows', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('honeypot', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('responses', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('flagged', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('flag_reasons', sa.JSON(), nullable=True))


def downgrade():
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), never a copy of the table (see upgrade).
    with op.batch_alter_table('responses', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('flag_reasons')
        batch_op.drop_column('flagged')

    with op.batch_alter_table('respondent_flows', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('honeypot')

    with op.batch_alter_table('submission_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_sources_source_hash'))
        batch_op.drop_index(batch_op.f('ix_submission_sources_session_hash'))
        batch_op.drop_index(batch_op.f('ix_submission_sources_created_at'))

    op.drop_table('submission_sources')
