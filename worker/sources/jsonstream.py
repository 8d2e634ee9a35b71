"""Streaming JSON for the one-document formats (Telegram, VK): the values at chosen paths, memory bounded.

A small scanner walks the document's outer structure (only the objects and arrays on the way to a wanted path)
and hands over each value found at a wanted path, parsed by orjson from its text. Everything else is read past
without being kept. A wanted value (a record: a Telegram message, a VK item) is held only up to the record limit:
one longer than `max_record_bytes` or nested deeper than `max_depth` is read past, reported as rejected (a
`Found` with a reason) and reading goes on with the next one. So memory holds at most one record, whatever the
document: a message nested 100,000 levels, a 4 GB string or a bomb that never closes cost time, not memory.

Values that are read past are scanned a buffer at a time in C (regular expressions, counting) where possible, so
a deep or huge value that is not kept is not walked bracket by bracket in Python.

A broken document (a bracket closed by the wrong kind, a missing comma, the end of the file inside a value) is a
`DocumentError`: the structure is lost there, the readers report it as the last line of the file.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, TextIO

import orjson

from worker.sources.base import EXCERPT_CHARS, Limits, current_limits, too_deep

CHUNK_CHARS = 1024 * 1024

# Everything up to the next bracket, complete strings included (it stops at a string not closed in the buffer).
_RUN = re.compile(r'[^"\[\]{}]*(?:"[^"\\]*(?:\\.[^"\\]*)*"[^"\[\]{}]*)*', re.DOTALL)
_ESCAPES = re.compile(r"\\.", re.DOTALL)
_NOT_BRACKET_BYTES = bytes(b for b in range(256) if b not in b"[]{}")
_LITERAL = re.compile(r'[^\s,:\[\]{}"]*')
_WS = re.compile(r"[ \t\n\r]*")
_DELTA = [0] * 256
_DELTA[ord("[")] = _DELTA[ord("{")] = 1
_DELTA[ord("]")] = _DELTA[ord("}")] = -1
_CLOSER = {"{": "}", "[": "]"}
_QUICK_CHARS = 64 * 1024  # values found by Scanner.quick: at most this long,
_QUICK_CUTS = 256  # ending at one of the next closing brackets of their kind,
_QUICK_TRIES = 3  # of which this many that balance are parsed at most


def _string_end(buf: str, i: int) -> tuple[int, bool]:
    """The end of a string whose body starts at i: (position of its closing quote, True), or (where to resume in
    the next buffer, False) when the buffer ends inside it: its end, or a lone backslash left for the next one.
    str.find does the work (no regular expression: a 4 GB string is read at memory speed)."""
    quote = buf.find('"', i)
    while quote >= 0:
        k = quote
        while k > i and buf[k - 1] == "\\":
            k -= 1
        if (quote - k) % 2 == 0:  # not escaped
            return quote, True
        quote = buf.find('"', quote + 1)
    end = k = len(buf)
    while k > i and buf[k - 1] == "\\":
        k -= 1
    return end - (end - k) % 2, False


class DocumentError(ValueError):
    """The document's structure is broken here; nothing after this point can be read."""


@dataclass(slots=True)
class Found:
    name: str  # the name the caller gave the path
    value: Any = None
    reason: str | None = None  # set when the value was rejected (too long, too deep, not valid JSON)
    excerpt: str = ""


