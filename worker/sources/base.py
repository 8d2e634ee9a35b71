"""What every format module shares: the record and skip types, the input limits, field coercion and the post
constructor.

A format module exposes three things (see docs/formats.md):
  detect(head: str, name: str) -> bool    does this file look like my format? (head: first ~64 KB as text)
  read(stream, options) -> Iterator[RawRecord | Rejection]     raw records with their line/record number
  normalize(record, options) -> Iterator[NormalizedPost | Rejection]     normalized posts, or skips with a reason
Normalization warns (a Rejection), it never throws: one bad record must not stop the rest. Every normalizer ends
with `except Exception` -> `unexpected(record, error)`, so even an unforeseen error costs one record, not the file.

Hostile input (issue 13): the limits in `Limits` (from Settings) hold for every format. A record longer than
`max_record_bytes` or nested deeper than `max_depth` is a Rejection, and is never held in memory whole; a post's
fields are type-checked, range-checked (times, counts), cut to the store's column sizes and cleaned of NUL and
other control characters. A bad required field rejects the record; a bad optional one is stored as null and
noted in the post's `warnings`.
"""

import math
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO, TypedDict

import orjson

from smearwatch.settings import get_settings

EXCERPT_CHARS = 200
REASON_CHARS = 500  # rejected_record.reason is 1000 characters; a reason is one line well below that

# Column sizes of the `post` table (smearwatch/models.py): PostgreSQL refuses longer values, so a longer required
# field rejects the record and a longer optional one is dropped (or, for names, cut) with a warning.
MAX_CHARS = {"platform": 40, "id": 500, "author_id": 200, "author_name": 500, "lang": 16, "repost_of": 500,
             "reply_to": 500}


@dataclass(slots=True)
class RawRecord:
    line: int  # 1-based line in the file, or record number for JSON documents and feeds
    data: Any  # the parsed raw payload, kept next to the normalized post


@dataclass(slots=True)
class Rejection:
    """A record that cannot become a post: its line (or record number), why (one line), an excerpt, and the file
    it came from (set by whoever knows the file: a format module reads a stream). Stored as a RejectedRecord row."""

    line: int
    reason: str
    excerpt: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        # One line, storable anywhere (PostgreSQL text refuses NUL), and short: parsers' messages can be long.
        reason = " ".join(_CONTROL.sub("", str(self.reason)).split())
        self.reason = reason if len(reason) <= REASON_CHARS else reason[: REASON_CHARS - 1] + "…"
        self.excerpt = _CONTROL.sub("", self.excerpt)[:EXCERPT_CHARS] if self.excerpt else ""

    def as_row(self) -> dict:
        return {"source": self.source, "line": self.line, "reason": self.reason, "excerpt": self.excerpt[:500]}


@dataclass(slots=True)
class BrokenFile(Rejection):
    """The rest of the file cannot be read (a truncated or corrupt archive, a JSON document broken half-way).

    Every record before the break has been yielded; nothing follows this item. It is a Rejection, so an ingest that
    stores what it read and counts this as one rejected line (exit 3) needs nothing else; `line` is the line or
    record number where reading stopped.
    """


@dataclass(slots=True)
class ReadOptions:
    """Per-run choices a format may need (generic CSV column mapping, a platform override)."""

    mapping: dict[str, str] = field(default_factory=dict)
    platform: str | None = None


class NormalizedPost(TypedDict, total=False):
    """The normalized post of DESIGN.md, with datetimes aware and in UTC, plus the raw payload and line."""

    id: str
    platform: str
    author_id: str
    author_name: str | None
    author_created_at: datetime | None
    author_followers: int | None
    text: str
    created_at: datetime
    lang: str | None
    urls: list[str]
    hashtags: list[str]
    repost_of: str | None
    reply_to: str | None
    raw: Any
    line: int
    # Only present when an optional field was dropped or cut (e.g. "author_created_at 0001-01-01T00:00:00+00:00
    # is out of range; stored as null"): the post is stored, the warning is for the run's report.
    warnings: list[str]


class InvalidRecord(ValueError):
    """Raised inside a normalizer for a record that cannot become a post; turned into a Rejection."""


class OutOfRange(InvalidRecord):
    """A value that parses but lies outside the limits (a time before 1990, a count of 1e30)."""


