"""profile counts: responses and answers per demographic profile, without a date, per day, per month

Revision ID: e081f2d9a7fd
Revises: 3c6e1f0a9d27
Create Date: 2026-12-01 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e081f2d9a7fd'
down_revision = '3c6e1f0a9d27'
branch_labels = None
depends_on = None

KINDS = ('age_band', 'gender', 'area')  # the order of the questions in a profile
BASE = "r.survey_id, r.fiscal_year, r.channel, coalesce(r.link_id, 0), r.flagged"


def _columns(*, period=None):
    columns = [
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('question_key', sa.String(length=64), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('flagged', sa.Boolean(), nullable=False),
        sa.Column('profile', sa.String(length=400), nullable=False),
        sa.Column('option_code', sa.String(length=64), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
    ]
    if period:
        columns.insert(2, sa.Column(period, sa.Date(), nullable=False))
    return columns


def _key(*, period=None):
    return ['survey_id', 'question_key', *([period] if period else []), 'fiscal_year', 'channel',
            'link_id', 'flagged', 'profile', 'option_code']


def upgrade():
    for table, period in (('profile_counts', None), ('profile_day_counts', 'day'),
                       ('profile_month_counts', 'month')):
        op.create_table(table,
        *_columns(period=period),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f(f'fk_{table}_survey_id_surveys'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint(*_key(period=period), name=op.f(f'pk_{table}'))
        )
    # The counts of the responses stored so far (the same cells as surveyapp.respond.counts):
    # the profile is "key=option;" for each demographic question of the response's version.
    if op.get_bind().dialect.name == 'postgresql':
        day = "CAST(r.submitted_at + interval '9 hours' AS DATE)"
        month = "CAST(date_trunc('month', day) AS DATE)"
    else:
        day = "date(r.submitted_at, '+9 hours')"
        month = "date(day, 'start of month')"
    joins, parts = [], []
    for number, kind in enumerate(KINDS):
        joins.append(f"LEFT JOIN questions q{number} ON q{number}.version_id = r.survey_version_id "
                     f"AND q{number}.demographic = '{kind}' "
                     f"LEFT JOIN answers a{number} ON a{number}.response_id = r.id "
                     f"AND a{number}.question_key = q{number}.key")
        parts.append(f"CASE WHEN q{number}.key IS NULL THEN '' "
                     f"ELSE q{number}.key || '=' || coalesce(a{number}.option_code, '') || ';' END")
    profile = " || ".join(parts)
    joined = "responses r " + " ".join(joins)
    kinds = ", ".join(f"'{kind}'" for kind in KINDS)
    op.execute(
        f"INSERT INTO profile_day_counts (survey_id, fiscal_year, channel, link_id, flagged, day, "
        f"profile, question_key, option_code, n) "
        f"SELECT {BASE}, {day}, {profile}, '', '', count(*) FROM {joined} "
        f"GROUP BY {BASE}, {day}, {profile} "
        f"UNION ALL "
        f"SELECT {BASE}, {day}, {profile}, c.question_key, c.option_code, count(*) FROM {joined} "
        f"JOIN answers c ON c.response_id = r.id WHERE c.option_code IS NOT NULL AND NOT EXISTS ("
        f"SELECT 1 FROM questions d WHERE d.version_id = r.survey_version_id "
        f"AND d.key = c.question_key AND d.demographic IN ({kinds})) "
        f"GROUP BY {BASE}, {day}, {profile}, c.question_key, c.option_code")
    op.execute(
        "INSERT INTO profile_counts (survey_id, fiscal_year, channel, link_id, flagged, profile, "
        "question_key, option_code, n) "
        "SELECT survey_id, fiscal_year, channel, link_id, flagged, profile, question_key, option_code, "
        "sum(n) FROM profile_day_counts "
        "GROUP BY survey_id, fiscal_year, channel, link_id, flagged, profile, question_key, option_code")
    op.execute(
        f"INSERT INTO profile_month_counts (survey_id, fiscal_year, channel, link_id, flagged, month, "
        f"profile, question_key, option_code, n) "
        f"SELECT survey_id, fiscal_year, channel, link_id, flagged, {month}, profile, question_key, "
        f"option_code, sum(n) FROM profile_day_counts "
        f"GROUP BY survey_id, fiscal_year, channel, link_id, flagged, {month}, profile, question_key, "
        f"option_code")


def downgrade():
    op.drop_table('profile_month_counts')
    op.drop_table('profile_day_counts')
    op.drop_table('profile_counts')
