"""Kept evidence sections (`clusterview` rows): read one with its cluster, keep one, find the next to prepare."""

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, select

from smearwatch.db import replace_row
from smearwatch.models import Cluster, ClusterView, utcnow


def cluster_with_view(session: Session, *, cluster_id: int) -> tuple[Cluster, ClusterView | None] | None:
    """The cluster and its kept evidence section (if any), in one query; None if there is no such cluster."""
    row = session.exec(select(Cluster, ClusterView).outerjoin(ClusterView, ClusterView.cluster_id == Cluster.id)
                       .where(Cluster.id == cluster_id)).first()
    return None if row is None else (row[0], row[1])


def keep_view(session: Session, *, cluster: Cluster, version: str, html: str) -> datetime:
    """Insert or replace the cluster's view (two processes may render the same one; the last one stays)."""
    built_at = utcnow()
    replace_row(session, ClusterView, key="cluster_id", values={
        "cluster_id": cluster.id, "version": version, "cluster_updated_at": cluster.updated_at,
        "built_at": built_at, "html": html})
    session.commit()
    return built_at


def next_stale_flagged(session: Session, *, version: str, skip: frozenset[int] = frozenset()) -> Cluster | None:
    """The flagged cluster with the highest score whose view is missing or not rendered from its current row by
    `version` of the code (leaving out `skip`)."""
    statement = (
        select(Cluster).outerjoin(ClusterView, ClusterView.cluster_id == Cluster.id)
        .where(Cluster.flagged, Cluster.id.not_in(skip),
               or_(ClusterView.cluster_id.is_(None), ClusterView.version != version,
                   ClusterView.cluster_updated_at != Cluster.updated_at))
        .order_by(Cluster.score.desc(), Cluster.id).limit(1)
        # two app processes prepare different clusters; a locked one is being rendered elsewhere
        .with_for_update(of=Cluster, skip_locked=True))
    return session.exec(statement).first()