# --- limits ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Limits:
    """The hostile-input limits of the readers; `current_limits()` builds them from Settings."""

    max_record_bytes: int = 4 * 1024 * 1024
    max_depth: int = 64
    max_count: int = 10_000_000_000
    earliest: datetime = datetime(1990, 1, 1, tzinfo=UTC)
    future: timedelta = timedelta(days=1)

    def latest(self) -> datetime:
        """Now + `future`, recomputed at most every few seconds (a worker runs for days: never frozen)."""
        return _time_bounds(self)[1]

    def describe_range(self) -> str:
        hours = self.future.total_seconds() / 3600
        ahead = f"{hours:g} h" if hours != 24 else "1 day"
        return f"{self.earliest:%Y-%m-%d} to now + {ahead}"


_bounds_cache: tuple[float, Limits | None, tuple[datetime, datetime, float, float]] = (
    0.0, None, (datetime.min.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC), 0.0, 0.0))


def _time_bounds(limits: Limits) -> tuple[datetime, datetime, float, float]:
    """(earliest, latest, as unix times) of the accepted time range; `latest` follows the clock."""
    global _bounds_cache
    expires, cached_for, bounds = _bounds_cache
    now = time.monotonic()
    if now >= expires or cached_for is not limits:
        latest = datetime.now(UTC) + limits.future
        bounds = (limits.earliest, latest, limits.earliest.timestamp(), latest.timestamp())
        _bounds_cache = (now + 5.0, limits, bounds)
    return bounds


_override: Limits | None = None
_from_settings: tuple[object, Limits] | None = None


def current_limits() -> Limits:
    """The limits in force: set with `use_limits` (tests), else from Settings (SMEARWATCH_INPUT_*)."""
    global _from_settings
    if _override is not None:
        return _override
    settings = get_settings()
    if _from_settings is None or _from_settings[0] is not settings:
        limits = Limits(
            max_record_bytes=settings.input_max_record_bytes,
            max_depth=settings.input_max_depth,
            max_count=settings.input_max_count,
            earliest=settings.input_earliest_time,
            future=timedelta(seconds=settings.input_max_future_seconds),
        )
        _from_settings = (settings, limits)
    return _from_settings[1]


def use_limits(limits: Limits | None) -> None:
    """Override the limits for this process (None: back to Settings)."""
    global _override
    _override = limits


# --- text cleaning ---------------------------------------------------------------------------------------------

# C0 controls but tab, newline and carriage return; DEL; C1 controls; lone surrogates (not encodable as UTF-8).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: str) -> str:
    """The text without NUL and other control characters (PostgreSQL cannot store NUL; none of them is text)."""
    if value.isprintable():  # the usual case, checked in C without a regular expression
        return value
    return _CONTROL.sub("", value)


