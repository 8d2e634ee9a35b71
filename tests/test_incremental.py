"""Incremental re-clustering (one time window at a time, as feeds and queued runs do) gives the same clusters as
one batch run over the same posts."""

from datetime import datetime
from pathlib import Path

import orjson
from sqlalchemy import select

from smearwatch.db import make_engine
from smearwatch.models import Cluster, ClusterMember, Post
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
