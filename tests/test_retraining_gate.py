"""The activation gate and the preview (issue 15): a version trained on decisions alone or on decisions that cover
only flagged clusters is refused with a one-line reason, stored on the version and shown by `models show`, the
API and the models page; a version that would flag far more of the store than now is refused; the preview counts
the clusters a version would newly flag and unflag, with links to a few of each."""

import json
import re

import learning_world
import pytest
from api_client import Client, bearer
from learning_world import WORLD, truth
from sqlalchemy import select, update
from sqlmodel import Session

from api.main import create_app
from classifiers import PostFrame, read_labelled, train
from devsupport.commands import call_cli
from smearwatch import registry
from smearwatch.models import Campaign, Cluster, ClusterMember, Decision, Post, User, utcnow
from smearwatch.users import create_user
from worker import service
from worker.gate import flag_bound, refusal
from worker.ingest import ingest_paths
from worker.learning import decided_coverage, judge_version, train_version
from worker.preview import SAMPLE, store_preview
from worker.score_store import score_and_cluster

versions, decided = learning_world.versions, learning_world.decided  # fixtures

SHIPPED = WORLD.parents[1] / "labelled"


def decide_by_truth(connection, *, user: int, cluster_ids, kinds: dict) -> None:
    """A reviewer who knows the truth: "smear" for a cluster whose posts are mostly from smear campaigns, else
    "organic"."""
    for cluster_id in cluster_ids:
        members = connection.execute(select(Post.platform, Post.post_id).join(
            ClusterMember, ClusterMember.post_id == Post.id).where(ClusterMember.cluster_id == cluster_id)).all()
        smear = sum(kinds.get((p, i)) == "smear" for p, i in members)
        connection.execute(Decision.__table__.insert().values(
            cluster_id=cluster_id, user_id=user, answer="smear" if smear * 2 > len(members) else "organic",
            created_at=utcnow()))


def decide_flagged_only(engine) -> int:
    """The sample world scored, and a reviewer who knows the truth decides every flagged cluster and no other."""
    ingest_paths([WORLD], engine=engine)
    score_and_cluster(engine)
    kinds = truth()
    with engine.begin() as connection:
        user = connection.execute(User.__table__.insert().values(
            username="reviewer", password_hash="x", role="reviewer", active=True, created_at=utcnow()
        ).returning(User.id)).scalar_one()
        flagged = connection.execute(select(Cluster.id).where(Cluster.flagged)).scalars().all()
        decide_by_truth(connection, user=user, cluster_ids=flagged, kinds=kinds)
    return len(flagged)


@pytest.fixture
def flagged_decided(engine, prepared, versions):
    assert prepared("world, flagged clusters decided", decide_flagged_only) > 10
    return engine


