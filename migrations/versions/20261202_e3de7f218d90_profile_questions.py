"""profile questions: a profile also holds the answers to the other single-choice questions

Revision ID: e3de7f218d90
Revises: e081f2d9a7fd
Create Date: 2026-12-02 00:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3de7f218d90'
down_revision = 'e081f2d9a7fd'
branch_labels = None
depends_on = None

KINDS = ('age_band', 'gender', 'area')  # the order of the demographic questions in a profile
PROFILE_LENGTH = 400  # the size of the profile column
BASE = ("r.survey_id AS survey_id, r.fiscal_year AS fiscal_year, r.channel AS channel, "
        "coalesce(r.link_id, 0) AS link_id, r.flagged AS flagged")
GROUP = "r.survey_id, r.fiscal_year, r.channel, coalesce(r.link_id, 0), r.flagged"
CELL = "survey_id, fiscal_year, channel, link_id, flagged"


def _profile_keys(*, with_other_questions):
    """{version id: its profile questions' keys}, by the rule of surveyapp.respond.counts at this
    revision: the demographic questions in the order of KINDS, then (with_other_questions) every
    other single-choice question that is not a KPI's own, in the definition's order, while the
    longest profile fits the column."""
    bind = op.get_bind()
    longest = dict(bind.execute(sa.text(
        "SELECT question_id, max(length(code)) FROM options GROUP BY question_id")).all())
    kpi_questions = {}
    for version_id, key in bind.execute(sa.text("SELECT version_id, question_key FROM kpis")):
        kpi_questions.setdefault(version_id, set()).add(key)
    questions = {}
    for version_id, question_id, key, kind, demographic in bind.execute(sa.text(
            "SELECT version_id, id, key, type, demographic FROM questions ORDER BY version_id, position")):
        questions.setdefault(version_id, []).append((key, kind, demographic, len(key) + 2 + (longest.get(question_id) or 0)))
    found = {}
    for (version_id,) in bind.execute(sa.text("SELECT id FROM survey_versions ORDER BY id")):
        declared = questions.get(version_id, [])
        demographic = {q[2]: q for q in declared if q[2] is not None}
        chosen = [demographic[kind] for kind in KINDS if kind in demographic]
        length = sum(q[3] for q in chosen)
        if with_other_questions:
            for question in declared:
                key, kind, is_demographic, size = question
                if (kind == 'single' and is_demographic is None
                        and key not in kpi_questions.get(version_id, set())
                        and length + size <= PROFILE_LENGTH):
                    chosen.append(question)
                    length += size
        found[version_id] = [q[0] for q in chosen]
    return found


def _refill(*, with_other_questions):
    """Recompute the three profile tables from the responses and answers."""
    for table in ('profile_counts', 'profile_day_counts', 'profile_month_counts'):
        op.execute(f"DELETE FROM {table}")
    if op.get_bind().dialect.name == 'postgresql':
        day = "CAST(r.submitted_at + interval '9 hours' AS DATE)"
        month = "CAST(date_trunc('month', day) AS DATE)"
    else:
        day = "date(r.submitted_at, '+9 hours')"
        month = "date(day, 'start of month')"
    parts, params = [], {}
    for number, (version_id, keys) in enumerate(_profile_keys(with_other_questions=with_other_questions).items()):
        params[f"v{number}"] = version_id
        joins, profile = [], "''"
        for index, key in enumerate(keys):
            name = f"k{number}_{index}"
            params[name], params[name + "_eq"] = key, key + "="
            joins.append(f"LEFT JOIN answers a{index} ON a{index}.response_id = r.id "
                         f"AND a{index}.question_key = :{name}")
            profile += f" || CAST(:{name}_eq AS TEXT) || coalesce(a{index}.option_code, '') || ';'"
        profiles = (f"(SELECT r.id AS response_id, {profile} AS profile FROM responses r {' '.join(joins)} "
                    f"WHERE r.survey_version_id = :v{number}) p")
        others = (" AND c.question_key NOT IN (" + ", ".join(f":k{number}_{i}" for i in range(len(keys))) + ")"
                  if keys else "")
        parts.append(
            f"SELECT {BASE}, {day} AS day, p.profile AS profile, '' AS question_key, '' AS option_code, "
            f"count(*) AS n FROM responses r JOIN {profiles} ON p.response_id = r.id "
            f"GROUP BY {GROUP}, {day}, p.profile")
        parts.append(
            f"SELECT {BASE}, {day} AS day, p.profile AS profile, c.question_key AS question_key, "
            f"c.option_code AS option_code, count(*) AS n FROM responses r JOIN {profiles} "
            f"ON p.response_id = r.id JOIN answers c ON c.response_id = r.id "
            f"WHERE c.option_code IS NOT NULL{others} "
            f"GROUP BY {GROUP}, {day}, p.profile, c.question_key, c.option_code")
    if not parts:
        return
    op.get_bind().execute(sa.text(
        f"INSERT INTO profile_day_counts ({CELL}, day, profile, question_key, option_code, n) "
        f"SELECT {CELL}, day, profile, question_key, option_code, sum(n) FROM ("
        + " UNION ALL ".join(parts) +
        f") u GROUP BY {CELL}, day, profile, question_key, option_code"), params)
    op.execute(
        f"INSERT INTO profile_counts ({CELL}, profile, question_key, option_code, n) "
        f"SELECT {CELL}, profile, question_key, option_code, sum(n) FROM profile_day_counts "
        f"GROUP BY {CELL}, profile, question_key, option_code")
    op.execute(
        f"INSERT INTO profile_month_counts ({CELL}, month, profile, question_key, option_code, n) "
        f"SELECT {CELL}, {month}, profile, question_key, option_code, sum(n) FROM profile_day_counts "
        f"GROUP BY {CELL}, {month}, profile, question_key, option_code")


def upgrade():
    _refill(with_other_questions=True)


def downgrade():
    _refill(with_other_questions=False)
