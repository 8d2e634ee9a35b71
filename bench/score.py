#!/usr/bin/env python3
"""Speed, memory and account-level accuracy of `smearwatch score` on generated dumps.

    .venv/bin/python bench/score.py [--posts 100000 1000000] [--work /tmp/smearwatch-bench]

For each size it generates a dump with `samples/generate.py --posts N` (cached in --work), runs
`smearwatch score` in a child process, and prints wall time, peak RSS (of the child) and account-level
precision/recall against the dump's truth_accounts.csv.

Not done yet: the side-by-side reference run of PyPI `coordination-network-toolkit` (issue 3 asks for it,
installed in a separate venv by this script); see docs/detection.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generate(n: int, work: Path) -> Path:
    out = work / f"dump-{n}"
    if not (out / "posts.jsonl").exists():
        subprocess.run([sys.executable, str(ROOT / "samples/generate.py"), "--posts", str(n), "--out", str(out)],
                       check=True, stdout=subprocess.DEVNULL)
    return out


def run_score(dump: Path, out: Path) -> tuple[float, float, int]:
    exe = Path(sys.executable).with_name("smearwatch")
    cmd = [str(exe) if exe.exists() else "smearwatch", "score", str(dump / "posts.jsonl"), "--out", str(out),
           "--no-progress"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 3):
        raise SystemExit(f"smearwatch score failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    # ru_maxrss of children is the max over all children so far; the score run is the largest one
    return wall, max(peak, before) / 1024.0, proc.returncode


def account_metrics(dump: Path, out: Path) -> dict:
    truth = {}
    with open(dump / "truth_accounts.csv", newline="") as f:
        for row in csv.DictReader(f):
            truth[row["author_id"]] = int(row["label"])
    flagged = set()
    with open(out / "clusters.jsonl") as f:
        for line in f:
            c = json.loads(line)
            if c["flagged"]:
                flagged.update(c["accounts"])
    positives = {a for a, y in truth.items() if y == 1}
    tp = len(flagged & positives)
    p = tp / max(len(flagged), 1)
    r = tp / max(len(positives), 1)
    return {"precision": p, "recall": r, "f1": 2 * p * r / max(p + r, 1e-9), "flagged_accounts": len(flagged),
            "smear_accounts": len(positives)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--work", default=os.environ.get("SMEARWATCH_BENCH_DIR", "/tmp/smearwatch-bench"))
    args = ap.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    print(f"| {'tool':24} | {'posts':>9} | {'wall s':>7} | {'peak RSS MB':>11} | {'acct P':>6} | {'acct R':>6} | {'acct F1':>7} |")
    print(f"|{'-' * 26}|{'-' * 11}|{'-' * 9}|{'-' * 13}|{'-' * 8}|{'-' * 8}|{'-' * 9}|")
    for n in args.posts:
        dump = generate(n, work)
        out = work / f"score-{n}"
        wall, rss, _ = run_score(dump, out)
        m = account_metrics(dump, out)
        summary = json.loads((out / "summary.json").read_text())
        print(f"| {'smearwatch score':24} | {n:9d} | {wall:7.1f} | {rss:11.0f} | {m['precision']:6.3f} | "
              f"{m['recall']:6.3f} | {m['f1']:7.3f} |  clusters {summary['clusters']}, flagged {summary['flagged']}, "
              f"read {summary['timings']['read']:.1f}s, detect {summary['timings']['detect']:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
