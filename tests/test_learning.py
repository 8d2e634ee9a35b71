"""The learning loop in-process: decisions become labels, a new version is trained, compared, activated,
and rollback restores the previous scores."""

import json

import pytest
from learning_world import decided_world, decided_world_key, scores
from sqlalchemy import func, select
from sqlmodel import Session

from api.crud.queue import pending_decisions, queue_counts
from devsupport.commands import call_cli
from smearwatch import registry
from smearwatch.models import Cluster, Decision, User, utcnow
from worker.learning import (
    decision_records,
    in_evaluation,
    train_version,
)
from worker.service import start_activation


@pytest.fixture
def decided_store(engine, prepared):
    decided = prepared(decided_world_key(), decided_world)
    assert decided > 10
    return engine


def test_decisions_become_labels_with_provenance(decided_store):
    with decided_store.connect() as connection:
        records = decision_records(connection)
    assert records and {r["label"] for r in records} == {0, 1}
    assert all(r["provenance"]["reviewer"] == "reviewer" and r["campaign"].startswith("cluster-") for r in records)
    with Session(decided_store) as session:
        assert pending_decisions(session) == len({r["provenance"]["cluster"] for r in records}) > 0


def test_the_queues_pending_count_follows_every_new_decision_and_undo(decided_store):
    """queue_counts counts again only when the decisions changed: each change shows at once."""
    def counted() -> int:
        with Session(decided_store) as session:
            return queue_counts(session)[1]

    before = counted()
    assert before == counted() > 0  # unchanged: the kept count
    once = select(Decision.cluster_id).group_by(Decision.cluster_id).having(func.count() == 1)
    with decided_store.begin() as connection:  # withdraw a cluster's only decision: one fewer
        decided, cluster_id = connection.execute(
            select(Decision.id, Decision.cluster_id).where(Decision.cluster_id.in_(once),
                                                           Decision.answer.in_(("smear", "organic")))
            .order_by(Decision.id)).first()
        user = connection.execute(select(User.id)).scalar_one()
        connection.execute(Decision.__table__.insert().values(
            cluster_id=cluster_id, user_id=user, answer="undo", undoes=decided, created_at=utcnow()))
    assert counted() == before - 1
    with decided_store.begin() as connection:  # decided again: back
        connection.execute(Decision.__table__.insert().values(
            cluster_id=cluster_id, user_id=user, answer="organic", created_at=utcnow()))
    assert counted() == before
    with Session(decided_store) as session:
        assert counted() == pending_decisions(session)


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
    assert records  # the other clusters' decisions are still labels
    assert all(r["provenance"]["cluster"] != cluster_id for r in records)


def test_retrain_compare_activate_and_roll_back(decided_store, tmp_path):
    before = scores(decided_store)
    first_active = registry.active_version(decided_store)
    outcome = train_version(decided_store, versions_dir=tmp_path / "models", auto_activate=False)
    assert outcome.metrics is not None and outcome.metrics["n"] > 0
    assert {"precision", "recall", "f1", "average_precision"} <= set(outcome.metrics)
    assert registry.get_version(decided_store, outcome.version_id)["metrics"]["evaluation"] == outcome.metrics

    start_activation(decided_store, outcome.version_id, created_by="admin", reason="test", wait=True)
    after = scores(decided_store)
    assert registry.active_version(decided_store)["id"] == outcome.version_id
    assert sum(abs(after[k] - before[k]) > 1e-6 for k in before) > 0

    previous = registry.previous_version(decided_store)
    assert previous == first_active["id"]
    start_activation(decided_store, previous, created_by="admin", reason="rollback", wait=True)
    assert scores(decided_store) == pytest.approx(before)
    assert [a["reason"] for a in registry.activation_history(decided_store)][-2:] == ["test", "rollback"]


def test_retraining_is_reproducible(decided_store, tmp_path):
    one = train_version(decided_store, versions_dir=tmp_path / "a", auto_activate=False)
    two = train_version(decided_store, versions_dir=tmp_path / "b", auto_activate=False)
    assert one.name == two.name and one.metrics == two.metrics


def test_evaluation_split_is_fixed_by_group():
    groups = [f"cluster-{i}" for i in range(200)]
    chosen = [g for g in groups if in_evaluation(g)]
    assert 20 < len(chosen) < 70 and chosen == [g for g in groups if in_evaluation(g)]


def test_cli_train_from_decisions_and_models_commands(decided_store, database_url, tmp_path):
    env = {"SMEARWATCH_DATABASE_URL": database_url, "SMEARWATCH_VERSIONS_DIR": str(tmp_path / "models"),
           "SMEARWATCH_BROKER_URL": ""}
    trained = call_cli("train", "--from-decisions", "--no-activate", env=env)
    assert trained.returncode == 0, trained.stderr[-1500:]
    job = json.loads(trained.stdout)
    assert job["status"] == "done" and job["result"]["metrics"]["n"] > 0
    versions = json.loads(call_cli("models", "list", "--json", env=env).stdout)
    assert len(versions) == 2 and sum(v["active"] for v in versions) == 1
    new = next(v for v in versions if not v["active"])
    assert new["metrics"]["evaluation"]["f1"] is not None
    activated = call_cli("models", "activate", str(new["id"]), env=env)
    assert activated.returncode == 0, activated.stderr[-1500:]
    assert next(v for v in json.loads(call_cli("models", "list", "--json", env=env).stdout) if v["active"])["id"] == new["id"]
    assert call_cli("models", "rollback", env=env).returncode == 0
    assert call_cli("train", "--from-decisions", "extra.csv", env=env).returncode == 2
