"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('account_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('followers', sa.BigInteger(), nullable=True),
    sa.Column('profile_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'account_id', name='uq_account_platform_id')
    )
    op.create_table('feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('every_seconds', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('next_due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('claimed_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('etag', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('last_modified', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('last_polled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_status', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('seen_files', sa.JSON(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_next_due_at'), ['next_due_at'], unique=False)

    op.create_table('modelversion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('card', sa.JSON(), nullable=True),
    sa.Column('metrics', sa.JSON(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('modelversion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_modelversion_active'), ['active'], unique=False)

    op.create_table('target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('apitoken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apitoken_user_id'), ['user_id'], unique=False)

    op.create_table('cluster',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('n_posts', sa.Integer(), nullable=False),
    sa.Column('n_accounts', sa.Integer(), nullable=False),
    sa.Column('start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('end', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=True),
    sa.Column('signals', sa.JSON(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['model_version_id'], ['modelversion.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('cluster', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_flagged'), ['flagged'], unique=False)

    op.create_table('ingestrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=True),
    sa.Column('feed_id', sa.Integer(), nullable=True),
    sa.Column('read', sa.Integer(), nullable=False),
    sa.Column('stored', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('bytes_total', sa.BigInteger(), nullable=False),
    sa.Column('bytes_done', sa.BigInteger(), nullable=False),
    sa.Column('slices_total', sa.Integer(), nullable=False),
    sa.Column('slices_done', sa.Integer(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['feed_id'], ['feed.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ingestrun', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ingestrun_status'), ['status'], unique=False)

    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('undoes', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cluster_id'], ['cluster.id'], ),
    sa.ForeignKeyConstraint(['undoes'], ['decision.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_cluster_id'), ['cluster_id'], unique=False)

    op.create_table('post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('post_id', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('author_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('author_name', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('urls', sa.JSON(), nullable=True),
    sa.Column('hashtags', sa.JSON(), nullable=True),
    sa.Column('repost_of', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('reply_to', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('raw', sa.JSON(), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('model_version_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['model_version_id'], ['modelversion.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['ingestrun.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'post_id', name='uq_post_platform_id')
    )
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.create_index('ix_post_author', ['platform', 'author_id'], unique=False)
        batch_op.create_index('ix_post_created_at', ['created_at'], unique=False)

    op.create_table('rejectedrecord',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('excerpt', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['ingestrun.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rejectedrecord', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rejectedrecord_run_id'), ['run_id'], unique=False)

    op.create_table('clustermember',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cluster_id'], ['cluster.id'], ),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cluster_id', 'post_id', name='uq_member_cluster_post')
    )
    with op.batch_alter_table('clustermember', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clustermember_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clustermember_post_id'), ['post_id'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('signal', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('post_a', sa.Integer(), nullable=False),
    sa.Column('post_b', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=True),
    sa.Column('similarity', sa.Float(), nullable=True),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['cluster_id'], ['cluster.id'], ),
    sa.ForeignKeyConstraint(['post_a'], ['post.id'], ),
    sa.ForeignKeyConstraint(['post_b'], ['post.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_cluster_id'), ['cluster_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_cluster_id'))

    op.drop_table('evidence')
    with op.batch_alter_table('clustermember', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clustermember_post_id'))
        batch_op.drop_index(batch_op.f('ix_clustermember_cluster_id'))

    op.drop_table('clustermember')
    with op.batch_alter_table('rejectedrecord', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rejectedrecord_run_id'))

    op.drop_table('rejectedrecord')
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index('ix_post_created_at')
        batch_op.drop_index('ix_post_author')

    op.drop_table('post')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_cluster_id'))

    op.drop_table('decision')
    with op.batch_alter_table('ingestrun', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ingestrun_status'))

    op.drop_table('ingestrun')
    with op.batch_alter_table('cluster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_flagged'))

    op.drop_table('cluster')
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apitoken_user_id'))

    op.drop_table('apitoken')
    op.drop_table('user')
    op.drop_table('target')
    with op.batch_alter_table('modelversion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_modelversion_active'))

    op.drop_table('modelversion')
    with op.batch_alter_table('feed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_next_due_at'))

    op.drop_table('feed')
    op.drop_table('account')
