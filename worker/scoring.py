"""After ingestion: score new posts, re-cluster their time window, and raise alerts for new or grown flagged clusters.

Plain functions; worker/tasks.py wraps them. Detection itself lives in worker/detect.py (`score_and_cluster`),
imported only when scoring runs (it loads scikit-learn).
"""

import hashlib
import logging
from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine

from smearwatch.db import insert_for
from smearwatch.models import Alert, Cluster, IngestRun, Post, utcnow
from smearwatch.settings import get_settings

log = logging.getLogger(__name__)
RUNS, POSTS, CLUSTERS, ALERTS = IngestRun.__table__, Post.__table__, Cluster.__table__, Alert.__table__
# Re-clustering of overlapping windows is serialized per day bucket (PostgreSQL advisory locks).
LOCK_BUCKET = timedelta(days=1)


def run_detection(engine: Engine, start: datetime | None, end: datetime | None, model=None) -> dict:
    """The one call into detection: score the posts of [start, end) (everything when both are None) and
    re-cluster it, under the locks that keep overlapping re-clusterings apart."""
    from worker.detect import score_and_cluster  # noqa: PLC0415 (scikit-learn loads only when scoring)

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
        if start is None or end is None:
            self.locks = [("pg_advisory_lock", _lock_key("all"))]
            return
        first, last = start - LOCK_BUCKET, end + LOCK_BUCKET
        day = datetime(first.year, first.month, first.day, tzinfo=first.tzinfo)
        buckets = set()
        while day < last:
            buckets.add(_lock_key(day.date().isoformat()))
            day += LOCK_BUCKET
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
    return first, last + timedelta(microseconds=1)


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


def recluster_window(engine: Engine, start: datetime, end: datetime) -> dict:
    detection = run_detection(engine, start, end)
    alerts = raise_alerts(engine, start, end)
    return {"window": [start.isoformat(), end.isoformat()], "detection": detection, "alerts": len(alerts)}


def raise_alerts(engine: Engine, start: datetime | None, end: datetime | None) -> list[dict]:
    """An alert for each flagged cluster of the window that is new, or larger than when it was last alerted."""
    query = select(CLUSTERS).where(CLUSTERS.c.flagged)
    if start is not None:
        query = query.where((CLUSTERS.c.end.is_(None)) | (CLUSTERS.c.end >= start))
    if end is not None:
        query = query.where((CLUSTERS.c.start.is_(None)) | (CLUSTERS.c.start < end))
    insert = insert_for(engine)
    raised = []
    with engine.begin() as connection:
        for cluster in connection.execute(query).mappings().all():
            previous = connection.execute(
                select(func.max(ALERTS.c.n_posts)).where(ALERTS.c.cluster_key == cluster["key"])
            ).scalar()
            if previous is not None and cluster["n_posts"] <= previous:
                continue
            alert = {
                "cluster_key": cluster["key"], "cluster_id": cluster["id"],
                "kind": "new" if previous is None else "grown", "n_posts": cluster["n_posts"],
                "previous_posts": previous or 0, "n_accounts": cluster["n_accounts"], "score": cluster["score"],
                "created_at": utcnow(),
            }
            # One row per (cluster, size): a concurrent or repeated scoring of the same window adds nothing.
            new_id = connection.execute(
                insert(ALERTS).values(**alert).on_conflict_do_nothing(index_elements=["cluster_key", "n_posts"])
                .returning(ALERTS.c.id)
            ).scalar()
            if new_id is not None:
                raised.append({"id": new_id, **alert})
    webhook = get_settings().alert_webhook_url
    if webhook and raised:
        _post_webhook(engine, webhook, raised)
    return raised


def _post_webhook(engine: Engine, url: str, alerts: list[dict]) -> None:
    settings = get_settings()
    with httpx.Client(timeout=settings.feed_timeout) as client:
        for alert in alerts:
            body = {key: (value.isoformat() if isinstance(value, datetime) else value) for key, value in alert.items()}
            try:
                response = client.post(url, json={"event": "alert", "alert": body})
                status = f"{response.status_code}"
            except httpx.HTTPError as error:
                status = f"error: {type(error).__name__}: {error}"[:200]
                log.warning("alert webhook failed for alert %s: %s", alert["id"], status)
            with engine.begin() as connection:
                connection.execute(update(ALERTS).where(ALERTS.c.id == alert["id"]).values(webhook_status=status))


def unscored_runs(engine: Engine, older_than: datetime, limit: int = 100) -> list[int]:
    """Finished runs whose scoring never happened (its worker died after the ingest committed)."""
    with engine.connect() as connection:
        return list(connection.execute(
            select(RUNS.c.id).where(RUNS.c.status.in_(("done", "failed")), RUNS.c.scored_at.is_(None),
                                    RUNS.c.stored > 0, RUNS.c.slices_total > 0,
                                    RUNS.c.finished_at < older_than)
            .order_by(RUNS.c.id).limit(limit)
        ).scalars())
