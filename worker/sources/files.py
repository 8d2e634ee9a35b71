"""Open dump files as text streams: plain, .gz or .zst (by magic bytes), counting compressed bytes read.

Decompression is streamed in bounded steps (at most ~1 MB of output per step, whatever the ratio), so a small
archive that expands to gigabytes costs time, never memory: the readers above take lines and records with a cap
of their own (Limits.max_record_bytes).

A truncated or corrupt archive does not raise in the middle of reading: the stream ends at the break (for line
formats after the last complete line before it: the partial line is dropped), and `CountingReader.error` says why. The reader
above finishes normally with every record before the break, and `Source.items()` then reports the break as one
`BrokenFile` line ("cannot decompress after N records: ..."). A zstd stream that simply stops mid-frame is found
by walking the frame headers at the end (the zstd library reports a truncated frame as a clean end).
"""

import io
import zlib
from pathlib import Path

import zstandard

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
HEAD_BYTES = 64 * 1024
COMPRESSED_CHUNK = 256 * 1024  # compressed bytes read from the file at a time
ZLIB_STEP = 4 * 1024  # compressed bytes per zlib call (an error loses that call's output only)
OUTPUT_CHUNK = 1024 * 1024  # decompressed bytes produced per step at most


class SourceError(Exception):
    """A whole input cannot be read (missing, unreadable, unknown format); reported as one line, exit 2."""


class UnknownFormat(SourceError):
    """No format recognises the file: the user names one (the CLI's --format, the upload page's picker)."""


class DecompressError(Exception):
    """The compressed stream breaks here (truncated, corrupt); the data before the break has been delivered."""


class CountingReader(io.RawIOBase):
    """Counts the bytes taken from the file on disk, so progress works for compressed inputs too.

    `error` is set when decompression stopped early (truncated or corrupt archive): the text stream then ended at
    the break, and the error says why.
    """

    def __init__(self, raw):
        self._raw = raw
        self.bytes_read = 0
        self.error: str | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer)
        self.bytes_read += n or 0
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


class _Gunzip:
    """gzip members one after another (as gzip/GzipFile read them), decompressed in bounded steps.

    zlib gets 4 KB of compressed data at a time: an error discards the output of its call only, so a corrupt or
    truncated member keeps nearly everything before the damage (GzipFile loses up to its whole read buffer).
    """

    def __init__(self, source):
        self._source = source
        self._decompressor = None
        self._input = b""  # compressed bytes read from the file, used from _offset on
        self._offset = 0
        self._carry = b""  # compressed bytes to use before the rest of _input (zlib's unconsumed/unused data)
        self._error: DecompressError | None = None  # found while output was waiting: raised at the next read

    def _take(self, n: int) -> bytes:
        """Up to n compressed bytes; b"" at the end of the file."""
        if self._carry:
            piece, self._carry = self._carry[:n], self._carry[n:]
            return piece
        if self._offset >= len(self._input):
            self._input, self._offset = self._source.read(COMPRESSED_CHUNK), 0
            if not self._input:
                return b""
        piece = self._input[self._offset:self._offset + n]
        self._offset += len(piece)
        return piece

    def read(self, size: int) -> bytes:
        if self._error is not None:
            raise self._error
        out: list[bytes] = []
        total = 0
        try:
            while total < size // 4:
                chunk = self._step(size - total)
                if not chunk:
                    break
                out.append(chunk)
                total += len(chunk)
        except DecompressError as error:
            if not out:
                raise
            self._error = error
        return b"".join(out)

    def _step(self, size: int) -> bytes:
        """The output of one zlib call (b"" at the clean end of the stream)."""
        while True:
            if self._decompressor is None:  # between members: NUL padding, another member, or the end
                head = b""
                while len(head) < 2:
                    piece = self._take(ZLIB_STEP)
                    if not piece:
                        if head:
                            raise DecompressError("data after the end of the gzip stream is not gzip")
                        return b""
                    head += piece if head else piece.lstrip(b"\x00")
                if not head.startswith(GZIP_MAGIC):
                    raise DecompressError("data after the end of the gzip stream is not gzip")
                self._carry = head + self._carry
                self._decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
            piece = self._take(ZLIB_STEP)
            if not piece:
                raise DecompressError("the compressed data ends before the end of the gzip stream (truncated file)")
            try:
                out = self._decompressor.decompress(piece, size)
            except zlib.error as error:
                raise DecompressError(f"corrupt gzip data ({error})") from None
            if self._decompressor.eof:
                self._carry = self._decompressor.unused_data + self._carry
                self._decompressor = None
            else:
                self._carry = self._decompressor.unconsumed_tail + self._carry
            if out:
                return out


