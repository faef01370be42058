"""result counts: responses and answer pairs per cell, kept with each response

Revision ID: 3c6e1f0a9d27
Revises: a0f0c5f116f5
Create Date: 2026-12-01 17:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c6e1f0a9d27'
down_revision = 'a0f0c5f116f5'
branch_labels = None
depends_on = None


def _key(*names):
    return [sa.Column(name, sa.String(length=64), nullable=False) for name in names]


def _cell_columns():
    return [
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('flagged', sa.Boolean(), nullable=False),
    ]


BASE = "r.survey_id, r.fiscal_year, r.channel, coalesce(r.link_id, 0), r.flagged"


def upgrade():
    op.create_table('response_counts',
    *_cell_columns(),
    sa.Column('day', sa.Date(), nullable=False),
    *_key('question_key', 'option_code'),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_response_counts_survey_id_surveys'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'question_key', 'option_code', 'fiscal_year', 'channel',
                            'link_id', 'flagged', 'day', name=op.f('pk_response_counts'))
    )
    op.create_table('answer_pair_counts',
    *_cell_columns(),
    *_key('question_key', 'option_code', 'group_question', 'group_option'),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_answer_pair_counts_survey_id_surveys'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'question_key', 'group_question', 'option_code',
                            'group_option', 'fiscal_year', 'channel', 'link_id', 'flagged',
                            name=op.f('pk_answer_pair_counts'))
    )
    # The counts of the responses stored so far (the same cells as surveyapp.respond.counts).
    if op.get_bind().dialect.name == 'postgresql':
        day = "CAST(r.submitted_at + interval '9 hours' AS DATE)"
    else:
        day = "date(r.submitted_at, '+9 hours')"
    op.execute(
        f"INSERT INTO response_counts (survey_id, fiscal_year, channel, link_id, flagged, day, "
        f"question_key, option_code, n) "
        f"SELECT {BASE}, {day}, '', '', count(*) FROM responses r GROUP BY {BASE}, {day} "
        f"UNION ALL "
        f"SELECT {BASE}, {day}, a.question_key, a.option_code, count(*) FROM responses r "
        f"JOIN answers a ON a.response_id = r.id WHERE a.option_code IS NOT NULL "
        f"GROUP BY {BASE}, {day}, a.question_key, a.option_code")
    op.execute(
        f"INSERT INTO answer_pair_counts (survey_id, fiscal_year, channel, link_id, flagged, "
        f"question_key, option_code, group_question, group_option, n) "
        f"SELECT {BASE}, a.question_key, a.option_code, b.question_key, b.option_code, count(*) "
        f"FROM responses r JOIN answers a ON a.response_id = r.id "
        f"JOIN answers b ON b.response_id = r.id AND b.question_key <> a.question_key "
        f"WHERE a.option_code IS NOT NULL AND b.option_code IS NOT NULL "
        f"GROUP BY {BASE}, a.question_key, a.option_code, b.question_key, b.option_code")
    # The same cells without the day (group question and option ''), from those just counted.
    op.execute(
        "INSERT INTO answer_pair_counts (survey_id, fiscal_year, channel, link_id, flagged, "
        "question_key, option_code, group_question, group_option, n) "
        "SELECT survey_id, fiscal_year, channel, link_id, flagged, question_key, option_code, '', '', "
        "sum(n) FROM response_counts "
        "GROUP BY survey_id, fiscal_year, channel, link_id, flagged, question_key, option_code")


def downgrade():
    op.drop_table('answer_pair_counts')
    op.drop_table('response_counts')
