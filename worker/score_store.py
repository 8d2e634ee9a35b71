"""Score stored posts and (re)build their coordination clusters in the store, keeping reviewers' decisions.

A plain function the CLI, the demo and the Celery tasks call alike. Clustering a time window reads the posts
of the window padded by the longest signal window, so clusters that straddle its edges come out whole.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import and_, bindparam, delete, func, select, update
from sqlalchemy.engine import Connection, Engine

from classifiers import DetectConfig, Model, PostFrame, detect, load_model
from smearwatch.db import get_engine
from smearwatch.models import (
    Account,
    Cluster,
    ClusterMember,
    ClusterView,
    Decision,
    Evidence,
    Post,
    Target,
    utcnow,
)
from smearwatch.registry import activate_version, active_version, register_version
from smearwatch.settings import get_settings
from worker.campaign_store import regroup_campaigns

POSTS, ACCOUNTS, CLUSTERS = Post.__table__, Account.__table__, Cluster.__table__
MEMBERS, EVIDENCE, DECISIONS = ClusterMember.__table__, Evidence.__table__, Decision.__table__
VIEWS = ClusterView.__table__  # rendered evidence sections, deleted with their cluster
# A new cluster takes over a stored one (its id, its decisions) when it holds at least this share of its posts.
TAKEOVER_SHARE = 0.5


def active_model(engine: Engine) -> tuple[Model, int]:
    """The model to score with and its version id: SMEARWATCH_MODEL_DIR, else the active version, else the
    packaged default (which then becomes the first active version, so every score names its model)."""
    settings = get_settings()
    current = active_version(engine)
    if settings.model_dir is not None:
        model = load_model(settings.model_dir)
    elif current is not None:
        model = load_model(current["path"])
    else:
        model = load_model()
    version_id = register_version(engine, model)
    if current is None:
        activate_version(engine, version_id, actor="auto", reason="first model used: the packaged default")
    return model, version_id


def watched_targets(connection: Connection) -> dict[str, list[str]]:
    rows = connection.execute(select(Target.name, Target.aliases)).all()
    return {name: list(aliases or []) for name, aliases in rows}


def load_frame(connection: Connection, start: datetime | None, end: datetime | None) -> tuple[PostFrame, np.ndarray]:
    """The posts of [start, end) with their accounts' profiles, as a PostFrame, and their store ids."""
    query = (
        select(POSTS.c.id, POSTS.c.platform, POSTS.c.post_id, POSTS.c.author_id, POSTS.c.author_name, POSTS.c.text,
               POSTS.c.created_at, POSTS.c.lang, POSTS.c.urls, POSTS.c.hashtags, POSTS.c.repost_of,
               POSTS.c.reply_to, ACCOUNTS.c.created_at.label("author_created_at"),
               ACCOUNTS.c.followers.label("author_followers"))
        .select_from(POSTS.outerjoin(ACCOUNTS, and_(ACCOUNTS.c.platform == POSTS.c.platform,
                                                    ACCOUNTS.c.account_id == POSTS.c.author_id)))
        .order_by(POSTS.c.created_at, POSTS.c.id)
    )
    if start is not None:
        query = query.where(POSTS.c.created_at >= start)
    if end is not None:
        query = query.where(POSTS.c.created_at < end)
    store_ids = []
    records = []
    for row in connection.execute(query).mappings():
        store_ids.append(row["id"])
        record = dict(row)
        record["id"] = row["post_id"]
        records.append(record)
    return PostFrame.from_records(records), np.asarray(store_ids, dtype=np.int64)


def score_and_cluster(engine: Engine | None = None, *, start: datetime | None = None, end: datetime | None = None,
                      model: Model | None = None, window: float | None = None) -> dict:
    """Score the posts of [start, end) (all when both are None) and replace the clusters found there.

    A window gives the same clusters as a batch run over all posts: it is padded by the longest signal window,
    widened to take in whole every stored cluster it touches, and widened again while a cluster found reaches
    within one signal window of its edge (a chain of posts may go on beyond it).
    """
    engine = engine or get_engine()
    if model is None:
        model, version_id = active_model(engine)
    else:
        version_id = register_version(engine, model)
    with engine.connect() as connection:
        targets = watched_targets(connection)
    if start is None and end is None:
        with engine.connect() as connection:
            frame, store_ids = load_frame(connection, None, None)
        result = detect(frame, model, window=window, targets=targets)
    else:
        frame, store_ids, result = _detect_window(engine, model, window, targets, start, end)
    with engine.begin() as connection:
        _write_scores(connection, store_ids, result.post_scores, version_id)
        counts = _replace_clusters(connection, result.clusters, store_ids, frame, version_id)
        counts.update(regroup_campaigns(connection, *_span(start, end, result.clusters)))
    return {"posts": len(frame), "clusters": len(result.clusters),
            "flagged": sum(1 for c in result.clusters if c.flagged), "model": model.version, **counts}


