"""The learning loop: training sets from reviewers' decisions, new model versions, comparison, activation.

A cluster decision labels the cluster's posts and the originals its plain shares repost (smear: 1; coordinated,
not smear / organic: 0; unsure: left out). A post in several decided clusters takes the label of the latest
decision. Every label keeps its provenance (decision id, reviewer, time, cluster).

Decisions are added to the shipped labelled data (SMEARWATCH_LABELLED_DIR/train.jsonl), never trained on alone:
they cover what the queue showed, so alone they teach that almost everything is a smear (issue 15).

The evaluation split is fixed by hashing each group (the decided cluster, or a labelled file's campaign/target):
a group is in the evaluation split forever or never, so metrics of two versions are comparable and a version's
training data never includes what it is evaluated on. Posts of the shipped held-out file are never trained on
(a store of the sample world holds them). The gate (worker/gate.py) judges each new version before activation.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Connection, Engine

from classifiers import Model, PostFrame, evaluate_posts, load_model, save_model, train
from smearwatch.db import get_engine
from smearwatch.models import Account, Cluster, ClusterMember, Decision, ModelVersion, Post, User
from smearwatch.registry import activate_version, active_version, register_version
from worker.gate import (
    FLAG_FACTOR,
    FLAG_MARGIN,
    decided_judgements,
    estimate_drop,
    estimated_precision,
    flag_bound,
    flag_estimate,
    heldout_frame,
    heldout_judgements,
    precision_drop,
    recall_drop,
    refusal,
    shipped_records,
    worse_on,
)
from worker.preview import store_preview
from worker.training_set import BACKGROUND_WEIGHT, choose_decision_weight, store_background

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
    shared = _shared_originals(connection, by_post)
    by_post.update(shared)
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
                               "answer": decision["answer"], **({"shared": True} if post["id"] in shared else {})},
            })
    records.sort(key=lambda r: (r["platform"], r["id"]))  # a stable order: same data, same model
    return records


def _shared_originals(connection: Connection, by_post: dict[int, dict]) -> dict[int, dict]:
    """The originals that decided posts share with no text of their own (a plain repost or forward), each with the
    sharer's decision: a plain share says only what its original says, and the smear judgement reads it so
    (classifiers/smear.py), so a cluster of plain shares decided "organic" teaches nothing unless its original
    learns it. An original in a decided cluster of its own keeps its own decision."""
    keys: dict[tuple[str, str], dict] = {}
    ids = sorted(by_post)
    for start in range(0, len(ids), 5000):
        rows = connection.execute(select(Post.id, Post.platform, Post.repost_of, Post.text).where(
            Post.id.in_(ids[start:start + 5000]), Post.repost_of.is_not(None))).all()
        for post_id, platform, original, text in rows:
            if not (text or "").strip():
                keys[(platform, original)] = by_post[post_id]
    originals: dict[int, dict] = {}
    by_platform: dict[str, list[str]] = {}
    for platform, original in keys:
        by_platform.setdefault(platform, []).append(original)
    for platform, wanted in by_platform.items():
        for start in range(0, len(wanted), 5000):
            rows = connection.execute(select(Post.id, Post.post_id).where(
                Post.platform == platform, Post.post_id.in_(wanted[start:start + 5000]))).all()
            for post_id, original in rows:
                if post_id not in by_post:
                    originals[post_id] = keys[(platform, original)]
    return originals


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
    gate: dict | None = None
    preview: dict | None = None


def decided_coverage(connection: Connection) -> tuple[dict[int, str], int, int]:
    """The latest labelling answer of each decided cluster, and how many of those are flagged and unflagged now."""
    answers = {cid: d["answer"] for cid, d in latest_cluster_decisions(connection).items()
               if d["answer"] in ANSWER_LABELS}
    flagged = set(connection.execute(select(Cluster.id).where(Cluster.flagged, Cluster.id.in_(list(answers))))
                  .scalars()) if answers else set()
    return answers, len(flagged), len(answers) - len(flagged)


def _stored_verdicts(connection: Connection, ids: list[int]) -> tuple[dict[int, str], dict[int, float]]:
    rows = connection.execute(select(Cluster.id, Cluster.label, Cluster.coordination)
                              .where(Cluster.id.in_(ids))).all() if ids else []
    return {cid: label for cid, label, _ in rows}, {cid: float(c or 0.0) for cid, _, c in rows}


def judge_version(engine: Engine, model: Model, current: dict | None, labels: dict, decided: dict[int, str],
                  evaluation: list[dict], log, sample: list[int] | None = None
                  ) -> tuple[dict, dict, dict, dict | None]:
    """The gate's report: both versions on the fixed evaluation set, the preview on the store, the refusal.
    `sample`: the preview's sample of newly flagged clusters to keep (judge_again), else chosen anew."""
    heldout = shipped_records("heldout.jsonl")
    fixed = heldout + evaluation  # post-level: the shipped held-out posts and the decided evaluation split
    frame = heldout_frame()

    def report(version: Model) -> dict:
        out = {"posts": evaluate(version, fixed)}
        if frame is not None:
            out["heldout"] = heldout_judgements(version, frame)
        return out

    log("gate: the new version on the fixed evaluation set")
    candidate = report(model)
    log("gate: what the new version would do to the store")
    preview = store_preview(engine, model, sample=sample)
    # the preview's sample of newly flagged clusters: automatic activation waits until reviewers decided each one
    sample = [row["cluster"] for row in preview.summary.get("samples", {}).get("newly_flagged", [])]
    # decided clusters that are current (a rescoring supersedes clusters): both versions judged on the same ones
    decided = {cid: answer for cid, answer in decided.items() if cid in preview.labels}
    decided_eval = {cid: answer for cid, answer in decided.items() if in_evaluation(f"cluster-{cid}")}
    candidate["decided"] = decided_judgements(decided_eval, preview.labels, preview.coordination)
    # every decided cluster of the store: what reviewers know of its flagged clusters, unflagged ones included
    candidate["decided_all"] = decided_judgements(decided, preview.labels, preview.coordination)
    active = None
    estimate = flag_estimate(decided, preview.flagged_now, preview.labels, sample=sample, held_out=set(decided_eval),
                             new_clusters=preview.summary.get("new_flagged_clusters", 0))
    estimate["precision"] = dict(zip(("candidate", "active"), estimated_precision(estimate), strict=True))
    if current is not None:
        log("gate: the active version on the same set")
        active = report(load_model(current["path"]))
        with engine.connect() as connection:
            stored_labels, stored_coordination = _stored_verdicts(connection, list(decided))
        active["decided"] = decided_judgements(decided_eval, stored_labels, stored_coordination)
        active["decided_all"] = decided_judgements(decided, stored_labels, stored_coordination)

    def compared(report: dict) -> dict:
        return {**(report.get("heldout") or {"smear": report["posts"]}),
                "decided": report["decided"]["verdict"], "decided_all": report["decided_all"]["verdict"]}

    worse = worse_on(compared(candidate), compared(active) if active else None)
    better = worse is None
    verdict = (candidate.get("heldout") or {}).get("verdict")
    known_smears = sum(1 for answer in decided.values() if answer == "smear")
    refused = (refusal(labels, preview.summary, verdict, known_smears=known_smears)
               or estimate_drop(estimate) or precision_drop(candidate, active) or recall_drop(candidate, active))
    gate = {"refused": refused, "not_worse": better, "worse_on": worse, "labels": labels,
            "unreviewed": [cid for cid in sample if cid not in decided], "estimate": estimate, "candidate": candidate,
            "active": {"id": current["id"], "name": current["name"], **active} if active else None,
            "bound": {"factor": FLAG_FACTOR, "margin": FLAG_MARGIN, "flagged_now": preview.summary["flagged_now"],
                      "decided_smears": known_smears,
                      "max_flagged": flag_bound(preview.summary["flagged_now"], known_smears)},
            "evaluation_set": {"heldout_posts": len(heldout), "decided_posts": len(evaluation),
                               "decided_clusters": len(decided_eval), "decided_clusters_all": len(decided)}}
    return gate, preview.summary, candidate["posts"], (active or {}).get("posts")


