"""several reviewers: a campaign can be assigned to one; comments on campaigns

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_to', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_campaign_assigned_to'), ['assigned_to'], unique=False)
    op.create_table(
        'campaigncomment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('campaigncomment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigncomment_campaign_id'), ['campaign_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('campaigncomment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigncomment_campaign_id'))
    op.drop_table('campaigncomment')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_assigned_to'))
        batch_op.drop_column('assigned_to')
