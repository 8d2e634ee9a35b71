"""What every format module shares: the record and skip types, field coercion and the post constructor.

A format module exposes three things (see docs/formats.md):
  detect(head: str, name: str) -> bool    does this file look like my format? (head: first ~64 KB as text)
  read(stream, options) -> Iterator[RawRecord | Skip]     raw records with their line/record number
  normalize(record, options) -> Iterator[Post | Skip]     normalized posts, or skips with a reason
Normalization warns (a Skip), it never throws: one bad record must not stop the rest.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO, TypedDict

import orjson

EXCERPT_CHARS = 200


@dataclass(slots=True)
class RawRecord:
    line: int  # 1-based line in the file, or record number for JSON documents and feeds
    data: Any  # the parsed raw payload, kept next to the normalized post


@dataclass(slots=True)
class Skip:
    line: int
    reason: str
    excerpt: str = ""


@dataclass(slots=True)
class ReadOptions:
    """Per-run choices a format may need (generic CSV column mapping, a platform override)."""

    mapping: dict[str, str] = field(default_factory=dict)
    platform: str | None = None


class Post(TypedDict, total=False):
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


class InvalidRecord(ValueError):
    """Raised inside a normalizer for a record that cannot become a post; turned into a Skip."""


def excerpt(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text[:EXCERPT_CHARS]


def parse_time(value: Any, field_name: str = "created_at") -> datetime:
    """ISO 8601 (any offset, 'Z' allowed, naive taken as UTC) or unix seconds, to an aware UTC datetime."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.isdigit():
            return datetime.fromtimestamp(int(text), UTC)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidRecord(f"{field_name} is not a valid time: {text[:40]!r}") from None
    else:
        raise InvalidRecord(f"{field_name} is missing")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def optional_time(value: Any, field_name: str) -> datetime | None:
    if value is None or value == "":
        return None
    return parse_time(value, field_name)


def optional_int(value: Any, field_name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            raise InvalidRecord(f"{field_name} is not an integer: {str(value)[:40]!r}") from None


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


def make_post(
    *,
    id: Any,
    author_id: Any,
    created_at: Any,
    text: Any = "",
    platform: str | None = "unknown",
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
) -> Post:
    """Build a normalized post, checking the required fields; raises InvalidRecord with the reason."""
    if id is None or id == "":
        raise InvalidRecord("id is missing")
    if author_id is None or author_id == "":
        raise InvalidRecord("author_id is missing")
    if text is None:
        text = ""
    elif not isinstance(text, str):
        raise InvalidRecord("text is not a string")
    return {
        "id": str(id),
        "platform": platform or "unknown",
        "author_id": str(author_id),
        "author_name": optional_str(author_name),
        "author_created_at": optional_time(author_created_at, "author_created_at"),
        "author_followers": optional_int(author_followers, "author_followers"),
        "text": text,
        "created_at": parse_time(created_at),
        "lang": optional_str(lang),
        "urls": str_list(urls),
        "hashtags": [tag.lstrip("#") for tag in str_list(hashtags)],
        "repost_of": optional_str(repost_of),
        "reply_to": optional_str(reply_to),
        "raw": raw,
        "line": line,
    }


def json_lines(lines: Iterable[str], start: int = 1) -> Iterator[RawRecord | Skip]:
    """Each non-blank line parsed as a JSON object: a RawRecord with its line number, or a Skip saying why not."""
    for number, line in enumerate(lines, start=start):
        if not line.strip():
            continue
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            yield Skip(number, f"not valid JSON ({error.msg})", excerpt(line))
            continue
        if not isinstance(data, dict):
            yield Skip(number, "not a JSON object", excerpt(line))
            continue
        yield RawRecord(number, data)


def post_to_contract(post: Post) -> dict:
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
    "CONTRACT_FIELDS", "InvalidRecord", "Post", "RawRecord", "ReadOptions", "Skip", "TextIO", "excerpt", "json_lines",
    "make_post", "optional_int", "optional_str", "optional_time", "parse_time", "post_to_contract", "str_list",
]
