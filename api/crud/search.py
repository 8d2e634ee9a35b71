"""Search of posts (text, author, platform, dates) and accounts (id or name)."""

from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from api.crud.clusters import ClusterFilters, cluster_conditions
from api.crud.post_match import like, post_author_matches, post_text_matches
from smearwatch.models import Account, Cluster, ClusterMember, Post


def search_posts(session: Session, *, q: str | None = None, author: str | None = None, platform: str | None = None,
                 since: datetime | None = None, until: datetime | None = None,
                 clusters: ClusterFilters | None = None, limit: int = 50,
                 offset: int = 0) -> tuple[list[Post], int]:
    """Posts by text, author, platform and time; with `clusters`, only those in a cluster these filters match
    (a label, a target, a score)."""
    conditions = []
    if clusters is not None:
        in_matching = (select(ClusterMember.post_id).join(Cluster, Cluster.id == ClusterMember.cluster_id)
                       .where(*cluster_conditions(session, clusters)))
        conditions.append(Post.id.in_(in_matching))
    if q:
        conditions.append(post_text_matches(q))
    if author:
        conditions.append(post_author_matches(author))
    if platform:
        conditions.append(Post.platform == platform)
    if since:
        conditions.append(Post.created_at >= since)
    if until:
        conditions.append(Post.created_at <= until)
    where = and_(*conditions) if conditions else True
    count = session.exec(select(func.count()).select_from(Post).where(where)).one()
    rows = session.exec(select(Post).where(where).order_by(Post.created_at.desc(), Post.id.desc())
                        .offset(offset).limit(limit)).all()
    return list(rows), count


def search_accounts(session: Session, *, q: str | None = None, platform: str | None = None, limit: int = 50,
                    offset: int = 0) -> tuple[list[Account], int]:
    conditions = []
    if q:
        conditions.append(or_(Account.account_id == q, Account.name.ilike(like(q), escape="\\")))
    if platform:
        conditions.append(Account.platform == platform)
    where = and_(*conditions) if conditions else True
    count = session.exec(select(func.count()).select_from(Account).where(where)).one()
    rows = session.exec(select(Account).where(where).order_by(Account.id).offset(offset).limit(limit)).all()
    return list(rows), count


def clusters_of_posts(session: Session, *, post_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """The clusters (id, label) each of these posts is in, best score first."""
    found: dict[int, list[tuple[int, str]]] = {}
    if post_ids:
        for post_id, cluster_id, label in session.exec(
                select(ClusterMember.post_id, Cluster.id, Cluster.label)
                .join(Cluster, Cluster.id == ClusterMember.cluster_id)
                .where(ClusterMember.post_id.in_(post_ids)).order_by(Cluster.score.desc(), Cluster.id)):
            found.setdefault(post_id, []).append((cluster_id, label))
    return found
