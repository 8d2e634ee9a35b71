"""Byte ranges of a dump file that start and end at record boundaries, and reading one of them.

A range ends after a newline for line formats (JSONL, twarc2), after a newline outside quotes for CSV formats
(whose ranges re-read the header line first). Whole-document formats (Telegram and VK JSON, RSS/Atom) and
compressed files are one range. Queued ingestion stores a range per slice (worker/slices.py); `score --jobs`
reads ranges in parallel (worker/parallel_read.py).
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from worker.sources import ReadOptions, Rejection, format_module, open_source, read_items
from worker.sources.files import GZIP_MAGIC, ZSTD_MAGIC

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
        self._file = open(path, "rb")  # closed in close()
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
        for item in read_items(module, stream, options):
            if isinstance(item, Rejection):
                item.line += plan.line_offset
            yield item
