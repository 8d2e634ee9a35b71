"""The time partitions of a streamed run scored by Celery workers (`smearwatch score --queue`), which may run on
several machines that share the run's work folder.

Client (`queued_partitions()`, a worker.stream_scoring.PartitionRunner): writes job.json beside the sorted posts
(worker/partition_files.py), checks that some worker consumes QUEUE, sends one task per partition (the message:
the job file's path, the partition's number and bounds, and a reply key; never post text) and reads each result
file as its worker reports it done on a Redis list. Worker (`score_queued_partition`, the task's body): scores the
partition exactly as `--jobs` does, writes its result file, then reports.

Nothing is lost when a worker dies: tasks are acknowledged late, so an unfinished partition is delivered again; a
partition scored twice rewrites the same files, and the client takes each partition once.
"""

from __future__ import annotations

import logging
import socket
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import orjson
import redis

from smearwatch.settings import get_settings
from worker import service
from worker.partition_files import PartitionFileError, read_job, read_partition, write_job, write_partition
from worker.stream_scoring import Partition, PartitionJob, PartitionRunner, score_partition

log = logging.getLogger(__name__)

QUEUE = "ingest"                 # worker/celery_app.py routes smearwatch.score_partition there
REPLY_TTL = 7 * 24 * 3600        # a reply list nobody reads any more (client gone) expires
CHECK_WORKERS_EVERY = 30.0       # seconds without a report before the client asks whether any worker is left
WAIT_FOR_WORKERS = 15.0          # seconds a client waits for a first worker to answer (one may be starting)


class QueueError(RuntimeError):
    """Queued scoring that cannot go on (no worker, a partition failed on a worker): one line."""


def queued_partitions(*, poll: float = 1.0) -> PartitionRunner:
    """A PartitionRunner that sends the partitions to the Celery workers of SMEARWATCH_BROKER_URL."""
    def run(job: PartitionJob, on_done: Callable[[Partition], None]) -> list[Partition]:
        broker = get_settings().broker_url
        if not broker:
            raise QueueError("SMEARWATCH_BROKER_URL is not set: --queue needs a broker and workers")
        workers = _workers(wait=WAIT_FOR_WORKERS)
        if not workers:
            raise QueueError(f"no Celery worker consumes the {QUEUE!r} queue on {broker} (start some with "
                             f"`smearwatch worker`)")
        manifest = write_job(job)
        reply = f"smearwatch:score-partitions:{uuid.uuid4().hex}"
        connection = redis.Redis.from_url(broker)
        log.info("queued scoring: %d partitions of %s for %d workers", len(job.bounds), manifest, len(workers))
        task_ids = service.enqueue("score_partition", [(str(manifest), k, lo, hi, reply)
                                                       for k, (lo, hi) in enumerate(job.bounds)])
        pending, out = set(range(len(job.bounds))), []
        try:
            last_report = time.monotonic()
            while pending:
                item = connection.blpop([reply], timeout=poll)
                if item is None:
                    if time.monotonic() - last_report > CHECK_WORKERS_EVERY:
                        if not _workers():
                            raise QueueError(f"no Celery worker consumes the {QUEUE!r} queue any more; "
                                             f"{len(pending)} partitions left")
                        last_report = time.monotonic()
                    continue
                last_report = time.monotonic()
                report = orjson.loads(item[1])
                k = report["k"]
                if report.get("error"):
                    raise QueueError(f"partition {k} failed on {report.get('worker')}: {report['error']}")
                if k in pending:  # a partition delivered twice reports twice
                    pending.discard(k)
                    part = read_partition(job.work, k)
                    out.append(part)
                    on_done(part)
        except BaseException:
            service.revoke(task_ids)  # nobody collects the rest
            raise
        finally:
            connection.delete(reply)
        return out
    return run


def _workers(wait: float = 0.0) -> list[str]:
    """The workers consuming QUEUE, asked again for up to `wait` seconds while none answers."""
    deadline = time.monotonic() + wait
    while True:
        try:
            workers = service.workers_on(QUEUE)
        except service.ServiceError as error:
            raise QueueError(str(error)) from None
        if workers or time.monotonic() >= deadline:
            return workers


# ---- worker side ------------------------------------------------------------------------------------------

_LOADED: dict[str, PartitionJob] = {}  # per worker process: the last job read (its model loaded once)


def score_queued_partition(manifest: str, k: int, lo: int, hi: int, reply: str) -> dict:
    """Score partition k of the job in `manifest`, write its result beside it and report on `reply`."""
    try:
        job = _job(manifest)
        if k >= len(job.bounds) or tuple(job.bounds[k]) != (lo, hi):
            raise PartitionFileError(f"{manifest}: partition {k} is not [{lo}, {hi}) in this job")
        started = time.perf_counter()
        write_partition(job.work, k, score_partition(job, k))
        seconds = round(time.perf_counter() - started, 3)
    except Exception as error:
        _report(reply, {"k": k, "error": " ".join(str(error).split()) or type(error).__name__,
                        "worker": socket.gethostname()})
        raise
    _report(reply, {"k": k, "worker": socket.gethostname(), "seconds": seconds})
    return {"partition": k, "posts": hi - lo, "seconds": seconds}


def _job(manifest: str) -> PartitionJob:
    job = _LOADED.get(manifest)
    if job is None:
        _LOADED.clear()
        job = _LOADED[manifest] = read_job(Path(manifest))
    return job


def _report(reply: str, message: dict) -> None:
    connection = redis.Redis.from_url(get_settings().broker_url)
    with connection.pipeline() as pipe:
        pipe.rpush(reply, orjson.dumps(message))
        pipe.expire(reply, REPLY_TTL)
        pipe.execute()
