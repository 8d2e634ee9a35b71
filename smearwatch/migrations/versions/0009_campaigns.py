"""campaigns: clusters grouped into the unit a reviewer decides once; decisions remember the campaign they came from

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'campaign',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('flagged', sa.Boolean(), nullable=False),
        sa.Column('n_clusters', sa.Integer(), nullable=False),
        sa.Column('n_accounts', sa.Integer(), nullable=False),
        sa.Column('n_posts', sa.Integer(), nullable=False),
        sa.Column('targets', sa.JSON(), nullable=True),
        sa.Column('start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('end', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_label'), ['label'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_flagged'), ['flagged'], unique=False)
        batch_op.create_index('ix_campaign_queue', ['flagged', 'score', 'id'], unique=False)
        batch_op.create_index('ix_campaign_review', ['flagged', 'status'], unique=False)
    with op.batch_alter_table('cluster', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cluster_campaign_id'), ['campaign_id'], unique=False)
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_decision_campaign_id'), ['campaign_id'], unique=False)
    # Clusters stored before campaigns: one campaign each until the next scoring regroups them.
    op.execute(
        "INSERT INTO campaign (key, label, score, flagged, n_clusters, n_accounts, n_posts, targets, start, \"end\", "
        "status, created_at, updated_at) "
        "SELECT 'k' || substr(key, 2), label, score, flagged, 1, n_accounts, n_posts, targets, start, \"end\", "
        "status, created_at, updated_at FROM cluster WHERE status != 'superseded'")
    op.execute("UPDATE cluster SET campaign_id = (SELECT campaign.id FROM campaign "
               "WHERE campaign.key = 'k' || substr(cluster.key, 2)) WHERE status != 'superseded'")


def downgrade() -> None:
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_campaign_id'))
        batch_op.drop_column('campaign_id')
    with op.batch_alter_table('cluster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_campaign_id'))
        batch_op.drop_column('campaign_id')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_review')
        batch_op.drop_index('ix_campaign_queue')
        batch_op.drop_index(batch_op.f('ix_campaign_flagged'))
        batch_op.drop_index(batch_op.f('ix_campaign_label'))
    op.drop_table('campaign')
