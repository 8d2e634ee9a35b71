#!/usr/bin/env python3
"""Dumps of any size: wall time, peak RSS and posts/s of `smearwatch score` in memory, streamed, streamed over
two processes and streamed through 1 and 2 local Celery workers (`--queue`), and whether their outputs are the same.

    .venv/bin/python bench/scale.py [--posts 1000000 3000000 10000000] [--work DIR]
                                    [--modes memory stream jobs2 celery1 celery2]
                                    [--memory-max-posts 3000000] [--partition-posts N]

Each dump is generated with bench/score.py's generator (`samples/generate.py --posts N`, cached in --work, by
default Settings.bench_cache/scale). Each mode runs in its own child process (wall time, CPU time and its own peak
RSS from os.wait4); the load average before each run is printed too, since the machine may be shared. In-memory
scoring is skipped above --memory-max-posts (it needs about 2.5 GB per million posts).

celery1 / celery2: a private Redis, a fresh SQLite store and 1 or 2 `smearwatch worker --concurrency 1`
processes on this machine, started before the run (not timed) and stopped after it; wall time is the client's
`score --queue`, CPU time and peak RSS the client's only (the workers' are their own processes). Each streamed row
also prints its phase timings (sort, partitions, judgements): the partitions are the part the processes and
workers share, the rest runs in the client.

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
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from _measure import run_measured  # noqa: E402
from score import generate  # noqa: E402

from devsupport.services import RedisServer, WorkerProcess, wait_for  # noqa: E402
from smearwatch import migrate  # noqa: E402
from smearwatch.settings import get_settings  # noqa: E402

MODES = {"memory": ["--in-memory"], "stream": ["--stream"], "jobs2": ["--stream", "--jobs", "2"],
         "celery1": ["--queue"], "celery2": ["--queue"]}
CELERY_WORKERS = {"celery1": 1, "celery2": 2}
PHASES = ("sort", "partitions", "judgements")


def run_mode(dump: Path, out: Path, mode: str, partition_posts: int | None, work: Path) -> dict:
    exe = Path(sys.executable).with_name("smearwatch")
    command = [str(exe) if exe.exists() else "smearwatch", "score", str(dump / "posts.jsonl"), "--out", str(out),
               "--no-progress", *MODES[mode]]
    if partition_posts and mode != "memory":
        command += ["--partition-posts", str(partition_posts)]
    with celery_workers(CELERY_WORKERS.get(mode, 0), work) as (env, workers_cpu):
        if env:
            command += ["--work-dir", str(work)]
        load = os.getloadavg()[0]
        cpu_before = workers_cpu()
        run = run_measured(command, env=env)
        run["workers_cpu_seconds"] = workers_cpu() - cpu_before if env else None
    if run["returncode"] not in (0, 3):
        return {"mode": mode, "failed": run["stderr"].strip()[-300:], "load": load, **_figures(run)}
    summary = json.loads((out / "summary.json").read_text())
    return {"mode": mode, "load": load, "posts": summary["scored"], "clusters": summary["clusters"],
            "flagged": summary["flagged"], "stream": summary.get("stream"),
            "phases": {p: summary["timings"].get(f"stream.{p}") for p in PHASES}, **_figures(run)}


@contextmanager
def celery_workers(count: int, work: Path) -> Iterator[tuple[dict, Callable[[], float]]]:
    """`count` local Celery workers (one process each) on a private Redis, with a fresh SQLite store for the run's
    Job row; yields the environment of the client ({} when count is 0) and a function that gives the CPU seconds
    the workers' processes have used so far."""
    if not count:
        yield {}, lambda: 0.0
        return
    redis_server = RedisServer(work / "redis").start()
    store = work / "celery-store.db"
    store.unlink(missing_ok=True)
    env = {"SMEARWATCH_BROKER_URL": redis_server.url, "SMEARWATCH_DATABASE_URL": f"sqlite:///{store}"}
    migrate.upgrade(env["SMEARWATCH_DATABASE_URL"])
    workers = []
    try:
        for i in range(count):
            log = work / f"worker{i}.log"
            log.unlink(missing_ok=True)
            workers.append(WorkerProcess(env, log, queues="ingest", concurrency=1, name=f"bench{i}").start())
            wait_for(lambda log=log: log.exists() and " ready." in log.read_text(), 120, what=f"{log.name}: ready")
        yield env, lambda: sum(group_cpu_seconds(w.process.pid) for w in workers)
    finally:
        for worker in workers:
            worker.stop()
        redis_server.stop(signal.SIGKILL)


def _figures(run: dict) -> dict:
    return {"seconds": run["seconds"], "cpu_seconds": run["cpu_seconds"], "peak_rss_mb": run["peak_rss_mb"],
            "workers_cpu_seconds": run.get("workers_cpu_seconds")}


def group_cpu_seconds(pgid: int) -> float:
    """CPU seconds (user + system, with their waited children) of the processes in a process group (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == pgid:  # fields after the command: state, ppid, pgrp, ...; utime is field 14 of stat
            total += sum(int(f) for f in fields[11:15])
    return total / ticks


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
            row = {"n": n, **run_mode(dump, out, mode, args.partition_posts, work)}
            if "failed" not in row:
                outs[mode] = out
                base = next(iter(outs))
                row["same_as"] = "" if base == mode else \
                    f"same output as {base}: {'yes' if same_output(outs[base], out, work) else 'NO'}"
            rows.append(row)
            workers = f" + {row['workers_cpu_seconds']:.1f} s CPU in workers" if row.get("workers_cpu_seconds") else ""
            print(f"{n:>10,} {mode:<7} {row['seconds']:8.1f} s wall {row['cpu_seconds']:8.1f} s CPU{workers} "
                  f"{row['peak_rss_mb']:8.0f} MB peak RSS {n / row['seconds']:9,.0f} posts/s "
                  f"load {row['load']:.1f}  {row.get('failed') or row['same_as']}", flush=True)
            if row.get("phases") and row["phases"]["sort"] is not None:
                print("           " + ", ".join(f"{p} {row['phases'][p]:.1f} s" for p in PHASES), flush=True)
    for n in args.posts:
        base = next((r for r in rows if r["n"] == n and r["mode"] == "celery1" and "failed" not in r), None)
        two = next((r for r in rows if r["n"] == n and r["mode"] == "celery2" and "failed" not in r), None)
        if base and two:
            print(f"{n:,} posts: 2 Celery workers {base['seconds'] / two['seconds']:.2f}x faster than 1 "
                  f"(goal >= 1.7x at 3M)")
        if base and base.get("workers_cpu_seconds"):
            # what the client does alone (reading, sorting, merging, judging) cannot be shared: Amdahl's bound
            client, shared = base["cpu_seconds"], base["workers_cpu_seconds"]
            print(f"{n:,} posts: client {client:.1f} s CPU, workers {shared:.1f} s CPU with 1 worker: 2 workers "
                  f"can be at most {(client + shared) / (client + shared / 2):.2f}x faster on idle cores")
    streamed = {r["n"]: r["peak_rss_mb"] for r in rows if r["mode"] == "stream" and "failed" not in r}
    if len(streamed) > 1:
        low, high = min(streamed), max(streamed)
        print(f"streamed peak RSS at {high:,} posts / at {low:,}: {streamed[high] / streamed[low]:.2f}x (goal <= 1.5x)")
    (work / "scale.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
