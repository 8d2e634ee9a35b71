"""The Celery application: Redis broker, JSON only, late acknowledgement, no result backend.

Job status lives in our own tables (IngestRun, IngestSlice, Feed, Job), never in Celery results. Every task is
idempotent, because with late acknowledgement a task whose worker died is delivered again.
"""

from celery import Celery
from celery.signals import worker_process_init
from kombu import Queue

from smearwatch.db import get_engine
from smearwatch.settings import get_settings

QUEUES = ("ingest", "score")
# Bulk work (ingest slices, the time partitions of `smearwatch score --queue`) goes to `ingest`; everything
# latency-sensitive (feed polls, scoring, re-clustering) to `score`, so a feed entry is not stuck behind a
# million-post dump.
ROUTES = {
    "smearwatch.ingest_slice": {"queue": "ingest"},
    "smearwatch.score_partition": {"queue": "ingest"},  # the pieces of `score --queue`: bulk work too
    "smearwatch.tag_texts": {"queue": "ingest"},
    "smearwatch.poll_feed": {"queue": "score"},
    "smearwatch.score_run": {"queue": "score"},
    "smearwatch.recluster_window": {"queue": "score"},
    "smearwatch.retrain": {"queue": "score"},
    "smearwatch.judge": {"queue": "score"},
    "smearwatch.rescore": {"queue": "score"},
}


def make_app(broker_url: str | None = None) -> Celery:
    settings = get_settings()
    app = Celery("smearwatch", broker=broker_url or settings.broker_url or "redis://127.0.0.1:6379/0",
                 include=["worker.tasks"])
    hard = settings.task_time_limit
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        result_backend=None,
        task_ignore_result=True,
        task_store_errors_even_if_ignored=False,
        # At-least-once delivery: acknowledge after the task ran; a task whose worker process died is re-queued
        # (IngestSlice.attempts stops a task that kills its worker every time from looping forever).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        task_time_limit=hard,
        task_soft_time_limit=max(1, int(hard * 0.9)),
        broker_transport_options={
            # Above the hard time limit (checked by Settings), so a running task is never handed out twice.
            "visibility_timeout": settings.broker_visibility_timeout,
            "unacked_restore_interval": max(1, min(10, settings.broker_visibility_timeout // 10)),
            "unacked_restore_throttle": 1,
        },
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        task_queues=[Queue(name) for name in QUEUES],
        task_default_queue="score",
        task_routes=ROUTES,
        task_default_delivery_mode="persistent",
        worker_hijack_root_logger=True,
        worker_send_task_events=False,
        enable_utc=True,
    )
    return app


app = make_app()


@worker_process_init.connect
def _fresh_engine_per_process(**_kwargs) -> None:
    """A forked pool process must not share the parent's database connections."""
    get_engine.cache_clear()
