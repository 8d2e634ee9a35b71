"""The learning loop: training sets from reviewers' decisions, new model versions, comparison, activation.

A cluster decision labels the cluster's posts (smear: 1; coordinated, not smear / organic: 0; unsure: left
out). A post in several decided clusters takes the label of the latest decision. Every label keeps its
provenance (decision id, reviewer, time, cluster).

The evaluation split is fixed by hashing each group (the decided cluster, or a labelled file's campaign/target):
a group is in the evaluation split forever or never, so metrics of two versions are comparable and a version's
training data never includes what it is evaluated on.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection, Engine

from classifiers import Model, PostFrame, evaluate_posts, load_model, save_model, train
from smearwatch.db import get_engine
from smearwatch.models import Account, ClusterMember, Decision, Post, User
from smearwatch.registry import activate_version, active_version, register_version

ANSWER_LABELS = {"smear": 1, "coordinated": 0, "organic": 0}  # "unsure" is left out
EVALUATION_SHARE = 5  # one group in five is in the evaluation split
LABEL_FIELDS = ("label", "campaign", "target")


def effective_decisions(connection: Connection) -> list[dict]:
    """Decisions still standing: not undo rows and not undone, oldest first."""
    rows = connection.execute(
        select(Decision.id, Decision.cluster_id, Decision.answer, Decision.undoes, Decision.created_at,
               User.username).join(User, User.id == Decision.user_id).order_by(Decision.created_at, Decision.id)
    ).mappings().all()
    undone = {row["undoes"] for row in rows if row["undoes"] is not None}
    return [dict(row) for row in rows if row["answer"] != "undo" and row["id"] not in undone]


def latest_cluster_decisions(connection: Connection) -> dict[int, dict]:
    """The latest standing decision of each cluster."""
    latest: dict[int, dict] = {}
    for decision in effective_decisions(connection):
        latest[decision["cluster_id"]] = decision
    return latest


def decision_records(connection: Connection) -> list[dict]:
    """Labelled posts from the decisions, with provenance; conflicts resolved by the latest decision."""
    by_post: dict[int, dict] = {}
    decisions = sorted(latest_cluster_decisions(connection).values(), key=lambda d: (d["created_at"], d["id"]))
    for decision in decisions:
        if decision["answer"] not in ANSWER_LABELS:
            continue
        members = connection.execute(
            select(ClusterMember.post_id).where(ClusterMember.cluster_id == decision["cluster_id"])).scalars()
        for post_id in members:
            by_post[post_id] = decision  # later decisions overwrite earlier ones
    if not by_post:
        return []
    records = []
    ids = sorted(by_post)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        query = (
            select(Post.__table__, Account.created_at.label("author_created_at"),
                   Account.followers.label("author_followers"))
            .outerjoin(Account, and_(Account.platform == Post.platform, Account.account_id == Post.author_id))
            .where(Post.id.in_(chunk))
        )
        for post in connection.execute(query).mappings():
            decision = by_post[post["id"]]
            records.append({
                "id": post["post_id"], "platform": post["platform"], "author_id": post["author_id"],
                "author_name": post["author_name"], "author_created_at": post["author_created_at"],
                "author_followers": post["author_followers"], "text": post["text"],
                "created_at": post["created_at"], "lang": post["lang"], "urls": post["urls"] or [],
                "hashtags": post["hashtags"] or [], "repost_of": post["repost_of"], "reply_to": post["reply_to"],
                "label": ANSWER_LABELS[decision["answer"]],
                "campaign": f"cluster-{decision['cluster_id']}", "target": None,
                "provenance": {"decision": decision["id"], "reviewer": decision["username"],
                               "at": decision["created_at"].isoformat(), "cluster": decision["cluster_id"],
                               "answer": decision["answer"]},
            })
    records.sort(key=lambda r: (r["platform"], r["id"]))  # a stable order: same data, same model
    return records


def group_of(record: dict) -> str:
    return str(record.get("campaign") or record.get("target") or f"{record.get('platform')}:{record.get('id')}")


def in_evaluation(group: str) -> bool:
    return int(hashlib.sha1(group.encode()).hexdigest(), 16) % EVALUATION_SHARE == 0


def split(records: list[dict]) -> tuple[list[dict], list[dict]]:
    training, evaluation = [], []
    for record in records:
        (evaluation if in_evaluation(group_of(record)) else training).append(record)
    return training, evaluation


def evaluate(model: Model, records: list[dict]) -> dict | None:
    """Post-level precision, recall, F1 and average precision of the post scorer (at 0.5) on `records`."""
    if not records:
        return None
    return evaluate_posts(model, PostFrame.from_records(records), [int(r["label"]) for r in records])


def not_worse(candidate: dict | None, active: dict | None) -> bool:
    """True when the candidate is at least as good as the active version on both F1 and average precision."""
    if active is None:
        return True
    if candidate is None:
        return False
    for metric in ("f1", "average_precision"):
        if (candidate.get(metric) or 0.0) < (active.get(metric) or 0.0):
            return False
    return True


@dataclass
class TrainingOutcome:
    version_id: int
    name: str
    path: Path
    metrics: dict | None
    active_metrics: dict | None
    activated: bool
    reason: str
    labels: dict


def train_version(engine: Engine | None = None, *, plus: list[dict] | None = None, versions_dir: Path,
                  from_decisions: bool = True, seed: int = 0, auto_activate: bool = True,
                  log=None) -> TrainingOutcome:
    """Train a new version from decisions (and extra labelled records), evaluate it on the fixed evaluation
    split next to the active version, and activate it only if it is not worse."""
    engine = engine or get_engine()
    log = log or (lambda message: None)
    with engine.connect() as connection:
        records = decision_records(connection) if from_decisions else []
    records = records + list(plus or [])
    training, evaluation = split(records)
    labels = {"decisions": sum(1 for r in records if "provenance" in r), "files": len(plus or []),
              "training": len(training), "evaluation": len(evaluation)}
    if len({int(r["label"]) for r in training}) < 2:
        raise ValueError("training needs both smear and not-smear labels outside the evaluation split "
                         f"(have {labels['training']} training posts)")
    log(f"training on {len(training)} posts, evaluating on {len(evaluation)}")
    frame = PostFrame.from_records(training, extra=LABEL_FIELDS)
    model = train(frame, frame.extra["label"], seed=seed, log=log)
    model.card["training_data"]["from_decisions"] = labels["decisions"]
    model.card["evaluation_split"] = {"rule": f"sha1(group) % {EVALUATION_SHARE} == 0", "posts": len(evaluation)}
    metrics = evaluate(model, evaluation)
    model.card["metrics"] = {**model.card.get("metrics", {}), "evaluation": metrics}
    path = save_model(model, Path(versions_dir) / model.version)
    model = load_model(path)
    version_id = register_version(engine, model)
    current = active_version(engine)
    active_metrics = evaluate(load_model(current["path"]), evaluation) if current else None
    better = not_worse(metrics, active_metrics)
    activated = False
    if current is not None and current["id"] == version_id:
        reason = "same data and seed as the active version: nothing to change"
    elif auto_activate and better:
        activate_version(engine, version_id, actor="auto", reason="not worse than the active version")
        activated, reason = True, "activated: not worse than the active version on the evaluation split"
    elif not better:
        reason = "kept inactive: worse than the active version on the evaluation split (an admin may still activate it)"
    else:
        reason = "kept inactive: automatic activation is off"
    return TrainingOutcome(version_id, model.version, path, metrics, active_metrics, activated, reason, labels)

