"""Store one slice of an ingest run exactly once, and hand the run to scoring when its last slice is stored.

`store_slice` stores a slice in ONE transaction together with the slice's status and the run's counters, so a
slice is either entirely in the store and counted, or not at all: a worker killed half-way leaves nothing
behind, and a slice delivered twice is stored and counted once. `ingest_slice` is the task: it stores, then
submits the run's scoring once the run is complete. Lost slices are submitted again by `requeue_stale_slices`
(run by the beat): the database is the record of what is left to do, the broker only carries hints.
"""

import logging
import os
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, select, update
from sqlalchemy.engine import Connection, Engine

from smearwatch.models import IngestRun, IngestSlice, utcnow
from smearwatch.runs import this_process
from smearwatch.settings import get_settings
from smearwatch.store import add_rejected, insert_posts, upsert_accounts
from worker import service
from worker.ingest_runs import complete_if_finished
from worker.sources import ReadOptions, Rejection, SourceError
from worker.sources.ranges import SlicePlan, slice_items

log = logging.getLogger(__name__)
RUNS, SLICES = IngestRun.__table__, IngestSlice.__table__


@dataclass
class SliceResult:
    slice: int
    run: int | None = None
    outcome: str = "done"  # done | skipped (already done, or failed) | failed | missing
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    run_finished: bool = False
    rejections: list[Rejection] | None = None

    def as_dict(self) -> dict:
        return {"slice": self.slice, "run": self.run, "outcome": self.outcome, "read": self.read,
                "stored": self.stored, "duplicates": self.duplicates, "rejected": self.rejected,
                "run_finished": self.run_finished}


def claim_slice(engine: Engine, slice_id: int) -> dict | None:
    """Count one more attempt on a slice that is not finished (its own committed transaction); None if finished."""
    with engine.begin() as connection:
        row = connection.execute(
            update(SLICES).where(SLICES.c.id == slice_id, SLICES.c.status.in_(("queued", "running")))
            .values(attempts=SLICES.c.attempts + 1, status="running", started_at=utcnow(), worker=this_process())
            .returning(*SLICES.c)
        ).mappings().first()
        if row is not None:
            connection.execute(update(RUNS).where(RUNS.c.id == row["run_id"], RUNS.c.status == "queued")
                               .values(status="running"))
    return dict(row) if row is not None else None


def store_slice(engine: Engine, slice_id: int, *, batch_size: int | None = None,
                max_attempts: int | None = None) -> SliceResult:
    """Store one slice exactly once. Safe to call any number of times, concurrently too.

    Transient database errors propagate (the task retries); a slice that cannot be read fails with its reason.
    """
    settings = get_settings()
    batch_size = batch_size or settings.ingest_batch_size
    max_attempts = max_attempts or settings.ingest_max_attempts
    row = claim_slice(engine, slice_id)
    if row is None:
        with engine.connect() as connection:
            existing = connection.execute(select(SLICES.c.run_id, SLICES.c.status)
                                          .where(SLICES.c.id == slice_id)).first()
        if existing is None:
            return SliceResult(slice_id, outcome="missing")
        return SliceResult(slice_id, run=existing.run_id, outcome="skipped")
    if row["attempts"] > max_attempts:
        return fail_slice(engine, slice_id, f"gave up after {max_attempts} attempts (the worker was lost each time)")
    result = SliceResult(slice_id, run=row["run_id"], rejections=[])
    options = ReadOptions(**(row["options"] or {}))
    plan = SlicePlan(row["start_byte"], row["end_byte"], row["header_bytes"], row["line_offset"])
    try:
        with engine.begin() as connection:
            # Lock the slice for this transaction. A second delivery of the same slice waits here and then
            # finds it done (READ COMMITTED re-checks the WHERE), so it stores and counts nothing.
            locked = connection.execute(
                update(SLICES).where(SLICES.c.id == slice_id, SLICES.c.status == "running")
                .values(worker=this_process())
            ).rowcount
            if not locked:
                result.outcome = "skipped"
                return result
            _store_slice(connection, row, plan, options, batch_size, result)
            connection.execute(
                update(SLICES).where(SLICES.c.id == slice_id).values(
                    status="done", finished_at=utcnow(), read=result.read, stored=result.stored,
                    duplicates=result.duplicates, rejected=result.rejected, error=None,
                )
            )
            span = (row["end_byte"] if row["end_byte"] is not None else _size(row["path"])) - row["start_byte"]
            connection.execute(
                update(RUNS).where(RUNS.c.id == row["run_id"]).values(
                    read=RUNS.c.read + result.read, stored=RUNS.c.stored + result.stored,
                    duplicates=RUNS.c.duplicates + result.duplicates, rejected=RUNS.c.rejected + result.rejected,
                    bytes_done=RUNS.c.bytes_done + span, slices_done=RUNS.c.slices_done + 1,
                )
            )
            result.run_finished = complete_if_finished(connection, row["run_id"])
    except (SourceError, OSError, UnicodeError, ValueError) as error:
        # The file itself cannot be read (gone, not the format): retrying will not help. (A truncated archive is
        # not one of these: its records before the break are stored and the break is one rejected record.)
        return fail_slice(engine, slice_id, f"{row['path']}: {error}")
    return result


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _store_slice(connection: Connection, row: dict, plan: SlicePlan, options: ReadOptions, batch_size: int,
                 result: SliceResult) -> None:
    posts: dict[tuple[str, str], dict] = {}
    rejections: list[Rejection] = []
    profiles: dict[tuple[str, str], dict] = {}  # the latest post of each account: its profile is written once
    name = row["path"]

    def flush() -> None:
        batch = list(posts.values())
        stored = insert_posts(connection, batch, row["run_id"])
        result.stored += stored
        result.duplicates += len(batch) - stored
        add_rejected(connection, row["run_id"], [r.as_row() for r in rejections])
        result.rejected += len(rejections)
        if len(result.rejections) < 20:
            result.rejections.extend(rejections[: 20 - len(result.rejections)])
        posts.clear()
        rejections.clear()

    for item in slice_items(row["path"], row["format"], options, plan):
        result.read += 1
        if isinstance(item, Rejection):
            item.source = name
            rejections.append(item)
        else:
            key = (item["platform"], item["id"])
            if key in posts:
                result.duplicates += 1
            else:
                posts[key] = item
            account = (item["platform"], item["author_id"])
            known = profiles.get(account)
            if known is None or item["created_at"] >= known["created_at"]:
                profiles[account] = {k: item.get(k) for k in (
                    "platform", "author_id", "author_name", "author_created_at", "author_followers", "created_at")}
        if len(posts) + len(rejections) >= batch_size:
            flush()
    flush()
    # Accounts last and in one statement, in one sorted order, so concurrent slices lock them without deadlock.
    upsert_accounts(connection, list(profiles.values()))


