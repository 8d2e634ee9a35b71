"""Posts sorted by time out of core: a dump of any size, read once, kept on disk as Arrow IPC files in time order.

The order is canonical: (created, platform, id), then the order read (only posts repeated with the same platform
and id tie on all three). So a dump grouped by author or by day gives the same order as one sorted by time, and
batch scoring gives the same result whatever the order of its input (worker/batch_scoring.py sorts the same way).

How: posts are read in runs of `run_posts`, each sorted in memory and written as one file; the runs are then
merged block by block (each step takes from every run the posts not later than the smallest key found
MERGE_ROWS / runs posts into each run's current batch, sorts that block and writes it on), into parts of about
`part_posts` posts. Memory: one run while reading; while merging one record batch per run and one block of at
most MERGE_ROWS posts.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from classifiers import PostFrame

ORDER = (("created", "ascending"), ("platform", "ascending"), ("id", "ascending"), ("seq", "ascending"))
SCHEMA = pa.schema([
    ("id", pa.string()), ("platform", pa.string()), ("author_id", pa.string()), ("author_name", pa.string()),
    ("author_created", pa.float64()), ("followers", pa.float64()), ("text", pa.string()),
    ("created", pa.float64()), ("lang", pa.string()), ("urls", pa.list_(pa.string())),
    ("hashtags", pa.list_(pa.string())), ("repost_of", pa.string()), ("reply_to", pa.string()),
    ("seq", pa.int64()),
])
RUN_POSTS = 100_000
PART_POSTS = 65_536
MERGE_BLOCK = 2_048    # rows per record batch of a run file: the merge holds one per run (100 runs at 10M posts)
MERGE_ROWS = 65_536    # at most this many rows merged at once, however many runs


def frame_table(frame: PostFrame, seq_start: int = 0) -> pa.Table:
    """The frame's columns as an Arrow table (SCHEMA), `seq` numbering its rows from `seq_start`."""
    n = len(frame)
    return pa.table({
        "id": pa.array(frame.id, pa.string()), "platform": pa.array(frame.platform, pa.string()),
        "author_id": pa.array(frame.author_id, pa.string()), "author_name": pa.array(frame.author_name, pa.string()),
        "author_created": pa.array(frame.author_created), "followers": pa.array(frame.followers),
        "text": pa.array(frame.text, pa.string()), "created": pa.array(frame.created),
        "lang": pa.array(frame.lang, pa.string()), "urls": pa.array(frame.urls, pa.list_(pa.string())),
        "hashtags": pa.array(frame.hashtags, pa.list_(pa.string())),
        "repost_of": pa.array(frame.repost_of, pa.string()), "reply_to": pa.array(frame.reply_to, pa.string()),
        "seq": pa.array(np.arange(seq_start, seq_start + n, dtype=np.int64)),
    }, schema=SCHEMA)


def table_frame(table: pa.Table) -> PostFrame:
    """The PostFrame of a SCHEMA table (the same values PostFrame.from_records gave before frame_table)."""
    def obj(name):
        return table.column(name).to_numpy(zero_copy_only=False).astype(object, copy=False)

    def floats(name):
        return table.column(name).to_numpy().astype(np.float64, copy=False)

    return PostFrame(
        id=obj("id"), platform=obj("platform"), author_id=obj("author_id"), author_name=obj("author_name"),
        author_created=floats("author_created"), followers=floats("followers"), text=obj("text"),
        created=floats("created"), lang=obj("lang"), urls=table.column("urls").to_pylist(),
        hashtags=table.column("hashtags").to_pylist(), repost_of=obj("repost_of"), reply_to=obj("reply_to"))


def canonical_order(frame: PostFrame) -> np.ndarray:
    """Row order of the frame by (created, platform, id), ties in the order given (a stable sort)."""
    table = pa.table({"created": pa.array(frame.created), "platform": pa.array(frame.platform, pa.string()),
                      "id": pa.array(frame.id, pa.string())})
    return pc.sort_indices(table, sort_keys=list(ORDER[:3])).to_numpy()


