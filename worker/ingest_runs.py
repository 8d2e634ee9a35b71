"""Ingest runs: record a run and cut its dumps into slices at record boundaries; finish it when no slice is left.

A slice is a byte range of a file that starts and ends at a record boundary: after a newline for line formats
(JSONL, twarc2), after a newline outside quotes for CSV formats (whose slices re-read the header line first).
Whole-document formats (Telegram and VK JSON, RSS/Atom) and compressed files are one slice. Storing a slice is
worker/slices.py; starting the work is worker/service.py.
"""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import case, update
from sqlalchemy.engine import Connection, Engine

from smearwatch.models import IngestRun, IngestSlice, utcnow
from smearwatch.settings import get_settings
from worker.sources import ReadOptions, open_source
from worker.sources.files import GZIP_MAGIC, ZSTD_MAGIC

RUNS, SLICES = IngestRun.__table__, IngestSlice.__table__

LINE_FORMATS = frozenset({"jsonl", "twarc2"})
CSV_FORMATS = frozenset({"ioarchive", "crowdtangle", "csv"})


@dataclass(frozen=True)
class SlicePlan:
    start: int
    end: int | None  # None: to the end of the file
    header_bytes: int = 0
    line_offset: int = 0


def is_compressed(path: Path) -> bool:
    with open(path, "rb") as f:
        magic = f.read(4)
    return magic.startswith(GZIP_MAGIC) or magic.startswith(ZSTD_MAGIC)


def plan_slices(path: str | Path, fmt: str, slice_bytes: int) -> list[SlicePlan]:
    """Byte ranges of about `slice_bytes` each that start and end at record boundaries."""
    path = Path(path)
    size = path.stat().st_size
    splittable = fmt in LINE_FORMATS or fmt in CSV_FORMATS
    if not splittable or size <= slice_bytes or is_compressed(path):
        return [SlicePlan(0, None)]
    quoted = fmt in CSV_FORMATS
    plans: list[SlicePlan] = []
    with open(path, "rb", buffering=1024 * 1024) as f:
        pos = lines = quotes = 0
        header_bytes = header_lines = 0
        if quoted:  # the header record: up to the first newline outside quotes
            for line in f:
                pos += len(line)
                lines += 1
                quotes += line.count(b'"')
                if quotes % 2 == 0:
                    break
            header_bytes, header_lines = pos, lines
        start, start_lines = (0, 0)  # the first slice reads the header itself
        for line in f:
            pos += len(line)
            lines += 1
            if quoted:
                quotes += line.count(b'"')
                if quotes % 2:
                    continue
            if pos - start >= slice_bytes and line.endswith(b"\n"):
                plans.append(_plan(start, pos, start_lines, header_bytes, header_lines))
                start, start_lines = pos, lines
        if pos > start:
            plans.append(_plan(start, pos, start_lines, header_bytes, header_lines))
    return plans


def _plan(start: int, end: int, lines_before: int, header_bytes: int, header_lines: int) -> SlicePlan:
    if start == 0 or not header_bytes:
        return SlicePlan(start, end, 0, lines_before)
    # The stream is header + range: its line header_lines + 1 is the file's line lines_before + 1.
    return SlicePlan(start, end, header_bytes, lines_before - header_lines)



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
