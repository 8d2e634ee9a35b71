"""Twitter API v2 as written by twarc2: response pages (`{"data": [...], "includes": {...}, "meta": ...}`, one page
per line) and flattened tweets (`twarc2 flatten`: one tweet per line with its `author` object inline).

Every tweet of a page reports the page's line. The raw payload is the tweet object with its author (user) object
under `author`, as in twarc2's flattened form, never the whole page.

Retweets: API v2 truncates a retweet's `text` ("RT @x: first 140 chars…"). When the retweeted tweet is in
`includes.tweets` (or inline as in flattened lines), the text becomes "RT @x: " + the retweeted tweet's full text
(its `note_tweet` text for long tweets), and its urls and hashtags are added. The prefix is kept so that a
retweet's text is what Twitter shows and matches the information-operations archive (`tweet_text` is "RT @x: …"
there too); `repost_of` marks it as a repost either way.
"""

from collections.abc import Iterator
from typing import Any, TextIO

import orjson

from worker.sources.base import (
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
from worker.sources.textutil import lang_code

NAME = "twarc2"
WHOLE_LINES = True  # a broken archive ends after its last whole line (files.open_text)
PLATFORM = "twitter"
_TWEET_MARKERS = ("__twarc", "edit_history_tweet_ids", "conversation_id", "referenced_tweets", "public_metrics")


def detect(head: str, name: str) -> bool:
    for line in head.splitlines():
        line = line.strip()
        if not line:
            continue
        if not line.startswith("{"):
            return False
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            # A page is often longer than the head: judge the cut-off line by its opening.
            compact = line[:200].replace(" ", "")
            return compact.startswith('{"data":[{') and '"author_id"' in line
        return isinstance(value, dict) and (_is_page(value) or _is_tweet(value))
    return False


def _is_page(value: dict) -> bool:
    data = value.get("data")
    if isinstance(data, list):
        return bool(data) and isinstance(data[0], dict) and "author_id" in data[0] and "text" in data[0]
    return isinstance(data, dict) and "author_id" in data and "text" in data


def _is_tweet(value: dict) -> bool:
    if "author_id" not in value or "text" not in value or "id" not in value:
        return False
    return isinstance(value.get("author"), dict) or any(marker in value for marker in _TWEET_MARKERS)


def read(stream: TextIO, options: ReadOptions) -> Iterator[RawRecord | Rejection]:
    for record in json_lines(stream):
        if isinstance(record, Rejection):
            yield record
            continue
        number, value = record.line, record.data
        if "data" in value or ("meta" in value and "id" not in value):
            data = value.get("data")
            if data is None:
                continue  # an empty page (no results, or only errors)
            if isinstance(data, dict):
                data = [data]
            if not isinstance(data, list):
                yield Rejection(number, "page 'data' is not a list of tweets", safe_excerpt(data))
                continue
            includes = value.get("includes")
            includes = includes if isinstance(includes, dict) else {}
            users = _by_id(includes.get("users"))
            tweets = _by_id(includes.get("tweets"))
            for tweet in data:
                if not isinstance(tweet, dict):
                    yield Rejection(number, "tweet is not a JSON object", safe_excerpt(tweet))
                    continue
                author = users.get(_key(tweet.get("author_id")))
                if author is not None:
                    tweet["author"] = author
                yield RawRecord(number, (tweet, tweets, users))
        else:
            yield RawRecord(number, (value, None, None))


def _key(value: Any) -> Any:
    return value if isinstance(value, str | int) else None


def _by_id(objects: Any) -> dict:
    """Included users or tweets by id (objects of any other shape are left out)."""
    if not isinstance(objects, list):
        return {}
    return {_key(item.get("id")): item for item in objects if isinstance(item, dict)}


def normalize(record: RawRecord, options: ReadOptions | None = None) -> Iterator[NormalizedPost | Rejection]:
    tweet, included_tweets, users = record.data
    try:
        yield _post(tweet, included_tweets, users, record.line, options)
    except InvalidRecord as error:
        yield Rejection(record.line, str(error), safe_excerpt(tweet))
    except (TypeError, ValueError, AttributeError) as error:
        yield Rejection(record.line, f"malformed tweet ({error})", safe_excerpt(tweet))
    except Exception as error:
        yield unexpected(record, error)


def _post(tweet: dict, included_tweets: dict | None, users: dict | None, line: int, options) -> NormalizedPost:
    author = tweet.get("author")
    if not isinstance(author, dict):
        author = {}
    text = _full_text(tweet)
    urls, hashtags = _entities(tweet)
    repost_of = reply_to = None
    for ref in tweet.get("referenced_tweets") or ():
        kind = ref.get("type")
        if kind == "retweeted":
            repost_of = ref.get("id")
            original = ref if "text" in ref else (included_tweets or {}).get(repost_of)
            if original and "text" in original:
                text = _retweet_text(text, original, users)
                more_urls, more_tags = _entities(original)
                urls = _merge(urls, more_urls)
                hashtags = _merge(hashtags, more_tags)
        elif kind == "replied_to":
            reply_to = ref.get("id")
    metrics = author.get("public_metrics")
    metrics = metrics if isinstance(metrics, dict) else {}
    return make_post(
        id=tweet.get("id"),
        platform=(options.platform if options and options.platform else PLATFORM),
        author_id=tweet.get("author_id"),
        author_name=author.get("username"),
        author_created_at=author.get("created_at"),
        author_followers=metrics.get("followers_count"),
        text=text,
        created_at=tweet.get("created_at"),
        lang=lang_code(tweet.get("lang")),
        urls=urls,
        hashtags=hashtags,
        repost_of=repost_of,
        reply_to=reply_to,
        raw=tweet,
        line=line,
    )


def _full_text(tweet: dict) -> Any:
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        return note["text"]
    return tweet.get("text")


def _retweet_text(text: Any, original: dict, users: dict | None) -> Any:
    """'RT @x: ' + the retweeted tweet's full text (the prefix taken from the retweet, else from the author)."""
    full = _full_text(original)
    if not isinstance(full, str):
        return text
    if isinstance(text, str) and text.startswith("RT @"):
        colon = text.find(": ")
        if colon > 0:
            return text[: colon + 2] + full
    author = original.get("author") if isinstance(original.get("author"), dict) else (users or {}).get(
        original.get("author_id"))
    handle = author.get("username") if isinstance(author, dict) else None
    return f"RT @{handle}: {full}" if handle else full


def _entities(tweet: dict) -> tuple[list[str], list[str]]:
    entities = tweet.get("entities")
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("entities"), dict):
        entities = note["entities"]
    if not isinstance(entities, dict):
        return [], []
    urls = [u.get("expanded_url") or u.get("url") for u in entities.get("urls") or () if isinstance(u, dict)]
    tags = [h.get("tag") for h in entities.get("hashtags") or () if isinstance(h, dict)]
    return [u for u in urls if u], [t for t in tags if t]


def _merge(first: list[str], second: list[str]) -> list[str]:
    if not second:
        return first
    return list(dict.fromkeys(first + second))
