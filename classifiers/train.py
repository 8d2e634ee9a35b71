"""Training: the post scorer from labelled posts, and the cluster scorer from clusters found in them.

Held-out metrics in the model card come from a split by group (campaign, else target, else post), so no
campaign is on both sides. The cluster scorer learns from clusters found with *out-of-fold* post scores (the
post scorer never saw the posts it scores there), and its threshold is the one that maximizes account-level
F1 on out-of-fold cluster scores.
"""

from __future__ import annotations

import hashlib
import platform as _platform
from dataclasses import asdict
from datetime import UTC, datetime

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score
from sklearn.model_selection import GroupKFold, GroupShuffleSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from classifiers.detect import CLUSTER_FEATURES, DetectConfig, detect_with_scores
from classifiers.estimators import MissingAwareScaler
from classifiers.frame import POST_COLUMNS, PostFrame
from classifiers.model import Model
from classifiers.text import TextHasher

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


def make_post_scorer(behaviour: bool, C: float = 4.0) -> Pipeline:
    text = Pipeline([("hasher", TextHasher()), ("tfidf", TfidfTransformer(sublinear_tf=True))])
    parts = [("text", text, 0)]
    if behaviour:
        parts.append(("behaviour", MissingAwareScaler(), list(range(1, len(POST_COLUMNS)))))
    return Pipeline([
        ("features", ColumnTransformer(parts, remainder="drop", sparse_threshold=1.0)),
        ("clf", LogisticRegression(C=C, class_weight="balanced", max_iter=2000, solver="liblinear")),
    ])


