"""clusters carry two judgements and a verdict (coordination, smear, label); targets become entities

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cluster', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coordination', sa.Float(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('smear', sa.Float(), nullable=False, server_default='0'))
        # clusters stored before the verdict existed: flagged ones were smears, the rest unjudged (organic)
        batch_op.add_column(sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                      server_default='organic'))
        batch_op.create_index(batch_op.f('ix_cluster_label'), ['label'], unique=False)
        batch_op.create_index('ix_cluster_label_queue', ['label', 'score', 'id'], unique=False)
    op.execute("UPDATE cluster SET label = 'smear' WHERE flagged")
    # targets were names; they are entities now ({"name", "aliases", "type"})
    clusters = sa.table('cluster', sa.column('id', sa.Integer()), sa.column('targets', sa.JSON()))
    connection = op.get_bind()
    for cluster_id, targets in connection.execute(sa.select(clusters.c.id, clusters.c.targets)).all():
        if targets and any(isinstance(t, str) for t in targets):
            entities = [t if isinstance(t, dict) else {"name": t, "aliases": [], "type": "entity"} for t in targets]
            connection.execute(clusters.update().where(clusters.c.id == cluster_id).values(targets=entities))


def downgrade() -> None:
    with op.batch_alter_table('cluster', schema=None) as batch_op:
        batch_op.drop_index('ix_cluster_label_queue')
        batch_op.drop_index(batch_op.f('ix_cluster_label'))
        batch_op.drop_column('label')
        batch_op.drop_column('smear')
        batch_op.drop_column('coordination')
