"""Thin Celery tasks: each takes ids and calls its use-case function with this process's engine. Nothing else.

The same functions run in-process when no broker is set (worker/service.py, table TASKS). Transient failures
(database restarting or unreachable, deadlock, broker hiccup) are retried with exponential backoff; the use
cases are idempotent, so a retry or a second delivery changes nothing that is already stored.
"""

import logging

import psycopg
import redis.exceptions
import sqlalchemy.exc
from celery.exceptions import MaxRetriesExceededError, SoftTimeLimitExceeded
from kombu.exceptions import OperationalError as BrokerError

from smearwatch.db import get_engine
from worker import feeds, queued_scoring, retraining, scoring, slices
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
        return slices.ingest_slice(get_engine(), slice_id, retried=True)
    except SoftTimeLimitExceeded:
        slices.give_up_slice(get_engine(), slice_id,
                             f"slice took longer than the task time limit ({self.soft_time_limit or '?'} s)")
        raise
    except MaxRetriesExceededError as error:
        slices.give_up_slice(get_engine(), slice_id, f"gave up after {self.max_retries} retries: {error}")
        raise
    except TRANSIENT:
        raise  # retried with backoff
    except Exception as error:  # retrying will not help: fail the slice now, not after hours of redeliveries
        slices.give_up_slice(get_engine(), slice_id, error)
        raise


@app.task(name="smearwatch.poll_feed", **RETRY)
def poll_feed(feed_id: int) -> dict:
    return feeds.poll_feed(get_engine(), feed_id)


@app.task(name="smearwatch.score_run", **RETRY)
def score_run(run_id: int) -> dict:
    return scoring.score_run(get_engine(), run_id)


@app.task(name="smearwatch.recluster_window", **RETRY)
def recluster_window(start: str, end: str) -> dict:
    return scoring.recluster_window(get_engine(), start, end)


# The pieces of `smearwatch score --queue`: paths (and bounds) in, a result file out; a failure is reported to the
# waiting client (no retry: a piece that fails here fails the same way again).
@app.task(name="smearwatch.score_partition")
def score_partition(manifest: str, k: int, lo: int, hi: int, reply: str) -> dict:
    return queued_scoring.score_queued_partition(manifest, k, lo, hi, reply)


@app.task(name="smearwatch.tag_texts")
def tag_texts(path: str, k: int, reply: str) -> dict:
    return queued_scoring.tag_queued_texts(path, k, reply)


# Retraining and rescoring record their own failures on their Job row (no automatic retry: a failed job is
# visible in the UI and started again by an admin).
@app.task(name="smearwatch.retrain")
def retrain(job_id: int) -> dict | None:
    return _summary(retraining.run_retrain(get_engine(), job_id))


@app.task(name="smearwatch.judge")
def judge(job_id: int) -> dict | None:
    return _summary(retraining.run_judge(get_engine(), job_id))


@app.task(name="smearwatch.rescore")
def rescore(job_id: int) -> dict | None:
    return _summary(retraining.run_rescore(get_engine(), job_id))


def _summary(job: dict | None) -> dict | None:
    """What a task returns (JSON): the job's id, status and message; the row holds the rest."""
    return None if job is None else {"job": job["id"], "status": job["status"], "message": job["message"]}