def test_decisions_covering_only_flagged_clusters_are_refused_everywhere(flagged_decided, versions, database_url,
                                                                           tmp_path):
    engine = flagged_decided
    first = registry.active_version(engine)
    outcome = train_version(engine, versions_dir=versions)
    reason = outcome.gate["refused"]
    assert reason.startswith("refused: the decisions cover only flagged clusters") and "\n" not in reason
    assert not outcome.activated and registry.active_version(engine)["id"] == first["id"]
    assert outcome.labels["base"] > 3000 and outcome.labels["decided_unflagged"] == 0
    stored = registry.get_version(engine, outcome.version_id)
    assert registry.refusal_of(stored) == reason
    # the report: each judgement apart, for both versions, on the fixed evaluation set
    gate = stored["metrics"]["gate"]
    for side in ("candidate", "active"):
        assert {"coordination", "smear", "verdict"} <= set(gate[side]["heldout"])
        assert gate[side]["heldout"]["verdict"]["smear_campaigns"] == 5
    assert gate["evaluation_set"]["heldout_posts"] == 1135
    assert stored["metrics"]["preview"]["flagged_now"] > 0

    with pytest.raises(service.RefusedVersion, match="cover only flagged clusters"):
        service.start_activation(engine, outcome.version_id, created_by="admin", reason="try")

    env = {"SMEARWATCH_DATABASE_URL": database_url, "SMEARWATCH_VERSIONS_DIR": str(versions),
           "SMEARWATCH_BROKER_URL": ""}
    shown = json.loads(call_cli("models", "show", str(outcome.version_id), env=env).stdout)
    assert shown["refused"] == reason and shown["preview"]["posts"] > 2000
    refused = call_cli("models", "activate", str(outcome.version_id), env=env)
    assert refused.returncode == 2 and reason in refused.stderr and len(refused.stderr.strip().splitlines()) == 1

    with Session(engine) as session:
        admin = create_user(session, username="adam", role="admin")
    with Client(create_app(engine, upload_dir=tmp_path / "uploads")) as client:
        answer = client.post(f"/api/v1/models/{outcome.version_id}/activate", headers=bearer(admin), json={})
        assert answer.status_code == 409 and "cover only flagged clusters" in answer.text
        client.login("adam", admin.password)
        page = client.get("/models").text
        assert "the decisions cover only flagged clusters" in page
        row = page[page.index(f'data-id="{outcome.version_id}"'):]
        row = row[:row.index("</tr>")]
        assert "gate-refused" in row and "activate-form" not in row
        assert client.post(f"/models/{outcome.version_id}/activate",
                           data={"csrf_token": client.csrf(), "reason": "x"}).status_code == 409
    assert registry.active_version(engine)["id"] == first["id"]


def test_decisions_alone_are_refused(decided, versions):
    outcome = train_version(decided, versions_dir=versions, base=False)
    assert outcome.labels["base"] == 0 and outcome.labels["decisions"] > 0
    assert outcome.gate["refused"].startswith("refused: trained on reviewers' decisions alone")
    assert not outcome.activated


def test_a_jump_in_flagged_clusters_is_refused(decided, versions):
    """A store its active version flags nothing of (as a model trained on unrelated labels did) and whose reviewers
    confirmed no smear: a version that flags the smears is more than 2 x 0 + 5 and is refused until an admin forces
    it. (Decided smears raise the bound: tests/test_retraining_weights.py.)"""
    with decided.begin() as connection:
        connection.execute(update(Cluster.__table__).values(flagged=False, label="organic"))
        connection.execute(Decision.__table__.delete().where(Decision.answer == "smear"))
    outcome = train_version(decided, versions_dir=versions)
    preview = outcome.preview
    assert preview["flagged_now"] == 0 and preview["flagged_after"] > flag_bound(0) == 5
    assert outcome.gate["refused"] == (f"refused: would flag {preview['flagged_after']} clusters of the store, "
                                       "against 0 now (bound 2 x 0 + 5 = 5)")
    assert preview["newly_flagged"] == preview["flagged_after"] and preview["newly_unflagged"] == 0
    assert not outcome.activated


def test_refusal_rules():
    assert refusal({"decisions": 0, "base": 100}, {"flagged_now": 41, "flagged_after": 87}) is None
    assert "would flag 738" in refusal({"decisions": 10, "base": 100, "decided_unflagged": 3},
                                       {"flagged_now": 41, "flagged_after": 738})
    assert "alone" in refusal({"decisions": 10}, None)
    assert refusal({"decisions": 0, "files": 50}, None) is None  # labelled files alone are not decisions


