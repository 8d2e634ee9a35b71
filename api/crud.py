"""Queries and writes for the API and the review pages. Keyword-only helpers over a Session; no HTTP here."""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Float, Integer, and_, cast, exists, func, or_
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from smearwatch.models import (
    Account,
    Cluster,
    ClusterMember,
    ClusterView,
    Decision,
    Evidence,
    Feed,
    IngestRun,
    Job,
    ModelVersion,
    Post,
    RejectedRecord,
    User,
    utcnow,
)

ANSWERS = ("smear", "coordinated", "organic", "unsure")
SORTS = {
    "score": Cluster.score.asc(), "-score": Cluster.score.desc(),
    "start": Cluster.start.asc(), "-start": Cluster.start.desc(),
    "n_posts": Cluster.n_posts.asc(), "-n_posts": Cluster.n_posts.desc(),
    "n_accounts": Cluster.n_accounts.asc(), "-n_accounts": Cluster.n_accounts.desc(),
    "id": Cluster.id.asc(), "-id": Cluster.id.desc(),
}
POSTS_SHOWN = 300
EVIDENCE_SHOWN = 3000
NETWORK_NODES = 150
TIMELINE_BUCKETS = 48


class ConflictError(ValueError):
    """A write that contradicts the record (undoing an undo, undoing twice)."""


@dataclass
class ClusterFilters:
    flagged: bool | None = None
    status: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    since: datetime | None = None
    until: datetime | None = None
    platform: str | None = None
    target: str | None = None
    kind: str | None = None
    sort: str = "-score"
    threshold: float | None = None  # sort "uncertainty": nearest this score first; None: the active model's


def _cluster_conditions(session: Session, filters: ClusterFilters) -> list:
    conditions = []
    if filters.flagged is not None:
        conditions.append(Cluster.flagged == filters.flagged)
    if filters.status:
        conditions.append(Cluster.status == filters.status)
    if filters.min_score is not None:
        conditions.append(Cluster.score >= filters.min_score)
    if filters.max_score is not None:
        conditions.append(Cluster.score <= filters.max_score)
    if filters.since is not None:  # clusters active in [since, until]
        conditions.append(Cluster.end >= filters.since)
    if filters.until is not None:
        conditions.append(Cluster.start <= filters.until)
    if filters.kind:
        conditions.append(Cluster.kind == filters.kind)
    if filters.platform:
        conditions.append(exists().where(
            ClusterMember.cluster_id == Cluster.id, Post.id == ClusterMember.post_id,
            Post.platform == filters.platform))
    if filters.target:
        if session.get_bind().dialect.name == "postgresql":
            conditions.append(cast(Cluster.__table__.c.targets, JSONB).contains([filters.target]))
        else:
            each = func.json_each(Cluster.__table__.c.targets).table_valued("value")
            conditions.append(exists(select(1).select_from(each).where(each.c.value == filters.target)))
    return conditions


def _answer_in_force():
    """The answer of the latest decision in force on the row's cluster: not an undo and not undone (as
    `answer_of` decides it), so a list of clusters needs no second query for its decisions."""
    undo = aliased(Decision)
    return (select(Decision.answer)
            .where(Decision.cluster_id == Cluster.id, Decision.answer != "undo",
                   ~exists().where(undo.undoes == Decision.id))
            .order_by(Decision.id.desc()).limit(1).correlate(Cluster).scalar_subquery().label("answer"))


# What a list of clusters shows: the public columns and the answer in force, as plain rows (no ORM objects).
LIST_COLUMNS = [*(Cluster.__table__.c[name] for name in ("id", "key", "score", "flagged", "kind", "n_posts",
                                                         "n_accounts", "start", "end", "status", "targets", "signals")),
                _answer_in_force()]


def list_clusters(session: Session, *, filters: ClusterFilters, limit: int = 50, offset: int = 0,
                  count: int | None = None) -> tuple[list, int]:
    """One page of clusters (rows of LIST_COLUMNS) and how many match; pass `count` when it is known."""
    conditions = _cluster_conditions(session, filters)
    if count is None:
        count = session.exec(select(func.count()).select_from(Cluster).where(*conditions)).one()
    if filters.sort == "uncertainty":
        threshold = active_threshold(session) if filters.threshold is None else filters.threshold
        order = func.abs(Cluster.score - threshold).asc()
    else:
        order = SORTS.get(filters.sort, SORTS["-score"])
    rows = session.exec(
        select(*LIST_COLUMNS).where(*conditions).order_by(order, Cluster.id.asc()).offset(offset).limit(limit)
    ).all()
    return list(rows), count


