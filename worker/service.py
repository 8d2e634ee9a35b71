"""The one place that starts work: an ingest, a retrain, an activation, a rescore, a feed poll.

Where the work runs is decided here and nowhere else:
- with SMEARWATCH_BROKER_URL set, a task message goes to the Celery workers (worker/tasks.py);
- without a broker (the embedded default), the task runs in this process: now, or in a daemon thread when the
  caller must answer at once (`background=True`, what the review app asks for);
- inside `in_process()`, it runs here and now whatever the broker setting (the demo, `feeds poll`).
Both paths call the same use-case function with the same ids, so a laptop and a deployment behave alike.

The task table names the use-case functions instead of importing them: the use cases that start follow-up work
(a stored slice submits its run's scoring, a folder feed starts ingests) import this module, and the API can
import it without loading scikit-learn.
"""

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import import_module
from pathlib import Path

from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy.engine import Engine

from smearwatch.jobs import Progress, create_job, wait_for_job
from smearwatch.registry import activate_version, get_version, previous_version, refusal_of
from smearwatch.settings import get_settings
from worker.celery_app import app as celery_app
from worker.ingest_runs import create_queued_run
from worker.sources import FORMATS as SOURCE_FORMATS
from worker.sources import ReadOptions, SourceError, detect_format
from worker.sources import UnknownFormat as UnknownFormat_
from worker.sources.base import CONTRACT_FIELDS
from worker.sources.csvrows import header_of
from worker.sources.files import read_head

log = logging.getLogger(__name__)

# task name -> "module:function"; each function takes (engine, *ids) and returns a JSON-able summary.
TASKS = {
    "ingest_slice": "worker.slices:ingest_slice",
    "score_run": "worker.scoring:score_run",
    "recluster_window": "worker.scoring:recluster_window",
    "poll_feed": "worker.feeds:poll_feed",
    "retrain": "worker.retraining:run_retrain",
    "judge": "worker.retraining:run_judge",
    "rescore": "worker.retraining:run_rescore",
}

_FORCE_IN_PROCESS: ContextVar[bool] = ContextVar("smearwatch_in_process", default=False)


class ServiceError(ValueError):
    """Work that cannot be started (an unreadable dump, no such version, nothing to roll back to): one line."""


class UnknownFormat(ServiceError):
    """No format recognises the dump: the caller names one, or maps the columns of a CSV (file_columns)."""


# What the upload page offers: each source format, and the normalized fields a CSV's columns map to.
FORMATS = SOURCE_FORMATS
FIELDS = CONTRACT_FIELDS


def probe_file(path: str | Path) -> dict:
    """What the upload page needs before sending a whole file: its detected format (None if no format knows it)
    and its CSV columns."""
    try:
        fmt = detect_format(path)
    except UnknownFormat_:
        fmt = None
    except SourceError as error:
        raise ServiceError(str(error)) from None
    return {"format": fmt, "columns": file_columns(path)}


def file_columns(path: str | Path) -> list[str]:
    """The columns of a CSV dump from its header line ([] if it does not look like CSV)."""
    try:
        return header_of(read_head(path)) or []
    except SourceError:
        return []


def broker_enabled() -> bool:
    return bool(get_settings().broker_url) and not _FORCE_IN_PROCESS.get()


@contextmanager
def in_process() -> Iterator[None]:
    """Run every task submitted inside the block here and now, even when a broker is configured (the demo)."""
    token = _FORCE_IN_PROCESS.set(True)
    try:
        yield
    finally:
        _FORCE_IN_PROCESS.reset(token)


def task_function(name: str) -> Callable:
    """The use-case function behind a task name (looked up on each call: cheap, and tests may replace it)."""
    module, _, function = TASKS[name].partition(":")
    return getattr(import_module(module), function)


def submit(engine: Engine, name: str, *args, background: bool = False) -> None:
    """Run task `name` (e.g. "poll_feed") with JSON-serialisable ids as arguments, where it belongs."""
    submit_many(engine, name, [args], background=background)


def submit_many(engine: Engine, name: str, arg_lists: Iterable[tuple], *, background: bool = False) -> int:
    arg_lists = list(arg_lists)
    if broker_enabled():
        with celery_app.producer_or_acquire() as producer:
            for args in arg_lists:
                celery_app.send_task(f"smearwatch.{name}", args=list(args), producer=producer)
        return len(arg_lists)
    function = task_function(name)

    def run_all() -> None:
        for args in arg_lists:
            function(engine, *args)

    if background:
        threading.Thread(target=_logged(run_all, name), name=f"smearwatch-{name}", daemon=True).start()
    else:
        run_all()
    return len(arg_lists)