def make_cluster_scorer() -> Pipeline:
    return Pipeline([
        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
        ("scale", StandardScaler()),
        ("clf", LogisticRegression(C=0.3, class_weight="balanced", max_iter=5000)),
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


def post_matrix(frame: PostFrame, behaviour: bool) -> np.ndarray:
    if behaviour:
        return frame.post_matrix()
    X = np.empty((len(frame), 1), dtype=object)
    X[:, 0] = frame.text
    return X


def _metrics(y, p, threshold=0.5) -> dict:
    pred = (p >= threshold).astype(int)
    return {
        "precision": round(float(precision_score(y, pred, zero_division=0)), 4),
        "recall": round(float(recall_score(y, pred, zero_division=0)), 4),
        "f1": round(float(f1_score(y, pred, zero_division=0)), 4),
        "average_precision": round(float(average_precision_score(y, p)), 4) if len(set(y)) > 1 else None,
        "n": int(len(y)),
    }


def data_hash(frame: PostFrame, y: np.ndarray) -> str:
    h = hashlib.sha256()
    for text, label in zip(frame.text, y, strict=True):
        h.update(text.encode())
        h.update(b"\x01" if label else b"\x00")
    return h.hexdigest()


def oof_post_scores(frame: PostFrame, y: np.ndarray, groups: np.ndarray, behaviour: bool, folds: int = 5) -> np.ndarray:
    X = post_matrix(frame, behaviour)
    out = np.zeros(len(frame))
    k = min(folds, len(set(groups)))
    for tr, te in GroupKFold(n_splits=k).split(X, y, groups):
        if len(set(y[tr])) < 2:
            out[te] = y[tr].mean()
            continue
        out[te] = make_post_scorer(behaviour).fit(X[tr], y[tr]).predict_proba(X[te])[:, 1]
    return out


def cluster_training_set(frame, y, groups, text_scores, config):
    """Clusters found with out-of-fold post scores, their features, labels (majority of posts smear),
    account counts and majority group."""
    result = detect_with_scores(frame, text_scores, config, None, 1.0)
    X, labels, weights, cgroups, accounts = [], [], [], [], []
    for c in result.clusters:
        X.append([c.features[f] for f in CLUSTER_FEATURES])
        labels.append(int(y[c.rows].mean() >= 0.5))
        weights.append(len(c.accounts))
        vals, counts = np.unique(groups[c.rows], return_counts=True)
        cgroups.append(vals[np.argmax(counts)])
        accounts.append(c.accounts)
    return (np.asarray(X, dtype=np.float64).reshape(-1, len(CLUSTER_FEATURES)), np.asarray(labels, dtype=int),
            np.asarray(weights, dtype=float), np.asarray(cgroups), result)


def best_threshold(y, p, w) -> float:
    """Threshold maximizing account-weighted F1 of flagged clusters (midpoint between neighbouring scores)."""
    best, best_f1 = 0.5, -1.0
    for thr in np.unique(np.r_[p, 0.5]):
        pred = p >= thr
        tp = w[pred & (y == 1)].sum()
        fp = w[pred & (y == 0)].sum()
        fn = w[~pred & (y == 1)].sum()
        f1 = 2 * tp / max(2 * tp + fp + fn, 1e-9)
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(thr), f1
    below = p[p < best]
    return float((best + below.max()) / 2) if len(below) else best


def train(frame: PostFrame, y, *, seed: int = 0, config: DetectConfig | None = None, log=None) -> Model:
    """Train a model from labelled posts. Cluster scorer too when posts carry behaviour and campaign labels."""
    log = log or (lambda msg: None)
    y = np.asarray([parse_label(v) for v in y], dtype=int)
    if len(set(y)) < 2:
        raise ValueError("training data needs both labels (smear and not_smear)")
    config = config or DetectConfig()
    behaviour = bool(has_behaviour(frame))
    groups = groups_of(frame)
    card: dict = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "python": _platform.python_version()},
        "training_data": {"sha256": data_hash(frame, y), "posts": int(len(y)),
                          "labels": {"smear": int(y.sum()), "not_smear": int(len(y) - y.sum())},
                          "groups": int(len(set(groups)))},
        "behaviour": behaviour,
        "post_columns": list(POST_COLUMNS) if behaviour else ["text"],
        "detection": asdict(config),
    }
    X = post_matrix(frame, behaviour)
    # held-out metrics for the card: a split by group
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=seed)
    tr, te = next(splitter.split(X, y, groups))
    if len(set(y[tr])) == 2 and len(set(y[te])) == 2:
        p = make_post_scorer(behaviour).fit(X[tr], y[tr]).predict_proba(X[te])[:, 1]
        card["metrics"] = {"post_heldout": _metrics(y[te], p), "split": "by campaign/target group, 25% held out"}
    log("post scorer: fitting on all data")
    post_scorer = make_post_scorer(behaviour).fit(X, y)
    cluster_scorer = None
    threshold = 0.5
    has_groups = "campaign" in frame.extra and any(v not in (None, "") for v in frame.extra["campaign"])
    if behaviour and has_groups:
        log("cluster scorer: out-of-fold post scores")
        oof = oof_post_scores(frame, y, groups, behaviour)
        Xc, yc, wc, gc, _ = cluster_training_set(frame, y, groups, oof, config)
        card["cluster_training"] = {"clusters": int(len(yc)), "smear_clusters": int(yc.sum())}
        if len(set(yc)) == 2:
            log(f"cluster scorer: {len(yc)} clusters ({int(yc.sum())} smear)")
            pc = np.zeros(len(yc))
            k = min(5, len(set(gc)))
            for ctr, cte in GroupKFold(n_splits=k).split(Xc, yc, gc):
                if len(set(yc[ctr])) < 2:
                    pc[cte] = yc[ctr].mean()
                    continue
                pc[cte] = make_cluster_scorer().fit(Xc[ctr], yc[ctr]).predict_proba(Xc[cte])[:, 1]
            threshold = best_threshold(yc, pc, wc)
            card["metrics"] = {**card.get("metrics", {}),
                               "cluster_out_of_fold": _metrics(yc, pc, threshold)}
            cluster_scorer = make_cluster_scorer().fit(Xc, yc)
            card["cluster_features"] = list(CLUSTER_FEATURES)
    card["threshold"] = round(float(threshold), 6)
    card["version"] = f"{datetime.now(UTC).strftime('%Y%m%d')}-{card['training_data']['sha256'][:8]}"
    return Model(post_scorer, cluster_scorer, card)
