"""Streaming JSON for the one-document formats (Telegram, VK): complete values at chosen paths, memory flat.

ijson reads bytes; the sources hand us decoded text streams (BOM and compression already dealt with), so a tiny
adapter encodes the text back to UTF-8 in 1 MB chunks (cheap next to parsing).
"""

from collections.abc import Iterator
from typing import Any, TextIO

import ijson

CHUNK_CHARS = 1024 * 1024


class Utf8Reader:
    """A binary file-like view of a text stream."""

    def __init__(self, stream: TextIO, prefix: str = ""):
        self._stream = stream
        self._prefix = prefix

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""  # ijson probes with read(0) to tell bytes from text
        if self._prefix:
            text, self._prefix = self._prefix, ""
            return text.encode("utf-8", "replace")
        text = self._stream.read(CHUNK_CHARS if size is None or size < 0 else max(size, CHUNK_CHARS))
        return text.encode("utf-8", "replace")


def stream_values(stream: TextIO, paths: dict[str, str], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(name, value) for every complete JSON value found at one of `paths` (ijson prefix -> name), in order.

    Values at a path are built one at a time and handed over, so memory holds one value, not the document.
    `prefix` is text already taken from the stream (put back in front). Raises ijson.JSONError on broken JSON.
    """
    events = ijson.parse(Utf8Reader(stream, prefix), use_float=True, buf_size=CHUNK_CHARS)
    builder = None
    target = ""
    end_event = ""
    for path, event, value in events:
        if builder is not None:
            builder.event(event, value)
            if event == end_event and path == target:
                yield paths[target], builder.value
                builder = None
            continue
        if path in paths and event != "map_key":
            if event == "start_map" or event == "start_array":
                builder = ijson.ObjectBuilder()
                builder.event(event, value)
                target = path
                end_event = "end_map" if event == "start_map" else "end_array"
            elif event != "end_map" and event != "end_array":
                yield paths[path], value


def stream_items(stream: TextIO, path: str, prefix: str = "") -> Iterator[Any]:
    """Every value in the array at `path` (e.g. "messages.item"), built by ijson's C backend: the fast path when
    the values of one path are all that is needed."""
    return ijson.items(Utf8Reader(stream, prefix), path, use_float=True, buf_size=CHUNK_CHARS)


def top_level(head: str, stop_keys: set[str]) -> tuple[dict[str, Any], str | None]:
    """Scalars of the top-level object found in `head` (the start of a document), up to the first key in
    `stop_keys`; returns (scalars, that key) or (scalars, None) when no stop key appears in the head."""
    scalars: dict[str, Any] = {}
    key = None
    try:
        for path, event, value in ijson.parse(head.encode("utf-8", "replace"), use_float=True):
            if path == "" and event == "map_key":
                key = value
                if key in stop_keys:
                    return scalars, key
            elif path == key and event not in ("start_map", "start_array", "end_map", "end_array"):
                scalars[key] = value
    except ijson.JSONError:
        pass
    return scalars, None
