"""Enqueue a task by name: to Celery when SMEARWATCH_BROKER_URL is set, else run it in-process right away.

Both paths call the same plain functions (worker/jobs.py), so the embedded default and a deployment with
Redis and N workers behave alike; only where and when the function runs differs.
"""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from smearwatch.settings import get_settings

log = logging.getLogger(__name__)


_FORCE_IN_PROCESS: ContextVar[bool] = ContextVar("smearwatch_in_process", default=False)


def broker_enabled() -> bool:
    return bool(get_settings().broker_url) and not _FORCE_IN_PROCESS.get()


@contextmanager
def in_process() -> Iterator[None]:
    """Run every task enqueued inside the block here and now, even when a broker is configured (the demo)."""
    token = _FORCE_IN_PROCESS.set(True)
    try:
        yield
    finally:
        _FORCE_IN_PROCESS.reset(token)


def enqueue(name: str, *args) -> None:
    """Run task `name` (e.g. "poll_feed") with JSON-serialisable ids as arguments."""
    enqueue_many(name, [args])


def enqueue_many(name: str, arg_lists: Iterable[tuple]) -> int:
    from worker import jobs  # noqa: PLC0415

    arg_lists = list(arg_lists)
    if not broker_enabled():
        for args in arg_lists:
            jobs.JOBS[name](*args)
        return len(arg_lists)
    from worker.celery_app import app  # noqa: PLC0415

    with app.producer_or_acquire() as producer:
        for args in arg_lists:
            app.send_task(f"smearwatch.{name}", args=list(args), producer=producer)
    return len(arg_lists)
