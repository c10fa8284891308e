"""mail queue: bounces, holding newer mail behind a server outage, GOV.UK Notify references

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

``outbox_message`` becomes the queue every notification goes through: ``bounced_at``
records a permanent failure (reason in ``last_error``), ``transport_failed`` marks the
message the mail server refused while down (nothing newer is sent before it),
``headers`` keeps List-Unsubscribe, and ``provider_ref``/``provider_status`` hold GOV.UK
Notify's notification id and delivery status. Existing rows get the defaults.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headers', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('transport_failed', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('bounced_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('provider_ref', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('provider_status', sa.String(length=30), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_outbox_message_to_address'), ['to_address'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_to_address'))
        batch_op.drop_column('provider_status')
        batch_op.drop_column('provider_ref')
        batch_op.drop_column('bounced_at')
        batch_op.drop_column('transport_failed')
        batch_op.drop_column('headers')
