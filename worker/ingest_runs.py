"""Ingest runs: record a run and cut its dumps into slices at record boundaries; finish it when no slice is left.

A slice is a byte range of a file that starts and ends at a record boundary: after a newline for line formats
(JSONL, twarc2), after a newline outside quotes for CSV formats (whose slices re-read the header line first).
Whole-document formats (Telegram and VK JSON, RSS/Atom) and compressed files are one slice. Storing a slice is
worker/slices.py; cutting and reading byte ranges is worker/sources/ranges.py; starting the work is
worker/service.py.
"""

from pathlib import Path

from sqlalchemy import case, update
from sqlalchemy.engine import Connection, Engine

from smearwatch.models import IngestRun, IngestSlice, utcnow
from smearwatch.settings import get_settings
from worker.sources import ReadOptions, open_source
from worker.sources.ranges import plan_slices

RUNS, SLICES = IngestRun.__table__, IngestSlice.__table__



def create_queued_run(engine: Engine, paths: list[str | Path], *, fmt: str | None = None,
                      options: ReadOptions | None = None, slice_bytes: int | None = None,
                      feed_id: int | None = None) -> tuple[int, list[int]]:
    """Open (detect) every file, plan its slices and store the run and its slices; returns (run id, slice ids).

    Nothing is enqueued here: the caller enqueues the slice ids after this transaction is committed.
    """
    slice_bytes = slice_bytes or get_settings().ingest_slice_bytes
    options = options or ReadOptions()
    sources = [open_source(path, fmt, options) for path in paths]
    rows = []
    for source in sources:
        for plan in plan_slices(source.path, source.format, slice_bytes):
            rows.append({
                "path": str(Path(source.path).resolve()), "format": source.format,
                "options": {"mapping": options.mapping, "platform": options.platform},
                "start_byte": plan.start, "end_byte": plan.end, "header_bytes": plan.header_bytes,
                "line_offset": plan.line_offset,
            })
    now = utcnow()
    with engine.begin() as connection:
        run_id = connection.execute(
            RUNS.insert().values(
                status="queued", sources=[str(s.path) for s in sources], started_at=now, feed_id=feed_id,
                bytes_total=sum(s.size for s in sources), slices_total=len(rows),
            ).returning(RUNS.c.id)
        ).scalar_one()
        ids = []
        for seq, row in enumerate(rows):
            ids.append(connection.execute(
                SLICES.insert().values(run_id=run_id, seq=seq, status="queued", queued_at=now, **row)
                .returning(SLICES.c.id)
            ).scalar_one())
        if not rows:
            complete_if_finished(connection, run_id)
    return run_id, ids



def complete_if_finished(connection: Connection, run_id: int) -> bool:
    """Mark the run done (or failed) when no slice is left; True if this call finished it."""
    finished = connection.execute(
        update(RUNS).where(
            RUNS.c.id == run_id, RUNS.c.status.in_(("queued", "running")),
            RUNS.c.slices_done + RUNS.c.slices_failed >= RUNS.c.slices_total,
        ).values(
            status=case((RUNS.c.slices_failed > 0, "failed"), else_="done"), finished_at=utcnow(),
        )
    ).rowcount
    return bool(finished)
