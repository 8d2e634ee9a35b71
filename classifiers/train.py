"""Training: the post scorer (does a post attack someone's reputation?) from labelled posts.

Only the content judgement is learned. Coordination is a null-model test (classifiers.coordination) and the
verdict a fixed rule (classifiers.verdict): neither is fitted to our samples, so a model trained on one world
does not learn that world's campaign shapes. Held-out metrics in the model card come from a split by group
(campaign, else target, else post), so no campaign is on both sides; with campaign labels the card also gives the
verdict on the held-out campaigns (clusters found with post scores the scorer never saw).
"""

from __future__ import annotations

import hashlib
import json
import platform as _platform
from dataclasses import asdict
from datetime import UTC, datetime

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score
from sklearn.model_selection import GroupShuffleSplit
from sklearn.pipeline import Pipeline

from classifiers.attack import attack_pipeline
from classifiers.detect import DetectConfig, detect_with_scores, score_texts
from classifiers.frame import PostFrame
from classifiers.model import Model
from classifiers.text import TextHasher
from classifiers.verdict import VERDICT_LEVEL

LABEL_VALUES = {"1": 1, "0": 0, "smear": 1, "not_smear": 0, "true": 1, "false": 0}


def parse_label(value) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float) and value in (0, 1):
        return int(value)
    key = str(value).strip().lower()
    if key in LABEL_VALUES:
        return LABEL_VALUES[key]
    raise ValueError(f"label must be 1/0 or smear/not_smear, got {str(value)[:20]!r}")


def make_post_scorer(embeddings: bool = False) -> Pipeline:
    """The attack judgement of one post: hashed character n-grams and words of the Latin skeleton (TF-IDF) into a
    logistic regression; with `embeddings`, pretrained word embeddings next to them (classifiers.attack).

    The packaged model leaves embeddings out: trained on what we may ship, they learn "negative" rather than
    "attacks a reputation" and call half of a real news stream an attack (docs/attack-model.md)."""
    if embeddings:
        return attack_pipeline()
    text = Pipeline([("hasher", TextHasher()), ("tfidf", TfidfTransformer(sublinear_tf=True))])
    return Pipeline([
        ("features", ColumnTransformer([("text", text, 0)], remainder="drop", sparse_threshold=1.0)),
        ("clf", LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, solver="liblinear")),
    ])


def has_behaviour(frame: PostFrame) -> bool:
    """Behaviour features are used when most posts have an author and a time."""
    n = len(frame)
    return n > 0 and np.mean(~np.isnan(frame.created)) > 0.9 and np.mean(frame.author_id != "") > 0.9


def groups_of(frame: PostFrame) -> np.ndarray:
    """Split groups: the campaign, else the target, else the post itself."""
    n = len(frame)
    for name in ("campaign", "target"):
        col = frame.extra.get(name)
        if col is not None and any(v not in (None, "") for v in col):
            return np.array([str(v) if v not in (None, "") else f"_row{i}" for i, v in enumerate(col)])
    return np.array([f"_row{i}" for i in range(n)])


def post_matrix(frame: PostFrame) -> np.ndarray:
    return np.asarray(frame.text, dtype=object).reshape(-1, 1)


def post_metrics(y, p, threshold=0.5) -> dict:
    """Precision, recall and F1 at `threshold`, average precision, n."""
    pred = (p >= threshold).astype(int)
    return {
        "precision": round(float(precision_score(y, pred, zero_division=0)), 4),
        "recall": round(float(recall_score(y, pred, zero_division=0)), 4),
        "f1": round(float(f1_score(y, pred, zero_division=0)), 4),
        "average_precision": round(float(average_precision_score(y, p)), 4) if len(set(y)) > 1 else None,
        "n": int(len(y)),
    }


def evaluate_posts(model: Model, frame: PostFrame, y) -> dict:
    """The post scorer of `model` measured on labelled posts (at 0.5)."""
    return post_metrics(np.asarray(y, dtype=int), score_texts(model, frame))


def data_hash(frame: PostFrame, y: np.ndarray) -> str:
    h = hashlib.sha256()
    for text, label in zip(frame.text, y, strict=True):
        h.update(text.encode())
        h.update(b"\x01" if label else b"\x00")
    return h.hexdigest()


