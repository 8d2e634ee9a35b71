"""rendered evidence sections of cluster pages; indexes for the queue's progress and for undone decisions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'clusterview',
        sa.Column('cluster_id', sa.Integer(), nullable=False),
        sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('cluster_updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('built_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('html', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['cluster_id'], ['cluster.id']),
        sa.PrimaryKeyConstraint('cluster_id'),
    )
    # the queue's progress ("12 of 80 reviewed") on every review page, counted from the index alone
    op.create_index('ix_cluster_review', 'cluster', ['flagged', 'status'], unique=False)
    # lists of clusters show each one's answer in force: "not undone" looks decisions up by `undoes`
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_undoes'), ['undoes'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_undoes'))
    op.drop_index('ix_cluster_review', table_name='cluster')
    op.drop_table('clusterview')
