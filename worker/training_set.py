"""What a retrained version learns from besides the shipped data: the weight of reviewers' decisions, chosen on
held-out data, and the store's background (posts in no cluster) as weak negatives.

The decisions' weight: a small grid (DECISION_WEIGHTS); each weight fits the post scorer on the shipped data and
the decided posts outside a tuning fold (one group in TUNING_SHARE by a second hash, so it never meets the gate's
evaluation split rule), and is scored on the fold: the mean of post-level F1 on the shipped posts and on the
decided posts of the fold, so a weight that learns the store but unlearns the shipped kinds (or the reverse) loses.
Ties go to the weight nearest 1.

The store's background: decisions cover clusters, and smears are words of the store's own language, so with the
decisions alone the scorer learns that the store's language is an attack (issue 15: the bench world's solidarity,
news and fan clusters were flagged). Posts in no cluster are mostly what people write every day (1.8% smear posts in
the bench world); up to BACKGROUND_POSTS of them, picked by a fixed shuffle of their ids, are added as not-smear
with the small weight BACKGROUND_WEIGHT each. Posts of clusters (flagged, decided or not) are never among them.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from classifiers import PostFrame, post_metrics
from classifiers.train import fit_post_scorer, post_matrix
from smearwatch.models import Cluster, ClusterMember, Post

DECISION_WEIGHTS = (0.25, 0.5, 1.0, 2.0, 4.0)  # weight of one decided post against one shipped post
TUNING_SHARE = 4  # one group in four is the tuning fold
BACKGROUND_POSTS = 3000
BACKGROUND_WEIGHT = 0.1


def tuning_group(record: dict) -> str:
    """A campaign (or decided cluster) is one group; background posts each their own (one campaign of them holds a
    quarter of the shipped data)."""
    if record.get("kind") == "background" or not (record.get("campaign") or record.get("target")):
        return f"{record.get('platform')}:{record.get('id')}"
    return str(record.get("campaign") or record.get("target"))


def in_tuning(record: dict) -> bool:
    return int(hashlib.sha1(f"tune:{tuning_group(record)}".encode()).hexdigest(), 16) % TUNING_SHARE == 0


def _f1(scorer, records: list[dict]) -> float:
    y = np.asarray([int(r["label"]) for r in records], dtype=int)
    p = scorer.predict_proba(post_matrix(PostFrame.from_records(records)))[:, 1]
    return post_metrics(y, p)["f1"]


def choose_decision_weight(shipped: list[dict], decided: list[dict], background: list[dict],
                           log=None) -> tuple[float, dict]:
    """The decisions' weight from DECISION_WEIGHTS, and a report of the tuning (`weight`, `scores`, `fold`)."""
    log = log or (lambda message: None)
    fit_shipped = [r for r in shipped if not in_tuning(r)]
    tune_shipped = [r for r in shipped if in_tuning(r)]
    fit_decided = [r for r in decided if not in_tuning(r)]
    tune_decided = [r for r in decided if in_tuning(r)]
    fold = {"shipped": len(tune_shipped), "decided": len(tune_decided)}
    usable = (len({int(r["label"]) for r in tune_decided}) == 2 and fit_decided
              and len({int(r["label"]) for r in tune_shipped}) == 2)
    if not usable:
        return 1.0, {"weight": 1.0, "scores": None, "fold": fold,
                     "reason": "the tuning fold needs both labels among decided and shipped posts: weight 1"}
    records = fit_shipped + background + fit_decided
    X = post_matrix(PostFrame.from_records(records))
    y = np.asarray([int(r["label"]) for r in records], dtype=int)
    scores = {}
    for weight in DECISION_WEIGHTS:
        weights = [1.0] * len(fit_shipped) + [BACKGROUND_WEIGHT] * len(background) + [weight] * len(fit_decided)
        scorer = fit_post_scorer(X, y, np.asarray(weights))
        scores[weight] = round((_f1(scorer, tune_shipped) + _f1(scorer, tune_decided)) / 2, 4)
        log(f"decision weight {weight}: F1 {scores[weight]} on the tuning fold")
    best = max(DECISION_WEIGHTS, key=lambda w: (scores[w], -abs(math.log(w))))
    return best, {"weight": best, "scores": {str(w): s for w, s in scores.items()}, "fold": fold,
                  "rule": f"mean post F1 on the shipped and decided posts of sha1('tune:' + group) % {TUNING_SHARE} == 0"}


def store_background(connection: Connection, exclude: set[tuple[str, str]]) -> list[dict]:
    """Up to BACKGROUND_POSTS posts of the store in no current cluster, as not-smear records (`exclude`: (platform,
    id) keys never to take, e.g. the shipped held-out posts)."""
    clustered = (select(ClusterMember.post_id).join(Cluster, Cluster.id == ClusterMember.cluster_id)
                 .where(Cluster.status != "superseded"))
    rows = connection.execute(
        select(Post.platform, Post.post_id, Post.text)
        .where(and_(Post.id.not_in(clustered), Post.text != ""))
        .order_by((Post.id * 7919) % 10007, Post.id).limit(BACKGROUND_POSTS + len(exclude))).all()
    out = [{"id": post_id, "platform": platform, "text": text, "label": 0, "campaign": "store-background",
            "kind": "background"} for platform, post_id, text in rows if (platform, post_id) not in exclude]
    return out[:BACKGROUND_POSTS]
