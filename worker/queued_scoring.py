"""The parallel parts of a streamed run on Celery workers (`smearwatch score --queue`), which may run on several
machines that share the run's work folder: its time partitions, and the NER of its flagged clusters' texts.

Client (`CeleryWorkers`, a worker.stream_scoring.Workers): writes what the tasks read into the work folder
(worker/partition_files.py: job.json beside the sorted posts; ner-KKKKK.json: a piece of texts), checks that some
worker consumes QUEUE, sends one task per piece (the message: paths, a piece's number and bounds, and a reply key;
never post text) and reads each result file as its worker reports it done on a Redis list. Worker
(`score_queued_partition`, `tag_queued_texts`, the tasks' bodies): does exactly what `--jobs` does with the piece,
writes its result file, then reports.

Nothing is lost when a worker dies: tasks are acknowledged late, so an unfinished piece is delivered again; a piece
done twice rewrites the same files, and the client takes each piece once.
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

from classifiers.entities import NerSpan, ner_spans
from smearwatch.settings import get_settings
from worker import service
from worker.partition_files import (
    PartitionFileError,
    read_job,
    read_partition,
    write_bytes,
    write_job,
    write_partition,
)
from worker.stream_scoring import Partition, PartitionJob, ner_pieces, score_partition

log = logging.getLogger(__name__)

QUEUE = "ingest"                 # worker/celery_app.py routes both tasks there (bulk work)
REPLY_TTL = 7 * 24 * 3600        # a reply list nobody reads any more (client gone) expires
CHECK_WORKERS_EVERY = 30.0       # seconds without a report before the client asks whether any worker is left
WAIT_FOR_WORKERS = 15.0          # seconds a client waits for a first worker to answer (one may be starting)


class QueueError(RuntimeError):
    """Queued scoring that cannot go on (no worker, a piece failed on a worker): one line."""


class CeleryWorkers:
    """The Celery workers of SMEARWATCH_BROKER_URL, as a streamed run's Workers."""

    def __init__(self, *, poll: float = 1.0):
        self.poll = poll
        self.broker = get_settings().broker_url
        if not self.broker:
            raise QueueError("SMEARWATCH_BROKER_URL is not set: --queue needs a broker and workers")
        self._check_workers(WAIT_FOR_WORKERS)  # before the dump is read: that can take minutes

    def partitions(self, job: PartitionJob, on_done: Callable[[Partition], None]) -> list[Partition]:
        manifest = str(write_job(job))
        out: list[Partition] = []

        def collect(k: int) -> None:
            out.append(read_partition(job.work, k))
            on_done(out[-1])

        self._run("score_partition", [(manifest, k, lo, hi) for k, (lo, hi) in enumerate(job.bounds)], collect)
        return out

    def ner(self, texts: list[str], work: Path, on_texts: Callable[[int], None]) -> list[list[NerSpan]]:
        pieces = ner_pieces(texts)
        paths = []
        for k, piece in enumerate(pieces):
            paths.append(work / f"ner-{k:05d}.json")
            write_bytes(paths[-1], orjson.dumps(piece))
        self._run("tag_texts", [(str(path), k) for k, path in enumerate(paths)], lambda k: on_texts(len(pieces[k])))
        spans = []
        for path in paths:
            spans += [[NerSpan(*span) for span in text] for text in orjson.loads(_spans_path(path).read_bytes())]
        return spans

    def _check_workers(self, wait: float) -> None:
        if not _workers(wait):
            raise QueueError(f"no Celery worker consumes the {QUEUE!r} queue on {self.broker} (start some with "
                             f"`smearwatch worker`)")

    def _run(self, task: str, arg_lists: list[tuple], on_piece: Callable[[int], None]) -> None:
        """Send one task per argument list (a reply key added) and call on_piece(k) once per piece k, as its
        worker reports it done; the first failure stops the run with its one line."""
        reply = f"smearwatch:score-pieces:{uuid.uuid4().hex}"
        connection = redis.Redis.from_url(self.broker)
        log.info("queued scoring: %d %s tasks", len(arg_lists), task)
        task_ids = service.enqueue(task, [(*args, reply) for args in arg_lists])
        pending = set(range(len(arg_lists)))
        try:
            last_report = time.monotonic()
            while pending:
                item = connection.blpop([reply], timeout=self.poll)
                if item is None:
                    if time.monotonic() - last_report > CHECK_WORKERS_EVERY:
                        if not _workers():
                            raise QueueError(f"no Celery worker consumes the {QUEUE!r} queue any more; "
                                             f"{len(pending)} of {len(arg_lists)} {task} tasks left")
                        last_report = time.monotonic()
                    continue
                last_report = time.monotonic()
                report = orjson.loads(item[1])
                k = report["k"]
                if report.get("error"):
                    raise QueueError(f"{task} {k} failed on {report.get('worker')}: {report['error']}")
                if k in pending:  # a task delivered twice reports twice
                    pending.discard(k)
                    on_piece(k)
        except BaseException:
            service.revoke(task_ids)  # nobody collects the rest
            raise
        finally:
            connection.delete(reply)


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


def _spans_path(texts_path: Path) -> Path:
    return texts_path.with_suffix(".spans.json")


# ---- worker side ------------------------------------------------------------------------------------------

_LOADED: dict[str, PartitionJob] = {}  # per worker process: the last job read (its model loaded once)


def score_queued_partition(manifest: str, k: int, lo: int, hi: int, reply: str) -> dict:
    """Score partition k of the job in `manifest`, write its result beside it and report on `reply`."""
    def work() -> None:
        job = _job(manifest)
        if k >= len(job.bounds) or tuple(job.bounds[k]) != (lo, hi):
            raise PartitionFileError(f"{manifest}: partition {k} is not [{lo}, {hi}) in this job")
        write_partition(job.work, k, score_partition(job, k))

    return _reported(work, k, reply) | {"posts": hi - lo}


def tag_queued_texts(path: str, k: int, reply: str) -> dict:
    """NER spans of the texts in `path` (a JSON list), written beside it as [[start, stop, type], ...] per text."""
    def work() -> None:
        texts_path = Path(path)
        if not texts_path.is_file():
            raise PartitionFileError(f"{texts_path}: no such file (is the work folder shared with this machine?)")
        spans = ner_spans(orjson.loads(texts_path.read_bytes()))
        write_bytes(_spans_path(texts_path), orjson.dumps([[list(s) for s in text] for text in spans]))

    return _reported(work, k, reply)


def _reported(work: Callable[[], None], k: int, reply: str) -> dict:
    """Run `work` and report piece k done, or failed with its one line (then raise: the task fails)."""
    started = time.perf_counter()
    try:
        work()
    except Exception as error:
        _report(reply, {"k": k, "error": " ".join(str(error).split()) or type(error).__name__,
                        "worker": socket.gethostname()})
        raise
    seconds = round(time.perf_counter() - started, 3)
    _report(reply, {"k": k, "worker": socket.gethostname(), "seconds": seconds})
    return {"piece": k, "seconds": seconds}


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