def clusters_by_id(session: Session, *, ids: list[int]) -> list[Cluster]:
    """The clusters with these ids, in the order given."""
    found = {c.id: c for c in session.exec(select(Cluster).where(Cluster.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def _progress_columns() -> tuple:
    flagged = select(func.count()).select_from(Cluster).where(Cluster.flagged)
    return flagged.scalar_subquery(), flagged.where(Cluster.status == "reviewed").scalar_subquery()


def queue_progress(session: Session) -> dict:
    total, reviewed = session.exec(select(*_progress_columns())).one()
    return {"reviewed": reviewed, "total": total}


def queue_position(session: Session, *, cluster: Cluster) -> tuple[int | None, int | None, dict]:
    """Previous and next clusters in the queue order (flagged, score descending, then id) and the queue's
    progress, in one query.

    Each neighbour is "same score, nearer id" else "nearest score": two index range scans, where one OR
    condition was a filter over the whole queue index.
    """
    columns = list(_progress_columns())
    if cluster.flagged:
        queue = select(Cluster.id).where(Cluster.flagged).limit(1)
        nxt = func.coalesce(
            queue.where(Cluster.score == cluster.score, Cluster.id > cluster.id).order_by(Cluster.id.asc())
            .scalar_subquery(),
            queue.where(Cluster.score < cluster.score).order_by(Cluster.score.desc(), Cluster.id.asc())
            .scalar_subquery())
        prev = func.coalesce(
            queue.where(Cluster.score == cluster.score, Cluster.id < cluster.id).order_by(Cluster.id.desc())
            .scalar_subquery(),
            queue.where(Cluster.score > cluster.score).order_by(Cluster.score.asc(), Cluster.id.desc())
            .scalar_subquery())
        columns += [prev, nxt]
    row = session.exec(select(*columns)).one()
    prev_id, next_id = (row[2], row[3]) if cluster.flagged else (None, None)
    return prev_id, next_id, {"reviewed": row[1], "total": row[0]}


def queue_counts(session: Session) -> tuple[dict, int, float]:
    """The queue's progress, `pending_decisions` and `active_threshold`, in one query (the queue shows all three)."""
    pending, after, active_at, total, reviewed, card = session.exec(_queue_counts_statement()).one()
    return {"reviewed": reviewed, "total": total}, (pending if active_at is None else after), _threshold_of(card)


@cache
def _queue_counts_statement():
    card = select(ModelVersion.card).where(ModelVersion.active).limit(1).scalar_subquery()
    return _pending_statement().add_columns(*_progress_columns(), card)


def pending_decisions(session: Session) -> int:
    """How many standing decisions the next retraining will add (decided after the active version was made).

    One query, with the rules of `worker.learning.decision_records`: the latest standing decision per cluster,
    "unsure" left out.
    """
    total, after, active_at = session.exec(_pending_statement()).one()
    return total if active_at is None else after


@cache
def _pending_statement():
    # Built once: a statement object keeps its cache key, which costs more to compute than the query to run.
    undone = select(Decision.undoes).where(Decision.undoes.is_not(None))
    latest = (
        select(Decision.answer, Decision.created_at, func.row_number().over(
            partition_by=Decision.cluster_id, order_by=(Decision.created_at.desc(), Decision.id.desc())).label("n"))
        .join(User, User.id == Decision.user_id)
        .where(Decision.answer != "undo", Decision.id.not_in(undone))
        .subquery()
    )
    active = select(ModelVersion.created_at).where(ModelVersion.active).limit(1).scalar_subquery()
    labelled = ("smear", "coordinated", "organic")  # worker.learning.ANSWER_LABELS: "unsure" is left out
    condition = [latest.c.n == 1, latest.c.answer.in_(labelled)]
    return select(func.count(), func.count().filter(latest.c.created_at > active), active).where(*condition)


# --- decisions (append-only) ------------------------------------------------------------------------------


def _effective(decisions: list[Decision]) -> list[Decision]:
    undone = {d.undoes for d in decisions if d.undoes is not None}
    return [d for d in decisions if d.answer != "undo" and d.id not in undone]


def answer_of(decisions: list[Decision]) -> Decision | None:
    """The latest decision still in force among one cluster's decisions (oldest first)."""
    effective = _effective(decisions)
    return effective[-1] if effective else None


def decision_history(session: Session, *, cluster_id: int) -> list[tuple[Decision, str]]:
    rows = session.exec(
        select(Decision, User.username).join(User, User.id == Decision.user_id)
        .where(Decision.cluster_id == cluster_id).order_by(Decision.id)
    ).all()
    return [(decision, username) for decision, username in rows]


def _refresh_status(session: Session, cluster: Cluster) -> None:
    decisions = list(session.exec(select(Decision).where(Decision.cluster_id == cluster.id)))
    cluster.status = "reviewed" if _effective(decisions) else "open"
    cluster.updated_at = utcnow()
    session.add(cluster)


def add_decision(session: Session, *, cluster: Cluster, user: User, answer: str, note: str | None) -> Decision:
    if answer not in ANSWERS:
        raise ValueError(f"answer must be one of {', '.join(ANSWERS)}")
    decision = Decision(cluster_id=cluster.id, user_id=user.id, answer=answer, note=note or None)
    session.add(decision)
    session.flush()
    _refresh_status(session, cluster)
    session.commit()
    session.refresh(decision)
    return decision


def undo_decision(session: Session, *, decision: Decision, user: User) -> Decision:
    if decision.answer == "undo":
        raise ConflictError(f"decision {decision.id} is an undo; decide again instead")
    if session.exec(select(Decision.id).where(Decision.undoes == decision.id)).first() is not None:
        raise ConflictError(f"decision {decision.id} is already undone")
    undo = Decision(cluster_id=decision.cluster_id, user_id=user.id, answer="undo", undoes=decision.id)
    session.add(undo)
    session.flush()
    cluster = session.get(Cluster, decision.cluster_id)
    _refresh_status(session, cluster)
    session.commit()
    session.refresh(undo)
    return undo


def last_effective_decision(session: Session, *, user: User) -> Decision | None:
    """The user's most recent decision that is still in force (what backspace withdraws)."""
    undone = select(Decision.undoes).where(Decision.undoes.is_not(None)).scalar_subquery()
    return session.exec(
        select(Decision).where(Decision.user_id == user.id, Decision.answer != "undo",
                               Decision.id.not_in(undone)).order_by(Decision.id.desc()).limit(1)
    ).first()


def list_decisions(session: Session, *, user_id: int | None = None, limit: int = 50,
                   offset: int = 0) -> tuple[list[tuple[Decision, str]], int]:
    conditions = [Decision.user_id == user_id] if user_id is not None else []
    count = session.exec(select(func.count()).select_from(Decision).where(*conditions)).one()
    rows = session.exec(
        select(Decision, User.username).join(User, User.id == Decision.user_id).where(*conditions)
        .order_by(Decision.id.desc()).offset(offset).limit(limit)
    ).all()
    return [(d, u) for d, u in rows], count


def cluster_with_view(session: Session, *, cluster_id: int) -> tuple[Cluster, ClusterView | None] | None:
    """The cluster and its kept evidence section (if any), in one query; None if there is no such cluster."""
    row = session.exec(select(Cluster, ClusterView).outerjoin(ClusterView, ClusterView.cluster_id == Cluster.id)
                       .where(Cluster.id == cluster_id)).first()
    return None if row is None else (row[0], row[1])


# --- one cluster with its evidence ------------------------------------------------------------------------


def _epoch(session: Session, column):
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", column)
    return cast(func.strftime("%s", column), Float)


def _timeline_counts(session: Session, *, start: datetime, width: int, end: datetime,
                     cluster_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """Per bucket: the cluster's posts and all posts, in one pass over the window."""
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


def timeline(session: Session, *, cluster: Cluster) -> dict:
    """Posts of the cluster per time bucket against all posts stored in the same window (background)."""
    if cluster.start is None or cluster.end is None:
        return {"start": None, "bucket_seconds": 0, "buckets": []}
    span = max((cluster.end - cluster.start).total_seconds(), 60.0)
    pad = max(span * 0.5, 3600.0)
    lo = cluster.start - timedelta(seconds=pad)
    width = max(int(math.ceil((span + 2 * pad) / TIMELINE_BUCKETS)), 1)
    hi = lo + timedelta(seconds=width * TIMELINE_BUCKETS)
    ours, background = _timeline_counts(session, start=lo, width=width, end=hi, cluster_id=cluster.id)
    buckets = [
        {"start": (lo + timedelta(seconds=i * width)).isoformat(), "cluster": ours.get(i, 0),
         "background": background.get(i, 0)}
        for i in range(TIMELINE_BUCKETS)
    ]
    return {"start": lo.isoformat(), "bucket_seconds": width, "buckets": buckets}


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


def network(evidence: list[Evidence], authors: dict[int, tuple[str, str]]) -> dict:
    """Accounts tied by evidence: one edge per pair of accounts and signal, with how many ties."""
    edges: Counter = Counter()
    for item in evidence:
        a, b = authors.get(item.post_a), authors.get(item.post_b)
        if a is None or b is None or a == b:
            continue
        a_key, b_key = f"{a[0]}:{a[1]}", f"{b[0]}:{b[1]}"
        pair = (a_key, b_key) if a_key < b_key else (b_key, a_key)
        edges[(*pair, item.signal)] += 1
    degree: Counter = Counter()
    for (a, b, _), n in edges.items():
        degree[a] += n
        degree[b] += n
    keep = {key for key, _ in degree.most_common(NETWORK_NODES)}
    nodes = [{"id": key, "degree": degree[key]} for key in sorted(keep)]
    links = [{"source": a, "target": b, "signal": s, "weight": n}
             for (a, b, s), n in sorted(edges.items()) if a in keep and b in keep]
    return {"nodes": nodes, "links": links, "truncated": len(degree) > len(keep)}


def shared_items(posts: list[Post]) -> dict:
    links = Counter(url for post in posts for url in dict.fromkeys(post.urls or []))
    tags = Counter(tag.lower() for post in posts for tag in dict.fromkeys(post.hashtags or []))
    return {"links": links.most_common(20), "hashtags": tags.most_common(20)}


def duplicate_groups(posts: list[Post], evidence: list[Evidence]) -> list[list[Post]]:
    """Posts joined by near-duplicate evidence (or identical text), largest group first, in time order."""
    parent = {post.id: post.id for post in posts}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a, b):
        if a in parent and b in parent:
            parent[find(a)] = find(b)

    for item in evidence:
        if item.signal == "near_duplicate":
            union(item.post_a, item.post_b)
    by_text: dict[str, int] = {}
    for post in posts:
        key = " ".join(post.text.lower().split())
        if key and key in by_text:
            union(post.id, by_text[key])
        by_text.setdefault(key, post.id)
    groups: dict[int, list[Post]] = defaultdict(list)
    for post in posts:
        groups[find(post.id)].append(post)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0].created_at))