def heldout_verdict(frame: PostFrame, y: np.ndarray, groups: np.ndarray, test: np.ndarray,
                    scores: np.ndarray) -> dict:
    """The verdict on held-out campaigns: flagged-cluster precision and smear-post recall in flagged clusters."""
    sub = frame.take(test)
    result = detect_with_scores(sub, scores, DetectConfig(), VERDICT_LEVEL)
    ys = y[test]
    flagged = [c for c in result.clusters if c.flagged]
    smear_clusters = int(sum(ys[c.rows].mean() >= 0.5 for c in flagged))
    in_flagged = np.zeros(len(ys), bool)
    for c in flagged:
        in_flagged[c.rows] = True
    return {"clusters": len(result.clusters), "flagged": len(flagged),
            "flagged_precision": round(smear_clusters / len(flagged), 4) if flagged else None,
            "smear_post_recall": round(float(in_flagged[ys == 1].mean()), 4) if ys.sum() else None}


def version_name(card: dict) -> str:
    """Date, training data and everything the card says about the model (windows, threshold, metrics, library
    versions), but not the time of day: the same data, seed and code give the same name; other code does not."""
    settings = {key: value for key, value in card.items() if key not in ("created_at", "version")}
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()
    return f"{card['created_at'][:10].replace('-', '')}-{card['training_data']['sha256'][:8]}-{digest[:6]}"


def fit_post_scorer(X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> Pipeline:
    """The post scorer fitted on X (post_matrix) and y; `sample_weight` weighs each post in the classifier."""
    if sample_weight is None:
        return make_post_scorer().fit(X, y)
    return make_post_scorer().fit(X, y, clf__sample_weight=np.asarray(sample_weight, dtype=float))


def train(frame: PostFrame, y, *, seed: int = 0, log=None, base: Model | None = None,
          sample_weight=None) -> Model:
    """Train a model from labelled posts: the post (attack) scorer, and a card that says what it was trained on.

    `sample_weight` (one per post) weighs posts in the classifier, e.g. reviewers' decisions against the shipped
    labelled data (worker/learning.py chooses that weight on held-out data).

    With `base` (a model), the new model keeps base's post scorer: a post's attack score is the higher of the two
    (classifiers.model.BASE_SCORER_FILE), so labels that cover one kind of attack do not unlearn the others."""
    log = log or (lambda msg: None)
    y = np.asarray([parse_label(v) for v in y], dtype=int)
    if len(set(y)) < 2:
        raise ValueError("training data needs both labels (smear and not_smear)")
    groups = groups_of(frame)
    card: dict = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "python": _platform.python_version()},
        "training_data": {"sha256": data_hash(frame, y), "posts": int(len(y)),
                          "labels": {"smear": int(y.sum()), "not_smear": int(len(y) - y.sum())},
                          "groups": int(len(set(groups)))},
        "behaviour": False,
        "post_columns": ["text"],
        "detection": asdict(DetectConfig()),
        "threshold": VERDICT_LEVEL,
    }
    if base is not None:
        card["base"] = {"version": base.version, "rule": "attack score = max(base scorer, this scorer)"}
    X = post_matrix(frame)
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
    if weights is not None and len(weights) != len(y):
        raise ValueError(f"sample_weight has {len(weights)} values for {len(y)} posts")
    if weights is not None:  # other weights, another model: the version name must differ
        card["training_data"]["weights_sha256"] = hashlib.sha256(weights.tobytes()).hexdigest()
    # held-out metrics for the card: a split by group
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=seed)
    tr, te = next(splitter.split(X, y, groups))
    if len(set(y[tr])) == 2 and len(set(y[te])) == 2:
        p = fit_post_scorer(X[tr], y[tr], None if weights is None else weights[tr]).predict_proba(X[te])[:, 1]
        card["metrics"] = {"post_heldout": post_metrics(y[te], p), "split": "by campaign/target group, 25% held out"}
        # the verdict on held-out campaigns: only posts with a campaign (full posts, not text-only rows)
        if "campaign" in frame.extra:
            order = np.argsort(te)
            test, scores = te[order], p[order]
            posts = np.array([frame.extra["campaign"][i] not in (None, "") for i in test], dtype=bool)
            if posts.sum() and has_behaviour(frame.take(test[posts])):
                card["metrics"]["verdict_heldout"] = heldout_verdict(frame, y, groups, test[posts], scores[posts])
    log("post scorer: fitting on all data")
    post_scorer = fit_post_scorer(X, y, weights)
    card["version"] = version_name(card)
    return Model(post_scorer, None, card, base_scorer=base.post_scorer if base is not None else None)