def test_preview_counts_and_samples(decided):
    """A scorer trained on the shipped labels turned upside down: the preview says what it would change."""
    records = read_labelled([SHIPPED / "train.jsonl"])
    for record in records:
        record["label"] = 1 - record["label"]
    frame = PostFrame.from_records(records, extra=("label", "campaign", "target"))
    preview = store_preview(decided, train(frame, frame.extra["label"])).summary
    with decided.connect() as connection:
        flagged = set(connection.execute(select(Cluster.id).where(Cluster.flagged,
                                                                  Cluster.status != "superseded")).scalars())
    assert preview["flagged_now"] == len(flagged) > 0
    assert preview["newly_unflagged"] > 0 and preview["newly_flagged"] > 0
    samples = preview["samples"]
    assert 0 < len(samples["newly_unflagged"]) <= SAMPLE and 0 < len(samples["newly_flagged"]) <= SAMPLE
    assert {c["cluster"] for c in samples["newly_unflagged"]} <= flagged
    assert not {c["cluster"] for c in samples["newly_flagged"]} & flagged
    assert all(c["url"] == f"/clusters/{c['cluster']}" for c in samples["newly_flagged"] + samples["newly_unflagged"])


def test_new_flags_are_judged_by_their_sample_once_decided(decided):
    """The clusters a version would newly flag that nobody decided are judged by a sample of them: a version that
    flags the store's look-alikes is refused once reviewers decided the preview's sample (a fixed random choice,
    the same when the version is judged again), with one line giving the estimate."""
    with decided.begin() as connection:  # reviewers decided the flagged clusters and nothing else
        flagged = set(connection.execute(select(Cluster.id).where(Cluster.flagged)).scalars())
        connection.execute(Decision.__table__.delete().where(Decision.cluster_id.not_in(flagged)))
    records = read_labelled([SHIPPED / "train.jsonl"])
    for record in records:  # a scorer that calls the look-alikes attacks
        record["label"] = 1 - record["label"]
    frame = PostFrame.from_records(records, extra=("label", "campaign", "target"))
    model = train(frame, frame.extra["label"])
    labels = {"decisions": 1, "base": len(records), "decided_unflagged": 1}  # past the training rules
    current = registry.active_version(decided)

    def judge(sample=None) -> tuple[dict, dict]:
        with decided.connect() as connection:
            answers = decided_coverage(connection)[0]
        gate, preview = judge_version(decided, model, current, labels, answers, [], lambda message: None,
                                      sample=sample)[:2]
        return gate, preview

    gate, preview = judge(None)
    sample = [row["cluster"] for row in preview["samples"]["newly_flagged"]]
    assert preview["newly_flagged"] > len(sample) > 0 and gate["unreviewed"] == sample
    estimate = gate["estimate"]
    assert estimate["sample"]["unknown"] == len(sample) and not estimate["sample"]["tp"] + estimate["sample"]["fp"]
    assert estimate["active"]["tp"] + estimate["active"]["fp"] > 0

    kinds = truth()
    with decided.begin() as connection:  # the reviewer decides the sample by the truth
        user = connection.execute(select(User.id)).scalars().first()
        decide_by_truth(connection, user=user, cluster_ids=sample, kinds=kinds)
    gate, preview = judge(sample)
    assert [row["cluster"] for row in preview["samples"]["newly_flagged"]] == sample and gate["unreviewed"] == []
    estimate = gate["estimate"]
    judged = estimate["sample"]["tp"] + estimate["sample"]["fp"]
    assert judged > 0 and judged + estimate["sample"]["unknown"] == len(sample)  # held-out ones stay unknown
    assert estimate["sample"]["fp"] > estimate["sample"]["tp"]
    assert estimate["precision"]["candidate"] < estimate["precision"]["active"]
    reason = gate["refused"]
    assert reason.startswith("refused: its flags on the store are estimated ") and "\n" not in reason
    assert f"({estimate['sample']['tp']} of {judged} of its preview's sample)" in reason


