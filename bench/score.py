#!/usr/bin/env python3
"""Speed, memory and account-level accuracy of `smearwatch score` vs coordination-network-toolkit.

    .venv/bin/python bench/score.py [--posts 100000 1000000] [--work /tmp/smearwatch-bench]
                                    [--similar-max-posts N] [--no-reference]

For each size it generates a dump with `samples/generate.py --posts N` (cached in --work) and runs, each in its
own child process (wall time, the child's CPU time and its own peak RSS from os.wait4; on a shared machine
CPU time is the figure to compare):

- `smearwatch score` with the packaged default model; flagged accounts = accounts of flagged clusters.
- the reference, PyPI `coordination-network-toolkit` (installed by this script into its own venv,
  --work/venv-cnt): the dump is converted to its CSV input (message_id, user_id, username, repost_id, reply_id,
  message, timestamp, urls; conversion time reported apart), then `compute_networks DB preprocess` and
  `compute_networks DB compute NET --time_window 60` for co_retweet, co_tweet,
  co_similar_tweet and co_link, with the tool's other defaults (min_edge_weight 2, similarity 0.8). Its time is
  preprocess + all computes; its peak RSS the largest of those processes; flagged accounts = accounts in any
  edge of any network. co_similar_tweet (the slow one) is skipped for dumps above --similar-max-posts; the
  table says so.

Account precision/recall are against the dump's truth_accounts.csv (label 1 = posted in a smear).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import run_measured  # noqa: E402

REFERENCE = "coordination-network-toolkit"
NETWORKS = ("co_retweet", "co_tweet", "co_similar_tweet", "co_link")
WINDOW = 60


def generate(n: int, work: Path) -> Path:
    out = work / f"dump-{n}"
    if not out.is_dir():  # written aside and renamed when complete: a stopped run leaves no half dump to reuse
        partial = work / f"dump-{n}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        subprocess.run([sys.executable, str(ROOT / "samples/generate.py"), "--posts", str(n), "--out", str(partial)],
                       check=True, stdout=subprocess.DEVNULL)
        partial.rename(out)
    return out


def truth_of(dump: Path) -> set[str]:
    with open(dump / "truth_accounts.csv", newline="") as f:
        return {row["author_id"] for row in csv.DictReader(f) if row["label"] == "1"}


def metrics(flagged: set[str], positives: set[str]) -> dict:
    tp = len(flagged & positives)
    p = tp / max(len(flagged), 1)
    r = tp / max(len(positives), 1)
    return {"precision": p, "recall": r, "f1": 2 * p * r / max(p + r, 1e-9), "flagged": len(flagged)}


def run_ours(dump: Path, work: Path, n: int) -> dict:
    out = work / f"score-{n}"
    exe = Path(sys.executable).with_name("smearwatch")
    run = run_measured([str(exe) if exe.exists() else "smearwatch", "score", str(dump / "posts.jsonl"),
                        "--out", str(out), "--no-progress"])
    if run["returncode"] not in (0, 3):
        raise SystemExit(f"smearwatch score failed ({run['returncode']}): {run['stderr'].strip()[-500:]}")
    flagged: set[str] = set()
    with open(out / "clusters.jsonl", "rb") as f:
        for line in f:
            c = orjson.loads(line)
            if c["flagged"]:
                flagged.update(c["accounts"])
    summary = json.loads((out / "summary.json").read_text())
    return {"seconds": run["seconds"], "cpu": run["cpu_seconds"], "rss": run["peak_rss_mb"], "flagged": flagged,
            "note": f"clusters {summary['clusters']}, flagged {summary['flagged']}"}


def reference_venv(work: Path) -> Path:
    venv = work / "venv-cnt"
    exe = venv / "bin" / "compute_networks"
    if not exe.exists():
        print(f"installing {REFERENCE} into {venv}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", REFERENCE], check=True)
    version = subprocess.run([str(venv / "bin" / "python"), "-c",
                              "import importlib.metadata as m; print(m.version('coordination-network-toolkit'))"],
                             capture_output=True, text=True).stdout.strip()
    return exe, version


def _epoch(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def to_reference_csv(dump: Path, path: Path) -> None:
    """Our normalized posts as the toolkit's CSV input (one row per post)."""
    if path.exists():
        return
    tmp = path.with_suffix(".tmp")
    with open(dump / "posts.jsonl", "rb") as src, open(tmp, "w", newline="", encoding="utf-8") as dst:
        w = csv.writer(dst)
        w.writerow(["message_id", "user_id", "username", "repost_id", "reply_id", "message", "timestamp", "urls"])
        for line in src:
            p = orjson.loads(line)
            key = f"{p.get('platform') or 'unknown'}:"
            w.writerow([key + p["id"], p["author_id"], p.get("author_name") or "",
                        key + p["repost_of"] if p.get("repost_of") else "",
                        key + p["reply_to"] if p.get("reply_to") else "",
                        (p.get("text") or "").replace("\r", " "), _epoch(p["created_at"]),
                        " ".join(p.get("urls") or ())])
    tmp.rename(path)


