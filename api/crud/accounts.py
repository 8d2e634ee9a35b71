"""One account: its profile, its posts and the clusters it appears in."""

from sqlalchemy import func
from sqlmodel import Session, select

from smearwatch.models import Account, Cluster, ClusterMember, Post


def get_account(session: Session, *, platform: str, account_id: str) -> Account | None:
    return session.exec(select(Account).where(Account.platform == platform,
                                              Account.account_id == account_id)).first()


def account_posts(session: Session, *, platform: str, account_id: str, limit: int = 50,
                  offset: int = 0) -> tuple[list[Post], int]:
    """The account's posts, newest first, and how many there are (both from the (platform, author) index)."""
    where = (Post.platform == platform, Post.author_id == account_id)
    count = session.exec(select(func.count()).select_from(Post).where(*where)).one()
    rows = session.exec(select(Post).where(*where).order_by(Post.created_at.desc(), Post.id.desc())
                        .offset(offset).limit(limit)).all()
    return list(rows), count


def account_clusters(session: Session, *, platform: str, account_id: str, limit: int = 200) -> list[tuple]:
    """The clusters with a post of the account, best score first: (cluster, posts of the account in it)."""
    n_posts = func.count(ClusterMember.post_id).label("n")
    return list(session.exec(
        select(Cluster, n_posts).join(ClusterMember, ClusterMember.cluster_id == Cluster.id)
        .join(Post, Post.id == ClusterMember.post_id)
        .where(Post.platform == platform, Post.author_id == account_id)
        .group_by(Cluster.id).order_by(Cluster.score.desc(), Cluster.id).limit(limit)).all())
