"""Queued ingestion: cut a dump into slices at record boundaries, and store one slice exactly once.

A slice is a byte range of a file that starts and ends at a record boundary: after a newline for line formats
(JSONL, twarc2), after a newline outside quotes for CSV formats (whose slices re-read the header line first).
Whole-document formats (Telegram and VK JSON, RSS/Atom) and compressed files are one slice.

`ingest_slice` stores a slice in ONE transaction together with the slice's status and the run's counters, so a
slice is either entirely in the store and counted, or not at all: a worker killed half-way leaves nothing
behind, and a slice delivered twice is stored and counted once. Plain functions; worker/tasks.py wraps them.
"""

import io
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import case, select, update
from sqlalchemy.engine import Connection, Engine

from smearwatch.models import IngestRun, IngestSlice, utcnow
from smearwatch.settings import get_settings
from smearwatch.store import add_rejected, insert_posts, upsert_accounts
from worker.ingest import Rejection
from worker.sources import ReadOptions, Skip, format_module, open_source
from worker.sources.files import GZIP_MAGIC, ZSTD_MAGIC

log = logging.getLogger(__name__)
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


class _RangeReader(io.RawIOBase):
    """Bytes [0, header) then [start, end) of a file, as one raw stream."""

    def __init__(self, path: Path, start: int, end: int | None, header: int):
        self._file = open(path, "rb")  # noqa: SIM115 (closed in close())
        self._prefix = self._file.read(header) if header else b""
        self._file.seek(start)
        self._left = None if end is None else end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        view = memoryview(buffer)
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        want = len(view) if self._left is None else min(len(view), self._left)
        if want <= 0:
            return 0
        n = self._file.readinto(view[:want])
        if self._left is not None:
            self._left -= n
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


def slice_items(path: str | Path, fmt: str, options: ReadOptions, plan: SlicePlan) -> Iterator:
    """The posts and skips of one slice, with line numbers of the whole file."""
    path = Path(path)
    module = format_module(fmt)
    if plan.start == 0 and plan.end is None:
        source = open_source(path, fmt, options)  # the whole file, compressed or not
        yield from source.items()
        return
    raw = _RangeReader(path, plan.start, plan.end, plan.header_bytes)
    stream = io.TextIOWrapper(io.BufferedReader(raw, buffer_size=1024 * 1024), encoding="utf-8-sig",
                              errors="replace", newline="")
    with stream:
        for record in module.read(stream, options):
            if isinstance(record, Skip):
                record.line += plan.line_offset
                yield record
                continue
            for item in module.normalize(record, options):
                if isinstance(item, Skip):
                    item.line += plan.line_offset
                yield item


# --- runs and slices in the store ---------------------------------------------------------------------------


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
            _complete_if_finished(connection, run_id)
    return run_id, ids


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


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
            .values(attempts=SLICES.c.attempts + 1, status="running", started_at=utcnow(), worker=worker_name())
            .returning(*SLICES.c)
        ).mappings().first()
        if row is not None:
            connection.execute(update(RUNS).where(RUNS.c.id == row["run_id"], RUNS.c.status == "queued")
                               .values(status="running"))
    return dict(row) if row is not None else None


def ingest_slice(engine: Engine, slice_id: int, *, batch_size: int | None = None,
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
    from worker.sources import SourceError  # noqa: PLC0415

    try:
        with engine.begin() as connection:
            # Lock the slice for this transaction. A second delivery of the same slice waits here and then
            # finds it done (READ COMMITTED re-checks the WHERE), so it stores and counts nothing.
            locked = connection.execute(
                update(SLICES).where(SLICES.c.id == slice_id, SLICES.c.status == "running")
                .values(worker=worker_name())
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
            result.run_finished = _complete_if_finished(connection, row["run_id"])
    except (SourceError, OSError, UnicodeError, ValueError) as error:
        # The file itself cannot be read (gone, truncated archive, not the format): retrying will not help.
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
        if isinstance(item, Skip):
            rejections.append(Rejection(name, item.line, item.reason, item.excerpt))
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


def _complete_if_finished(connection: Connection, run_id: int) -> bool:
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
        finished = _complete_if_finished(connection, row.run_id)
    return SliceResult(slice_id, run=row.run_id, outcome="failed", run_finished=finished)