MAX_WIDENINGS = 20


def _span(start: datetime | None, end: datetime | None, clusters: Sequence) -> tuple:
    """The span whose campaigns a scoring changed: its window and every cluster it wrote (all when unbounded)."""
    if start is None and end is None:
        return None, None
    moments = [m for c in clusters for m in (c.start, c.end) if m is not None]
    lows = [m for m in (start, *moments) if m is not None]
    highs = [m for m in (end, *moments) if m is not None]
    return min(lows, default=None), max(highs, default=None)


def shift_time(moment: datetime, delta: timedelta) -> datetime:
    """`moment + delta`, held at the ends of the calendar: a post dated year 1 or 9999 in the store must not
    make every later scoring fail with OverflowError."""
    try:
        return moment + delta
    except OverflowError:
        edge = datetime.min if delta < timedelta(0) else datetime.max
        return edge.replace(tzinfo=moment.tzinfo)


def _detect_window(engine: Engine, model: Model, window: float | None, targets: dict, start: datetime | None,
                   end: datetime | None):
    pad = timedelta(seconds=_longest_window(model, window))
    with engine.connect() as connection:
        first, last = connection.execute(select(func.min(POSTS.c.created_at), func.max(POSTS.c.created_at))).one()
    if first is None:
        first = last = start or end
    floor, ceiling = shift_time(first, -pad), shift_time(last, pad)  # no post lies beyond: widening stops there
    lo = max(shift_time(start or first, -pad), floor)
    hi = min(shift_time(end or last, pad), ceiling)
    for _ in range(MAX_WIDENINGS):
        with engine.connect() as connection:
            lo, hi = _cover_stored_clusters(connection, lo, hi)
            frame, store_ids = load_frame(connection, lo, hi)
        result = detect(frame, model, window=window, targets=targets)
        new_lo, new_hi = lo, hi
        for cluster in result.clusters:
            if cluster.start is not None and shift_time(cluster.start, -pad) < new_lo:
                new_lo = max(shift_time(cluster.start, -pad), floor)
            if cluster.end is not None and shift_time(cluster.end, pad) > new_hi:
                new_hi = min(shift_time(cluster.end, pad), ceiling)
        if (new_lo, new_hi) == (lo, hi):
            break
        lo, hi = new_lo, new_hi
    return frame, store_ids, result


def _cover_stored_clusters(connection: Connection, lo: datetime, hi: datetime) -> tuple[datetime, datetime]:
    """Widen [lo, hi] until it holds whole every current stored cluster it overlaps (rebuilt whole, not cut)."""
    while True:
        span = connection.execute(
            select(func.min(CLUSTERS.c.start), func.max(CLUSTERS.c.end))
            .where(CLUSTERS.c.status != "superseded", CLUSTERS.c.end >= lo, CLUSTERS.c.start <= hi)
        ).one()
        new_lo = min(lo, span[0]) if span[0] is not None else lo
        new_hi = max(hi, shift_time(span[1], timedelta(microseconds=1))) if span[1] is not None else hi
        if (new_lo, new_hi) == (lo, hi):
            return lo, hi
        lo, hi = new_lo, new_hi


def _longest_window(model: Model, window: float | None) -> float:
    config = DetectConfig.from_dict(model.card.get("detection")).with_window(window)
    return max(value for name, value in asdict(config).items() if name.endswith("_window"))


def _write_scores(connection: Connection, store_ids: np.ndarray, scores: np.ndarray, version_id: int) -> None:
    if len(store_ids):
        connection.execute(
            update(POSTS).where(POSTS.c.id == bindparam("pid")).values(score=bindparam("score"), model_version_id=version_id),
            [{"pid": int(pid), "score": float(score)} for pid, score in zip(store_ids, scores, strict=True)],
        )


