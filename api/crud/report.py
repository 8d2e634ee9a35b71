"""What an evidence report adds to the clusters' details: the ingest runs (and files) their posts came from, and
the posts its evidence table names that the shown posts do not hold."""

from sqlmodel import Session, select

from smearwatch.models import ClusterMember, IngestRun, Post


def source_runs(session: Session, *, cluster_ids: list[int]) -> list[IngestRun]:
    """The ingest runs that stored the clusters' posts, oldest first."""
    if not cluster_ids:
        return []
    run_ids = session.exec(
        select(Post.run_id).join(ClusterMember, ClusterMember.post_id == Post.id)
        .where(ClusterMember.cluster_id.in_(cluster_ids), Post.run_id.is_not(None)).distinct()
    ).all()
    if not run_ids:
        return []
    return list(session.exec(select(IngestRun).where(IngestRun.id.in_(run_ids)).order_by(IngestRun.id)))


def posts_by_id(session: Session, *, ids: set[int]) -> dict[int, Post]:
    if not ids:
        return {}
    return {post.id: post for post in session.exec(select(Post).where(Post.id.in_(sorted(ids))))}
