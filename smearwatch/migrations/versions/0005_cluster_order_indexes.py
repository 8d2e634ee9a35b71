"""indexes for the review queue and the cluster list orders

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the queue (flagged, score descending, id) and its previous/next neighbours
    op.create_index('ix_cluster_queue', 'cluster', ['flagged', 'score', 'id'], unique=False)
    # `sort=-start` / `start` and `min_score` / `max_score` in the cluster list
    op.create_index('ix_cluster_start', 'cluster', ['start'], unique=False)
    op.create_index('ix_cluster_score', 'cluster', ['score'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_cluster_score', table_name='cluster')
    op.drop_index('ix_cluster_start', table_name='cluster')
    op.drop_index('ix_cluster_queue', table_name='cluster')