def excerpt(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text[:EXCERPT_CHARS]


def safe_excerpt(value: Any) -> str:
    """An excerpt of any parsed payload, whatever it holds."""
    try:
        return orjson.dumps(value, default=str)[: EXCERPT_CHARS * 4].decode("utf-8", "ignore")[:EXCERPT_CHARS]
    except (TypeError, ValueError):
        return type(value).__name__


# --- field coercion --------------------------------------------------------------------------------------------


def _out_of_range(field_name: str, shown: Any, limits: Limits) -> OutOfRange:
    return OutOfRange(f"{field_name} {str(shown)[:40]!r} is out of range ({limits.describe_range()})")


def parse_time(value: Any, field_name: str = "created_at", limits: Limits | None = None) -> datetime:
    """ISO 8601 (any offset, 'Z' allowed, naive taken as UTC) or unix seconds, to an aware UTC datetime within the
    limits (1990 to now + 1 day by default); raises InvalidRecord (OutOfRange for a time outside them)."""
    limits = limits or current_limits()
    earliest, latest, earliest_ts, latest_ts = _time_bounds(limits)
    if type(value) is datetime and value.tzinfo is UTC:  # already parsed by a format module
        if earliest <= value <= latest:
            return value
        raise _out_of_range(field_name, value.isoformat(), limits)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise InvalidRecord(f"{field_name} is missing")
        if text.isdigit() and text.isascii():
            if len(text) > 12:  # more than 30,000 years of seconds (and int() of 5,000 digits fails)
                raise _out_of_range(field_name, text, limits)
            value = int(text)
        else:
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                raise InvalidRecord(f"{field_name} is not a valid time: {text[:40]!r}") from None
            try:
                parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
            except OverflowError:  # year 1 with a positive offset, year 9999 with a negative one
                raise _out_of_range(field_name, text, limits) from None
            if earliest <= parsed <= latest:
                return parsed
            raise _out_of_range(field_name, text, limits)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if earliest_ts <= value <= latest_ts:  # (NaN compares false)
            return datetime.fromtimestamp(value, UTC)
        raise _out_of_range(field_name, value, limits)
    if isinstance(value, datetime):
        try:
            parsed = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except OverflowError:
            raise _out_of_range(field_name, value, limits) from None
        if earliest <= parsed <= latest:
            return parsed
        raise _out_of_range(field_name, value.isoformat(), limits)
    if value is None:
        raise InvalidRecord(f"{field_name} is missing")
    raise InvalidRecord(f"{field_name} is not a time: {safe_excerpt(value)[:40]}")


def optional_time(value: Any, field_name: str, limits: Limits | None = None) -> datetime | None:
    if value is None or value == "":
        return None
    return parse_time(value, field_name, limits)


def optional_int(value: Any, field_name: str, limits: Limits | None = None) -> int | None:
    """A count (followers): None when empty; InvalidRecord when not a number; OutOfRange when negative, not
    finite or above the limit."""
    if value is None or value == "":
        return None
    if type(value) is int:
        number = value
    elif isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidRecord(f"{field_name} is not an integer: {safe_excerpt(value)[:40]}")
    else:
        if isinstance(value, str) and len(value) > 40:
            raise OutOfRange(f"{field_name} {value[:40]!r}… is out of range")
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            try:
                as_float = float(value)
            except (TypeError, ValueError):
                raise InvalidRecord(f"{field_name} is not an integer: {str(value)[:40]!r}") from None
            if not math.isfinite(as_float):
                raise OutOfRange(f"{field_name} {str(value)[:40]!r} is out of range") from None
            number = int(as_float)
    limit = (limits or current_limits()).max_count
    if not 0 <= number <= limit:
        raise OutOfRange(f"{field_name} {str(value)[:40]!r} is out of range (0 to {limit:,})")
    return number


def optional_str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def str_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(item) for item in value if item not in (None, "")]
    return [str(value)]


def _identifier(value: Any, field_name: str) -> str | None:
    """An id as a string: strings and integers as given, integral floats (spreadsheets) as integers."""
    if type(value) is str:
        text = value if value.isprintable() else _CONTROL.sub("", value)
    elif value is None:
        return None
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 2**63:
        text = str(int(value))
    elif isinstance(value, str):
        text = clean_text(str(value))
    else:
        raise InvalidRecord(f"{field_name} is not a string or an integer: {safe_excerpt(value)[:40]}")
    if len(text) > MAX_CHARS[field_name]:
        raise InvalidRecord(f"{field_name} is longer than {MAX_CHARS[field_name]} characters")
    return text or None


def _text_field(value: Any, field_name: str, warnings: list[str]) -> str | None:
    if type(value) is str:
        text = value if value.isprintable() else _CONTROL.sub("", value)
    elif value is None:
        return None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = clean_text(str(value))
    else:
        warnings.append(f"{field_name} is not a string; stored as null")
        return None
    limit = MAX_CHARS[field_name]
    if len(text) > limit:
        if field_name == "author_name":
            warnings.append(f"author_name is longer than {limit} characters; cut")
            return text[:limit]
        warnings.append(f"{field_name} is longer than {limit} characters; stored as null")
        return None
    return text or None


def _text_list(value: Any, field_name: str, warnings: list[str]) -> list[str]:
    """A list of strings (urls, hashtags); numbers become strings, anything else is dropped with a warning."""
    if not value:
        return []
    if type(value) is list:
        if all(type(item) is str and item and item.isprintable() for item in value):
            return list(value)  # the usual case: as given
        items: Iterable[Any] = value
    elif isinstance(value, str):
        items = (value,)
    elif isinstance(value, list | tuple):
        items = value
    else:
        warnings.append(f"{field_name} is not a list; stored as empty")
        return []
    out = []
    dropped = 0
    for item in items:
        if isinstance(item, str):
            item = clean_text(item)
            if item:
                out.append(item)
        elif isinstance(item, int | float) and not isinstance(item, bool):
            out.append(str(item))
        elif item is not None:
            dropped += 1
    if dropped:
        warnings.append(f"{field_name}: {dropped} item(s) not a string dropped")
    return out


