"""Thin Celery tasks: each takes ids and calls its job (worker/jobs.py). Nothing else lives here.

Transient failures (database restarting or unreachable, deadlock, broker hiccup) are retried with exponential
backoff; the jobs are idempotent, so a retry or a second delivery changes nothing that is already stored.
"""

import logging

import psycopg
import redis.exceptions
import sqlalchemy.exc
from celery.exceptions import MaxRetriesExceededError, SoftTimeLimitExceeded
from kombu.exceptions import OperationalError as BrokerError

from worker import jobs
from worker.celery_app import app

log = logging.getLogger(__name__)

TRANSIENT = (
    sqlalchemy.exc.OperationalError,  # connection refused/lost, server shutting down, deadlock, database locked
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DisconnectionError,
    sqlalchemy.exc.TimeoutError,  # pool exhausted
    psycopg.OperationalError,
    BrokerError,
    redis.exceptions.ConnectionError,
    ConnectionError,
)
RETRY = {"autoretry_for": TRANSIENT, "retry_backoff": 1, "retry_backoff_max": 30, "retry_jitter": True,
         "max_retries": 30}


@app.task(name="smearwatch.ingest_slice", bind=True, **RETRY)
def ingest_slice(self, slice_id: int) -> dict:
    try:
        return jobs.ingest_slice(slice_id)
    except SoftTimeLimitExceeded:
        _give_up(slice_id, f"slice took longer than the task time limit ({self.soft_time_limit or '?'} s)")
        raise
    except MaxRetriesExceededError as error:
        _give_up(slice_id, f"gave up after {self.max_retries} retries: {error}")
        raise


def _give_up(slice_id: int, reason: str) -> None:
    from smearwatch.db import get_engine  # noqa: PLC0415
    from worker.slices import fail_slice  # noqa: PLC0415

    result = fail_slice(get_engine(), slice_id, reason)
    if result.run_finished:
        jobs.after_run(result.run)


@app.task(name="smearwatch.poll_feed", **RETRY)
def poll_feed(feed_id: int) -> dict:
    return jobs.poll_feed(feed_id)


@app.task(name="smearwatch.score_run", **RETRY)
def score_run(run_id: int) -> dict:
    return jobs.score_run(run_id)


@app.task(name="smearwatch.recluster_window", **RETRY)
def recluster_window(start: str, end: str) -> dict:
    return jobs.recluster_window(start, end)


# Retraining and rescoring record their own failures on their Job row (no automatic retry: a failed job is
# visible in the UI and started again by an admin).
@app.task(name="smearwatch.retrain")
def retrain(job_id: int) -> dict | None:
    return jobs.retrain(job_id)


@app.task(name="smearwatch.rescore")
def rescore(job_id: int) -> dict | None:
    return jobs.rescore(job_id)