def enqueue(name: str, arg_lists: Iterable[tuple]) -> list[str]:
    """Send task `name` once per argument list to the Celery workers (never in-process: the caller asked for the
    workers); returns the task ids. Needs SMEARWATCH_BROKER_URL."""
    if not get_settings().broker_url:
        raise ServiceError("SMEARWATCH_BROKER_URL is not set: queued work needs a broker and workers")
    with celery_app.producer_or_acquire() as producer:
        return [celery_app.send_task(f"smearwatch.{name}", args=list(args), producer=producer).id
                for args in arg_lists]


def revoke(task_ids: Sequence[str]) -> None:
    """Tell the workers to drop these queued tasks (work nobody will collect)."""
    if task_ids:
        celery_app.control.revoke(list(task_ids))


def workers_on(queue: str, timeout: float = 3.0) -> list[str]:
    """Names of the Celery workers that answer within `timeout` seconds and consume `queue`."""
    try:
        answers = celery_app.control.inspect(timeout=timeout).active_queues() or {}
    except (OSError, BrokerError) as error:  # the broker itself does not answer
        raise ServiceError(f"broker {get_settings().broker_url} does not answer: {error}") from None
    return sorted(name for name, queues in answers.items() if any(q.get("name") == queue for q in queues or ()))


def run_here(engine: Engine, name: str, *args):
    """Run task `name` in this process now, whatever the broker, and return its summary (a plain ingest scores
    its own run). Its module, and scikit-learn with it, loads only now."""
    return task_function(name)(engine, *args)


def _logged(function: Callable[[], None], name: str) -> Callable[[], None]:
    def run() -> None:
        try:
            function()
        except Exception:  # a background thread has no caller to tell: the log and the rows say what happened
            log.exception("background task %s failed", name)
    return run


# --- ingestion ---------------------------------------------------------------------------------------------


def start_ingest(engine: Engine, paths: Sequence[str | Path], *, fmt: str | None = None,
                 options: ReadOptions | None = None, slice_bytes: int | None = None, feed_id: int | None = None,
                 background: bool = False, on_slice: Callable[[int], None] | None = None) -> dict:
    """Record an ingest run of `paths` cut into slices, and store them (then score the run) where they belong.

    Returns {"run", "slices", "queued"}. In this process without `background`, returns when the run is stored
    and scored, calling `on_slice(run_id)` after each slice (a progress bar).
    """
    paths = [str(Path(p).resolve()) for p in paths]
    try:
        run_id, slice_ids = create_queued_run(engine, paths, fmt=fmt, options=options, slice_bytes=slice_bytes,
                                              feed_id=feed_id)
    except UnknownFormat_ as error:
        raise UnknownFormat(str(error)) from None
    except SourceError as error:
        raise ServiceError(str(error)) from None
    queued = broker_enabled()
    if queued or background:
        submit_many(engine, "ingest_slice", [(slice_id,) for slice_id in slice_ids], background=background)
    else:
        ingest = task_function("ingest_slice")
        for slice_id in slice_ids:
            ingest(engine, slice_id)
            if on_slice:
                on_slice(run_id)
    return {"run": run_id, "slices": len(slice_ids), "queued": queued}


# --- feeds -------------------------------------------------------------------------------------------------


def start_feed_poll(engine: Engine, feed_id: int, *, here: bool = False) -> dict | None:
    """Poll a feed: on the workers (returns None), or with `here` in this process with every step (its result)."""
    if not here:
        submit(engine, "poll_feed", feed_id)
        return None
    with in_process():
        return task_function("poll_feed")(engine, feed_id)


# --- the learning loop -------------------------------------------------------------------------------------


def start_retrain(engine: Engine, *, plus_paths: Sequence[str | Path] = (), created_by: str = "cli",
                  wait: bool = False, auto_activate: bool = True, on_progress: Progress | None = None,
                  timeout: float | None = None) -> int:
    """Retrain from the reviewers' decisions (plus labelled files) as a job; returns its id.

    With `wait`, returns when the job finished (done or failed: read it with `smearwatch.jobs.get_job`);
    `on_progress(p, message)` is called as it advances. A new version is activated only if it is not worse than
    the active one and `auto_activate` is on; an activation rescores the stored posts in the same job.
    """
    paths = [str(Path(p).resolve()) for p in plus_paths]
    for path in paths:
        if not Path(path).is_file():
            raise ServiceError(f"{path}: cannot open labelled file")
    job_id = create_job(engine, kind="retrain", created_by=created_by,
                        params={"plus_paths": paths, "auto_activate": bool(auto_activate)})
    _run_job(engine, "retrain", job_id, wait=wait, on_progress=on_progress, timeout=timeout)
    return job_id


