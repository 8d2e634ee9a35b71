"""VK `wall.get` responses: `{"response": {"count", "items", "profiles", "groups"}}` or a bare `{"items": ...}`, as
one JSON document (items streamed, one in memory, see worker/sources/jsonstream.py) or as JSON Lines of such
responses (one per line).

- id `"{owner_id}_{id}"` (owner ids of communities are negative); author_id `from_id` (required).
- author_name from `profiles` ("first_name last_name") or `groups` (`name`, matched by -id); followers from the
  profile's `followers_count` or the group's `members_count` when the response has them (`fields=`).
- `copy_history` (a repost): repost_of is the first item's `"{owner_id}_{id}"`; text is the reposter's own text
  (often empty). The reposted text stays in the raw payload.
- urls from `attachments` of type `link` (`link.url`); hashtags from the text.
- Record number: 1-based item number in a JSON document; line in file for JSON Lines.
- The raw payload is the item, with its profile or group object under `author` when known.
"""

from collections.abc import Iterator
from typing import Any, TextIO

import orjson

from worker.sources.base import (
    BrokenFile,
    InvalidRecord,
    NormalizedPost,
    RawRecord,
    ReadOptions,
    Rejection,
    current_limits,
    json_lines,
    make_post,
    parse_time,
    safe_excerpt,
    too_deep,
    unexpected,
)
from worker.sources.jsonstream import DocumentError, extract
from worker.sources.textutil import hashtags_from_text

NAME = "vk"
PLATFORM = "vk"
HOLD_ITEMS = 10_000  # items held back waiting for profiles/groups that follow them in the document

_PATHS = {
    "response.items.item": "item", "items.item": "item",
    "response.profiles.item": "profile", "profiles.item": "profile",
    "response.groups.item": "group", "groups.item": "group",
}


def detect(head: str, name: str) -> bool:
    text = head.lstrip()
    if not text.startswith("{"):
        return False
    start = text[:20000]
    return '"items"' in start and '"owner_id"' in start and ('"from_id"' in start or '"response"' in start)


def read(stream: TextIO, options: ReadOptions) -> Iterator[RawRecord | Rejection]:
    # A first line that is a whole JSON object within the record limit: JSON Lines (or a one-line document,
    # read the same way). Otherwise a document, streamed; the line already read is put back in front.
    limits = current_limits()
    first = stream.readline(limits.max_record_bytes + 1)
    value = None
    if first.endswith("\n") or len(first) <= limits.max_record_bytes:
        try:
            value = orjson.loads(first)
        except orjson.JSONDecodeError:
            value = None
    if isinstance(value, dict) and not too_deep(first, value, limits.max_depth):
        yield from _read_lines(value, stream)
    else:
        yield from _read_document(first, stream)


def _read_lines(first: dict, stream: TextIO) -> Iterator[RawRecord | Rejection]:
    yield from _response_records(first, 1)
    for record in json_lines(stream, start=2):
        if isinstance(record, Rejection):
            yield record
        else:
            yield from _response_records(record.data, record.line)


def _response_records(value: dict, line: int) -> Iterator[RawRecord | Rejection]:
    if "error" in value and "response" not in value:
        error = value["error"]
        message = error.get("error_msg") if isinstance(error, dict) else error
        yield Rejection(line, f"VK API error response: {message}", safe_excerpt(value))
        return
    response = value.get("response", value)
    if isinstance(response, dict) and "owner_id" in response and "items" not in response:
        yield RawRecord(line, (response, {}))  # one bare item per line
        return
    items = response.get("items") if isinstance(response, dict) else None
    if not isinstance(items, list):
        yield Rejection(line, "no 'items' list in the response", safe_excerpt(value))
        return
    names: dict[int, dict] = {}
    _add_people(names, response.get("profiles"), 1)
    _add_people(names, response.get("groups"), -1)
    for item in items:
        yield RawRecord(line, (item, names))


