"""model activations: who made which model version active, and why

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('modelactivation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_version_id', sa.Integer(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['model_version_id'], ['modelversion.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('modelactivation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_modelactivation_model_version_id'), ['model_version_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('modelactivation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_modelactivation_model_version_id'))

    op.drop_table('modelactivation')
