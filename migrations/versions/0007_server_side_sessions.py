"""server-side sessions: one user_session row per signed-in browser

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

Pen test F2: signing out cleared only the browser's copy of the signed cookie, so a copy
taken before sign-out kept working. The cookie now carries a random id whose SHA-256 names
a row here; sign-out deletes it. Sessions signed in before this migration (whose cookies
carry the old "id:version" login id) simply find no row and sign in again.
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_user_session_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_user_session")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_session_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_session_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_table("user_session")
