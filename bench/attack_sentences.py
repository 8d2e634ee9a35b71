#!/usr/bin/env python3
"""The post scorer on hand-labelled real Russian news sentences: cross-validated, per variant.

    .venv/bin/python bench/attack_sentences.py [--folds 5] [--world2 var/world2-train]

The sentences (`samples/labelled/attack_sentences_ru.jsonl`, rubric docs/rubric-attack-sentences.md) are cut
into folds; each variant is trained on the generated labelled posts (`samples/labelled/train.jsonl` and the
independent world's posts, as `make model` does) plus the other folds, and scores the held-out fold. Printed per
variant: average precision, and F1, precision and recall at the verdict's post level (0.5), on the held-out
sentences; then the same with no real sentences in training. A variant of the post scorer is compared here, on
labelled data the repository ships, before any evaluation set (SemEval, IRA, the background) is looked at.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from classifiers.labelled import read_labelled  # noqa: E402
from classifiers.train import make_post_scorer  # noqa: E402

SENTENCES = ROOT / "samples" / "labelled" / "attack_sentences_ru.jsonl"
GENERATED = ROOT / "samples" / "labelled" / "train.jsonl"
VARIANTS = {"n-grams (TF-IDF)": False, "embeddings + n-grams": True}


def texts_labels(paths) -> tuple[np.ndarray, np.ndarray]:
    records = read_labelled(paths)
    return (np.array([r["text"] for r in records], dtype=object), np.array([r["label"] for r in records], dtype=int))


def fit_score(embeddings: bool, X, y, X_test) -> np.ndarray:
    model = make_post_scorer(embeddings)
    if embeddings:
        return model.fit(X, y).predict_proba(X_test)[:, 1]
    return model.fit(X.reshape(-1, 1), y).predict_proba(X_test.reshape(-1, 1))[:, 1]


def figures(y, p) -> str:
    pred = (p >= 0.5).astype(int)
    return (f"AP {average_precision_score(y, p):.3f}   F1 {f1_score(y, pred, zero_division=0):.3f}   "
            f"P {precision_score(y, pred, zero_division=0):.3f}   R {recall_score(y, pred, zero_division=0):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--world2", type=Path, default=ROOT / "var" / "world2-train",
                        help="the independent world's posts (make model generates it)")
    args = parser.parse_args()
    generated = [GENERATED] + ([args.world2 / "posts.jsonl"] if (args.world2 / "posts.jsonl").is_file() else [])
    Xg, yg = texts_labels(generated)
    Xs, ys = texts_labels([SENTENCES])
    print(f"generated: {len(yg):,} posts ({yg.sum():,} attacks) from {', '.join(p.name for p in generated)}; "
          f"real sentences: {len(ys):,} ({ys.sum():,} labelled 1), {args.folds} folds")
    folds = list(StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=0).split(Xs, ys))
    for name, embeddings in VARIANTS.items():
        with_real = np.zeros(len(ys))
        for fit_rows, test_rows in folds:
            X = np.concatenate([Xg, Xs[fit_rows]])
            y = np.concatenate([yg, ys[fit_rows]])
            with_real[test_rows] = fit_score(embeddings, X, y, Xs[test_rows])
        without = fit_score(embeddings, Xg, yg, Xs)
        print(f"  {name:22}  generated + other folds: {figures(ys, with_real)}")
        print(f"  {'':22}  generated only:          {figures(ys, without)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
