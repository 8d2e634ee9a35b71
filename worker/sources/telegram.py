"""Telegram Desktop export (`result.json`): one chat (`{"name", "type", "id", "messages": [...]}`) or the full
account export (`{"chats": {"list": [chat, ...]}, "left_chats": ...}`), streamed (worker/sources/jsonstream.py): one
message in memory at a time, and a message longer or deeper than the limits is one rejected record.

- Record number: 1-based position of the message in `messages` (for a full export, counted over all chats in
  file order, so that every record number is unique within the file).
- Service messages (`"type": "service"`: joins, pins, …) are not posts: they are passed over, not rejected.
- `text` is a string or a list of strings and entity objects (`{"type": "link"|"text_link"|"hashtag"|…, "text",
  "href"?}`); the text is their concatenation, links come from `link` (text) and `text_link` (href) entities,
  hashtags from `hashtag` entities. `text_entities` (newer exports) is used for links/hashtags when `text` is a
  plain string.
- created_at is `date_unixtime`; exports older than 2021 lack it and give `date` in the exporting computer's local
  time, read here as UTC.
- author is `from_id` (`user123`, `channel456`) and `from`; a message without `from_id` in a channel export is the
  channel's (`channel<chat id>`).
- repost_of is `forwarded_from_id` (the source chat or user, e.g. `channel456`): the export does not carry the
  original message id, so a forward points at the account it came from. A forward known only by name
  (`forwarded_from` without id) has repost_of null.
- id is `"{chat id}_{message id}"`: message ids are unique only within one chat, and two chats (or the chats of
  a full export) must not collide on (platform, id). reply_to is the parent's id in the same form.
"""

from collections.abc import Iterator
from typing import Any, TextIO

from worker.sources.base import (
    BrokenFile,
    InvalidRecord,
    NormalizedPost,
    RawRecord,
    ReadOptions,
    Rejection,
    excerpt,
    make_post,
    parse_time,
    safe_excerpt,
    unexpected,
)
from worker.sources.jsonstream import DocumentError, Found, extract

NAME = "telegram"
PLATFORM = "telegram"
KIND_MESSAGE = "message"

_PATHS = {
    "name": "chat.name", "type": "chat.type", "id": "chat.id", "messages.item": "message",
    "chats.list.item.name": "chat.name", "chats.list.item.type": "chat.type", "chats.list.item.id": "chat.id",
    "chats.list.item.messages.item": "message",
    "left_chats.list.item.name": "chat.name", "left_chats.list.item.type": "chat.type",
    "left_chats.list.item.id": "chat.id", "left_chats.list.item.messages.item": "message",
}


def detect(head: str, name: str) -> bool:
    text = head.lstrip()
    if not text.startswith("{"):
        return False
    start = text[:4000]
    if '"personal_information"' in start or "Here is the data you requested" in start:
        return True
    return '"messages"' in text and ('"date_unixtime"' in text or '"from_id"' in text) and '"type"' in text


def read(stream: TextIO, options: ReadOptions) -> Iterator[RawRecord | Rejection]:
    # One chat (name, type, id, then messages) or a full export (chats.list / left_chats.list of such chats):
    # one walk serves both. A message over the limits (length, nesting) is one Rejection; a broken document ends
    # with a BrokenFile after every message before the break.
    yield from _records(extract(stream, _PATHS), {})


def _records(values: Iterator[Found], chat: dict[str, Any]) -> Iterator[RawRecord | Rejection]:
    number = 0
    try:
        for found in values:
            if found.name == KIND_MESSAGE:
                number += 1
                value = found.value
                if found.reason is not None:
                    yield Rejection(number, f"message {found.reason}", found.excerpt)
                elif not isinstance(value, dict):
                    yield Rejection(number, "message is not a JSON object", excerpt(repr(value)))
                elif value.get("type", "message") != "service":
                    yield RawRecord(number, (value, chat))
            else:
                key = found.name[5:]
                value = found.value if isinstance(found.value, str | int) and not isinstance(found.value, bool) else None
                # A chat field seen again: the next chat of a full export has begun. A new dict each time, so
                # the records already handed out keep their own chat.
                chat = {key: value} if key in chat else {**chat, key: value}
    except DocumentError as error:
        yield BrokenFile(number + 1, f"broken JSON after message {number}: {error}; the rest of the file is unreadable")


def normalize(record: RawRecord, options: ReadOptions | None = None) -> Iterator[NormalizedPost | Rejection]:
    message, chat = record.data
    try:
        yield _post(message, chat, record.line, options)
    except InvalidRecord as error:
        yield Rejection(record.line, str(error), safe_excerpt(message))
    except (TypeError, ValueError, AttributeError) as error:
        yield Rejection(record.line, f"malformed message ({error})", safe_excerpt(message))
    except Exception as error:
        yield unexpected(record, error)


def _post(message: dict, chat: dict, line: int, options) -> NormalizedPost:
    text, urls, hashtags = _text(message.get("text"))
    if not urls and not hashtags and isinstance(message.get("text"), str):
        entities = message.get("text_entities")
        if isinstance(entities, list):
            _, urls, hashtags = _text(entities)
    author_id = message.get("from_id")
    if not author_id and "channel" in str(chat.get("type") or "") and chat.get("id") is not None:
        author_id = f"channel{chat['id']}"
    created = message.get("date_unixtime")
    if created in (None, ""):
        created = parse_time(message.get("date"), "date")
    else:
        created = parse_time(created, "date_unixtime")
    return make_post(
        id=_in_chat(chat, message.get("id")),
        platform=(options.platform if options and options.platform else PLATFORM),
        author_id=author_id,
        author_name=message.get("from") or (None if message.get("from_id") else chat.get("name")),
        text=text,
        created_at=created,
        urls=urls,
        hashtags=hashtags,
        repost_of=message.get("forwarded_from_id"),
        reply_to=_in_chat(chat, message.get("reply_to_message_id")),
        raw=message,
        line=line,
    )


def _in_chat(chat: dict, message_id: Any) -> str | None:
    if message_id is None or message_id == "":
        return None
    chat_id = chat.get("id")
    return f"{chat_id}_{message_id}" if chat_id is not None else str(message_id)


def _text(value: Any) -> tuple[str, list[str], list[str]]:
    if value is None:
        return "", [], []
    if isinstance(value, str):
        return value, [], []
    if not isinstance(value, list):
        raise InvalidRecord("text is neither a string nor a list of entities")
    parts: list[str] = []
    urls: list[str] = []
    hashtags: list[str] = []
    for part in value:
        if isinstance(part, str):
            parts.append(part)
            continue
        if not isinstance(part, dict):
            continue
        piece = part.get("text") or ""
        if not isinstance(piece, str):
            piece = str(piece)
        parts.append(piece)
        kind = part.get("type")
        if kind == "link":
            urls.append(piece)
        elif kind == "text_link":
            if part.get("href"):
                urls.append(part["href"])
        elif kind == "hashtag":
            hashtags.append(piece.lstrip("#"))
    return "".join(parts), urls, hashtags
