"""The jobs behind every task, taking ids only: what a Celery task runs, and what runs in-process without a broker.

Each job is idempotent: running it twice, or concurrently with itself, leaves the store as running it once.
"""

import logging
from datetime import datetime

from smearwatch.db import get_engine

log = logging.getLogger(__name__)


def ingest_slice(slice_id: int) -> dict:
    from worker.slices import ingest_slice as store_slice  # noqa: PLC0415

    result = store_slice(get_engine(), slice_id)
    if result.run_finished:
        after_run(result.run)
    return result.as_dict()


def after_run(run_id: int, *, inline: bool = False) -> None:
    """A run stored its last slice: score its posts and re-cluster their window (here, with `inline`: a feed
    poll scores its few new posts itself rather than queueing them behind bulk work)."""
    if inline:
        score_run(run_id)
        return
    from worker.dispatch import enqueue  # noqa: PLC0415

    enqueue("score_run", run_id)


def poll_feed(feed_id: int) -> dict:
    from worker.feeds import poll_feed as poll  # noqa: PLC0415

    return poll(get_engine(), feed_id)


def score_run(run_id: int) -> dict:
    from worker.scoring import score_run as score  # noqa: PLC0415

    return score(get_engine(), run_id)


def recluster_window(start: str, end: str) -> dict:
    from worker.scoring import recluster_window as recluster  # noqa: PLC0415

    return recluster(get_engine(), datetime.fromisoformat(start), datetime.fromisoformat(end))


def retrain(job_id: int) -> dict | None:
    """Train a new model version from reviewers' decisions (and the labelled files in the job's params)."""
    from worker.learning_jobs import run_retrain  # noqa: PLC0415

    return _summary(run_retrain(get_engine(), job_id))


def rescore(job_id: int) -> dict | None:
    """Rescore every stored post with the active model version and rebuild the clusters."""
    from worker.learning_jobs import run_rescore  # noqa: PLC0415

    return _summary(run_rescore(get_engine(), job_id))


def _summary(job: dict | None) -> dict | None:
    """What a task returns (JSON): the job's id, status and message; the row holds the rest."""
    return None if job is None else {"job": job["id"], "status": job["status"], "message": job["message"]}


JOBS = {
    "ingest_slice": ingest_slice,
    "poll_feed": poll_feed,
    "score_run": score_run,
    "recluster_window": recluster_window,
    "retrain": retrain,
    "rescore": rescore,
}
