"""email verification: pending registrations, verified addresses, email-change tokens

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

Pen tests F10/F12/F5: registration no longer creates an account at once (a pending
registration waits for the emailed link), user_account records when its address was
confirmed, and auth_token can carry an address (the new one for an email change, the old one
for a "this wasn't me" link). Accounts that existed before this migration are marked
verified from their creation date: the service had not been deployed, so they are
developers' and demo accounts.
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_verified_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE user_account SET email_verified_at = created_at WHERE email IS NOT NULL")
    with op.batch_alter_table("auth_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
    op.create_table(
        "pending_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["council_id"], ["council.id"], name=op.f("fk_pending_registration_council_id_council")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_registration")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pending_registration_token_hash")),
    )
    with op.batch_alter_table("pending_registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_registration_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_pending_registration_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_table("pending_registration")
    with op.batch_alter_table("auth_token", schema=None) as batch_op:
        batch_op.drop_column("email")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("email_verified_at")