def _add_people(names: dict, people: Any, sign: int) -> None:
    for person in people or ():
        if isinstance(person, dict) and isinstance(person.get("id"), int):
            names[sign * person["id"]] = person


def _read_document(first: str, stream: TextIO) -> Iterator[RawRecord | Rejection]:
    names: dict[int, dict] = {}
    held: list[RawRecord | Rejection] = []
    number = 0
    try:
        for found in extract(stream, _PATHS, prefix=first):
            if found.name == "item":
                number += 1
                if found.reason is not None:
                    record: RawRecord | Rejection = Rejection(number, f"item {found.reason}", found.excerpt)
                else:
                    record = RawRecord(number, (found.value, names))
                if names and not held:
                    yield record
                else:
                    held.append(record)
                    if len(held) >= HOLD_ITEMS:
                        yield from held
                        held.clear()
            elif isinstance(found.value, dict) and isinstance(found.value.get("id"), int):
                value = found.value
                names[value["id"] if found.name == "profile" else -value["id"]] = value
    except DocumentError as error:
        yield from held
        held.clear()
        yield BrokenFile(number + 1, f"broken JSON after item {number}: {error}; the rest of the file is unreadable")
    yield from held


def normalize(record: RawRecord, options: ReadOptions | None = None) -> Iterator[NormalizedPost | Rejection]:
    item, names = record.data
    try:
        if not isinstance(item, dict):
            raise InvalidRecord("item is not a JSON object")
        yield _post(item, names, record.line, options)
    except InvalidRecord as error:
        yield Rejection(record.line, str(error), safe_excerpt(item))
    except (TypeError, ValueError, AttributeError) as error:
        yield Rejection(record.line, f"malformed item ({error})", safe_excerpt(item))
    except Exception as error:
        yield unexpected(record, error)


def _post(item: dict, names: dict, line: int, options) -> NormalizedPost:
    owner_id = item.get("owner_id")
    post_id = item.get("id")
    if owner_id is None or post_id is None:
        raise InvalidRecord("owner_id or id is missing")
    if not (_plain_id(owner_id) and _plain_id(post_id)):
        raise InvalidRecord("owner_id or id is not a number or a string")
    author_id = item.get("from_id")  # wall.get always sends it; without it the author is unknown
    if author_id is None:
        raise InvalidRecord("from_id is missing")
    author = names.get(author_id) if isinstance(author_id, int) else None
    author_name = followers = None
    if author is not None:
        item["author"] = author
        if author_id > 0:
            author_name = " ".join(p for p in (author.get("first_name"), author.get("last_name")) if p) or None
            followers = author.get("followers_count")
        else:
            author_name = author.get("name")
            followers = author.get("members_count")
        author_name = author_name or author.get("screen_name")
    repost_of = None
    history = item.get("copy_history")
    if history and isinstance(history, list) and isinstance(history[0], dict):
        original = history[0]
        if _plain_id(original.get("owner_id")) and _plain_id(original.get("id")):
            repost_of = f"{original['owner_id']}_{original['id']}"
    urls = []
    for attachment in item.get("attachments") or ():
        if isinstance(attachment, dict) and attachment.get("type") == "link":
            link = attachment.get("link")
            if isinstance(link, dict) and link.get("url"):
                urls.append(link["url"])
    text = item.get("text") or ""
    return make_post(
        id=f"{owner_id}_{post_id}",
        platform=(options.platform if options and options.platform else PLATFORM),
        author_id=author_id,
        author_name=author_name,
        author_followers=followers,
        text=text,
        created_at=parse_time(item.get("date"), "date"),
        urls=urls,
        hashtags=hashtags_from_text(text) if isinstance(text, str) else [],
        repost_of=repost_of,
        raw=item,
        line=line,
    )


def _plain_id(value: Any) -> bool:
    return isinstance(value, int | str) and not isinstance(value, bool) and value != ""
