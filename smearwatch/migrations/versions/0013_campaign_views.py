"""kept campaign page sections (campaignview) and indexes for the queues' random checks

A campaign page of 40 clusters aggregated its 2,000 posts into narratives and accounts on every request; the
review queues sorted every open unflagged cluster (campaign) by a fixed shuffle on every page. Both are now read, not computed.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        'campaignview',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('campaign_updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('built_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('html', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('campaign_id'),
    )
    op.create_index('ix_cluster_check_order', 'cluster', ['flagged', 'status', sa.text('(id * 7919 % 10007)'), 'id'],
                    unique=False)
    op.create_index('ix_campaign_check_order', 'campaign', ['flagged', 'status', sa.text('(id * 7919 % 10007)'), 'id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_campaign_check_order', table_name='campaign')
    op.drop_index('ix_cluster_check_order', table_name='cluster')
    op.drop_table('campaignview')