def run_reference(dump: Path, work: Path, n: int, networks: tuple[str, ...]) -> dict:
    exe, _ = reference_venv(work)
    data = work / f"reference-{n}.csv"
    conv = run_measured([sys.executable, __file__, "--convert", str(dump), str(data)])
    if conv["returncode"]:
        raise SystemExit(f"conversion failed: {conv['stderr'][-500:]}")
    db = work / f"reference-{n}.db"
    db.unlink(missing_ok=True)
    steps = [("preprocess", [str(exe), str(db), "preprocess", "--format", "csv", str(data)])]
    for net in networks:
        steps.append((net, [str(exe), str(db), "compute", net, "--time_window", str(WINDOW)]))
    seconds, cpu, rss, parts = 0.0, 0.0, 0.0, {}
    for name, cmd in steps:
        run = run_measured(cmd)
        if run["returncode"]:
            raise SystemExit(f"{REFERENCE} {name} failed: {run['stderr'].strip()[-800:]}")
        seconds += run["seconds"]
        cpu += run["cpu_seconds"]
        rss = max(rss, run["peak_rss_mb"])
        parts[name] = run["seconds"]
    # the edges, read with the toolkit's own graph.get_edge_rows (its CSV writer fails in 1.5.2:
    # output_gephi_csv() got an unexpected keyword argument 'n_messages')
    read = ("import json, sys\nfrom coordination_network_toolkit.graph import get_edge_rows\nusers = set()\n"
            "for net in sys.argv[2:]:\n    for row in get_edge_rows(sys.argv[1], net):\n"
            "        users.update((str(row[0]), str(row[1])))\nprint(json.dumps(sorted(users)))")
    proc = subprocess.run([str(exe.with_name("python")), "-c", read, str(db), *networks], capture_output=True,
                          text=True, check=True)
    flagged = set(json.loads(proc.stdout))
    note = ", ".join(f"{k} {v:.0f}s" for k, v in parts.items()) + f"; csv conversion {conv['seconds']:.0f}s (not counted)"
    return {"seconds": seconds, "cpu": cpu, "rss": rss, "flagged": flagged, "note": note}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--work", default=os.environ.get("SMEARWATCH_BENCH_DIR", "/tmp/smearwatch-bench"))
    ap.add_argument("--similar-max-posts", type=int, default=10_000_000,
                    help="run the reference's co_similar_tweet only on dumps of at most this many posts")
    ap.add_argument("--no-reference", action="store_true", help="only run smearwatch score")
    ap.add_argument("--convert", nargs=2, metavar=("DUMP", "CSV"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.convert:
        to_reference_csv(Path(args.convert[0]), Path(args.convert[1]))
        return 0
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if not args.no_reference:
        _, version = reference_venv(work)
        print(f"reference: {REFERENCE} {version}, networks {', '.join(NETWORKS)}, --time_window {WINDOW}, "
              "other options at their defaults; flagged = accounts in any edge")
    header = (f"| {'tool':40} | {'posts':>9} | {'wall s':>7} | {'cpu s':>7} | {'peak RSS MB':>11} | {'acct P':>6} | {'acct R':>6} "
              f"| {'acct F1':>7} | {'flagged':>8} |")
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    notes = []
    for n in args.posts:
        dump = generate(n, work)
        positives = truth_of(dump)
        runs = [("smearwatch score", run_ours(dump, work, n))]
        if not args.no_reference:
            nets = tuple(x for x in NETWORKS if x != "co_similar_tweet" or n <= args.similar_max_posts)
            name = REFERENCE + ("" if "co_similar_tweet" in nets else " (no co_similar)")
            runs.append((name, run_reference(dump, work, n, nets)))
        for name, r in runs:
            m = metrics(r["flagged"], positives)
            print(f"| {name:40} | {n:9d} | {r['seconds']:7.1f} | {r['cpu']:7.1f} | {r['rss']:11.0f} | {m['precision']:6.3f} | "
                  f"{m['recall']:6.3f} | {m['f1']:7.3f} | {m['flagged']:8d} |", flush=True)
            notes.append(f"{name} @ {n}: {r['note']}")
        if len(runs) == 2:
            notes.append(f"time ratio reference / smearwatch @ {n}: wall {runs[1][1]['seconds'] / runs[0][1]['seconds']:.1f}x, "
                         f"cpu {runs[1][1]['cpu'] / runs[0][1]['cpu']:.1f}x")
        notes.append(f"smear accounts in the {n} dump: {len(positives)}")
    print()
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