# --- search, runs, models, users, feeds -------------------------------------------------------------------


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_posts(session: Session, *, q: str | None = None, author: str | None = None, platform: str | None = None,
                 since: datetime | None = None, until: datetime | None = None, limit: int = 50,
                 offset: int = 0) -> tuple[list[Post], int]:
    conditions = []
    if q:
        conditions.append(Post.text.ilike(_like(q), escape="\\"))
    if author:
        conditions.append(or_(Post.author_id == author, Post.author_name.ilike(_like(author), escape="\\")))
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
        conditions.append(or_(Account.account_id == q, Account.name.ilike(_like(q), escape="\\")))
    if platform:
        conditions.append(Account.platform == platform)
    where = and_(*conditions) if conditions else True
    count = session.exec(select(func.count()).select_from(Account).where(where)).one()
    rows = session.exec(select(Account).where(where).order_by(Account.id).offset(offset).limit(limit)).all()
    return list(rows), count


def list_runs(session: Session, *, limit: int = 20, offset: int = 0) -> tuple[list[IngestRun], int]:
    count = session.exec(select(func.count()).select_from(IngestRun)).one()
    rows = session.exec(select(IngestRun).order_by(IngestRun.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), count


def run_rejections(session: Session, *, run_id: int, limit: int = 50) -> list[RejectedRecord]:
    return list(session.exec(select(RejectedRecord).where(RejectedRecord.run_id == run_id)
                             .order_by(RejectedRecord.id).limit(limit)))


def run_progress(run: IngestRun) -> float:
    if run.status == "done":
        return 1.0
    return round(min(run.bytes_done / run.bytes_total, 1.0), 4) if run.bytes_total else 0.0


def list_models(session: Session) -> list[ModelVersion]:
    return list(session.exec(select(ModelVersion).order_by(ModelVersion.id.desc())))


def active_threshold(session: Session) -> float:
    """The active model's cluster threshold (what `flagged` means); 0.5 when no version is active."""
    return _threshold_of(session.exec(select(ModelVersion.card).where(ModelVersion.active)).first())


def _threshold_of(card: dict | None) -> float:
    value = (card or {}).get("threshold")
    return float(value) if isinstance(value, int | float) else 0.5


def list_jobs(session: Session, *, kind: str | None = None, status: str | None = None, limit: int = 20,
              offset: int = 0) -> tuple[list[Job], int]:
    conditions = []
    if kind:
        conditions.append(Job.kind == kind)
    if status:
        conditions.append(Job.status == status)
    count = session.exec(select(func.count()).select_from(Job).where(*conditions)).one()
    rows = session.exec(select(Job).where(*conditions).order_by(Job.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), count


def model_names(session: Session) -> dict[int, str]:
    return dict(session.exec(select(ModelVersion.id, ModelVersion.name)).all())


def list_feeds(session: Session) -> list[Feed]:
    return list(session.exec(select(Feed).order_by(Feed.id)))
