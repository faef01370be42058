"""a link's language is optional (NULL: the resident's browser language)

Revision ID: 677f339a87ef
Revises: 8f502288c77f
Create Date: 2026-12-01 09:00:00

The public web link that `surveys load --open` creates for every survey was always made with
Japanese, because no one was asked: it is not a language anybody chose, and it hid the
resident's browser language. Those links (channel "web", the label the loader gives them, still
Japanese) become NULL. Links staff made themselves keep their language: a poster may already be
printed in it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '677f339a87ef'
down_revision = '8f502288c77f'
branch_labels = None
depends_on = None

BUILTIN_WEB_LABEL = 'ウェブ（公開リンク）'


def upgrade():
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.alter_column('default_language', existing_type=sa.String(length=16),
                              nullable=True)
    links = sa.table('links', sa.column('channel', sa.String), sa.column('label', sa.String),
                     sa.column('default_language', sa.String))
    op.execute(links.update()
               .where(links.c.channel == 'web', links.c.label == BUILTIN_WEB_LABEL,
                      links.c.default_language == 'ja')
               .values(default_language=None))


def downgrade():
    links = sa.table('links', sa.column('default_language', sa.String))
    op.execute(links.update().where(links.c.default_language.is_(None))
               .values(default_language='ja'))
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.alter_column('default_language', existing_type=sa.String(length=16),
                              nullable=False)
