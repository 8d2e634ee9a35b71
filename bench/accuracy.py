#!/usr/bin/env python3
"""Accuracy of detection on the held-out samples (campaigns and targets no model trained on).

    .venv/bin/python bench/accuracy.py [--heldout samples/labelled/heldout.jsonl] [--model DIR | --train FILE]

Prints, per held-out campaign, the share of its accounts in flagged clusters, then the acceptance figures:
every smear campaign found (>= 50% of its accounts flagged), no hard negative flagged (< 30%), account-level
F1 of smear accounts, flagged-cluster precision and post average precision. Exit 1 when a bar is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import orjson
from sklearn.metrics import average_precision_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers import PostFrame, detect, load_model, train  # noqa: E402

EXTRA = ("label", "campaign", "kind", "target")


def read(path) -> PostFrame:
    with open(path, "rb") as f:
        return PostFrame.from_records((orjson.loads(line) for line in f if line.strip()), extra=EXTRA)


def evaluate(frame: PostFrame, result, threshold_note="") -> dict:
    y = np.asarray(frame.extra["label"], dtype=int)
    campaign = frame.extra["campaign"]
    kind = frame.extra["kind"]
    flagged_rows = np.zeros(len(frame), bool)
    cluster_rows = []
    for c in result.clusters:
        if c.flagged:
            flagged_rows[c.rows] = True
            cluster_rows.append(c.rows)
    flagged_accounts = set(frame.author_id[flagged_rows].tolist())
    # an account counts for a campaign when one of its posts *of that campaign* is in a flagged cluster
    # (an outlet that runs a smear and also reports news is flagged for the smear, not for the news)
    camp_accounts = defaultdict(set)
    camp_flagged = defaultdict(set)
    camp_kind = {}
    for i in range(len(frame)):
        camp_accounts[campaign[i]].add(frame.author_id[i])
        if flagged_rows[i]:
            camp_flagged[campaign[i]].add(frame.author_id[i])
        camp_kind[campaign[i]] = kind[i]
    rows = []
    for camp in sorted(camp_accounts):
        accs = camp_accounts[camp]
        share = len(camp_flagged[camp]) / len(accs)
        k = camp_kind[camp]
        if k == "smear":
            ok = share >= 0.5
        elif k == "background":
            ok = share < 0.3
        else:
            ok = share < 0.3
        rows.append((camp, k, len(accs), share, ok))
    smear_accounts = set(frame.author_id[y == 1].tolist())
    tp = len(smear_accounts & flagged_accounts)
    prec = tp / max(len(flagged_accounts), 1)
    rec = tp / max(len(smear_accounts), 1)
    f1 = 2 * prec * rec / max(prec + rec, 1e-9)
    good = sum(int(y[r].mean() >= 0.5) for r in cluster_rows)
    cluster_precision = good / max(len(cluster_rows), 1)
    ap = float(average_precision_score(y, result.post_scores))
    return {
        "campaigns": rows,
        "smear_found": sum(1 for r in rows if r[1] == "smear" and r[4]),
        "smear_total": sum(1 for r in rows if r[1] == "smear"),
        "negatives_flagged": sum(1 for r in rows if r[1] != "smear" and not r[4]),
        "account_precision": prec, "account_recall": rec, "account_f1": f1,
        "flagged_clusters": len(cluster_rows), "cluster_precision": cluster_precision,
        "post_average_precision": ap,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--heldout", default=str(ROOT / "samples/labelled/heldout.jsonl"))
    ap.add_argument("--model", help="model directory (default: the packaged default model)")
    ap.add_argument("--train", help="train a fresh model on this labelled file instead of loading one")
    args = ap.parse_args(argv)
    if args.train:
        t0 = time.perf_counter()
        tf = read(args.train)
        model = train(tf, tf.extra["label"])
        print(f"trained on {args.train} ({len(tf)} posts) in {time.perf_counter() - t0:.1f}s")
    else:
        model = load_model(args.model)
    frame = read(args.heldout)
    t0 = time.perf_counter()
    result = detect(frame, model)
    elapsed = time.perf_counter() - t0
    m = evaluate(frame, result)
    print(f"held-out: {args.heldout} ({len(frame)} posts), model {model.version}, threshold {model.threshold:.3f}, "
          f"detect {elapsed:.2f}s")
    print()
    print(f"{'campaign':34} {'kind':11} {'accounts':>8} {'flagged':>8}  ok")
    for camp, k, n, share, ok in m["campaigns"]:
        print(f"{camp:34} {k:11} {n:8d} {share:8.0%}  {'yes' if ok else 'NO'}")
    bars = [
        ("smear campaigns found (>=50% of accounts)", f"{m['smear_found']}/{m['smear_total']}",
         m["smear_found"] == m["smear_total"]),
        ("hard negatives flagged (>=30% of accounts)", f"{m['negatives_flagged']}", m["negatives_flagged"] == 0),
        ("account precision", f"{m['account_precision']:.3f}", True),
        ("account recall", f"{m['account_recall']:.3f}", True),
        ("account F1 (>= 0.9)", f"{m['account_f1']:.3f}", m["account_f1"] >= 0.9),
        ("flagged-cluster precision (>= 0.9)", f"{m['cluster_precision']:.3f} of {m['flagged_clusters']}",
         m["cluster_precision"] >= 0.9),
        ("post average precision (>= 0.9)", f"{m['post_average_precision']:.3f}", m["post_average_precision"] >= 0.9),
    ]
    print()
    print(f"| {'metric':44} | {'value':>14} | pass |")
    print(f"|{'-' * 46}|{'-' * 16}|------|")
    for name, value, ok in bars:
        print(f"| {name:44} | {value:>14} | {'yes' if ok else 'NO':4} |")
    return 0 if all(ok for _, _, ok in bars) else 1


if __name__ == "__main__":
    sys.exit(main())
