"""Incremental re-clustering (one time window at a time, as feeds and queued runs do) gives the same clusters and
the same campaigns as one batch run over the same posts."""

from datetime import datetime
from pathlib import Path

import orjson
from sqlalchemy import select

from smearwatch.db import make_engine
from smearwatch.models import Campaign, Cluster, ClusterMember, Post
from worker.ingest import ingest_paths
from worker.score_store import score_and_cluster
from worker.scoring import score_run

PARTS = 12  # small windows: many clusters straddle a boundary
WORLD = Path(__file__).resolve().parents[1] / "samples" / "world" / "posts.jsonl"


def clusters(engine) -> set[tuple[frozenset, bool]]:
    """Each open cluster as (its members' natural keys, flagged)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(Cluster.id, Cluster.flagged, Post.platform, Post.post_id)
            .join(ClusterMember, ClusterMember.cluster_id == Cluster.id)
            .join(Post, Post.id == ClusterMember.post_id)
            .where(Cluster.status == "open")
        ).all()
    members: dict[int, set] = {}
    flagged: dict[int, bool] = {}
    for cluster_id, is_flagged, platform, post_id in rows:
        members.setdefault(cluster_id, set()).add((platform, post_id))
        flagged[cluster_id] = is_flagged
    return {(frozenset(m), flagged[c]) for c, m in members.items()}


def campaigns(engine) -> set[tuple[frozenset, str]]:
    """Each campaign as (the keys of its current clusters, label), and no cluster outside a campaign."""
    with engine.connect() as connection:
        rows = connection.execute(select(Cluster.campaign_id, Cluster.key).where(Cluster.status != "superseded")).all()
        labels = dict(connection.execute(select(Campaign.id, Campaign.label)).all())
    assert all(campaign_id in labels for campaign_id, _ in rows)
    parts: dict[int, set] = {}
    for campaign_id, key in rows:
        parts.setdefault(campaign_id, set()).add(key)
    assert set(parts) == set(labels)  # no empty campaign left behind
    return {(frozenset(keys), labels[c]) for c, keys in parts.items()}


def test_window_by_window_equals_batch(engine, tmp_path, migrated_sqlite):

    lines = sorted(WORLD.read_bytes().splitlines(),
                   key=lambda line: datetime.fromisoformat(orjson.loads(line)["created_at"]))
    chunks = [lines[k * len(lines) // PARTS:(k + 1) * len(lines) // PARTS] for k in range(PARTS)]  # arriving in time order
    for number, chunk in enumerate(chunks):
        part = tmp_path / f"part{number}.jsonl"
        part.write_bytes(b"\n".join(chunk) + b"\n")
        score_run(engine, ingest_paths([part], engine=engine).run)

    batch_url = migrated_sqlite(tmp_path / "batch.db")  # a second store, not the incremental one
    batch = make_engine(batch_url)
    ingest_paths([WORLD], engine=batch)
    score_and_cluster(batch)

    incremental, whole = clusters(engine), clusters(batch)
    assert len(whole) > 10
    assert incremental == whole
    assert campaigns(engine) == campaigns(batch)
    assert sum(label == "smear" for _, label in campaigns(batch)) >= 5