def fail_slice(engine: Engine, slice_id: int, error: str) -> SliceResult:
    """Give up on a slice: record why, count it against its run, and finish the run if it was the last."""
    log.error("slice %s failed: %s", slice_id, error)
    with engine.begin() as connection:
        row = connection.execute(
            update(SLICES).where(SLICES.c.id == slice_id, SLICES.c.status.in_(("queued", "running")))
            .values(status="failed", error=error[:2000], finished_at=utcnow())
            .returning(SLICES.c.run_id)
        ).first()
        if row is None:
            return SliceResult(slice_id, outcome="skipped")
        connection.execute(
            update(RUNS).where(RUNS.c.id == row.run_id).values(
                slices_failed=RUNS.c.slices_failed + 1,
                error=case((RUNS.c.error.is_(None), error[:2000]), else_=RUNS.c.error),
            )
        )
        finished = complete_if_finished(connection, row.run_id)
    return SliceResult(slice_id, run=row.run_id, outcome="failed", run_finished=finished)

# --- the task, and recovery of lost work --------------------------------------------------------------------


def ingest_slice(engine: Engine, slice_id: int, *, retried: bool = False) -> dict:
    """The `ingest_slice` task: store the slice, and submit the run's scoring if this slice completed it.

    In this process (`retried` False) any failure fails the slice at once with its reason, so a run never stays
    "running"; on a Celery worker (`retried`) errors propagate, for the task's retries of transient ones.
    """
    try:
        result = store_slice(engine, slice_id)
    except Exception as error:
        if retried:
            raise
        log.exception("slice %s failed", slice_id)
        return give_up_slice(engine, slice_id, error).as_dict()
    if result.run_finished:
        service.submit(engine, "score_run", result.run)
    return result.as_dict()


def give_up_slice(engine: Engine, slice_id: int, reason: str | Exception) -> SliceResult:
    """A slice whose task cannot finish (an error retrying will not fix, the time limit, retries exhausted): fail
    it with the reason in one line, and score its run if that completed it."""
    if isinstance(reason, Exception):
        text = str(reason).strip()
        reason = f"{type(reason).__name__}: {text.splitlines()[0]}" if text else type(reason).__name__
    result = fail_slice(engine, slice_id, reason)
    if result.run_finished:
        service.submit(engine, "score_run", result.run)
    return result


def requeue_slices(engine: Engine, slice_ids: list[int]) -> int:
    if not slice_ids:
        return 0
    with engine.begin() as connection:
        connection.execute(update(SLICES).where(SLICES.c.id.in_(slice_ids)).values(queued_at=utcnow()))
    return service.submit_many(engine, "ingest_slice", [(slice_id,) for slice_id in slice_ids])


def requeue_stale_slices(engine: Engine, *, older_than: timedelta | None = None, limit: int = 1000) -> int:
    """Submit again the unfinished slices last submitted or started longer ago than any task can be in flight.

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
