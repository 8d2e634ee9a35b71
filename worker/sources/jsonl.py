"""Normalized posts as JSON Lines: the contract in DESIGN.md, one object per line."""

from collections.abc import Iterator
from typing import TextIO

import orjson

from worker.sources.base import (
    CONTRACT_FIELDS,
    InvalidRecord,
    NormalizedPost,
    RawRecord,
    ReadOptions,
    Rejection,
    json_lines,
    make_post,
    safe_excerpt,
    unexpected,
)

NAME = "jsonl"
WHOLE_LINES = True  # a broken archive ends after its last whole line (files.open_text)
CONTRACT_KEYS = frozenset(CONTRACT_FIELDS)


def detect(head: str, name: str) -> bool:
    first = _first_object(head)
    return first is not None and "author_id" in first and "created_at" in first and "data" not in first


def read(stream: TextIO, options: ReadOptions) -> Iterator[RawRecord | Rejection]:
    return json_lines(stream)


def normalize(record: RawRecord, options: ReadOptions | None = None) -> Iterator[NormalizedPost | Rejection]:
    data = record.data
    try:
        yield make_post(
            id=data.get("id"),
            platform=(options.platform if options and options.platform else data.get("platform")),
            author_id=data.get("author_id"),
            author_name=data.get("author_name"),
            author_created_at=data.get("author_created_at"),
            author_followers=data.get("author_followers"),
            text=data.get("text", ""),
            created_at=data.get("created_at"),
            lang=data.get("lang"),
            urls=data.get("urls"),
            hashtags=data.get("hashtags"),
            repost_of=data.get("repost_of"),
            reply_to=data.get("reply_to"),
            # Only what the contract does not cover: the contract fields are the post itself.
            raw=_extra_fields(data),
            line=record.line,
        )
    except InvalidRecord as error:
        yield Rejection(record.line, str(error), safe_excerpt(data))
    except Exception as error:
        yield unexpected(record, error)


def _extra_fields(data: dict) -> dict | None:
    if CONTRACT_KEYS.issuperset(data):  # the usual case: nothing beyond the contract, nothing allocated
        return None
    return {key: value for key, value in data.items() if key not in CONTRACT_KEYS}


def _first_object(head: str) -> dict | None:
    for line in head.splitlines():
        if line.strip():
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError:
                return None
            return value if isinstance(value, dict) else None
    return None
