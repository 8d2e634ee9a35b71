"""Text-only training benchmark: `smearwatch train` on 10,000 propaganda-techniques style rows, against a plain
TF-IDF + logistic regression baseline trained on the same rows, both measured on held-out wordings.

    .venv/bin/python bench/train.py [--rows 10000] [--test-rows 3000]

Prints the wall time of `smearwatch train` (goal: under 60 s on this machine) and precision, recall, F1 and
average precision of both models on the test part (people and organisations neither model saw, heavier
troll edits: typos, swapped words, emoji, transliteration).
"""

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score
from sklearn.pipeline import make_pipeline

REPO = Path(__file__).resolve().parents[1]


def corpus(rows: int, part: str, seed: int, path: Path, *extra: str) -> Path:
    with open(path, "w") as out:
        subprocess.run([sys.executable, str(REPO / "samples" / "propaganda.py"), "--rows", str(rows), "--part", part,
                        "--seed", str(seed), *extra], stdout=out, check=True)
    return path


def read(path: Path) -> tuple[list[str], list[int]]:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [1 if r["label"] == "smear" else 0 for r in rows]


def metrics(y, p) -> dict:
    pred = [int(x >= 0.5) for x in p]
    return {"precision": precision_score(y, pred), "recall": recall_score(y, pred), "f1": f1_score(y, pred),
            "average_precision": average_precision_score(y, p), "n": len(y)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--test-rows", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="smearwatch-train-") as tmp:
        tmp = Path(tmp)
        train_csv = corpus(args.rows, "train", 1, tmp / "train.csv")
        tests = {
            "new names, heavier edits": corpus(args.test_rows, "test", 2, tmp / "names.csv"),
            "new names and new wordings": corpus(args.test_rows, "test", 2, tmp / "wordings.csv", "--new-wordings"),
        }
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cli", "train", str(train_csv), "--out", str(tmp / "model")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        train_seconds = time.perf_counter() - started
        texts, y = read(train_csv)
        started = time.perf_counter()
        baseline = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)).fit(texts, y)
        baseline_seconds = time.perf_counter() - started
        results = []
        for name, path in tests.items():
            ours = json.loads(subprocess.run(
                [sys.executable, "-m", "cli", "evaluate", str(path), "--model", str(tmp / "model")],
                check=True, capture_output=True, text=True).stdout)
            test_texts, test_y = read(path)
            results.append((name, ours, metrics(test_y, baseline.predict_proba(test_texts)[:, 1])))

    print(f"train rows {args.rows}; each test {args.test_rows} rows about people and organisations training never saw")
    print(f"smearwatch train: {train_seconds:.1f} s (goal < 60 s); baseline fit: {baseline_seconds:.1f} s\n")
    print("| test | model | precision | recall | F1 | average precision |\n|---|---|---|---|---|---|")
    for name, ours, base in results:
        for label, m in (("smearwatch (text-only)", ours), ("TF-IDF + logistic regression", base)):
            print(f"| {name} | {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | "
                  f"{m['average_precision']:.3f} |")


if __name__ == "__main__":
    main()
