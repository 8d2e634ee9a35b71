"""Ingestion: stream dump files into the store, once per post, reporting every record that cannot be read.

Plain functions that the CLI, the Celery tasks and the tests call alike.
"""

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.engine import Engine

from smearwatch.db import get_engine
from smearwatch.models import IngestRun, utcnow
from smearwatch.runs import this_process
from smearwatch.settings import get_settings
from smearwatch.store import add_rejected, insert_posts, upsert_accounts
from worker.sources import ReadOptions, Rejection, Source, SourceError, open_source

RUNS = IngestRun.__table__
Progress = Callable[[int], None]  # called with bytes read so far, across all sources


@dataclass
class IngestSummary:
    run: int
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    seconds: float = 0.0
    rejections: list[Rejection] = field(default_factory=list)  # the first few, for the terminal
    warnings: int = 0  # posts stored with a field nulled or cut (kept in their raw payload as "_warnings")
    warned: list[Rejection] = field(default_factory=list)  # the first few, for the terminal

    def counts(self) -> dict:
        return {"read": self.read, "stored": self.stored, "duplicates": self.duplicates,
                "rejected": self.rejected, "run": self.run}


MAX_REJECTIONS_KEPT = 20


def open_sources(paths: Sequence[str | Path], fmt: str | None, options: ReadOptions | None) -> list[Source]:
    """Open and detect every input before anything is stored, so an unreadable file fails the run cleanly."""
    return [open_source(path, fmt, options) for path in paths]


def ingest_sources(
    sources: Sequence[Source],
    *,
    engine: Engine | None = None,
    batch_size: int | None = None,
    progress: Progress | None = None,
    skip_scoring: bool = False,
) -> IngestSummary:
    """Store the posts of `sources` once each as one run; `skip_scoring` records that the caller will not score
    them (a bulk load), so recovery leaves them unscored."""
    engine = engine or get_engine()
    batch_size = batch_size or get_settings().ingest_batch_size
    started = utcnow()
    with engine.begin() as connection:
        run_id = connection.execute(
            RUNS.insert().values(
                status="running", sources=[str(s.path) for s in sources], started_at=started,
                bytes_total=sum(s.size for s in sources), owner=this_process(), heartbeat_at=started,
                skip_scoring=skip_scoring,
            ).returning(RUNS.c.id)
        ).scalar_one()
    summary = IngestSummary(run=run_id)
    writer = _BatchWriter(engine, summary, batch_size)
    done_before = 0
    try:
        for source in sources:
            name = str(source.path)
            for item in source.items():
                summary.read += 1
                if isinstance(item, Rejection):
                    item.source = name
                    writer.reject(item)
                else:
                    writer.add(item)
                    if item.get("warnings"):
                        summary.warnings += 1
                        if len(summary.warned) < MAX_REJECTIONS_KEPT:
                            summary.warned.append(Rejection(item.get("line") or 0, "; ".join(item["warnings"]),
                                                                 source=name))
                if writer.full():
                    writer.flush(done_before + source.bytes_done)
                    if progress:
                        progress(done_before + source.bytes_done)
            done_before += source.size
        writer.flush(done_before)
        writer.close()
        if progress:
            progress(done_before)
    except (SourceError, OSError) as error:  # a file became unreadable: keep every record read before it
        _flush_quietly(writer, done_before)
        _finish(engine, summary, "failed", str(error)[:2000] or type(error).__name__)
        raise
    except BaseException as error:
        writer.close_quietly()
        _finish(engine, summary, "failed", str(error)[:2000] or type(error).__name__)
        raise
    _finish(engine, summary, "done", None)
    summary.seconds = (utcnow() - started).total_seconds()
    return summary


def ingest_paths(paths: Sequence[str | Path], *, fmt: str | None = None, options: ReadOptions | None = None,
                 **kwargs) -> IngestSummary:
    return ingest_sources(open_sources(paths, fmt, options), **kwargs)


class _BatchWriter:
    """Collects posts and rejections and writes them one transaction per batch, updating the run's counts.

    Writing happens on one background thread while the next batch is parsed: the database drivers release
    the GIL while the database works, so parsing and storing overlap. At most one batch is in flight.
    """

    def __init__(self, engine: Engine, summary: IngestSummary, batch_size: int):
        self.engine = engine
        self.summary = summary
        self.batch_size = batch_size
        self.posts: dict[tuple[str, str], dict] = {}
        self.rejections: list[Rejection] = []
        self.in_batch_duplicates = 0
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer")
        self._pending: Future | None = None

    def add(self, post: dict) -> None:
        key = (post["platform"], post["id"])
        if key in self.posts:
            self.in_batch_duplicates += 1
        else:
            self.posts[key] = post

    def reject(self, rejection: Rejection) -> None:
        self.rejections.append(rejection)
        if len(self.summary.rejections) < MAX_REJECTIONS_KEPT:
            self.summary.rejections.append(rejection)

    def full(self) -> bool:
        return len(self.posts) + len(self.rejections) >= self.batch_size

    def flush(self, bytes_done: int) -> None:
        """Hand the current batch to the writer thread (after the previous one is stored)."""
        self.wait()
        batch = (list(self.posts.values()), self.rejections, self.in_batch_duplicates, self.summary.read, bytes_done)
        self.posts, self.rejections, self.in_batch_duplicates = {}, [], 0
        self._pending = self._thread.submit(self._write, *batch)

    def wait(self) -> None:
        """Block until the batch in flight is stored; re-raises its error."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._thread.shutdown(wait=True)

    def close_quietly(self) -> None:
        """On the way out of a failure: stop the thread; the first error is the one reported."""
        try:
            self.close()
        except Exception:  # the original error is re-raised by the caller
            pass

    def _write(self, posts: list[dict], rejections: list[Rejection], in_batch_duplicates: int, read: int,
               bytes_done: int) -> None:
        summary = self.summary
        with self.engine.begin() as connection:
            stored = insert_posts(connection, posts, summary.run)
            upsert_accounts(connection, posts)
            add_rejected(connection, summary.run, [r.as_row() for r in rejections])
            connection.execute(
                update(RUNS).where(RUNS.c.id == summary.run).values(
                    read=read, stored=summary.stored + stored,
                    duplicates=summary.duplicates + len(posts) - stored + in_batch_duplicates,
                    rejected=summary.rejected + len(rejections), bytes_done=bytes_done, heartbeat_at=utcnow(),
                )
            )
        # Counted only once committed, so the summary never claims more than the store holds.
        summary.stored += stored
        summary.duplicates += len(posts) - stored + in_batch_duplicates
        summary.rejected += len(rejections)


def _flush_quietly(writer: "_BatchWriter", bytes_done: int) -> None:
    try:
        writer.flush(bytes_done)
        writer.close()
    except Exception:  # the store failed as well: the first error is the one reported
        writer.close_quietly()


def _finish(engine: Engine, summary: IngestSummary, status: str, error: str | None) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(RUNS).where(RUNS.c.id == summary.run).values(
                status=status, error=error, finished_at=utcnow(), read=summary.read, stored=summary.stored,
                duplicates=summary.duplicates, rejected=summary.rejected,
            )
        )