def _store_gate(engine: Engine, version_id: int, gate: dict, preview: dict) -> None:
    with engine.begin() as connection:
        metrics = connection.execute(select(ModelVersion.metrics).where(ModelVersion.id == version_id)).scalar() or {}
        connection.execute(update(ModelVersion.__table__).where(ModelVersion.id == version_id)
                           .values(metrics={**metrics, "gate": gate, "preview": preview}))


def _conclude(engine: Engine, version_id: int, current: dict | None, gate: dict,
              auto_activate: bool) -> tuple[bool, str]:
    """Activate the version when the gate lets it through and it is not worse; else say why it is kept."""
    if current is not None and current["id"] == version_id:
        return False, "same data and seed as the active version: nothing to change"
    if gate["refused"]:
        return False, f"kept inactive, {gate['refused']}"
    if not gate["not_worse"]:
        return False, (f"kept inactive: worse than the active version on the fixed evaluation set "
                       f"({gate['worse_on']}; an admin may still activate it)")
    if not auto_activate:
        return False, "kept inactive: automatic activation is off"
    if gate.get("unreviewed"):
        ids = ", ".join(str(cid) for cid in gate["unreviewed"])
        return False, (f"kept inactive until reviewers decide the {len(gate['unreviewed'])} newly flagged clusters "
                       f"of its preview's sample ({ids}); then judge it again or an admin activates it")
    activate_version(engine, version_id, actor="auto", reason="passed the gate, not worse than the active version")
    return True, "activated: passed the gate and not worse than the active version on the fixed evaluation set"


