"""a campaign's latest decision in one index probe: (campaign_id, id) on decision

Without it PostgreSQL answers "the latest decision of campaign X" by walking decision ids backwards and filtering,
once per listed campaign: the campaign queue's cost grew with the number of decisions in the store.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index('ix_decision_campaign_latest', ['campaign_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_campaign_latest')
