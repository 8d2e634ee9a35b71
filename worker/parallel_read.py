"""Reading a dump over processes (`score --jobs N`): each uncompressed JSON Lines or CSV file is cut into byte
ranges at record boundaries (worker/sources/ranges.py, as queued ingestion cuts them), and forked processes
read, normalize and write each range as sorted run files. The runs then merge as one reader's runs would
(worker/external_sort.py): `seq` numbers posts in file order (range k's after range k-1's), so ties break the
same way, and rejected records come back in file order with the file's line numbers.

Why: reading and normalizing was most of the sort phase and ran in one process (1M posts: 24 of 27 s of CPU).
"""

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from worker.external_sort import write_runs
from worker.sources import ReadOptions, Rejection, Source
from worker.sources.ranges import (
    CSV_FORMATS,
    LINE_FORMATS,
    SlicePlan,
    is_compressed,
    plan_slices,
    slice_items,
)

SEQ_PER_PIECE = 1 << 40         # more posts than one range can hold: seq = piece number x this + post number
PIECES_PER_JOB = 4              # several ranges per process, so that one slow range does not hold the others up
MIN_PIECE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Piece:
    """One byte range of one input file, the `number`-th of the whole dump."""
    path: str
    fmt: str
    options: ReadOptions
    plan: SlicePlan
    number: int
    size: int                   # bytes of the file in this range (for progress)


@dataclass
class PieceRead:
    runs: list[Path]
    rejected: list[tuple[int, str]]  # (line in its file, reason), in file order
    read: int                        # records read: posts and rejected ones


def pieces_of(sources: Sequence[Source], jobs: int) -> list[Piece] | None:
    """The dump cut into about PIECES_PER_JOB x `jobs` byte ranges; None when a file cannot be cut (compressed,
    or a format read whole: JSON, Telegram, VK, RSS, Parquet), and then it is read by one process as before."""
    if any(s.format not in LINE_FORMATS | CSV_FORMATS or is_compressed(s.path) for s in sources):
        return None
    total = sum(s.size for s in sources)
    piece_bytes = max(MIN_PIECE_BYTES, total // (jobs * PIECES_PER_JOB) + 1)
    pieces: list[Piece] = []
    for source in sources:
        plans = plan_slices(source.path, source.format, piece_bytes)
        for plan in plans:
            end = source.size if plan.end is None else plan.end
            pieces.append(Piece(str(source.path), source.format, source.options, plan, len(pieces), end - plan.start))
    return pieces


def read_pieces(pieces: list[Piece], jobs: int, work: Path, run_posts: int) -> Iterator[tuple[Piece, PieceRead]]:
    """Each piece read into sorted run files under `work`, by `jobs` forked processes, yielded in piece order."""
    tasks = [(piece, Path(work), run_posts) for piece in pieces]
    if jobs < 2 or len(pieces) < 2:
        for task in tasks:
            yield task[0], read_piece(*task)
        return
    with multiprocessing.get_context("fork").Pool(min(jobs, len(pieces))) as pool:
        for task, result in zip(tasks, pool.imap(_read_piece_task, tasks), strict=True):
            yield task[0], result


def read_piece(piece: Piece, work: Path, run_posts: int) -> PieceRead:
    rejected: list[tuple[int, str]] = []
    counted = [0]

    def posts() -> Iterator[dict]:
        for item in slice_items(piece.path, piece.fmt, piece.options, piece.plan):
            counted[0] += 1
            if isinstance(item, Rejection):
                rejected.append((item.line, item.reason))
            else:
                yield item

    runs = write_runs(posts(), work, run_posts=run_posts, seq_start=piece.number * SEQ_PER_PIECE,
                      name=f"piece-{piece.number:05d}-run")
    return PieceRead(runs, rejected, counted[0])


def _read_piece_task(task: tuple[Piece, Path, int]) -> PieceRead:
    return read_piece(*task)


def runs_maker(pieces: list[Piece], jobs: int, on_piece: Callable[[Piece, PieceRead], None]
               ) -> Callable[[Path, int], list[Path]]:
    """`make_runs` for worker.external_sort.sort_posts: read the pieces, telling `on_piece` of each in order."""
    def make_runs(work: Path, run_posts: int) -> list[Path]:
        runs: list[Path] = []
        for piece, result in read_pieces(pieces, jobs, work, run_posts):
            runs += result.runs
            on_piece(piece, result)
        return runs
    return make_runs