class _Unzstd:
    """zstd frames one after another through the library's bounded stream reader, plus a check at the end that
    the last frame is complete (the library ends a truncated frame silently)."""

    def __init__(self, source, path: Path):
        self._reader = zstandard.ZstdDecompressor().stream_reader(source, read_size=COMPRESSED_CHUNK,
                                                                  read_across_frames=True, closefd=False)
        self._path = path
        self._done = False

    def read(self, size: int) -> bytes:
        if self._done:
            return b""
        try:
            out = self._reader.read1(size)
        except zstandard.ZstdError as error:
            raise DecompressError(f"corrupt zstd data ({error})") from None
        if not out:
            self._done = True
            problem = zstd_frames_problem(self._path)
            if problem:
                raise DecompressError(problem)
        return out


def zstd_frames_problem(path: str | Path) -> str | None:
    """Walk the frame and block headers of a zstd file (seeking over the data): None when every frame is
    complete, else what is wrong. Cheap: about one 3-byte read per 128 KB block."""
    with open(path, "rb") as f:
        size = f.seek(0, io.SEEK_END)
        pos = 0
        frames = 0

        def take(n: int) -> bytes:
            nonlocal pos
            f.seek(pos)
            data = f.read(n)
            if len(data) < n:
                raise EOFError
            pos += n
            return data

        try:
            while pos < size:
                magic = int.from_bytes(take(4), "little")
                if 0x184D2A50 <= magic <= 0x184D2A5F:  # skippable frame
                    pos += int.from_bytes(take(4), "little")
                    if pos > size:
                        raise EOFError
                    continue
                if magic != 0xFD2FB528:
                    return f"data after zstd frame {frames} is not zstd"
                descriptor = take(1)[0]
                single_segment = descriptor & 0x20
                fcs_size = (0, 2, 4, 8)[descriptor >> 6] or (1 if single_segment else 0)
                header = (0 if single_segment else 1) + (0, 1, 2, 4)[descriptor & 3] + fcs_size
                take(header)
                while True:
                    block = int.from_bytes(take(3), "little")
                    kind, length = (block >> 1) & 3, block >> 3
                    pos += 1 if kind == 1 else length
                    if pos > size:
                        raise EOFError
                    if block & 1:
                        break
                if descriptor & 4:
                    take(4)  # content checksum
                frames += 1
        except EOFError:
            return "the compressed data ends inside a zstd frame (truncated file)"
    return None


