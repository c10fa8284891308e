"""background jobs and notifications: send log, opt-outs, stored certificate PDFs, job runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

* ``send_log``: one row per email that must go out once; the unique key
  (recipient, kind, subject_key, step) is what makes notifications exactly-once.
* ``email_opt_out``: one-click unsubscribe from an optional kind of email.
* ``certificate_pdf``: PDFs rendered by a background job when a certificate is issued.
* ``job_run``: every background task run (``flask jobs status``).
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('email_opt_out',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_opt_out')),
    sa.UniqueConstraint('recipient', 'kind', name='uq_email_opt_out_recipient')
    )
    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task', sa.String(length=60), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('result', sa.String(length=300), nullable=False),
    sa.Column('error', sa.String(length=1000), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run'))
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_run_finished_at'), ['finished_at'], unique=False)
        batch_op.create_index('ix_job_run_task_finished', ['task', 'finished_at'], unique=False)

    op.create_table('send_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject_key', sa.String(length=80), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('council_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('bounced_at', sa.DateTime(), nullable=True),
    sa.Column('failure', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_send_log_council_id_council')),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_message.id'], name=op.f('fk_send_log_outbox_message_id_outbox_message'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_send_log_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_send_log')),
    sa.UniqueConstraint('recipient', 'kind', 'subject_key', 'step', name='uq_send_log_key')
    )
    with op.batch_alter_table('send_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_send_log_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_send_log_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_send_log_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_send_log_outbox_message_id'), ['outbox_message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_send_log_user_id'), ['user_id'], unique=False)

    op.create_table('certificate_pdf',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('rendered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_certificate_pdf_certificate_id_certificate'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_pdf')),
    sa.UniqueConstraint('certificate_id', 'language', name='uq_certificate_pdf_language')
    )
    with op.batch_alter_table('certificate_pdf', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_pdf_certificate_id'), ['certificate_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('certificate_pdf', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_pdf_certificate_id'))

    op.drop_table('certificate_pdf')
    with op.batch_alter_table('send_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_send_log_user_id'))
        batch_op.drop_index(batch_op.f('ix_send_log_outbox_message_id'))
        batch_op.drop_index(batch_op.f('ix_send_log_kind'))
        batch_op.drop_index(batch_op.f('ix_send_log_created_at'))
        batch_op.drop_index(batch_op.f('ix_send_log_council_id'))

    op.drop_table('send_log')
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index('ix_job_run_task_finished')
        batch_op.drop_index(batch_op.f('ix_job_run_finished_at'))

    op.drop_table('job_run')
    op.drop_table('email_opt_out')
