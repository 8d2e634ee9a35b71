#!/usr/bin/env python3
"""Dumps of any size: wall time, peak RSS and posts/s of `smearwatch score` in memory, streamed and streamed over
two processes, and whether their outputs are the same.

    .venv/bin/python bench/scale.py [--posts 1000000 3000000 10000000] [--work DIR] [--modes memory stream jobs2]
                                    [--memory-max-posts 3000000] [--partition-posts N]

Each dump is generated with bench/score.py's generator (`samples/generate.py --posts N`, cached in --work, by
default Settings.bench_cache/scale). Each mode runs in its own child process (wall time, CPU time and its own peak
RSS from os.wait4); the load average before each run is printed too, since the machine may be shared. In-memory
scoring is skipped above --memory-max-posts (it needs about 2.5 GB per million posts).

Same output: clusters.jsonl and campaigns.jsonl byte for byte, and scores.jsonl once both are sorted (in-memory
scores come in the order read, streamed ones in time order).

Goals (issue 14): 10M posts streamed in under 15 minutes with peak RSS under 4 GB, and peak RSS at 10M at most
1.5x that at 1M.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from _measure import run_measured  # noqa: E402
from score import generate  # noqa: E402

from smearwatch.settings import get_settings  # noqa: E402

MODES = {"memory": ["--in-memory"], "stream": ["--stream"], "jobs2": ["--stream", "--jobs", "2"]}


def run_mode(dump: Path, out: Path, mode: str, partition_posts: int | None) -> dict:
    exe = Path(sys.executable).with_name("smearwatch")
    command = [str(exe) if exe.exists() else "smearwatch", "score", str(dump / "posts.jsonl"), "--out", str(out),
               "--no-progress", *MODES[mode]]
    if partition_posts and mode != "memory":
        command += ["--partition-posts", str(partition_posts)]
    load = os.getloadavg()[0]
    run = run_measured(command)
    if run["returncode"] not in (0, 3):
        return {"mode": mode, "failed": run["stderr"].strip()[-300:], "load": load, **_figures(run)}
    summary = json.loads((out / "summary.json").read_text())
    return {"mode": mode, "load": load, "posts": summary["scored"], "clusters": summary["clusters"],
            "flagged": summary["flagged"], "stream": summary.get("stream"), **_figures(run)}


def _figures(run: dict) -> dict:
    return {"seconds": run["seconds"], "cpu_seconds": run["cpu_seconds"], "peak_rss_mb": run["peak_rss_mb"]}


def same_output(a: Path, b: Path, work: Path) -> bool:
    for name in ("clusters.jsonl", "campaigns.jsonl"):
        if not filecmp.cmp(a / name, b / name, shallow=False):
            return False
    sorted_paths = []
    for side in (a, b):
        path = work / f"sorted-{side.name}.jsonl"
        subprocess.run(["sort", "-S", "512M", "-T", str(work), "-o", str(path), str(side / "scores.jsonl")],
                       check=True, env={**os.environ, "LC_ALL": "C"})
        sorted_paths.append(path)
    same = filecmp.cmp(*sorted_paths, shallow=False)
    for path in sorted_paths:
        path.unlink()
    return same


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, nargs="+", default=[1_000_000, 3_000_000, 10_000_000])
    ap.add_argument("--work", type=Path, default=None, help="cache of dumps and outputs (default: "
                    "Settings.bench_cache/scale)")
    ap.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    ap.add_argument("--memory-max-posts", type=int, default=3_000_000)
    ap.add_argument("--partition-posts", type=int, default=None, help="default: smearwatch's")
    args = ap.parse_args()
    work = (args.work or get_settings().bench_cache / "scale").resolve()
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.posts:
        dump = generate(n, work)
        outs = {}
        for mode in args.modes:
            if mode == "memory" and n > args.memory_max_posts:
                print(f"{n:>10,} {mode:<7} skipped (above --memory-max-posts)", flush=True)
                continue
            out = work / f"out-{n}-{mode}"
            row = {"n": n, **run_mode(dump, out, mode, args.partition_posts)}
            if "failed" not in row:
                outs[mode] = out
                base = next(iter(outs))
                row["same_as"] = "" if base == mode else \
                    f"same output as {base}: {'yes' if same_output(outs[base], out, work) else 'NO'}"
            rows.append(row)
            print(f"{n:>10,} {mode:<7} {row['seconds']:8.1f} s wall {row['cpu_seconds']:8.1f} s CPU "
                  f"{row['peak_rss_mb']:8.0f} MB peak RSS {n / row['seconds']:9,.0f} posts/s "
                  f"load {row['load']:.1f}  {row.get('failed') or row['same_as']}", flush=True)
    streamed = {r["n"]: r["peak_rss_mb"] for r in rows if r["mode"] == "stream" and "failed" not in r}
    if len(streamed) > 1:
        low, high = min(streamed), max(streamed)
        print(f"streamed peak RSS at {high:,} posts / at {low:,}: {streamed[high] / streamed[low]:.2f}x (goal <= 1.5x)")
    (work / "scale.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
