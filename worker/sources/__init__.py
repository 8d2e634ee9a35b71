"""Every input format behind one entry point: detect the format, read records, normalize them to posts."""

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from types import ModuleType

from worker.sources.base import Post, ReadOptions, Skip
from worker.sources.files import SourceError, logical_name, open_text, read_head

# Detection order matters: specific formats first, the generic CSV last (it is only chosen by --format).
FORMAT_MODULES = {
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
    raise SourceError(f"{path}: unknown format (use --format, one of: {', '.join(FORMATS)})")


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

    def items(self) -> Iterator[Post | Skip]:
        """Every normalized post or skip, in file order, streaming."""
        module = format_module(self.format)
        stream, self._counter = open_text(self.path)
        with stream:
            for record in module.read(stream, self.options):
                if isinstance(record, Skip):
                    yield record
                else:
                    yield from module.normalize(record, self.options)


def open_source(path: str | Path, fmt: str | None = None, options: ReadOptions | None = None) -> Source:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise SourceError(f"{path}: cannot open: {error.strerror or error}") from None
    chosen = fmt or detect_format(path)
    format_module(chosen)
    return Source(path=path, format=chosen, options=options or ReadOptions(), size=size)


__all__ = ["FORMATS", "Post", "ReadOptions", "Skip", "Source", "SourceError", "detect_format", "open_source"]
