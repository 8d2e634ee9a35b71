"""`smearwatch ingest --queue`: split dumps into slices, record them, enqueue them; and re-enqueue lost slices.

The database is the record of what is left to do; the broker only carries hints. A slice whose message was
lost (broker restarted without its data, enqueue interrupted) is found by `requeue_stale_slices` (run by the
beat) and enqueued again; a slice done already ignores extra deliveries.
"""

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from smearwatch.models import IngestRun, IngestSlice, utcnow
from smearwatch.settings import get_settings
from worker.dispatch import broker_enabled, enqueue_many
from worker.slices import create_queued_run
from worker.sources import ReadOptions

log = logging.getLogger(__name__)
RUNS, SLICES = IngestRun.__table__, IngestSlice.__table__


def queue_ingest(engine: Engine, paths: Sequence[str | Path], *, fmt: str | None = None,
                 options: ReadOptions | None = None, slice_bytes: int | None = None, feed_id: int | None = None,
                 on_slice: Callable[[int], None] | None = None) -> dict:
    """Record a run and its slices, then enqueue them (or, with no broker, store them here, one by one).

    `on_slice(run_id)` is called after each slice stored in-process (for a progress bar).
    """
    paths = [str(Path(p).resolve()) for p in paths]
    run_id, slice_ids = create_queued_run(engine, paths, fmt=fmt, options=options, slice_bytes=slice_bytes,
                                          feed_id=feed_id)
    queued = broker_enabled()
    if queued:
        enqueue_many("ingest_slice", [(slice_id,) for slice_id in slice_ids])
    else:
        from worker import jobs  # noqa: PLC0415

        for slice_id in slice_ids:
            jobs.ingest_slice(slice_id)
            if on_slice:
                on_slice(run_id)
    return {"run": run_id, "slices": len(slice_ids), "queued": queued}


def run_progress(engine: Engine, run_id: int) -> dict | None:
    with engine.connect() as connection:
        row = connection.execute(select(RUNS).where(RUNS.c.id == run_id)).mappings().first()
    if row is None:
        return None
    return {key: row[key] for key in ("id", "status", "read", "stored", "duplicates", "rejected", "slices_total",
                                      "slices_done", "slices_failed", "bytes_total", "bytes_done", "error")}


def requeue_slices(engine: Engine, slice_ids: list[int]) -> int:
    if not slice_ids:
        return 0
    with engine.begin() as connection:
        connection.execute(update(SLICES).where(SLICES.c.id.in_(slice_ids)).values(queued_at=utcnow()))
    return enqueue_many("ingest_slice", [(slice_id,) for slice_id in slice_ids])


def requeue_stale_slices(engine: Engine, *, older_than: timedelta | None = None, limit: int = 1000) -> int:
    """Enqueue again the unfinished slices last enqueued or started longer ago than any task can be in flight.

    Past the broker's visibility timeout plus the task time limit, a message for such a slice is either lost
    or still waiting behind a backlog; one more message is harmless in both cases (a done slice ignores it).
    """
    settings = get_settings()
    older_than = older_than or timedelta(seconds=settings.broker_visibility_timeout + settings.task_time_limit)
    cutoff = utcnow() - older_than
    with engine.connect() as connection:
        stale = list(connection.execute(
            select(SLICES.c.id).where(
                SLICES.c.status.in_(("queued", "running")), SLICES.c.queued_at < cutoff,
                (SLICES.c.started_at.is_(None)) | (SLICES.c.started_at < cutoff),
            ).order_by(SLICES.c.id).limit(limit)
        ).scalars())
    if stale:
        log.warning("re-enqueueing %d slices not finished after %s", len(stale), older_than)
    return requeue_slices(engine, stale)
