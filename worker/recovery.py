"""Runs always end: find ingest runs whose process is gone, end them, and score what was stored but not scored.

A plain `smearwatch ingest` names its process on its run ("host:pid") and writes a heartbeat with each batch.
A run still "running" whose process is gone from this host, or whose heartbeat is older than
`SMEARWATCH_RUN_STALE_SECONDS`, was killed: it is marked failed (its batches stored so far stay, each was one
transaction). A finished run whose posts were never scored (killed while scoring) is scored. `smearwatch
recover` runs this, and so does every `smearwatch ingest` after its own scoring.
"""

import logging
import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine

from smearwatch.models import IngestRun, utcnow
from smearwatch.runs import this_process
from smearwatch.settings import get_settings
from worker import service

log = logging.getLogger(__name__)
RUNS = IngestRun.__table__


def _gone(owner: str | None) -> bool:
    """True when `owner` is a process of this host that no longer exists."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, under another user
        return False
    return False


def stopped_runs(engine: Engine) -> list[int]:
    """Plain runs still marked running whose process is gone (this host) or silent for too long (any host)."""
    stale = utcnow() - timedelta(seconds=get_settings().run_stale_seconds)
    with engine.connect() as connection:
        rows = connection.execute(
            select(RUNS.c.id, RUNS.c.owner, RUNS.c.heartbeat_at, RUNS.c.started_at)
            .where(RUNS.c.status == "running", RUNS.c.slices_total == 0, RUNS.c.owner.is_not(None))
            .order_by(RUNS.c.id)
        ).all()
    return [row.id for row in rows
            if row.owner != this_process() and (_gone(row.owner) or (row.heartbeat_at or row.started_at) < stale)]


def end_stopped_runs(engine: Engine) -> list[int]:
    ended = stopped_runs(engine)
    for run_id in ended:
        with engine.begin() as connection:
            connection.execute(update(RUNS).where(RUNS.c.id == run_id, RUNS.c.status == "running").values(
                status="failed", finished_at=utcnow(),
                error="stopped before it finished (its process is gone); the posts stored until then are kept"))
        log.warning("run %s: its process is gone; marked failed", run_id)
    return ended


def unscored_runs(engine: Engine, *, finished_before: datetime | None = None, limit: int = 1000) -> list[int]:
    """Finished runs that stored posts that were never scored (their scoring was killed or its message lost),
    except runs left unscored on purpose (--no-score)."""
    query = select(RUNS.c.id).where(
        RUNS.c.status.in_(("done", "failed")), RUNS.c.scored_at.is_(None), RUNS.c.stored > 0,
        or_(RUNS.c.skip_scoring.is_(False), RUNS.c.skip_scoring.is_(None)),
    )
    if finished_before is not None:
        query = query.where(RUNS.c.finished_at < finished_before)
    with engine.connect() as connection:
        return list(connection.execute(query.order_by(RUNS.c.id).limit(limit)).scalars())


def recover(engine: Engine) -> dict:
    """End runs whose process is gone, then score every run whose stored posts were never scored."""
    ended = end_stopped_runs(engine)
    scored = []
    for run_id in unscored_runs(engine):
        service.run_here(engine, "score_run", run_id)
        scored.append(run_id)
    return {"ended": ended, "scored": scored}
