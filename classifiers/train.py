"""Training: the post scorer from labelled posts, and the cluster scorer from clusters found in them.

Held-out metrics in the model card come from a split by group (campaign, else target, else post), so no
campaign is on both sides. The cluster scorer learns from clusters found with *out-of-fold* post scores (the
post scorer never saw the posts it scores there), and its threshold is the one that maximizes account-level
F1 on out-of-fold cluster scores.
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
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score
from sklearn.model_selection import GroupKFold, GroupShuffleSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from classifiers.detect import (
    CLUSTER_FEATURES,
    PAIRWISE_WINDOWS,
    DetectConfig,
    detect_with_scores,
    score_texts,
)
from classifiers.estimators import MissingAwareScaler, RangeClipper
from classifiers.frame import POST_COLUMNS, PostFrame
from classifiers.model import Model
from classifiers.text import TextHasher

WINDOW_GRID = (300.0, 600.0, 1800.0, 3600.0)  # candidate windows of the pairwise signals (seconds)

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
        ("clip", RangeClipper()),
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


def oof_cluster_scores(Xc, yc, gc, folds: int = 5) -> np.ndarray:
    """Out-of-fold cluster scores, folds grouped by `gc` (no group on both sides)."""
    pc = np.zeros(len(yc))
    k = min(folds, len(set(gc)))
    if k < 2:
        return np.full(len(yc), yc.mean() if len(yc) else 0.0)
    for ctr, cte in GroupKFold(n_splits=k).split(Xc, yc, gc):
        if len(set(yc[ctr])) < 2:
            pc[cte] = yc[ctr].mean()
            continue
        pc[cte] = make_cluster_scorer().fit(Xc[ctr], yc[ctr]).predict_proba(Xc[cte])[:, 1]
    return pc


def account_f1(frame: PostFrame, y: np.ndarray, clusters, flagged: np.ndarray) -> float:
    """F1 of smear accounts (an account with any smear post) among the accounts of flagged clusters."""
    smear = set(frame.author_id[y == 1].tolist())
    hit: set = set()
    for c, f in zip(clusters, flagged, strict=True):
        if f:
            hit.update(c.accounts)
    tp = len(hit & smear)
    return 2 * tp / max(len(hit) + len(smear), 1)


def target_groups(frame: PostFrame) -> np.ndarray:
    """CV groups for window selection: the campaign's target, else the campaign, else the post."""
    n = len(frame)
    out = np.array([f"_row{i}" for i in range(n)], dtype=object)
    for name in ("campaign", "target"):  # later names win
        col = frame.extra.get(name)
        if col is not None:
            for i, v in enumerate(col):
                if v not in (None, ""):
                    out[i] = f"{name}:{v}"
    return out.astype(str)


def select_window(frame, y, oof, config: DetectConfig, grid=WINDOW_GRID, log=None) -> tuple[DetectConfig, dict]:
    """Pick the pairwise-signal window from `grid` by cross-validated account F1 on the training data only.

    For each candidate: find clusters with out-of-fold post scores, score them with cluster scorers trained
    out of fold (folds grouped by target, so no target is on both sides), flag at the account-F1-best
    threshold of those scores and measure account-level F1. Ties (within 0.005) go to the shorter window.
    """
    log = log or (lambda msg: None)
    groups = target_groups(frame)
    scores = {}
    for w in grid:
        cfg = config.with_window(w)
        Xc, yc, wc, gc, result = cluster_training_set(frame, y, groups, oof, cfg)
        if len(set(yc)) < 2:
            scores[w] = 0.0
            continue
        pc = oof_cluster_scores(Xc, yc, gc)
        thr = best_threshold(yc, pc, wc)
        scores[w] = round(account_f1(frame, y, result.clusters, pc >= thr), 4)
        log(f"window {w:g}s: cross-validated account F1 {scores[w]:.4f}")
    best = max(scores.values())
    chosen = min(w for w in grid if scores[w] >= best - 0.005)
    return config.with_window(chosen), {
        "method": "grid search on training data only: account-level F1 of out-of-fold cluster scores, "
                  "folds grouped by target (GroupKFold, 5), post scores out of fold; ties within 0.005 to the "
                  "shorter window",
        "parameters": list(PAIRWISE_WINDOWS), "grid": [float(w) for w in grid],
        "account_f1": {f"{w:g}": f for w, f in scores.items()}, "chosen": float(chosen),
    }


def version_name(card: dict) -> str:
    """Date, training data and everything the card says about the model (windows, threshold, metrics, library
    versions), but not the time of day: the same data, seed and code give the same name; other code does not."""
    settings = {key: value for key, value in card.items() if key not in ("created_at", "version")}
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()
    return f"{card['created_at'][:10].replace('-', '')}-{card['training_data']['sha256'][:8]}-{digest[:6]}"


def train(frame: PostFrame, y, *, seed: int = 0, config: DetectConfig | None = None, select_windows: bool = True,
          log=None) -> Model:
    """Train a model from labelled posts. Cluster scorer too when posts carry behaviour and campaign labels;
    then also the pairwise-signal window (see select_window) unless `select_windows` is False."""
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
        card["metrics"] = {"post_heldout": post_metrics(y[te], p), "split": "by campaign/target group, 25% held out"}
    log("post scorer: fitting on all data")
    post_scorer = make_post_scorer(behaviour).fit(X, y)
    cluster_scorer = None
    threshold = 0.5
    has_groups = "campaign" in frame.extra and any(v not in (None, "") for v in frame.extra["campaign"])
    if behaviour and has_groups:
        log("cluster scorer: out-of-fold post scores")
        oof = oof_post_scores(frame, y, groups, behaviour)
        if select_windows:
            config, selection = select_window(frame, y, oof, config, log=log)
            card["detection"] = asdict(config)
            card["detection_selection"] = selection
        Xc, yc, wc, gc, _ = cluster_training_set(frame, y, groups, oof, config)
        card["cluster_training"] = {"clusters": int(len(yc)), "smear_clusters": int(yc.sum())}
        if len(set(yc)) == 2:
            log(f"cluster scorer: {len(yc)} clusters ({int(yc.sum())} smear)")
            pc = oof_cluster_scores(Xc, yc, gc)
            threshold = best_threshold(yc, pc, wc)
            card["metrics"] = {**card.get("metrics", {}),
                               "cluster_out_of_fold": post_metrics(yc, pc, threshold)}
            cluster_scorer = make_cluster_scorer().fit(Xc, yc)
            card["cluster_features"] = list(CLUSTER_FEATURES)
    card["threshold"] = round(float(threshold), 6)
    card["version"] = version_name(card)
    return Model(post_scorer, cluster_scorer, card)
