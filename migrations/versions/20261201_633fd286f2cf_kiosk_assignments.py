"""kiosk assignments: the links a device is or was assigned to (a device answers only for these)

Revision ID: 633fd286f2cf
Revises: 9965fc4297ea
Create Date: 2026-12-01 11:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '633fd286f2cf'
down_revision = '9965fc4297ea'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kiosk_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['kiosk_devices.id'], name=op.f('fk_kiosk_assignments_device_id_kiosk_devices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['link_id'], ['links.id'], name=op.f('fk_kiosk_assignments_link_id_links')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_assignments')),
    sa.UniqueConstraint('device_id', 'link_id', name=op.f('uq_kiosk_assignments_device_id'))
    )
    with op.batch_alter_table('kiosk_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_assignments_link_id'), ['link_id'], unique=False)
    # Devices keep answering for the link they show now. (Earlier assignments are not known;
    # answers still queued for one of those are refused and kept on the tablet for staff.)
    op.execute(
        "INSERT INTO kiosk_assignments (device_id, link_id, assigned_at) "
        "SELECT id, link_id, created_at FROM kiosk_devices WHERE link_id IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('kiosk_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_assignments_link_id'))

    op.drop_table('kiosk_assignments')
