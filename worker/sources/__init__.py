"""Every input format behind one entry point: detect the format, read records, normalize them to posts."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from types import ModuleType

from worker.sources.base import BrokenFile, NormalizedPost, ReadOptions, Rejection, current_limits
from worker.sources.files import SourceError, UnknownFormat, logical_name, open_seekable, open_text, read_head

# Detection order matters: specific formats first, the generic CSV last (it is only chosen by --format).
FORMAT_MODULES = {
    "parquet": "worker.sources.parquet",  # binary: its magic bytes first
    "twarc2": "worker.sources.twarc2",
    "jsonl": "worker.sources.jsonl",
    "telegram": "worker.sources.telegram",
    "vk": "worker.sources.vk",
    "ioarchive": "worker.sources.ioarchive",
    "crowdtangle": "worker.sources.crowdtangle",
    "rss": "worker.sources.rss",
    "csv": "worker.sources.csvmap",
}
FORMATS = tuple(FORMAT_MODULES)


def format_module(name: str) -> ModuleType:
    if name not in FORMAT_MODULES:
        raise SourceError(f"unknown format {name!r}; choose one of: {', '.join(FORMATS)}")
    return import_module(FORMAT_MODULES[name])


def detect_format(path: str | Path) -> str:
    head = read_head(path)
    if not head.strip():
        raise SourceError(f"{path}: file is empty")
    name = logical_name(path)
    for fmt in FORMATS:
        module = format_module(fmt)
        if module.detect(head, name):
            return fmt
    raise UnknownFormat(f"{path}: unknown format (use --format, one of: {', '.join(FORMATS)})")


@dataclass
class Source:
    """One input file being read: its format and how far into the file reading has got."""

    path: Path
    format: str
    options: ReadOptions
    size: int

    def __post_init__(self) -> None:
        self._counter = None

    @property
    def bytes_done(self) -> int:
        return self._counter.bytes_read if self._counter else 0

    def items(self) -> Iterator[NormalizedPost | Rejection]:
        """Every normalized post or skip, in file order, streaming; never raises for what the file holds.

        A truncated or corrupt archive ends with a BrokenFile ("cannot decompress after N records: ...") after
        every record before the break.
        """
        module = format_module(self.format)
        current_limits()  # a bad SMEARWATCH_INPUT_* setting fails here, as a settings error, before the file opens
        if getattr(module, "BINARY", False):  # Parquet: the file itself, seekable, not a text stream
            stream, self._counter = open_seekable(self.path)
        else:
            stream, self._counter = open_text(self.path, whole_lines=getattr(module, "WHOLE_LINES", False))
        counter = self._counter
        with stream:
            try:
                yield from read_items(module, stream, self.options, lambda: counter.error)
            except SourceError as error:  # say which file (a reader does not know its name)
                if str(error).startswith(f"{self.path}:"):
                    raise
                raise SourceError(f"{self.path}: {error}") from None


def read_items(module: ModuleType, stream, options: ReadOptions,
               stream_error: Callable[[], str | None] | None = None) -> Iterator[NormalizedPost | Rejection]:
    """The posts and skips of one text stream read by a format module (Source.items; queued slices can use it).

    Never raises for the content: a record that cannot be normalized is a Rejection; an error inside the reader itself
    ends the stream with a BrokenFile after every record before it. SourceError (the file as a whole is not
    readable: a bad --map, not a feed) still raises, before any record. `stream_error` tells why the stream
    ended early, if it did (a broken archive): then the last item is a BrokenFile saying so.
    """
    current_limits()  # a bad SMEARWATCH_INPUT_* setting raises here, not as a broken file below
    records = module.read(stream, options)
    count = 0
    last_line = 0
    broken: BrokenFile | None = None
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except (SourceError, MemoryError):
            raise
        except Exception as error:  # a reader bug or an unforeseen shape: the file ends here, not the run
            broken = BrokenFile(last_line + 1, f"cannot read past record {count} ({type(error).__name__}: {error})")
            break
        if isinstance(record, BrokenFile):
            broken = record  # nothing follows it; a broken archive below explains it better
            continue
        count += 1
        last_line = record.line
        if isinstance(record, Rejection):
            yield record
        else:
            yield from module.normalize(record, options)
    error = stream_error() if stream_error else None
    if error:
        line = broken.line if broken is not None else last_line + 1
        yield BrokenFile(line, f"cannot decompress after {count:,} records: {error}")
    elif broken is not None:
        yield broken


def open_source(path: str | Path, fmt: str | None = None, options: ReadOptions | None = None) -> Source:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise SourceError(f"{path}: cannot open: {error.strerror or error}") from None
    chosen = fmt or detect_format(path)
    format_module(chosen)
    return Source(path=path, format=chosen, options=options or ReadOptions(), size=size)


__all__ = ["FORMATS", "BrokenFile", "NormalizedPost", "ReadOptions", "Rejection", "Source", "SourceError", "UnknownFormat",
           "detect_format",
           "open_source", "read_items"]