def make_post(
    *,
    id: Any,
    author_id: Any,
    created_at: Any,
    text: Any = "",
    platform: Any = "unknown",
    author_name: Any = None,
    author_created_at: Any = None,
    author_followers: Any = None,
    lang: Any = None,
    urls: Any = None,
    hashtags: Any = None,
    repost_of: Any = None,
    reply_to: Any = None,
    raw: Any = None,
    line: int = 0,
) -> NormalizedPost:
    """Build a normalized post, checking every field; raises InvalidRecord with the reason.

    Required fields (id, author_id, created_at, text, platform) reject the record when missing, of the wrong
    type, too long for the store or out of range; optional ones are stored as null (lists: empty) with a
    warning instead.
    """
    post_id = _identifier(id, "id")
    if post_id is None:
        raise InvalidRecord("id is missing")
    author = _identifier(author_id, "author_id")
    if author is None:
        raise InvalidRecord("author_id is missing")
    if platform is None or platform == "":
        platform = "unknown"
    elif type(platform) is not str:
        raise InvalidRecord(f"platform is not a string: {safe_excerpt(platform)[:40]}")
    else:
        platform = clean_text(platform) or "unknown"
        if len(platform) > MAX_CHARS["platform"]:
            raise InvalidRecord(f"platform is longer than {MAX_CHARS['platform']} characters")
    if text is None:
        text = ""
    elif type(text) is not str:
        if not isinstance(text, str):
            raise InvalidRecord("text is not a string")
        text = str(text)
    if text and not text.isprintable():
        text = _CONTROL.sub("", text)
    limits = current_limits()
    created = parse_time(created_at, "created_at", limits)
    warnings: list[str] = []
    author_created = None
    if author_created_at is not None and author_created_at != "":
        try:
            author_created = parse_time(author_created_at, "author_created_at", limits)
        except InvalidRecord as error:
            warnings.append(f"{error}; author_created_at stored as null")
    followers = None
    if author_followers is not None and author_followers != "":
        if type(author_followers) is int and 0 <= author_followers <= limits.max_count:
            followers = author_followers
        else:
            try:
                followers = optional_int(author_followers, "author_followers", limits)
            except InvalidRecord as error:
                warnings.append(f"{error}; author_followers stored as null")
    repost = reply = None
    if repost_of is not None:
        try:
            repost = _identifier(repost_of, "repost_of")
        except InvalidRecord as error:
            warnings.append(f"{error}; repost_of stored as null")
    if reply_to is not None:
        try:
            reply = _identifier(reply_to, "reply_to")
        except InvalidRecord as error:
            warnings.append(f"{error}; reply_to stored as null")
    post: NormalizedPost = {
        "id": post_id,
        "platform": platform,
        "author_id": author,
        "author_name": _text_field(author_name, "author_name", warnings),
        "author_created_at": author_created,
        "author_followers": followers,
        "text": text,
        "created_at": created,
        "lang": _text_field(lang, "lang", warnings),
        "urls": _text_list(urls, "urls", warnings),
        "hashtags": [tag.lstrip("#") for tag in _text_list(hashtags, "hashtags", warnings)],
        "repost_of": repost,
        "reply_to": reply,
        "raw": raw,
        "line": line,
    }
    if warnings:
        post["warnings"] = warnings
    return post


def unexpected(record: RawRecord, error: Exception) -> Rejection:
    """The Rejection for an error nobody foresaw in a normalizer (every normalizer ends with `except Exception`): the
    record is lost, not the file. MemoryError is re-raised: it is no record's fault."""
    if isinstance(error, MemoryError):
        raise error
    return Rejection(record.line, f"cannot read this record ({type(error).__name__}: {error})", safe_excerpt(record.data))


# --- lines and JSON records ------------------------------------------------------------------------------------


@dataclass(slots=True)
class TooLong:
    """Stands for a line longer than the limit: only its beginning was kept (the rest was read past)."""

    head: str


def numbered_lines(lines: TextIO | Iterable[str], max_bytes: int, start: int = 1) -> Iterator[tuple[int, Any]]:
    """(line number, line) for every line, or (line number, TooLong) for a line over `max_bytes`.

    From a stream, lines are read `max_bytes` characters at a time at most, so a line without end (a
    decompression bomb) never sits in memory whole.
    """
    readline = getattr(lines, "readline", None)
    number = start - 1
    quarter = max_bytes // 4  # below this many characters a line cannot exceed max_bytes in UTF-8
    if readline is None:
        for number, line in enumerate(lines, start=start):
            if len(line) > quarter and _too_long(line, max_bytes):
                yield number, TooLong(line[:EXCERPT_CHARS])
            else:
                yield number, line
        return
    limit = max_bytes + 1
    while True:
        line = readline(limit)
        if not line:
            return
        number += 1
        yield number, (_long_line(line, readline, limit, max_bytes) if len(line) > quarter else line)


