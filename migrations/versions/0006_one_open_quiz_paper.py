"""at most one open quiz paper per learner and module (partial unique index)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

Pen test F3: sixteen simultaneous "Start quiz" requests drew ten papers on a 3-attempt
quiz, because the check for an open paper and the insert were separate steps. A partial
unique index on the open papers makes the database refuse the second one. Any duplicates
already present are removed first (the newest open paper is kept).
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        DELETE FROM quiz_attempt
        WHERE submitted_at IS NULL AND EXISTS (
            SELECT 1 FROM quiz_attempt AS newer
            WHERE newer.user_id = quiz_attempt.user_id AND newer.course_slug = quiz_attempt.course_slug
              AND newer.module_slug = quiz_attempt.module_slug AND newer.submitted_at IS NULL
              AND (newer.started_at > quiz_attempt.started_at
                   OR (newer.started_at = quiz_attempt.started_at AND newer.id > quiz_attempt.id)))
    """)
    op.execute("CREATE UNIQUE INDEX uq_quiz_attempt_open_paper ON quiz_attempt (user_id, course_slug, module_slug) "
               "WHERE submitted_at IS NULL")


def downgrade() -> None:
    op.execute("DROP INDEX uq_quiz_attempt_open_paper")
