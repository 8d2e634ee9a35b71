"""`smearwatch status [--json]`: what the store holds, how the latest ingest runs went, and where the latest
`smearwatch score --queue` runs stand."""

import argparse
import sys

import orjson
from sqlalchemy import func, select

from smearwatch.db import get_engine
from smearwatch.jobs import list_jobs
from smearwatch.models import Account, Cluster, IngestRun, Post


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help='print one JSON object: {"posts", "accounts", "clusters", "flagged", "runs", '
                             '"score_jobs"}')
    parser.add_argument("--runs", type=int, default=5, metavar="N", help="how many recent runs to show (default 5)")


def collect(limit: int) -> dict:
    with get_engine().connect() as connection:
        def count(statement):
            return connection.execute(statement).scalar_one()

        runs = connection.execute(
            select(IngestRun).order_by(IngestRun.id.desc()).limit(limit)
        ).mappings().all()
        return {
            "posts": count(select(func.count()).select_from(Post)),
            "accounts": count(select(func.count()).select_from(Account)),
            "clusters": count(select(func.count()).select_from(Cluster)),
            "flagged": count(select(func.count()).select_from(Cluster).where(Cluster.flagged)),
            "runs": [_run_view(run) for run in runs],
            "score_jobs": [_job_view(job) for job in list_jobs(connection, kind="score", limit=limit)[0]],
        }


def _scoring(run) -> str:
    """Where the scoring of a run's stored posts stands: "scored", "not scored", "not scored (--no-score)", or ""
    while it is still storing (or stored nothing)."""
    if run["status"] not in ("done", "failed") or not run["stored"]:
        return ""
    if run["scored_at"] is not None:
        return "scored"
    return "not scored (--no-score)" if run["skip_scoring"] else "not scored"


def _run_view(run) -> dict:
    total = run["bytes_total"] or 0
    progress = 1.0 if run["status"] == "done" else (run["bytes_done"] / total if total else 0.0)
    return {
        "id": run["id"], "status": run["status"], "scoring": _scoring(run),
        "progress": round(min(progress, 1.0), 4),
        "read": run["read"], "stored": run["stored"], "duplicates": run["duplicates"], "rejected": run["rejected"],
        "slices_total": run["slices_total"], "slices_done": run["slices_done"],
        "started_at": run["started_at"].isoformat() if run["started_at"] else None,
        "finished_at": run["finished_at"].isoformat() if run["finished_at"] else None,
        "error": run["error"],
    }


def _job_view(job: dict) -> dict:
    return {"id": job["id"], "kind": job["kind"], "status": job["status"], "progress": job["progress"],
            "message": job["message"], "inputs": (job["params"] or {}).get("inputs", []), "result": job["result"],
            "started_at": job["started_at"].isoformat() if job["started_at"] else None,
            "finished_at": job["finished_at"].isoformat() if job["finished_at"] else None}


def run(args: argparse.Namespace) -> int:
    status = collect(args.runs)
    if args.json:
        sys.stdout.write(orjson.dumps(status).decode() + "\n")
        return 0
    print(f"posts {status['posts']}, accounts {status['accounts']}, clusters {status['clusters']} "
          f"({status['flagged']} flagged)")
    for item in status["runs"]:
        # "done" alone only when the stored posts are scored as well: "done, not scored" otherwise.
        state = f"{item['status']}, {item['scoring']}" if item["scoring"] not in ("", "scored") else item["status"]
        print(f"  run {item['id']}: {state} {item['progress']:.0%}  read {item['read']}, "
              f"stored {item['stored']}, duplicates {item['duplicates']}, rejected {item['rejected']}")
    for job in status["score_jobs"]:
        print(f"  score job {job['id']}: {job['status']} {job['progress']:.0%}  {job['message'] or ''}")
    return 0
