"""CSV reading shared by the CSV formats (ioarchive, crowdtangle, csv): records with their first line number,
and recovery from broken quoting.

`csv.reader` (C, strict mode) does the parsing; a thin line iterator in front of it remembers the raw lines of the
record being parsed, so that each record reports the line it starts on and a broken record can be re-read.

Recovery: an unbalanced quote makes the reader swallow the following lines into one field. That shows up as
  - `csv.Error` (strict mode: text after a closing quote, end of file inside a quoted field, a field larger than
    the field size limit), or
  - a record spanning several lines whose field count differs from the header's, or
  - a record spanning several lines with the right field count but a multi-line field whose continuation lines
    each look like a whole record (as many delimiters as the header has).
  - a record longer than the record limit (Limits.max_record_bytes), over one line or several.
In each case the first line of the record becomes a Rejection and the lines after it are fed to the reader again, so
the rest of the file still goes through. A single line over the limit is one Rejection and is read past without being
held (a line without end, e.g. a decompression bomb, costs time, not memory). Memory stays bounded by the record
limit.
"""

import csv
from collections import deque
from collections.abc import Iterator
from typing import TextIO

from worker.sources.base import RawRecord, Rejection, TooLong, current_limits, excerpt, numbered_lines

FIELD_SIZE_LIMIT = 16 * 1024 * 1024  # one field (e.g. a swallowed rest of file) is cut off at this size
csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))

# Below this many columns a text line with as many commas as the header is plausible prose, not a record.
MIN_COLUMNS_FOR_LOOKALIKE_CHECK = 6


class RecordTooLong(Exception):
    """The record being read is over the record limit (raised from the line iterator, through csv.reader)."""


class _Lines:
    """Lines from the stream (or replayed ones first), keeping the current record's raw lines and line numbers."""

    __slots__ = ("_lines", "_replay", "_max_chars", "pending", "pending_chars", "start")

    def __init__(self, stream: TextIO, max_bytes: int):
        self._lines = numbered_lines(stream, max_bytes)
        self._replay: deque[tuple[int, str | TooLong]] = deque()
        self._max_chars = max_bytes
        self.pending: list[tuple[int, str | TooLong]] = []  # lines of the record being read
        self.pending_chars = 0
        self.start = 1

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self._replay:
            number, line = self._replay.popleft()
        else:
            number, line = next(self._lines)
        if not self.pending:
            self.start = number
            self.pending_chars = 0
        self.pending.append((number, line))
        if type(line) is TooLong:
            raise RecordTooLong
        self.pending_chars += len(line)
        if self.pending_chars > self._max_chars:
            raise RecordTooLong
        return line

    def done(self) -> None:
        self.pending.clear()

    def replay_after_first(self) -> None:
        """Forget the current record's first line; feed the rest of its lines again."""
        rest = self.pending[1:]
        self.pending.clear()
        self._replay.extendleft(reversed(rest))


