"""Alerts: one for each flagged cluster that is new, or larger than when it was last alerted; and the webhook."""

import logging
from datetime import datetime

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from smearwatch.db import insert_for
from smearwatch.models import Alert, Cluster, utcnow
from smearwatch.settings import get_settings

log = logging.getLogger(__name__)
CLUSTERS, ALERTS = Cluster.__table__, Alert.__table__


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