class _Decompressed(io.RawIOBase):
    """A raw stream of decompressed bytes that ends cleanly at a break (the reason in counter.error).

    With `whole_lines` (line formats: JSON Lines, CSV) it ends after the last newline before the break: the
    partial line there is dropped (a cut CSV row would otherwise read as a row with its last field cut short).
    Whole documents get every byte before the break.
    """

    def __init__(self, codec, counter: CountingReader, whole_lines: bool):
        self._codec = codec
        self._counter = counter
        self._whole_lines = whole_lines
        self._ready = memoryview(b"")
        self._tail = b""  # bytes after the last newline of the latest step, held until the next step
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._ready:
            if self._done:
                return 0
            try:
                chunk = self._codec.read(OUTPUT_CHUNK)
            except DecompressError as error:
                self._counter.error = str(error)
                self._done = True
                self._tail = b""  # the partial line at the break: not data anyone wrote
                return 0
            if not chunk:
                self._done = True
                self._ready, self._tail = memoryview(self._tail), b""
                continue
            if not self._whole_lines:
                self._ready = memoryview(chunk)
                continue
            cut = chunk.rfind(b"\n") + 1
            if cut:
                self._ready, self._tail = memoryview(self._tail + chunk[:cut]), chunk[cut:]
            else:
                self._tail += chunk
                if len(self._tail) >= OUTPUT_CHUNK:  # a line longer than a step: pass it on, the readers cap it
                    self._ready, self._tail = memoryview(self._tail), b""
        n = min(len(buffer), len(self._ready))
        buffer[:n] = self._ready[:n]
        self._ready = self._ready[n:]
        return n

    def close(self) -> None:
        self._counter.close()
        super().close()


def open_binary(path: str | Path, whole_lines: bool = False) -> tuple[io.BufferedReader, CountingReader]:
    """A decompressed binary stream and the counter of on-disk bytes behind it (see _Decompressed for
    `whole_lines`)."""
    try:
        raw = open(path, "rb")  # closed by the caller through the returned stream
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory") from None
    except OSError as error:
        raise SourceError(f"{path}: cannot open: {error.strerror or error}") from None
    magic = raw.read(4)
    raw.seek(0)
    counter = CountingReader(raw)
    buffered = io.BufferedReader(counter, buffer_size=1024 * 1024)
    if magic.startswith(GZIP_MAGIC):
        codec = _Gunzip(buffered)
    elif magic.startswith(ZSTD_MAGIC):
        codec = _Unzstd(buffered, Path(path))
    else:
        return buffered, counter
    return io.BufferedReader(_Decompressed(codec, counter, whole_lines), buffer_size=1024 * 1024), counter


class SeekableCounter(CountingReader):
    """A CountingReader that can seek: for formats that need random access (Parquet reads its footer first)."""

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()


def open_seekable(path: str | Path) -> tuple[io.BufferedReader, CountingReader]:
    """The file as it is on disk (no decompression), seekable, and the counter of bytes read from it."""
    try:
        raw = open(path, "rb")  # closed by the caller through the returned stream
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory") from None
    except OSError as error:
        raise SourceError(f"{path}: cannot open: {error.strerror or error}") from None
    counter = SeekableCounter(raw)
    return io.BufferedReader(counter, buffer_size=1024 * 1024), counter


def open_text(path: str | Path, whole_lines: bool = False) -> tuple[io.TextIOWrapper, CountingReader]:
    binary, counter = open_binary(path, whole_lines)
    # utf-8-sig drops a BOM (CSV exports from spreadsheet tools often start with one).
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="")
    # Read in 1 MB steps, not 8 KB: every read gives up the GIL, and getting it back from the writer thread
    # costs up to a switch interval, which made reading the slowest part of ingestion.
    text._CHUNK_SIZE = 1024 * 1024
    return text, counter


def read_head(path: str | Path) -> str:
    """The first ~64 KB of the decompressed text, for format detection."""
    binary, counter = open_binary(path)
    try:
        data = binary.read(HEAD_BYTES)
    except OSError as error:
        raise SourceError(f"{path}: cannot read: {error}") from None
    finally:
        binary.close()
    if counter.error and not data.strip():
        raise SourceError(f"{path}: cannot decompress: {counter.error}")
    return data.decode("utf-8-sig", errors="replace")


def logical_name(path: str | Path) -> str:
    """The file name without a compression suffix: dump.jsonl.gz -> dump.jsonl."""
    name = Path(path).name
    for suffix in (".gz", ".zst"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


__all__ = ["GZIP_MAGIC", "ZSTD_MAGIC", "CountingReader", "DecompressError", "SourceError", "logical_name",
           "open_binary", "open_seekable", "open_text", "read_head", "zstd_frames_problem"]
