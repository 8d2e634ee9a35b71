"""Open dump files as text streams: plain, .gz or .zst (by magic bytes), counting compressed bytes read."""

import gzip
import io
from pathlib import Path

import zstandard

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
HEAD_BYTES = 64 * 1024


class SourceError(Exception):
    """A whole input cannot be read (missing, unreadable, unknown format); reported as one line, exit 2."""


class CountingReader(io.RawIOBase):
    """Counts the bytes taken from the file on disk, so progress works for compressed inputs too."""

    def __init__(self, raw):
        self._raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer)
        self.bytes_read += n or 0
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_binary(path: str | Path) -> tuple[io.BufferedReader, CountingReader]:
    """A decompressed binary stream and the counter of on-disk bytes behind it."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 (closed by the caller through the returned stream)
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory") from None
    except OSError as error:
        raise SourceError(f"{path}: cannot open: {error.strerror or error}") from None
    magic = raw.read(4)
    raw.seek(0)
    counter = CountingReader(raw)
    buffered = io.BufferedReader(counter, buffer_size=1024 * 1024)
    if magic.startswith(GZIP_MAGIC):
        return io.BufferedReader(gzip.GzipFile(fileobj=buffered), buffer_size=1024 * 1024), counter
    if magic.startswith(ZSTD_MAGIC):
        reader = zstandard.ZstdDecompressor().stream_reader(buffered, read_across_frames=True)
        return io.BufferedReader(reader, buffer_size=1024 * 1024), counter
    return buffered, counter


def open_text(path: str | Path) -> tuple[io.TextIOWrapper, CountingReader]:
    binary, counter = open_binary(path)
    # utf-8-sig drops a BOM (CSV exports from spreadsheet tools often start with one).
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="")
    # Read in 1 MB steps, not 8 KB: every read gives up the GIL, and getting it back from the writer thread
    # costs up to a switch interval, which made reading the slowest part of ingestion.
    text._CHUNK_SIZE = 1024 * 1024
    return text, counter


def read_head(path: str | Path) -> str:
    """The first ~64 KB of the decompressed text, for format detection."""
    binary, _ = open_binary(path)
    try:
        data = binary.read(HEAD_BYTES)
    except (OSError, EOFError, zstandard.ZstdError) as error:
        raise SourceError(f"{path}: cannot decompress: {error}") from None
    finally:
        binary.close()
    return data.decode("utf-8-sig", errors="replace")


def logical_name(path: str | Path) -> str:
    """The file name without a compression suffix: dump.jsonl.gz -> dump.jsonl."""
    name = Path(path).name
    for suffix in (".gz", ".zst"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name
