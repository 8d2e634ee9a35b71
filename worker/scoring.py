"""After ingestion: score new posts, re-cluster their time window, and raise alerts for new or grown flagged clusters.

Plain functions; worker/tasks.py wraps them. Detection itself lives in worker/detect.py (`score_and_cluster`);
it is imported lazily so the pipeline runs (without scoring, saying so) where it is not available.
"""

import hashlib
import logging
from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from smearwatch.models import Alert, Cluster, IngestRun, Post, utcnow
from smearwatch.settings import get_settings

log = logging.getLogger(__name__)
RUNS, POSTS, CLUSTERS, ALERTS = IngestRun.__table__, Post.__table__, Cluster.__table__, Alert.__table__
# Re-clustering of overlapping windows is serialized per day bucket (PostgreSQL advisory locks).
LOCK_BUCKET = timedelta(days=1)


def run_detection(engine: Engine, start: datetime | None, end: datetime | None) -> dict | None:
    """The one call into detection: score the posts of [start, end) and re-cluster it."""
    from worker.detect import score_and_cluster  # noqa: PLC0415 (scikit-learn loads only when scoring)

    with _window_locks(engine, start, end):
        return score_and_cluster(engine, start=start, end=end)


class _window_locks:
    """Session advisory locks on every day bucket of the window, taken in order (no deadlock); PG only."""

    def __init__(self, engine: Engine, start: datetime | None, end: datetime | None):
        self.engine, self.keys, self.connection = engine, [], None
        if engine.dialect.name != "postgresql":
            return
        if start is None or end is None:
            self.keys = [_lock_key("all")]
            return
        day = datetime(start.year, start.month, start.day, tzinfo=start.tzinfo)
        while day < end:
            self.keys.append(_lock_key(day.date().isoformat()))
            day += LOCK_BUCKET
        self.keys = sorted(set(self.keys))[:64] or [_lock_key("all")]

    def __enter__(self):
        if self.keys:
            self.connection = self.engine.connect()
            for key in self.keys:
                self.connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            self.connection.commit()
        return self

    def __exit__(self, *exc):
        if self.connection is not None:
            try:
                for key in reversed(self.keys):
                    self.connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
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
        if result["detection"] is not None:
            result["alerts"] = len(raise_alerts(engine, *window))
    with engine.begin() as connection:
        connection.execute(update(RUNS).where(RUNS.c.id == run_id).values(scored_at=utcnow()))
    return result


def recluster_window(engine: Engine, start: datetime, end: datetime) -> dict:
    detection = run_detection(engine, start, end)
    alerts = raise_alerts(engine, start, end) if detection is not None else []
    return {"window": [start.isoformat(), end.isoformat()], "detection": detection, "alerts": len(alerts)}


def raise_alerts(engine: Engine, start: datetime | None, end: datetime | None) -> list[dict]:
    """An alert for each flagged cluster of the window that is new, or larger than when it was last alerted."""
    query = select(CLUSTERS).where(CLUSTERS.c.flagged)
    if start is not None:
        query = query.where((CLUSTERS.c.end.is_(None)) | (CLUSTERS.c.end >= start))
    if end is not None:
        query = query.where((CLUSTERS.c.start.is_(None)) | (CLUSTERS.c.start < end))
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
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
