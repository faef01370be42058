"""download jobs: large raw-response downloads made in the background

Revision ID: a0f0c5f116f5
Revises: bf023e70b2f9
Create Date: 2026-12-01 15:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a0f0c5f116f5'
down_revision = 'bf023e70b2f9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('download_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('encoding', sa.String(length=8), nullable=False),
    sa.Column('reveal', sa.Boolean(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_download_jobs_survey_id_surveys'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_download_jobs_user_id_staff_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_download_jobs')),
    sa.UniqueConstraint('token', name=op.f('uq_download_jobs_token'))
    )
    with op.batch_alter_table('download_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_download_jobs_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('download_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_download_jobs_user_id'))

    op.drop_table('download_jobs')