class _Scanner:
    def __init__(self, stream: TextIO, prefix: str, limits: Limits):
        self._stream = stream
        self.buf = prefix
        self.pos = 0
        self.offset = 0  # characters dropped before buf
        self.max_chars = limits.max_record_bytes
        self.max_depth = limits.max_depth

    def more(self) -> bool:
        """Append the next chunk of the stream to the buffer (dropping what was consumed); False at the end."""
        data = self._stream.read(CHUNK_CHARS)
        if not data:
            return False
        self.offset += self.pos
        self.buf = self.buf[self.pos:] + data
        self.pos = 0
        return True

    def where(self) -> str:
        return f"character {self.offset + self.pos + 1:,}"

    def peek(self) -> str:
        """The next character that is not whitespace ('' at the end of the document), not consumed."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    # --- values -----------------------------------------------------------------------------------------------

    def quick(self) -> tuple[str, Any] | None:
        """The usual record, found without scanning: cut the text at the first closing bracket where the brackets
        of both kinds balance (counted in C, strings included) and let orjson parse it. A JSON value has no valid
        prefix of its own, so a cut that parses is the value's true end. None when that does not work out quickly
        (a long value, brackets inside strings): then the scanner reads it."""
        buf, start = self.buf, self.pos
        opener = buf[start]
        closer = "}" if opener == "{" else "]"
        other_open, other_close = ("[", "]") if opener == "{" else ("{", "}")
        stop = min(len(buf), start + _QUICK_CHARS)
        balance = other = 0
        counted = start
        end = start
        tries = 0
        for _ in range(_QUICK_CUTS):
            end = buf.find(closer, end + 1, stop)
            if end < 0:
                return None
            # Brackets in [start, end]: the value's own opening bracket included, the closing one at `end` too.
            balance += buf.count(opener, counted, end) - buf.count(closer, counted, end) - 1
            other += buf.count(other_open, counted, end) - buf.count(other_close, counted, end)
            counted = end + 1
            if balance != 0 or other != 0:
                continue
            text = buf[start:end + 1]
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError:
                tries += 1
                if tries == _QUICK_TRIES:
                    return None
                continue
            self.pos = end + 1
            return text, value
        return None

    def value(self, keep: bool, what: str) -> tuple[str | None, str | None, str]:
        """Read the value at pos: (its text, None, excerpt) when kept, (None, reason, excerpt) when over a limit,
        (None, None, "") when not kept."""
        first = self.peek()
        if first == '"':
            return self._string(keep, what)
        if first in "{[":
            return self._container(keep, what)
        if first == "" or first in "]},:":
            raise DocumentError(f"expected a value at {self.where()}, found {first or 'the end of the file'!r}")
        return self._literal(keep, what)

    def too_long(self) -> str:
        return f"longer than {self.max_chars:,} bytes (the limit of one record)"

    def _finish(self, pieces: list[str] | None, reason: str | None, head: str) -> tuple[str | None, str | None, str]:
        if reason is not None:
            return None, reason, head
        if pieces is None:
            return None, None, ""
        text = "".join(pieces)
        if len(text) > self.max_chars // 4 and len(text.encode("utf-8", "surrogatepass")) > self.max_chars:
            return None, self.too_long(), head
        return text, None, head

    def _string(self, keep: bool, what: str) -> tuple[str | None, str | None, str]:
        pieces: list[str] | None = [] if keep else None
        reason = None
        head = ""
        total = 0
        start = self.pos
        i = self.pos + 1
        while True:
            buf = self.buf
            j, closed = _string_end(buf, i)
            if closed:
                self.pos = j + 1
                if pieces is not None:
                    pieces.append(buf[start:self.pos])
                    total += self.pos - start
                    if total > self.max_chars:
                        head, pieces, reason = "".join(pieces)[:EXCERPT_CHARS], None, self.too_long()
                return self._finish(pieces, reason, head)
            if pieces is not None:  # the buffer ends inside the string (j: its end, or a lone trailing backslash)
                pieces.append(buf[start:j])
                total += j - start
                if total > self.max_chars:
                    head, pieces, reason = "".join(pieces)[:EXCERPT_CHARS], None, self.too_long()
            self.pos = j
            if not self.more():
                raise DocumentError(f"the file ends inside a string ({what})")
            start = i = 0

    def _literal(self, keep: bool, what: str) -> tuple[str | None, str | None, str]:
        pieces: list[str] | None = [] if keep else None
        reason = None
        head = ""
        total = 0
        while True:
            buf = self.buf
            start = self.pos
            self.pos = _LITERAL.match(buf, start).end()
            if pieces is not None:
                pieces.append(buf[start:self.pos])
                total += self.pos - start
                if total > self.max_chars:
                    head, pieces, reason = "".join(pieces)[:EXCERPT_CHARS], None, self.too_long()
            if self.pos < len(buf) or not self.more():
                return self._finish(pieces, reason, head)

    def _container(self, keep: bool, what: str) -> tuple[str | None, str | None, str]:
        """An object or array: scanned bracket by bracket while kept (its depth and size are checked), then,
        once it is not kept (never was, or over a limit), skipped a buffer at a time where the counts allow."""
        pieces: list[str] | None = [] if keep else None
        reason = None
        head = ""
        total = 0
        max_depth = self.max_depth
        stack: list[str] = []  # open brackets, up to max_depth + 1 (beyond: counted only)
        depth = 0
        in_string = False
        buf = self.buf
        n = len(buf)
        start = i = self.pos
        while True:
            if in_string:
                j, closed = _string_end(buf, i)
                if closed:
                    in_string = False
                    i = j + 1
                    continue
            elif pieces is None and depth > 0:
                i, depth, in_string, ended = self._skip_ahead(buf, i, depth)
                if ended:  # the value ends in this buffer: find where, bracket by bracket
                    j = self._end_in(buf, i, depth)
                    self.pos = j
                    return self._finish(None, reason, head)
                j = i  # the end of the buffer, or a lone backslash ending it inside a string
            else:
                j = _RUN.match(buf, i).end()
                if j < n:
                    c = buf[j]
                    i = j + 1
                    if c == '"':
                        in_string = True
                    elif c == "{" or c == "[":
                        depth += 1
                        if depth <= max_depth + 1:
                            stack.append(c)
                        if depth > max_depth and pieces is not None:
                            pieces.append(buf[start:i])
                            head = "".join(pieces)[:EXCERPT_CHARS]
                            pieces, reason = None, f"nested deeper than {max_depth} levels"
                    else:
                        if len(stack) == depth:
                            opener = stack.pop()
                            if _CLOSER[opener] != c:
                                self.pos = j
                                raise DocumentError(f"{opener!r} closed by {c!r} at {self.where()} ({what})")
                        depth -= 1
                        if depth == 0:
                            self.pos = i
                            if pieces is not None:
                                pieces.append(buf[start:i])
                                total += i - start
                                if total > self.max_chars:
                                    head = "".join(pieces)[:EXCERPT_CHARS]
                                    pieces, reason = None, self.too_long()
                            return self._finish(pieces, reason, head)
                    continue
            # The buffer ends inside the value (j: the end, or a lone backslash ending it inside a string).
            if pieces is not None:
                pieces.append(buf[start:j])
                total += j - start
                if total > self.max_chars:
                    head = "".join(pieces)[:EXCERPT_CHARS]
                    pieces, reason = None, self.too_long()
            self.pos = j
            if not self.more():
                raise DocumentError(f"the file ends inside a value ({what})")
            buf = self.buf
            n = len(buf)
            start = i = 0

    @staticmethod
    def _skip_ahead(buf: str, i: int, depth: int) -> tuple[int, int, bool, bool]:
        """Rejection from i (outside a string) to the end of the buffer in one step when the value cannot end there, all
        in C: escapes dropped, strings cut out by splitting on quotes, the depth followed by counting. Returns (new
        i, new depth, inside a string at the end, the value ends in this buffer)."""
        segment = buf[i:]
        plain = _ESCAPES.sub("", segment) if "\\" in segment else segment
        parts = plain.split('"')
        brackets = "".join(parts[0::2]).encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKET_BYTES)
        closing = brackets.count(b"]") + brackets.count(b"}")
        # Fewer closing brackets than the depth: the value cannot end here (the usual case of a bomb, counted
        # without following the depth); else follow it through the buffer, still in C.
        if closing >= depth and min(accumulate(map(_DELTA.__getitem__, brackets), initial=depth)) <= 0:
            return i, depth, False, True
        depth += len(brackets) - 2 * closing
        if len(parts) % 2 == 0:  # the buffer ends inside a string: keep a lone trailing backslash for the next one
            end = k = len(buf)
            while k > i and buf[k - 1] == "\\":
                k -= 1
            return end - (end - k) % 2, depth, True, False
        return len(buf), depth, False, False

    @staticmethod
    def _end_in(buf: str, i: int, depth: int) -> int:
        """Where a value that is `depth` deep at i ends (it does, in this buffer, unless the JSON is invalid)."""
        while True:
            j = _RUN.match(buf, i).end()
            c = buf[j] if j < len(buf) else ""
            i = j + 1
            if c == "{" or c == "[":
                depth += 1
            elif c == "}" or c == "]":
                depth -= 1
                if depth == 0:
                    return i
            else:  # only invalid JSON (a backslash outside strings) gets here
                raise DocumentError("invalid JSON (a backslash outside a string)")

    def key(self) -> str:
        text, reason, _ = self._string(True, "a key")
        if text is None:
            raise DocumentError(f"a key {reason} at {self.where()}")
        if "\\" not in text:
            return text[1:-1]
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise DocumentError(f"invalid key at {self.where()} ({error.msg})") from None


def _prefixes(paths: dict[str, str]) -> set[str]:
    out = {""}
    for path in paths:
        parts = path.split(".")
        for n in range(1, len(parts)):
            out.add(".".join(parts[:n]))
    return out


def extract(stream: TextIO, paths: dict[str, str], limits: Limits | None = None, prefix: str = "") -> Iterator[Found]:
    """A `Found` for every value at one of `paths` (ijson-style: "messages.item", "chats.list.item.name"), in
    document order, named by `paths[path]`: its parsed value, or the reason it was rejected.

    `prefix` is text already taken from the stream (put back in front). Raises DocumentError where the document
    is broken (after yielding everything before it).
    """
    limits = limits or current_limits()
    scanner = _Scanner(stream, prefix, limits)
    max_depth, max_bytes = limits.max_depth, limits.max_record_bytes
    quarter = max_bytes // 4
    prefixes = _prefixes(paths)
    stack: list[tuple[bool, str]] = []  # (is an object, path) of the containers being walked
    path = ""
    if scanner.peek() == "":
        raise DocumentError("the document is empty")
    state = "value"
    while True:
        if state == "value":
            name = paths.get(path)
            if name is not None:
                if scanner.peek() in ("{", "["):
                    quick = scanner.quick()
                    if quick is not None:
                        text, value = quick
                        if too_deep(text, value, max_depth):
                            yield Found(name, None, f"nested deeper than {max_depth} levels", text[:EXCERPT_CHARS])
                        elif len(text) > quarter and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
                            yield Found(name, None, scanner.too_long(), text[:EXCERPT_CHARS])
                        else:
                            yield Found(name, value)
                        state = "after"
                        continue
                text, reason, head = scanner.value(True, name)
                if text is None:
                    yield Found(name, None, reason, head)
                else:
                    try:
                        yield Found(name, orjson.loads(text))
                    except orjson.JSONDecodeError as error:
                        yield Found(name, None, f"not valid JSON ({error.msg})", text[:EXCERPT_CHARS])
            elif path in prefixes and scanner.peek() in ("{", "["):
                stack.append((scanner.buf[scanner.pos] == "{", path))
                scanner.pos += 1
                state = "first"
                continue
            else:
                scanner.value(False, path or "the document")
            state = "after"
        elif state == "after":
            c = scanner.peek()
            if not stack:
                if c:
                    raise DocumentError(f"more data after the end of the document at {scanner.where()}")
                return
            is_object, container = stack[-1]
            if c == ",":
                scanner.pos += 1
                state = "member"
            elif c == ("}" if is_object else "]"):
                scanner.pos += 1
                stack.pop()
            else:
                expected = "',' or '}'" if is_object else "',' or ']'"
                found = repr(c) if c else "the end of the file"
                raise DocumentError(f"expected {expected} at {scanner.where()}, found {found}")
        else:  # "first" (right after the opening bracket) or "member" (after a comma)
            is_object, container = stack[-1]
            c = scanner.peek()
            if state == "first" and c == ("}" if is_object else "]"):
                scanner.pos += 1
                stack.pop()
                state = "after"
                continue
            if is_object:
                if c != '"':
                    found = repr(c) if c else "the end of the file"
                    raise DocumentError(f"expected a key at {scanner.where()}, found {found}")
                key = scanner.key()
                if scanner.peek() != ":":
                    raise DocumentError(f"expected ':' at {scanner.where()}")
                scanner.pos += 1
                path = f"{container}.{key}" if container else key
            else:
                path = f"{container}.item" if container else "item"
            state = "value"


__all__ = ["DocumentError", "Found", "extract"]