def test_the_queue_mixes_in_unflagged_clusters_whose_answers_count(flagged_decided, versions, tmp_path):
    """After every tenth flagged cluster the cluster queue shows an unflagged open cluster (nearest the threshold, then at
    random); deciding it takes it out of the mix, counts as a label, and lifts the gate's 'only flagged' refusal."""
    engine = flagged_decided
    with Session(engine) as session:
        reviewer = create_user(session, username="rita", role="reviewer")
    with engine.connect() as connection:
        flagged = connection.execute(select(Cluster.id).where(Cluster.flagged)).scalars().all()
        unflagged = dict(connection.execute(select(Cluster.id, Cluster.score).where(
            Cluster.flagged.is_(False), Cluster.status == "open")).all())
    threshold = registry.active_version(engine)["card"]["threshold"]
    nearest = min(unflagged, key=lambda cid: (abs(unflagged[cid] - threshold), cid))
    assert len(flagged) >= 10 and len(unflagged) >= 2
    with Client(create_app(engine, upload_dir=tmp_path / "uploads")) as client:
        client.login("rita", reviewer.password)

        def queue_ids() -> list[int]:
            page = client.get("/queue/clusters")
            assert page.status_code == 200
            return [int(i) for i in re.findall(r'class="cluster-row" data-id="(\d+)"', page.text)]

        ids = queue_ids()
        shown = min(len(flagged), 50)
        assert len(ids) == shown + shown // 10
        checks = [cid for cid in ids if cid not in flagged]
        assert checks[0] == nearest and all(ids[11 * k + 10] == cid for k, cid in enumerate(checks))
        assert "mixed in for a check" in client.get("/queue/clusters").text
        headers = {"X-CSRF-Token": client.csrf()}
        assert client.post(f"/api/v1/clusters/{nearest}/decisions", headers=headers,
                           json={"answer": "organic"}).status_code in (200, 201)
        assert nearest not in queue_ids() and len(queue_ids()) == len(ids)
    outcome = train_version(engine, versions_dir=versions, auto_activate=False)
    assert outcome.labels["decided_unflagged"] == 1
    assert not (outcome.gate["refused"] or "").startswith("refused: the decisions cover only flagged")


def test_the_campaign_queue_mixes_in_unflagged_campaigns_whose_answers_count(flagged_decided, versions, tmp_path):
    """The home queue (campaigns) shows one unflagged open campaign after every tenth flagged one and after the last,
    marked "not flagged, sampled for review", nearest the threshold first; a decision on it applies to its clusters
    and counts as training data (a decided unflagged cluster)."""
    engine = flagged_decided
    with Session(engine) as session:
        reviewer = create_user(session, username="cara", role="reviewer")
    with engine.connect() as connection:
        flagged = set(connection.execute(select(Campaign.id).where(Campaign.flagged)).scalars())
        unflagged = dict(connection.execute(select(Campaign.id, Campaign.score).where(
            Campaign.flagged.is_(False), Campaign.status == "open")).all())
    threshold = registry.active_version(engine)["card"]["threshold"]
    nearest = min(unflagged, key=lambda cid: (abs(unflagged[cid] - threshold), cid))
    assert flagged and len(unflagged) >= 2
    with Client(create_app(engine, upload_dir=tmp_path / "uploads")) as client:
        client.login("cara", reviewer.password)
        page = client.get("/").text
        ids = [int(i) for i in re.findall(r'campaign-row" data-id="(\d+)"', page)]
        shown = min(len(flagged), 50)
        checks = [cid for cid in ids if cid not in flagged]
        assert len(checks) == -(-shown // 10) and checks[0] == nearest
        assert ids[min(10, shown)] == nearest  # after the tenth flagged campaign, or after the last
        assert page.count("not flagged, sampled for review") == len(checks) and "mixed in for a check" in page
        with engine.connect() as connection:
            clusters = set(connection.execute(select(Cluster.id).where(Cluster.campaign_id == nearest,
                                                                       Cluster.status != "superseded")).scalars())
        response = client.post(f"/api/v1/campaigns/{nearest}/decisions", headers={"X-CSRF-Token": client.csrf()},
                               json={"answer": "organic"})
        assert response.status_code in (200, 201), response.text
        assert nearest not in [int(i) for i in re.findall(r'campaign-row" data-id="(\d+)"', client.get("/").text)]
    outcome = train_version(engine, versions_dir=versions, auto_activate=False)
    assert clusters and outcome.labels["decided_unflagged"] == len(clusters)
