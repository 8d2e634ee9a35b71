"""After ingestion: score a run's new posts, re-cluster their time window, and raise alerts.

`score_run` and `recluster_window` are tasks (worker/service.py starts them, worker/tasks.py wraps them for
Celery). Scoring the stored posts itself is worker/score_store.py; alerts are worker/alerts.py.
"""

import hashlib
import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine

from smearwatch.models import IngestRun, Post, utcnow
from worker.alerts import raise_alerts
from worker.score_store import score_and_cluster, shift_time

log = logging.getLogger(__name__)
RUNS, POSTS = IngestRun.__table__, Post.__table__
# Re-clustering of overlapping windows is serialized per day bucket (PostgreSQL advisory locks). A window of
# more days than MAX_LOCK_BUCKETS takes the store-wide lock instead: a run with one post in 2020 and one in 2200
# must not take one lock per day (PostgreSQL's lock table would run out of shared memory).
LOCK_BUCKET = timedelta(days=1)
MAX_LOCK_BUCKETS = 62


def run_detection(engine: Engine, start: datetime | None, end: datetime | None, model=None) -> dict:
    """The one call into detection: score the posts of [start, end) (everything when both are None) and
    re-cluster it, under the locks that keep overlapping re-clusterings apart."""
    with _window_locks(engine, start, end):
        return score_and_cluster(engine, start=start, end=end, model=model)


class _window_locks:
    """PostgreSQL advisory locks that keep two re-clusterings of overlapping time from interleaving.

    A window run holds the store-wide lock shared and every day bucket it may touch exclusively (one day of
    margin each side: detection widens a window to take in whole clusters); a whole-store run holds the
    store-wide lock exclusively. Everyone takes the store-wide lock first, then buckets in order: no deadlock.
    """

    def __init__(self, engine: Engine, start: datetime | None, end: datetime | None):
        self.engine, self.connection = engine, None
        self.locks: list[tuple[str, int]] = []
        if engine.dialect.name != "postgresql":
            return
        first, last = (None, None) if start is None or end is None else (
            shift_time(start, -LOCK_BUCKET), shift_time(end, LOCK_BUCKET))
        if first is None or (last - first) / LOCK_BUCKET > MAX_LOCK_BUCKETS:
            self.locks = [("pg_advisory_lock", _lock_key("all"))]
            return
        day = datetime(first.year, first.month, first.day, tzinfo=first.tzinfo)
        buckets = set()
        while day < last:
            buckets.add(_lock_key(day.date().isoformat()))
            day, previous = shift_time(day, LOCK_BUCKET), day
            if day == previous:  # the end of the calendar
                break
        self.locks = [("pg_advisory_lock_shared", _lock_key("all"))]
        self.locks += [("pg_advisory_lock", key) for key in sorted(buckets)]

    def __enter__(self):
        if self.locks:
            self.connection = self.engine.connect()
            for function, key in self.locks:
                self.connection.execute(text(f"SELECT {function}(:k)"), {"k": key})
            self.connection.commit()
        return self

    def __exit__(self, *exc):
        if self.connection is not None:
            try:
                for function, key in reversed(self.locks):
                    unlock = function.replace("_lock", "_unlock")
                    self.connection.execute(text(f"SELECT {unlock}(:k)"), {"k": key})
                self.connection.commit()
            finally:
                self.connection.close()  # a lost connection releases its locks anyway
        return False


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"smearwatch-score:{name}".encode()).digest()[:8], "big", signed=True)


def run_window(engine: Engine, run_id: int) -> tuple[datetime, datetime] | None:
    with engine.connect() as connection:
        first, last = connection.execute(
            select(func.min(POSTS.c.created_at), func.max(POSTS.c.created_at)).where(POSTS.c.run_id == run_id)
        ).one()
    if first is None:
        return None
    return first, shift_time(last, timedelta(microseconds=1))


def score_run(engine: Engine, run_id: int) -> dict:
    """Score the posts a run stored and re-cluster their time window, then raise alerts; idempotent."""
    window = run_window(engine, run_id)
    result: dict = {"run": run_id, "window": None, "detection": None, "alerts": 0}
    if window is not None:
        result["window"] = [window[0].isoformat(), window[1].isoformat()]
        result["detection"] = run_detection(engine, *window)
        result["alerts"] = len(raise_alerts(engine, *window))
    with engine.begin() as connection:
        connection.execute(update(RUNS).where(RUNS.c.id == run_id).values(scored_at=utcnow()))
    return result


def recluster_window(engine: Engine, start: datetime | str, end: datetime | str) -> dict:
    """Score and re-cluster [start, end) and raise its alerts (a task: times may come as ISO strings)."""
    start, end = _time(start), _time(end)
    detection = run_detection(engine, start, end)
    alerts = raise_alerts(engine, start, end)
    return {"window": [start.isoformat(), end.isoformat()], "detection": detection, "alerts": len(alerts)}


def _time(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
