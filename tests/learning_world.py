"""The sample world for the learning-loop tests: its posts, a reviewer who knows the ground truth, the scores."""

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from smearwatch.models import Cluster, ClusterMember, Decision, Post, User, utcnow
from smearwatch.settings import get_settings
from worker.ingest import ingest_paths
from worker.score_store import score_and_cluster

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
WORLD = SAMPLES / "world" / "posts.jsonl"


def truth() -> dict[tuple[str, str], str]:
    with open(SAMPLES / "world" / "truth_posts.csv", newline="") as f:
        return {(row["platform"], row["id"]): row["kind"] for row in csv.DictReader(f)}


def decide_all_clusters(engine) -> int:
    """A reviewer who knows the ground truth decides every open cluster (majority kind of its posts)."""
    kinds = truth()
    with engine.begin() as connection:
        user = connection.execute(User.__table__.insert().values(
            username="reviewer", password_hash="x", role="reviewer", active=True, created_at=utcnow()
        ).returning(User.id)).scalar_one()
        clusters = connection.execute(select(Cluster.id)).scalars().all()
        for cluster_id in clusters:
            members = connection.execute(select(Post.platform, Post.post_id).join(
                ClusterMember, ClusterMember.post_id == Post.id).where(ClusterMember.cluster_id == cluster_id)).all()
            smear = sum(kinds.get((p, i)) == "smear" for p, i in members)
            answer = "smear" if smear * 2 > len(members) else "organic"
            connection.execute(Decision.__table__.insert().values(
                cluster_id=cluster_id, user_id=user, answer=answer, created_at=utcnow()))
    return len(clusters)


def decided_world(engine) -> int:
    """The sample world ingested, scored and clustered, every cluster decided; returns how many were decided."""
    ingest_paths([WORLD], engine=engine)
    score_and_cluster(engine)
    return decide_all_clusters(engine)


def decided_world_key() -> str:
    """The name of the decided world's store template: the world is scored with SMEARWATCH_MODEL_DIR when set."""
    return f"decided world, model {get_settings().model_dir}"


def scores(engine) -> dict[int, float]:
    with engine.connect() as connection:
        return dict(connection.execute(select(Post.id, Post.score)).all())


# Fixtures (a test module names them: `versions = learning_world.versions`)

@pytest.fixture
def versions(tmp_path, monkeypatch):
    """Model versions written under the test's folder, no broker (jobs run in process), the packaged model."""
    folder = tmp_path / "models"
    monkeypatch.setenv("SMEARWATCH_VERSIONS_DIR", str(folder))
    monkeypatch.delenv("SMEARWATCH_BROKER_URL", raising=False)
    monkeypatch.delenv("SMEARWATCH_MODEL_DIR", raising=False)
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


@pytest.fixture
def decided(engine, prepared, versions):
    """The sample world scored in the test's store, every cluster decided by the truth."""
    assert prepared(decided_world_key(), decided_world) > 10
    return engine