@dataclass
class SortedPosts:
    """A dump's posts in canonical order, as Arrow IPC part files; global row r is the r-th post in that order."""

    parts: list[Path]
    offsets: np.ndarray                     # first global row of each part, and n at the end
    created: np.ndarray                     # float64 epoch seconds per global row (for time partitions)
    author_code: np.ndarray                 # int32 code per global row (one per distinct author_id)
    work_dir: object = field(default=None, repr=False)  # the TemporaryDirectory holding the parts, if any
    _cache: dict = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def part(self, k: int) -> pa.Table:
        table = self._cache.get(k)
        if table is None:
            table = pa.ipc.open_file(pa.memory_map(str(self.parts[k]))).read_all()
            self._cache.clear()  # one part at a time: memory-mapped, so reading again costs little
            self._cache[k] = table
        return table

    def slice(self, lo: int, hi: int, columns: list[str] | None = None) -> pa.Table:
        """Global rows [lo, hi) as one table."""
        pieces = []
        k = max(0, bisect.bisect_right(self.offsets.tolist(), lo) - 1)
        while k < len(self.parts) and self.offsets[k] < hi:
            start, end = int(self.offsets[k]), int(self.offsets[k + 1])
            table = self.part(k) if columns is None else self.part(k).select(columns)
            pieces.append(table.slice(max(lo, start) - start, min(hi, end) - max(lo, start)))
            k += 1
        return pa.concat_tables(pieces) if pieces else SCHEMA.empty_table()

    def take(self, rows: np.ndarray, columns: list[str] | None = None) -> pa.Table:
        """Global rows (sorted ascending) as one table, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        pieces = []
        which = np.searchsorted(self.offsets, rows, side="right") - 1
        for k in np.unique(which).tolist():
            local = rows[which == k] - self.offsets[k]
            table = self.part(k) if columns is None else self.part(k).select(columns)
            pieces.append(table.take(pa.array(local)))
        schema = SCHEMA if columns is None else pa.schema([SCHEMA.field(c) for c in columns])
        return pa.concat_tables(pieces) if pieces else schema.empty_table()

    def columns(self, names: list[str]) -> Iterator[tuple[int, pa.Table]]:
        """(first global row, table of those columns) per part, in order."""
        for k in range(len(self.parts)):
            yield int(self.offsets[k]), self.part(k).select(names)


def sort_posts(records: Iterable[dict], work: Path, *, run_posts: int = RUN_POSTS, part_posts: int = PART_POSTS,
               on_block: Callable[[pa.Table], None] | None = None,
               make_runs: Callable[[Path, int], list[Path]] | None = None) -> SortedPosts:
    """Sort normalized posts (dicts, as from worker.sources) into `work` (which must exist).

    `on_block(table)` sees every merged block in canonical order (one pass over the sorted posts for free).
    `make_runs(work, run_posts)`, when given, writes the sorted runs itself instead of reading `records` (reading
    in byte ranges over processes: worker/parallel_read.py) and returns their files."""
    work = Path(work)
    runs = make_runs(work, run_posts) if make_runs is not None else write_runs(records, work, run_posts=run_posts)
    writer = _PartWriter(work, part_posts)
    for block in _merge(runs):
        writer.add(block)
        if on_block is not None:
            on_block(block)
    for path in runs:
        path.unlink()
    return writer.finish()


def write_runs(records: Iterable[dict], work: Path, *, run_posts: int = RUN_POSTS, seq_start: int = 0,
               name: str = "run") -> list[Path]:
    """Sorted run files of at most `run_posts` posts each, `seq` numbering the posts in the order read from
    `seq_start`."""
    runs: list[Path] = []
    records = iter(records)
    seq = seq_start
    while chunk := list(islice(records, run_posts)):
        table = frame_table(PostFrame.from_records(chunk), seq)
        del chunk
        seq += table.num_rows
        table = table.take(pc.sort_indices(table, sort_keys=list(ORDER)))
        path = Path(work) / f"{name}-{len(runs):05d}.arrow"
        _write(path, table, MERGE_BLOCK)
        runs.append(path)
        del table
    return runs


def _write(path: Path, table: pa.Table, batch_rows: int) -> None:
    with pa.ipc.new_file(str(path), SCHEMA) as out:
        for batch in table.to_batches(max_chunksize=batch_rows):
            out.write_batch(batch)


def _merge(runs: list[Path]) -> Iterator[pa.Table]:
    """Blocks of posts in canonical order from sorted run files."""
    # read, not memory-mapped: a mapped page read stays in this process's resident memory until the file is closed,
    # so merging would hold the whole dump by its end
    readers = [pa.ipc.open_file(pa.OSFile(str(path))) for path in runs]
    next_batch = [0] * len(runs)
    heads: list[pa.Table | None] = [None] * len(runs)

    def refill(i: int) -> None:
        while (heads[i] is None or heads[i].num_rows == 0) and next_batch[i] < readers[i].num_record_batches:
            heads[i] = pa.Table.from_batches([readers[i].get_batch(next_batch[i])])
            next_batch[i] += 1
        if heads[i] is not None and heads[i].num_rows == 0:
            heads[i] = None

    for i in range(len(runs)):
        refill(i)
    step = max(1, MERGE_ROWS // max(len(runs), 1))  # look ahead this many rows per run: a block <= MERGE_ROWS
    while any(h is not None for h in heads):
        live = [i for i, h in enumerate(heads) if h is not None]
        bound = min((_key(heads[i], min(step, heads[i].num_rows) - 1), i) for i in live)[0]
        taken = []
        for i in live:
            count = _count_not_after(heads[i], bound)
            if count:
                taken.append(heads[i].slice(0, count))
                heads[i] = heads[i].slice(count)
            refill(i)
        block = pa.concat_tables(taken)
        yield block.take(pc.sort_indices(block, sort_keys=list(ORDER))) if len(taken) > 1 else block


def _key(table: pa.Table, row: int) -> tuple:
    return tuple(table.column(name)[row].as_py() for name, _ in ORDER)


def _count_not_after(table: pa.Table, bound: tuple) -> int:
    """How many leading rows of a sorted table have a key <= bound."""
    created = table.column("created").to_numpy()
    lo = int(np.searchsorted(created, bound[0], side="left"))
    hi = int(np.searchsorted(created, bound[0], side="right"))
    count = lo
    for row in range(lo, hi):  # same time: compare the rest of the key (few rows)
        if _key(table, row) <= bound:
            count = row + 1
        else:
            break
    return count


class _PartWriter:
    """Writes merged blocks into part files of about `part_posts` posts; keeps created and author codes."""

    def __init__(self, work: Path, part_posts: int):
        self.work, self.part_posts = work, part_posts
        self.parts: list[Path] = []
        self.offsets = [0]
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.created: list[np.ndarray] = []

    def add(self, block: pa.Table) -> None:
        self.created.append(block.column("created").to_numpy())
        self.pending.append(block)
        self.pending_rows += block.num_rows
        while self.pending_rows >= self.part_posts:
            table = pa.concat_tables(self.pending)
            self._flush(table.slice(0, self.part_posts))
            rest = table.slice(self.part_posts)
            self.pending, self.pending_rows = ([rest] if rest.num_rows else []), rest.num_rows

    def _flush(self, table: pa.Table) -> None:
        path = self.work / f"part-{len(self.parts):05d}.arrow"
        _write(path, table.combine_chunks(), self.part_posts)
        self.parts.append(path)
        self.offsets.append(self.offsets[-1] + table.num_rows)

    def finish(self) -> SortedPosts:
        if self.pending_rows:
            self._flush(pa.concat_tables(self.pending))
        return SortedPosts(self.parts, np.asarray(self.offsets, dtype=np.int64),
                           np.concatenate(self.created) if self.created else np.zeros(0), self._author_codes())

    def _author_codes(self) -> np.ndarray:
        """An int32 code per post, one per distinct author_id in order of first appearance: Arrow's dictionary
        encoding of the parts' author_id columns (a Python dict of 3M ids took about 450 MB at 10M posts)."""
        chunks = [chunk for path in self.parts
                  for chunk in pa.ipc.open_file(pa.memory_map(str(path))).read_all().column("author_id").chunks]
        if not chunks:
            return np.zeros(0, np.int32)
        encoded = pc.dictionary_encode(pa.chunked_array(chunks, pa.string()), null_encoding="encode")
        return np.concatenate([chunk.indices.to_numpy() for chunk in encoded.chunks]).astype(np.int32, copy=False)
