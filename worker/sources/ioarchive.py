"""Twitter information-operations archive CSV (Twitter's "Information Operations" hashed/unhashed datasets).

Columns used: tweetid, userid, user_display_name, user_screen_name, follower_count, account_creation_date,
tweet_language, tweet_text, tweet_time (UTC, `YYYY-MM-DD HH:MM`), in_reply_to_tweetid, is_retweet,
retweet_tweetid, hashtags (`[a, b]`), urls (`[https://…]`); every column is kept in the raw payload.
author_name is `user_screen_name` (the handle, as for twarc2), else `user_display_name`.
"""

from collections.abc import Iterator
from typing import TextIO

from worker.sources.base import (
    InvalidRecord,
    NormalizedPost,
    RawRecord,
    ReadOptions,
    Rejection,
    excerpt,
    make_post,
    parse_time,
    unexpected,
)
from worker.sources.csvrows import header_of, read_records
from worker.sources.textutil import clean_id, lang_code, split_list

NAME = "ioarchive"
WHOLE_LINES = True  # a broken archive ends after its last whole line (files.open_text)
PLATFORM = "twitter"
REQUIRED_COLUMNS = {"tweetid", "userid", "tweet_text", "tweet_time"}


def detect(head: str, name: str) -> bool:
    header = header_of(head)
    return header is not None and REQUIRED_COLUMNS.issubset(header)


def read(stream: TextIO, options: ReadOptions) -> Iterator[RawRecord | Rejection]:
    return read_records(stream, ",")


def normalize(record: RawRecord, options: ReadOptions | None = None) -> Iterator[NormalizedPost | Rejection]:
    row = record.data
    get = row.get
    try:
        yield make_post(
            id=clean_id(get("tweetid")),
            platform=(options.platform if options and options.platform else PLATFORM),
            author_id=clean_id(get("userid")),
            author_name=get("user_screen_name") or get("user_display_name"),
            author_created_at=get("account_creation_date"),
            author_followers=get("follower_count"),
            text=get("tweet_text") or "",
            created_at=parse_time(get("tweet_time"), "tweet_time"),
            lang=lang_code(get("tweet_language")),
            urls=split_list(get("urls")),
            hashtags=split_list(get("hashtags")),
            repost_of=clean_id(get("retweet_tweetid")),
            reply_to=clean_id(get("in_reply_to_tweetid")),
            raw=row,
            line=record.line,
        )
    except InvalidRecord as error:
        yield Rejection(record.line, str(error), excerpt(",".join(row.values())))
    except Exception as error:
        yield unexpected(record, error)