def _replace_clusters(connection: Connection, clusters: Sequence, store_ids: np.ndarray, frame: PostFrame,
                      version_id: int) -> dict:
    """Store the new clusters; a stored cluster that a new one mostly contains keeps its id and decisions."""
    window_posts = [int(x) for x in store_ids]
    old = _stored_clusters_of(connection, window_posts)
    decided = set(connection.execute(select(DECISIONS.c.cluster_id).distinct()).scalars())
    owners: dict[int, list[int]] = {}
    for cid, old_members in old.items():
        for pid in old_members:
            owners.setdefault(pid, []).append(cid)
    taken: set[int] = set()
    created = grown = 0
    now = utcnow()
    for cluster in clusters:
        members = [int(store_ids[row]) for row in cluster.rows]
        reuse = _best_takeover(old, owners, members, taken)
        values = {
            "key": cluster.key, "score": float(cluster.score), "flagged": bool(cluster.flagged), "kind": cluster.kind,
            "coordination": float(cluster.coordination), "smear": float(cluster.smear), "label": cluster.label,
            "n_posts": len(members), "n_accounts": len(cluster.accounts), "start": cluster.start, "end": cluster.end,
            "targets": list(cluster.targets), "signals": cluster.signals, "model_version_id": version_id,
            "updated_at": now,
        }
        if reuse is None:
            cluster_id = connection.execute(
                CLUSTERS.insert().values(**values, status="open", created_at=now).returning(CLUSTERS.c.id)
            ).scalar_one()
            created += 1
        else:
            cluster_id = reuse
            taken.add(reuse)
            grown += len(members) > len(old[reuse])
            connection.execute(delete(MEMBERS).where(MEMBERS.c.cluster_id == cluster_id))
            connection.execute(delete(EVIDENCE).where(EVIDENCE.c.cluster_id == cluster_id))
            connection.execute(update(CLUSTERS).where(CLUSTERS.c.id == cluster_id).values(**values))
        connection.execute(MEMBERS.insert(), [{"cluster_id": cluster_id, "post_id": m} for m in members])
        if cluster.edges:
            connection.execute(EVIDENCE.insert(), [
                {"cluster_id": cluster_id, "signal": edge.signal, "post_a": int(store_ids[edge.row_a]),
                 "post_b": int(store_ids[edge.row_b]), "seconds": float(edge.seconds),
                 "similarity": float(edge.similarity)}
                for edge in cluster.edges
            ])
    # Stored clusters no new cluster took over: gone unless a reviewer decided on them (decisions are kept).
    dropped = [cid for cid in old if cid not in taken]
    removable = [cid for cid in dropped if cid not in decided]
    if removable:
        connection.execute(delete(MEMBERS).where(MEMBERS.c.cluster_id.in_(removable)))
        connection.execute(delete(EVIDENCE).where(EVIDENCE.c.cluster_id.in_(removable)))
        connection.execute(delete(VIEWS).where(VIEWS.c.cluster_id.in_(removable)))
        connection.execute(delete(CLUSTERS).where(CLUSTERS.c.id.in_(removable)))
    kept = [cid for cid in dropped if cid in decided]
    if kept:
        connection.execute(update(CLUSTERS).where(CLUSTERS.c.id.in_(kept)).values(status="superseded", updated_at=now))
    return {"created": created, "grown": grown, "removed": len(removable), "superseded": len(kept)}


def _stored_clusters_of(connection: Connection, post_ids: list[int]) -> dict[int, set[int]]:
    """Stored clusters with at least one member among `post_ids`, and all their members."""
    touched: set[int] = set()
    for chunk in _chunks(post_ids, 5000):
        touched.update(connection.execute(
            select(MEMBERS.c.cluster_id).where(MEMBERS.c.post_id.in_(chunk)).distinct()).scalars())
    members: dict[int, set[int]] = {cid: set() for cid in touched}
    for chunk in _chunks(sorted(touched), 5000):
        for cid, pid in connection.execute(select(MEMBERS.c.cluster_id, MEMBERS.c.post_id).where(
                MEMBERS.c.cluster_id.in_(chunk))):
            members[cid].add(pid)
    return members


def _best_takeover(old: dict[int, set[int]], owners: dict[int, list[int]], members: list[int],
                   taken: set[int]) -> int | None:
    """The stored cluster this one holds the largest share of (at least TAKEOVER_SHARE), not yet taken."""
    shared = Counter(cid for pid in members for cid in owners.get(pid, ()) if cid not in taken)
    best = max(shared, key=lambda cid: (shared[cid] / len(old[cid]), -cid), default=None)
    if best is None or shared[best] / len(old[best]) < TAKEOVER_SHARE:
        return None
    return best


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]