def start_judge(engine: Engine, version_id: int, *, created_by: str, auto_activate: bool = True, wait: bool = False,
                on_progress: Progress | None = None, timeout: float | None = None) -> int:
    """Judge a kept version again with the decisions as they are now, as a job; returns its id. It is activated
    (and the store rescored) when it passes the gate and is not worse, as after retraining."""
    version = get_version(engine, version_id)
    if version is None:
        raise ServiceError(f"no model version {version_id}")
    if version["active"]:
        raise ServiceError(f"version {version['name']} is the active version: nothing to judge")
    if not (version.get("metrics") or {}).get("gate"):
        raise ServiceError(f"version {version['name']} was not trained by retraining: the gate has nothing to "
                           f"compare it with (activate it by hand)")
    job_id = create_job(engine, kind="judge", created_by=created_by,
                        params={"version_id": version["id"], "version": version["name"],
                                "auto_activate": bool(auto_activate)})
    _run_job(engine, "judge", job_id, wait=wait, on_progress=on_progress, timeout=timeout)
    return job_id


def start_rescore(engine: Engine, *, created_by: str, params: dict | None = None, wait: bool = False,
                  on_progress: Progress | None = None, timeout: float | None = None) -> int:
    """Rescore every stored post with the active version and rebuild the clusters, as a job; returns its id."""
    job_id = create_job(engine, kind="rescore", created_by=created_by, params=params or {})
    _run_job(engine, "rescore", job_id, wait=wait, on_progress=on_progress, timeout=timeout)
    return job_id


class RefusedVersion(ServiceError):
    """A version the activation gate refused; activating it needs `force`."""


def start_activation(engine: Engine, version_id: int, *, created_by: str, reason: str, wait: bool = False,
                     on_progress: Progress | None = None, timeout: float | None = None, force: bool = False) -> int:
    """Make a version active now (recorded with who and why) and rescore the stored posts with it as a job.
    A version the gate refused is activated only with `force` (the reason is recorded as forced)."""
    version = get_version(engine, version_id)
    if version is None:
        raise ServiceError(f"no model version {version_id}")
    refused = refusal_of(version)
    if refused and not force:
        raise RefusedVersion(f"version {version['name']} {refused} (activate with force to override)")
    if refused:
        reason = f"forced past the gate: {reason or 'chosen by an admin'}"
    activate_version(engine, version["id"], actor=created_by, reason=reason or "chosen by an admin")
    return start_rescore(engine, created_by=created_by, wait=wait, on_progress=on_progress, timeout=timeout,
                         params={"version_id": version["id"], "version": version["name"], "reason": reason})


def start_rollback(engine: Engine, *, created_by: str, reason: str = "rollback", wait: bool = False,
                   on_progress: Progress | None = None) -> tuple[int, int]:
    """Activate the version that was active before the current one; returns (version id, job id)."""
    previous = previous_version(engine)
    if previous is None:
        raise ServiceError("nothing to roll back to: no earlier active version")
    # rolling back to a version that was active before is always allowed
    return previous, start_activation(engine, previous, created_by=created_by, reason=reason, wait=wait,
                                      on_progress=on_progress, force=True)


def _run_job(engine: Engine, name: str, job_id: int, *, wait: bool, on_progress: Progress | None,
             timeout: float | None) -> None:
    if broker_enabled():
        submit(engine, name, job_id)
        if wait:
            wait_for_job(engine, job_id, on_progress=on_progress, timeout=timeout)
    elif wait:
        task_function(name)(engine, job_id, on_progress=on_progress)
    else:
        submit(engine, name, job_id, background=True)


__all__ = ["RefusedVersion", "ServiceError", "TASKS", "broker_enabled", "enqueue", "in_process", "revoke", "run_here",
           "start_activation", "start_feed_poll", "start_ingest", "start_judge", "start_rescore", "start_retrain",
           "start_rollback",
           "submit", "submit_many", "workers_on"]
