"""Batch scoring as a library call: dump files (or posts) in, scores and clusters out; no database, no broker.

    from worker.batch_scoring import score_dumps
    result = score_dumps(["tweets.jsonl.gz"], out="scored/")   # writes the files of `smearwatch score`
    flagged = [c for c in result.clusters() if c["flagged"]]
    result = score_posts(dataframe)            # a pandas DataFrame or Arrow table of posts, in a notebook
    result.clusters_frame()                    # pandas (if installed); result.table("clusters") for Arrow

`smearwatch score` is a thin wrapper around `score_dumps`. Outputs follow the contract in docs/architecture.md
("Batch scoring output"): scores.jsonl, clusters.jsonl, campaigns.jsonl (or .parquet, worker/score_output.py),
rejected.jsonl and summary.json.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from classifiers import DetectConfig, DetectResult, Model, PostFrame, detect, load_model
from classifiers.campaigns import brief_of
from smearwatch.db import get_engine
from worker.external_sort import canonical_order
from worker.parallel_read import Piece, PieceRead, pieces_of, runs_maker
from worker.queued_scoring import CeleryWorkers
from worker.score_job import ScoreJob
from worker.score_result import ScoringOutputs, StreamedScoring, cluster_record
from worker.sources import ReadOptions, Rejection, open_source
from worker.sources.base import RawRecord
from worker.sources.jsonl import normalize as normalize_contract
from worker.sources.parquet import as_table, table_records
from worker.sources.parquet import normalize as normalize_row
from worker.stream_scoring import PARTITION_POSTS, Progress, Workers, score_stream

# Called with (bytes read so far, bytes in all inputs) while the dumps are read.
ReadProgress = Callable[[int, int], None]
# score_dumps streams (stream=None) above this many bytes of input: about 1.3M posts of JSON Lines, which take
# about 3 GB in memory.
STREAM_ABOVE_BYTES = 512 * 1024 ** 2


@dataclass
class BatchScoring(ScoringOutputs):
    """What one in-memory batch scoring produced; `write(out)` writes the documented files.

    `frame` is in canonical time order (worker/external_sort.py), so the result does not depend on the order of
    the input; `input_order` gives its rows in the order read (scores are written in that order)."""

    frame: PostFrame
    detection: DetectResult
    model: Model
    rejected: list[dict] = field(default_factory=list)  # {"source", "line", "reason"}
    read: int = 0
    inputs: list[str] = field(default_factory=list)
    window: float | None = None
    targets: dict[str, list[str]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    input_order: np.ndarray | None = None
    _campaigns: list[dict] | None = field(default=None, repr=False)

    def scores(self) -> Iterator[dict]:
        """One record per scored post, in the order read: {"id", "platform", "score", "cluster"}."""
        keys = [c.key for c in self.detection.clusters]
        ids, platforms = self.frame.id, self.frame.platform
        scores, cluster = self.detection.post_scores, self.detection.post_cluster
        rows = range(len(self.frame)) if self.input_order is None else self.input_order.tolist()
        for i in rows:
            c = int(cluster[i])
            yield {"id": ids[i], "platform": platforms[i], "score": round(float(scores[i]), 6),
                   "cluster": keys[c] if c >= 0 else None}

    def clusters(self) -> list[dict]:
        """One record per cluster, best first (ties by key, so the same input gives the same order)."""
        ordered = sorted(self.detection.clusters, key=lambda c: (-c.score, c.key))
        return [cluster_record(c, self.frame) for c in ordered]

    def detected_clusters(self) -> list:
        return self.detection.clusters

    def briefs(self) -> list:
        return [brief_of(c, self.frame) for c in self.detection.clusters]

    def post_span(self) -> tuple[int, float | None, float | None]:
        """Posts scored, and the first and last post time (epoch seconds)."""
        created = self.frame.created[self.frame.created == self.frame.created]
        return len(self.frame), (float(created.min()) if len(created) else None), \
            (float(created.max()) if len(created) else None)

    def report_view(self):
        return self


def score_dumps(inputs: Sequence[str | Path], *, out: str | Path | None = None, fmt: str | None = None,
                options: ReadOptions | None = None, model: Model | str | Path | None = None,
                window: float | None = None, targets: dict[str, list[str]] | None = None,
                on_read: ReadProgress | None = None, out_format: str = "jsonl", stream: bool | None = None,
                partition_posts: int | None = None, jobs: int = 1, work: str | Path | None = None,
                on_progress: Progress | None = None, queue: bool = False) -> BatchScoring | StreamedScoring:
    """Score and cluster the posts of dump files (any format `smearwatch ingest` reads; .gz and .zst too).

    Every input is opened first, so an unreadable one fails (SourceError) before any work. Records that cannot
    be read are kept in `result.rejected`. With `out`, the documented files are written there as well.

    Streamed (worker/stream_scoring.py: sorted by time out of core under `work`, default the system's temporary
    folder, and scored in time partitions of `partition_posts` posts, over `jobs` processes) when `stream` is
    True, or when it is None and the inputs hold more than STREAM_ABOVE_BYTES or `partition_posts` or `jobs` > 1
    is given: the same clusters, flags and scores as in memory, in memory bounded by the densest partition.

    With `queue`, streamed too, and the parallel parts (the partitions, the NER of the flagged clusters' texts)
    go to the Celery workers of SMEARWATCH_BROKER_URL (worker/queued_scoring.py; `work` must then be a folder the
    workers see at the same path); the run's progress is a Job row (kind "score") in the database, as
    `smearwatch status` shows it.
    """
    started = time.perf_counter()
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    if queue and (stream is False or jobs > 1):
        raise ValueError("queue scores streamed on the workers: not with stream=False or jobs")
    sources = [open_source(path, fmt, options or ReadOptions()) for path in inputs]
    rejected: list[dict] = []
    counts = {"read": 0}
    total = sum(s.size for s in sources)
    job = ScoreJob(get_engine(), inputs=[str(p) for p in inputs], partitions_on="celery") if queue else None
    on_read = _both(on_read, job.reading if job else None)

    def posts() -> Iterator[dict]:
        done = 0
        for source in sources:
            for i, item in enumerate(source.items()):
                counts["read"] += 1
                if isinstance(item, Rejection):
                    rejected.append({"source": str(source.path), "line": item.line, "reason": item.reason})
                else:
                    yield item
                if on_read is not None and i % 2048 == 0:
                    on_read(done + source.bytes_done, total)
            done += source.size
            if on_read is not None:
                on_read(done, total)

    read_bytes = [0]

    def read_piece(piece: Piece, got: PieceRead) -> None:  # pieces come back in file order
        counts["read"] += got.read
        rejected.extend({"source": piece.path, "line": line, "reason": reason} for line, reason in got.rejected)
        read_bytes[0] += piece.size
        if on_read is not None:
            on_read(read_bytes[0], total)

    if stream is None:
        stream = total > STREAM_ABOVE_BYTES or partition_posts is not None or jobs > 1 or queue
    pieces = pieces_of(sources, jobs) if stream and jobs > 1 and not queue else None
    try:
        if stream:
            result = _score_streamed(iter(()) if pieces else posts(), model=model, window=window, targets=targets,
                                     started=started, partition_posts=partition_posts or PARTITION_POSTS, jobs=jobs,
                                     work=work, on_progress=_both(on_progress, job.update if job else None),
                                     workers=CeleryWorkers() if queue else None,
                                     make_runs=runs_maker(pieces, jobs, read_piece) if pieces else None)
        else:
            result = _score(posts(), model=model, window=window, targets=targets, started=started)
        result.rejected, result.read, result.inputs = rejected, counts["read"], [str(p) for p in inputs]
        if out is not None:
            if job is not None:
                job.update("writing", 0, 1)
            result.write(out, out_format)
    except BaseException as error:
        if job is not None:
            job.failed(error)
        raise
    if job is not None:
        job.done(result.summary())
    return result


def _both(*callbacks: Callable | None) -> Callable | None:
    """One callback that calls each of `callbacks` that is not None (None if all are)."""
    live = [c for c in callbacks if c is not None]
    if not live:
        return None

    def call(*args) -> None:
        for callback in live:
            callback(*args)
    return call


def score_posts(posts: Iterable[dict] | Any, *, out: str | Path | None = None, model: Model | str | Path | None = None,
                window: float | None = None, targets: dict[str, list[str]] | None = None,
                mapping: dict[str, str] | None = None, out_format: str = "jsonl") -> BatchScoring:
    """Score and cluster normalized posts given as dicts (the JSONL contract: ISO times as strings or datetimes),
    or as a pandas DataFrame or Arrow table (columns named as the contract's fields, or renamed by `mapping`
    {field: column}; read as Parquet files are).

    A post that breaks the contract is rejected with its position (source "<posts>", line = 1-based index or row).
    """
    started = time.perf_counter()
    rejected: list[dict] = []
    counts = {"read": 0}
    table = as_table(posts)
    if mapping and table is None:
        raise ValueError("mapping is for a DataFrame or an Arrow table, not for dicts")

    def normalized() -> Iterator[dict]:
        if table is not None:
            options = ReadOptions(mapping=dict(mapping or {}))
            for record in table_records(table, options):
                counts["read"] += 1
                items = [record] if isinstance(record, Rejection) else normalize_row(record, options)
                for item in items:
                    if isinstance(item, Rejection):
                        rejected.append({"source": "<posts>", "line": item.line, "reason": item.reason})
                    else:
                        yield item
            return
        for line, post in enumerate(posts, start=1):
            counts["read"] += 1
            for item in normalize_contract(RawRecord(line, _as_contract(post))):
                if isinstance(item, Rejection):
                    rejected.append({"source": "<posts>", "line": line, "reason": item.reason})
                else:
                    yield item

    result = _score(normalized(), model=model, window=window, targets=targets, started=started)
    result.rejected, result.read = rejected, counts["read"]
    if out is not None:
        result.write(out, out_format)
    return result


def _as_contract(post: dict) -> dict:
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in post.items()}


def _score(posts: Iterable[dict], *, model, window, targets, started: float) -> BatchScoring:
    if window is not None and window <= 0:
        raise ValueError("window must be a positive number of seconds")
    model = model if isinstance(model, Model) else load_model(model)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    frame = PostFrame.from_records(posts)
    order = canonical_order(frame)  # the result must not depend on the order of the input
    input_order = None
    if len(order) and not np.array_equal(order, np.arange(len(order))):
        frame = frame.take(order)
        input_order = np.empty_like(order)
        input_order[order] = np.arange(len(order))
    timings["read"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    detection = detect(frame, model, window=window, targets=targets or None)
    timings["detect"] = round(time.perf_counter() - t0, 3)
    timings.update({f"detect.{k}": round(v, 3) for k, v in detection.timings.items()})
    timings["scoring"] = timings["total"] = round(time.perf_counter() - started, 3)
    return BatchScoring(frame=frame, detection=detection, model=model, window=window, targets=targets or {},
                        timings=timings, input_order=input_order)


def _score_streamed(posts: Iterable[dict], *, model, window, targets, started: float, partition_posts: int,
                    jobs: int, work, on_progress, workers: Workers | None,
                    make_runs: Callable[[Path, int], list[Path]] | None = None) -> StreamedScoring:
    if window is not None and window <= 0:
        raise ValueError("window must be a positive number of seconds")
    model = model if isinstance(model, Model) else load_model(model)
    config = DetectConfig.from_dict(model.card.get("detection")).with_window(window)
    streamed = score_stream(posts, model, config, targets or None, work=work, partition_posts=partition_posts,
                            jobs=jobs, on_progress=on_progress, workers=workers, make_runs=make_runs)
    timings = {f"stream.{k}": v for k, v in streamed.timings.items()}
    timings["scoring"] = timings["total"] = round(time.perf_counter() - started, 3)
    return StreamedScoring(streamed=streamed, model=model, window=window, targets=targets or {}, timings=timings,
                           partition_posts=partition_posts, jobs=jobs)
