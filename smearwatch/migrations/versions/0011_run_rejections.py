"""posts are found by the run that stored them (the run page lists the clusters holding a run's posts)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_run_id'), ['run_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_run_id'))
