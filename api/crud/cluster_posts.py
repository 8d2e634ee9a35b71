"""The posts of one cluster for its paged posts section: its members in time order and its near-duplicate pairs."""

from sqlmodel import Session, select

from smearwatch.models import ClusterMember, Evidence, Post

POSTS_GROUPED = 2000  # near-duplicate groups are made over this many posts of a cluster, the earliest
PAIRS_READ = 20000


def member_posts(session: Session, *, cluster_id: int, limit: int = POSTS_GROUPED) -> list[Post]:
    return list(session.exec(
        select(Post).join(ClusterMember, ClusterMember.post_id == Post.id)
        .where(ClusterMember.cluster_id == cluster_id).order_by(Post.created_at, Post.id).limit(limit)))


def near_duplicate_pairs(session: Session, *, cluster_id: int, limit: int = PAIRS_READ) -> list[tuple[int, int]]:
    return list(session.exec(
        select(Evidence.post_a, Evidence.post_b)
        .where(Evidence.cluster_id == cluster_id, Evidence.signal == "near_duplicate").limit(limit)).all())