def sniff_delimiter(first_line: str) -> str:
    """The likeliest delimiter of a header line: comma, semicolon or tab."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def header_of(head: str) -> list[str] | None:
    """The header of a CSV file from its first ~64 KB (for detection), or None if it does not look like CSV."""
    first = head.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    if not first or first[0] in "{[<":
        return None
    try:
        row = next(csv.reader([first], delimiter=sniff_delimiter(first)))
    except (csv.Error, StopIteration):
        return None
    return [name.strip() for name in row] if len(row) > 1 else None


def read_rows(stream: TextIO, delimiter: str | None = None) -> Iterator[tuple[list[str], list[str], int] | Rejection]:
    """Yield (header, row, first_line) for every good record, or a Rejection for a broken one; blank lines are ignored.

    The header is the first non-blank record. The delimiter is sniffed from it unless given.
    """
    max_bytes = current_limits().max_record_bytes
    lines = _Lines(stream, max_bytes)
    if delimiter is None:
        try:
            first = _peek_first_line(lines)
        except RecordTooLong:
            yield Rejection(lines.start, f"CSV header longer than {max_bytes:,} bytes", excerpt(_first_text(lines)))
            return
        if first is None:
            return
        delimiter = sniff_delimiter(first)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    header: list[str] | None = None
    width = 0
    lookalike = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except RecordTooLong:
            start, text = lines.start, _first_text(lines)
            if header is None:
                lines.done()
                yield Rejection(start, f"CSV header longer than {max_bytes:,} bytes", excerpt(text))
                return
            if len(lines.pending) == 1:
                lines.done()
                yield Rejection(start, f"line longer than {max_bytes:,} bytes (the limit of one record)", excerpt(text))
            else:
                lines.replay_after_first()
                yield Rejection(start, f"broken CSV record: longer than {max_bytes:,} bytes over several lines "
                           "(unbalanced quote?); resuming at the next line", excerpt(text))
            continue
        except csv.Error as error:
            start, text = lines.start, _first_text(lines)
            if header is None:
                lines.done()
                yield Rejection(start, f"broken CSV header ({error})", excerpt(text))
                return
            lines.replay_after_first()
            yield Rejection(start, f"broken CSV record ({_describe(error)}); resuming at the next line", excerpt(text))
            continue
        if not row:
            lines.done()
            continue
        if header is None:
            header = [name.strip() for name in row]
            width = len(header)
            lookalike = width - 1 if width >= MIN_COLUMNS_FOR_LOOKALIKE_CHECK else 0
            lines.done()
            continue
        start = lines.start
        multiline = len(lines.pending) > 1
        if len(row) != width:
            text = _first_text(lines)
            if multiline:
                span = len(lines.pending)
                lines.replay_after_first()
                yield Rejection(
                    start,
                    f"broken CSV record: {len(row)} fields, expected {width}, over {span} lines "
                    "(unbalanced quote?); resuming at the next line",
                    excerpt(text),
                )
            else:
                lines.done()
                yield Rejection(start, f"CSV record has {len(row)} fields, expected {width}", excerpt(text))
            continue
        if multiline and lookalike and _swallowed_records(row, delimiter, lookalike):
            text = _first_text(lines)
            lines.replay_after_first()
            yield Rejection(start, "broken CSV record: a quoted field swallowed the next lines (unbalanced quote?); "
                       "resuming at the next line", excerpt(text))
            continue
        lines.done()
        yield header, row, start


def read_records(stream: TextIO, delimiter: str | None = None) -> Iterator[RawRecord | Rejection]:
    """Records as {column: value} dicts (RawRecord with the first line of the record), or Rejections."""
    for item in read_rows(stream, delimiter):
        if isinstance(item, Rejection):
            yield item
        else:
            header, row, line = item
            yield RawRecord(line, dict(zip(header, row, strict=True)))


def _peek_first_line(lines: _Lines) -> str | None:
    try:
        first = next(lines)
    except StopIteration:
        return None
    lines._replay.appendleft((lines.start, first))
    lines.pending.clear()
    return first


def _first_text(lines: _Lines) -> str:
    if not lines.pending:
        return ""
    first = lines.pending[0][1]
    return first.head if type(first) is TooLong else first.rstrip("\r\n")


def _describe(error: csv.Error) -> str:
    message = str(error)
    if "unexpected end of data" in message:
        return "unterminated quoted field at end of file"
    if "field larger than field limit" in message:
        return f"quoted field larger than {FIELD_SIZE_LIMIT // (1024 * 1024)} MB, unterminated quote?"
    return message


def _swallowed_records(row: list[str], delimiter: str, min_delimiters: int) -> bool:
    """Does a multi-line field hold lines that look like whole records (a quote opened and never closed)?"""
    for value in row:
        if "\n" in value:
            for part in value.split("\n")[1:]:
                if part.count(delimiter) >= min_delimiters:
                    return True
    return False