def _too_long(line: str, max_bytes: int) -> bool:
    return len(line.rstrip("\r\n").encode("utf-8", "surrogatepass")) > max_bytes


def too_deep(line: str, value: Any, limit: int) -> bool:
    """Is the JSON `value` parsed from `line` nested deeper than `limit` (arrays and objects, the outermost 1)?"""
    if line.count("{") + line.count("[") <= limit:  # every bracket, strings included: an upper bound
        return False
    return json_depth(value, limit) > limit


def json_depth(value: Any, stop: int) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), counted up to `stop` + 1 at most. Level by level,
    with the containers of each level picked out by comprehensions (much cheaper than a loop per value)."""
    level = [value] if type(value) is dict or type(value) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > stop:
            return depth
        below: list[Any] = []
        for node in level:
            below += [child for child in (node.values() if type(node) is dict else node)
                      if type(child) is dict or type(child) is list]
        level = below
    return depth


def json_lines(lines: TextIO | Iterable[str], start: int = 1) -> Iterator[RawRecord | Rejection]:
    """Each non-blank line parsed as a JSON object: a RawRecord with its line number, or a Rejection saying why not
    (not JSON, not an object, longer than the record limit, nested deeper than the depth limit)."""
    limits = current_limits()
    max_bytes, max_depth = limits.max_record_bytes, limits.max_depth
    readline = getattr(lines, "readline", None)
    numbered = numbered_lines(lines, max_bytes, start) if readline is None else None
    limit = max_bytes + 1
    quarter = max_bytes // 4
    number = start - 1
    while True:
        if numbered is None:  # the hot path, inlined: one bounded readline per line
            line = readline(limit)
            if not line:
                return
            number += 1
            if len(line) > quarter:
                line = _long_line(line, readline, limit, max_bytes)
        else:
            try:
                number, line = next(numbered)
            except StopIteration:
                return
        if type(line) is TooLong:
            yield Rejection(number, f"line longer than {max_bytes:,} bytes (the limit of one record)", line.head)
            continue
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            if line.strip():
                yield Rejection(number, f"not valid JSON ({error.msg})", excerpt(line))
            continue
        if type(data) is not dict:
            yield Rejection(number, "not a JSON object", excerpt(line))
            continue
        if line.count("{") + line.count("[") > max_depth and too_deep(line, data, max_depth):
            yield Rejection(number, f"nested deeper than {max_depth} levels", excerpt(line))
            continue
        yield RawRecord(number, data)


def _long_line(line: str, readline: Callable[[int], str], limit: int, max_bytes: int) -> str | TooLong:
    """A line read with readline(limit) that may be over max_bytes: the line, or TooLong (its rest read past)."""
    if len(line) == limit and line[-1] not in "\n\r":
        head = line[:EXCERPT_CHARS]
        while line and line[-1] not in "\n\r":
            line = readline(limit)
        return TooLong(head)
    if _too_long(line, max_bytes):
        return TooLong(line[:EXCERPT_CHARS])
    return line


def post_to_contract(post: NormalizedPost) -> dict:
    """The JSON form of DESIGN.md's normalized post (ISO times, no raw payload)."""
    out = {key: post.get(key) for key in CONTRACT_FIELDS}
    for key in ("created_at", "author_created_at"):
        if out[key] is not None:
            out[key] = out[key].isoformat()
    return out


CONTRACT_FIELDS = (
    "id", "platform", "author_id", "author_name", "author_created_at", "author_followers", "text",
    "created_at", "lang", "urls", "hashtags", "repost_of", "reply_to",
)

__all__ = [
    "CONTRACT_FIELDS", "BrokenFile", "InvalidRecord", "Limits", "OutOfRange", "NormalizedPost", "RawRecord", "ReadOptions",
    "Rejection", "TextIO", "TooLong", "clean_text", "current_limits", "excerpt", "json_depth", "json_lines", "make_post",
    "numbered_lines", "optional_int", "optional_str", "optional_time", "parse_time",
    "post_to_contract", "safe_excerpt", "str_list", "too_deep", "unexpected", "use_limits",
]