def judge_again(engine: Engine, version_id: int, *, auto_activate: bool = True, log=None) -> TrainingOutcome:
    """Judge a kept version again with the decisions as they are now (e.g. once reviewers decided its preview's
    sample of newly flagged clusters, which it was not trained on) and activate it when it passes."""
    log = log or (lambda message: None)
    with engine.connect() as connection:
        row = connection.execute(select(ModelVersion.name, ModelVersion.path, ModelVersion.metrics)
                                 .where(ModelVersion.id == version_id)).one()
        decided = decided_coverage(connection)[0]
        _, evaluation = split(decision_records(connection))
    labels = dict((row.metrics or {}).get("gate", {}).get("labels") or {})
    current = active_version(engine)
    model = load_model(row.path)
    # the sample reviewers were asked to decide stays the sample (chosen anew, undecided clusters would come first)
    sample = [item["cluster"] for item in
              ((row.metrics or {}).get("preview") or {}).get("samples", {}).get("newly_flagged", [])]
    gate, preview, metrics, active_metrics = judge_version(engine, model, current, labels, decided, evaluation, log,
                                                           sample=sample)
    _store_gate(engine, version_id, gate, preview)
    activated, reason = _conclude(engine, version_id, current, gate, auto_activate)
    return TrainingOutcome(version_id, row.name, Path(row.path), metrics, active_metrics, activated, reason, labels,
                           gate, preview)


def train_version(engine: Engine | None = None, *, plus: list[dict] | None = None, versions_dir: Path,
                  from_decisions: bool = True, base: bool = True, seed: int = 0, auto_activate: bool = True,
                  log=None) -> TrainingOutcome:
    """Train a new version on the shipped labelled data plus the decisions (and extra labelled records), judge
    it with the gate (worker/gate.py) next to the active version, and activate it only if the gate lets it
    through and it is not worse. `base=False` leaves the shipped data out (the gate then refuses the version
    when it has decisions)."""
    engine = engine or get_engine()
    log = log or (lambda message: None)
    with engine.connect() as connection:
        records = decision_records(connection) if from_decisions else []
        decided, decided_flagged, decided_unflagged = decided_coverage(connection) if from_decisions else ({}, 0, 0)
    if not records and not plus:  # the shipped data alone would only make the packaged model again
        raise ValueError("nothing new to learn: retraining needs decisions or labelled files with both smear and "
                         "not-smear labels")
    shipped = shipped_records("train.jsonl") if base else []
    records = records + list(plus or [])
    heldout_keys = {(str(r.get("platform")), str(r.get("id"))) for r in shipped_records("heldout.jsonl")}
    records = [r for r in records if (str(r.get("platform")), str(r.get("id"))) not in heldout_keys]
    training, evaluation = split(records)
    background: list[dict] = []
    if base:  # the store's everyday posts as weak negatives (worker/training_set.py)
        with engine.connect() as connection:
            taken = heldout_keys | {(str(r.get("platform")), str(r.get("id"))) for r in records}
            background = store_background(connection, taken)
    decided_training = [r for r in training if "provenance" in r]
    weight, tuning = (choose_decision_weight(shipped, decided_training, background, log=log)
                      if shipped and decided_training else (1.0, None))
    # the shipped training data is never evaluated on (heldout.jsonl is)
    weights = ([weight if "provenance" in r else 1.0 for r in training] + [1.0] * len(shipped)
               + [BACKGROUND_WEIGHT] * len(background))
    training = training + shipped + background
    labels = {"decisions": sum(1 for r in records if "provenance" in r), "files": len(plus or []),
              "base": len(shipped), "background": len(background), "decision_weight": weight,
              "training": len(training), "evaluation": len(evaluation),
              "decided_flagged": decided_flagged, "decided_unflagged": decided_unflagged}
    if len({int(r["label"]) for r in training}) < 2:
        raise ValueError("training needs both smear and not-smear labels outside the evaluation split "
                         f"(have {labels['training']} training posts)")
    log(f"training on {len(training)} posts ({len(shipped)} shipped, {len(background)} store background), "
        f"decisions weighted {weight}, evaluating on {len(evaluation)} decided")
    frame = PostFrame.from_records(training, extra=LABEL_FIELDS)
    model = train(frame, frame.extra["label"], seed=seed, log=log, sample_weight=weights)
    if tuning is not None:
        model.card["training_data"]["decision_weight"] = tuning
    model.card["training_data"]["store_background"] = {"posts": len(background), "weight": BACKGROUND_WEIGHT}
    model.card["training_data"]["from_decisions"] = labels["decisions"]
    model.card["training_data"]["shipped"] = labels["base"]
    model.card["evaluation_split"] = {"rule": f"sha1(group) % {EVALUATION_SHARE} == 0", "posts": len(evaluation)}
    current = active_version(engine)
    gate, preview, metrics, active_metrics = judge_version(engine, model, current, labels, decided, evaluation, log)
    model.card["metrics"] = {**model.card.get("metrics", {}), "evaluation": metrics}
    path = save_model(model, Path(versions_dir) / model.version)
    model = load_model(path)
    version_id = register_version(engine, model)
    _store_gate(engine, version_id, gate, preview)
    activated, reason = _conclude(engine, version_id, current, gate, auto_activate)
    return TrainingOutcome(version_id, model.version, path, metrics, active_metrics, activated, reason, labels,
                           gate, preview)
