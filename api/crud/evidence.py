"""What one cluster is made of: its posts and their authors, its accounts, its evidence edges, and the counts
per time bucket its timeline is drawn from."""

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import Float, Integer, and_, cast, func
from sqlmodel import Session, select

from smearwatch.models import Account, ClusterMember, Evidence, Post

POSTS_SHOWN = 300
EVIDENCE_SHOWN = 3000


def _epoch(session: Session, column):
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", column)
    return cast(func.strftime("%s", column), Float)


def timeline_counts(session: Session, *, start: datetime, width: int, end: datetime,
                    cluster_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """Per bucket of `width` seconds from `start`: the cluster's posts and all posts, in one pass over the window."""
    epoch = _epoch(session, Post.created_at)
    bucket = cast(func.floor((epoch - start.timestamp()) / width), Integer).label("bucket")
    statement = (
        select(bucket, func.count(ClusterMember.post_id), func.count())
        .select_from(Post)
        .outerjoin(ClusterMember, and_(ClusterMember.post_id == Post.id, ClusterMember.cluster_id == cluster_id))
        .where(Post.created_at >= start, Post.created_at < end)
        .group_by(bucket)
    )
    ours: dict[int, int] = {}
    background: dict[int, int] = {}
    for b, n_ours, n_all in session.exec(statement):
        if b is None:
            continue
        if n_ours:
            ours[int(b)] = int(n_ours)
        background[int(b)] = int(n_all)
    return ours, background


def cluster_posts(session: Session, *, cluster_id: int, limit: int = POSTS_SHOWN) -> list[Post]:
    return list(session.exec(
        select(Post).join(ClusterMember, ClusterMember.post_id == Post.id)
        .where(ClusterMember.cluster_id == cluster_id).order_by(Post.created_at, Post.id).limit(limit)
    ))


def member_authors(session: Session, *, cluster_id: int, posts: list[Post],
                   limit: int = POSTS_SHOWN) -> dict[int, tuple[str, str]]:
    """Author of every member post; read from `posts` (no query) when they are all the members."""
    if len(posts) < limit:
        return {post.id: (post.platform, post.author_id) for post in posts}
    return _member_authors(session, cluster_id=cluster_id)


def _member_authors(session: Session, *, cluster_id: int) -> dict[int, tuple[str, str]]:
    rows = session.exec(
        select(Post.id, Post.platform, Post.author_id).join(ClusterMember, ClusterMember.post_id == Post.id)
        .where(ClusterMember.cluster_id == cluster_id)
    ).all()
    return {pid: (platform, author) for pid, platform, author in rows}


def cluster_accounts(session: Session, *, cluster_id: int, authors: dict[int, tuple[str, str]]) -> list[dict]:
    in_cluster = Counter(authors.values())
    by_platform: dict[str, list[str]] = defaultdict(list)
    for platform, author in in_cluster:
        by_platform[platform].append(author)
    accounts: dict[tuple[str, str], tuple] = {}
    totals: dict[tuple[str, str], int] = {}
    # Per platform, `author_id IN (...)` is one index scan; a (platform, author) tuple list was planned as one
    # branch per pair, and a join of the counts with `account` as a scan of every account.
    for platform, authors_of in by_platform.items():
        for i in range(0, len(authors_of), 500):
            chunk = authors_of[i:i + 500]
            totals.update(((platform, author), n) for author, n in session.exec(
                select(Post.author_id, func.count()).where(Post.platform == platform, Post.author_id.in_(chunk))
                .group_by(Post.author_id)))
            accounts.update(((platform, author), (name, created_at, followers))
                            for author, name, created_at, followers in session.exec(
                select(Account.account_id, Account.name, Account.created_at, Account.followers)
                .where(Account.platform == platform, Account.account_id.in_(chunk))))
    result = []
    for key, n in in_cluster.most_common():
        name, created_at, followers = accounts.get(key, (None, None, None))
        result.append({
            "platform": key[0], "account_id": key[1], "name": name,
            "created_at": created_at.isoformat() if created_at else None,
            "followers": followers,
            "posts_in_cluster": n, "posts_total": totals.get(key, n),
        })
    return result


def cluster_evidence(session: Session, *, cluster_id: int, limit: int = EVIDENCE_SHOWN) -> list[Evidence]:
    return list(session.exec(
        select(Evidence).where(Evidence.cluster_id == cluster_id).order_by(Evidence.id).limit(limit)))
