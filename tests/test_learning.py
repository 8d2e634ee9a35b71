"""The learning loop in-process: decisions become labels, a new version is trained, compared, activated,
and rollback restores the previous scores."""

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from smearwatch import registry
from smearwatch.models import Cluster, ClusterMember, Decision, Post, User, utcnow
from worker.detect import score_and_cluster
from worker.ingest import ingest_paths
from worker.learning import (
    activate_and_rescore,
    decision_records,
    in_evaluation,
    pending_decisions,
    train_version,
)

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


def scores(engine) -> dict[int, float]:
    with engine.connect() as connection:
        return dict(connection.execute(select(Post.id, Post.score)).all())


@pytest.fixture
def decided_store(engine):
    ingest_paths([WORLD], engine=engine)
    score_and_cluster(engine)
    decided = decide_all_clusters(engine)
    assert decided > 10
    return engine


def test_decisions_become_labels_with_provenance(decided_store):
    with decided_store.connect() as connection:
        records = decision_records(connection)
    assert records and {r["label"] for r in records} == {0, 1}
    assert all(r["provenance"]["reviewer"] == "reviewer" and r["campaign"].startswith("cluster-") for r in records)
    assert pending_decisions(decided_store) > 0


def test_latest_decision_wins_and_unsure_and_undone_are_left_out(decided_store):
    with decided_store.begin() as connection:
        cluster_id = connection.execute(select(Cluster.id).order_by(Cluster.id)).scalars().first()
        user = connection.execute(select(User.id)).scalar_one()
        first = connection.execute(Decision.__table__.insert().values(
            cluster_id=cluster_id, user_id=user, answer="smear", created_at=utcnow()).returning(Decision.id)).scalar_one()
        connection.execute(Decision.__table__.insert().values(
            cluster_id=cluster_id, user_id=user, answer="undo", undoes=first, created_at=utcnow()))
        connection.execute(Decision.__table__.insert().values(
            cluster_id=cluster_id, user_id=user, answer="unsure", created_at=utcnow()))
    with decided_store.connect() as connection:
        records = decision_records(connection)
    assert all(r["provenance"]["cluster"] != cluster_id for r in records)


def test_retrain_compare_activate_and_roll_back(decided_store, tmp_path):
    before = scores(decided_store)
    first_active = registry.active_version(decided_store)
    outcome = train_version(decided_store, models_dir=tmp_path / "models", auto_activate=False)
    assert outcome.metrics is not None and outcome.metrics["n"] > 0
    assert {"precision", "recall", "f1", "average_precision"} <= set(outcome.metrics)
    assert registry.get_version(decided_store, outcome.version_id)["metrics"]["evaluation"] == outcome.metrics

    activate_and_rescore(decided_store, outcome.version_id, actor="admin", reason="test")
    after = scores(decided_store)
    assert registry.active_version(decided_store)["id"] == outcome.version_id
    assert sum(abs(after[k] - before[k]) > 1e-6 for k in before) > 0

    previous = registry.previous_version(decided_store)
    assert previous == first_active["id"]
    activate_and_rescore(decided_store, previous, actor="admin", reason="rollback")
    assert scores(decided_store) == pytest.approx(before)
    assert [a["reason"] for a in registry.activation_history(decided_store)][-2:] == ["test", "rollback"]


def test_retraining_is_reproducible(decided_store, tmp_path):
    one = train_version(decided_store, models_dir=tmp_path / "a", auto_activate=False)
    two = train_version(decided_store, models_dir=tmp_path / "b", auto_activate=False)
    assert one.name == two.name and one.metrics == two.metrics


def test_evaluation_split_is_fixed_by_group():
    groups = [f"cluster-{i}" for i in range(200)]
    chosen = [g for g in groups if in_evaluation(g)]
    assert 20 < len(chosen) < 70 and chosen == [g for g in groups if in_evaluation(g)]
