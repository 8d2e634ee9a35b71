"""Detection into the store: scores and clusters are written, re-running changes nothing, decisions survive."""

from pathlib import Path

from sqlalchemy import func, select

from smearwatch.models import Cluster, ClusterMember, Decision, Evidence, Post, User, utcnow
from worker.ingest import ingest_paths
from worker.score_store import score_and_cluster
from worker.scoring import score_run

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "world" / "posts.jsonl"


def counts(engine) -> dict:
    with engine.connect() as connection:
        def count(model, *where):
            return connection.execute(select(func.count()).select_from(model).where(*where)).scalar_one()

        return {
            "clusters": count(Cluster, Cluster.status == "open"),
            "flagged": count(Cluster, Cluster.flagged, Cluster.status == "open"),
            "members": count(ClusterMember),
            "evidence": count(Evidence),
            "scored": count(Post, Post.score.is_not(None)),
            "posts": count(Post),
        }


def test_scores_and_clusters_are_stored_and_stable(engine):
    summary = ingest_paths([SAMPLE], engine=engine)
    result = score_run(engine, summary.run)["detection"]
    first = counts(engine)
    assert first["scored"] == first["posts"] == summary.stored
    assert first["clusters"] == result["clusters"] > 0 and first["flagged"] == result["flagged"] > 0
    assert first["members"] >= first["clusters"] * 3 and first["evidence"] > 0
    again = score_and_cluster(engine)
    assert counts(engine) == first
    assert again["created"] == 0  # every cluster matched its stored twin


def test_decided_cluster_keeps_its_id_and_decision(engine):
    ingest_paths([SAMPLE], engine=engine)
    score_and_cluster(engine)
    with engine.begin() as connection:
        cluster_id = connection.execute(
            select(Cluster.id).where(Cluster.flagged).order_by(Cluster.score.desc())).scalars().first()
        user_id = connection.execute(User.__table__.insert().values(
            username="r", password_hash="x", role="reviewer", active=True, created_at=utcnow()
        ).returning(User.id)).scalar_one()
        connection.execute(Decision.__table__.insert().values(
            cluster_id=cluster_id, user_id=user_id, answer="smear", created_at=utcnow()))
    score_and_cluster(engine)
    with engine.connect() as connection:
        cluster = connection.execute(select(Cluster).where(Cluster.id == cluster_id)).mappings().one()
        decisions = connection.execute(select(Decision).where(Decision.cluster_id == cluster_id)).all()
    assert cluster["status"] == "open" and cluster["n_posts"] > 0
    assert len(decisions) == 1
