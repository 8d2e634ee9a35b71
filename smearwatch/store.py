"""Bulk writes for ingestion: posts stored once on (platform, id), accounts keeping their latest profile.

This is the hot path of ingestion, so it talks to the driver directly (executemany on SQLite, COPY into a
temporary table on PostgreSQL) instead of going through the ORM's per-value type processing. The values
written are exactly what the SQLModel column types would write, so the ORM reads them back unchanged.
"""

from collections.abc import Sequence
from datetime import datetime

import orjson
import psycopg
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from smearwatch.models import RejectedRecord

POST_COLUMNS = ("platform", "post_id", "author_id", "author_name", "text", "created_at", "lang", "urls",
                "hashtags", "repost_of", "reply_to", "raw", "run_id")
ACCOUNT_COLUMNS = ("platform", "account_id", "name", "created_at", "followers", "profile_at")
# Types for binary COPY (about 2.5x cheaper than text COPY on the client). JSON columns travel as text:
# json's binary form is its text.
POST_PG_TYPES = ("text", "text", "text", "text", "text", "timestamptz", "text", "text", "text", "text", "text",
                 "text", "int4")
ACCOUNT_PG_TYPES = ("text", "text", "text", "timestamptz", "int8", "timestamptz")

# The profile of the latest post wins. Rows that would not change are not rewritten (the WHERE), which keeps
# re-ingestion and chatty accounts cheap on PostgreSQL.
ACCOUNT_CONFLICT = """ON CONFLICT (platform, account_id) DO UPDATE SET
    name = COALESCE(excluded.name, account.name),
    followers = COALESCE(excluded.followers, account.followers),
    created_at = COALESCE(excluded.created_at, account.created_at),
    profile_at = excluded.profile_at
WHERE excluded.profile_at > account.profile_at AND (
    account.name IS DISTINCT FROM COALESCE(excluded.name, account.name)
    OR account.followers IS DISTINCT FROM COALESCE(excluded.followers, account.followers)
    OR account.created_at IS DISTINCT FROM COALESCE(excluded.created_at, account.created_at))"""


def _json(value) -> str | None:
    return orjson.dumps(value).decode() if value else None


def _sqlite_time(value: datetime | None) -> str | None:
    # The text form SQLAlchemy's SQLite DateTime type writes (UTC, no offset).
    return value.replace(tzinfo=None).isoformat(" ", "microseconds") if value is not None else None


def _raw(post: dict):
    """The raw payload to keep, with the reader's warnings about the post (a field nulled or cut) beside it."""
    raw, warnings = post.get("raw"), post.get("warnings")
    if not warnings:
        return raw
    if raw is None or isinstance(raw, dict):
        return {**(raw or {}), "_warnings": warnings}
    return {"_raw": raw, "_warnings": warnings}


def _post_row(post: dict, run_id: int | None, time_format) -> tuple:
    return (
        post["platform"], post["id"], post["author_id"], post.get("author_name"), post.get("text") or "",
        time_format(post["created_at"]), post.get("lang"), _json(post.get("urls")), _json(post.get("hashtags")),
        post.get("repost_of"), post.get("reply_to"), _json(_raw(post)), run_id,
    )


def _account_rows(posts: Sequence[dict], time_format) -> list[tuple]:
    """One row per account, with the profile of its latest post in the batch."""
    latest: dict[tuple[str, str], dict] = {}
    for post in posts:
        key = (post["platform"], post["author_id"])
        if key not in latest or post["created_at"] >= latest[key]["created_at"]:
            latest[key] = post
    return [
        (platform, author_id, post.get("author_name"), time_format(post.get("author_created_at")),
         post.get("author_followers"), time_format(post["created_at"]))
        for (platform, author_id), post in sorted(latest.items())  # sorted: one lock order for all writers
    ]


def insert_posts(connection: Connection, posts: Sequence[dict], run_id: int | None) -> int:
    """Insert posts not stored yet (the caller removes in-batch duplicates first); returns how many were new."""
    if not posts:
        return 0
    if connection.dialect.name == "postgresql":
        return _pg_insert_posts(connection, posts, run_id)
    placeholders = ", ".join("?" * len(POST_COLUMNS))
    result = connection.exec_driver_sql(
        f"INSERT INTO post ({', '.join(POST_COLUMNS)}) VALUES ({placeholders}) "
        "ON CONFLICT (platform, post_id) DO NOTHING",
        [_post_row(p, run_id, _sqlite_time) for p in posts],
    )
    return result.rowcount


def upsert_accounts(connection: Connection, posts: Sequence[dict]) -> None:
    if not posts:
        return
    if connection.dialect.name == "postgresql":
        _copy_then_insert(connection, "account", ACCOUNT_COLUMNS, ACCOUNT_PG_TYPES, _account_rows(posts, _pg_time),
                          ACCOUNT_CONFLICT)
        return
    placeholders = ", ".join("?" * len(ACCOUNT_COLUMNS))
    connection.exec_driver_sql(
        f"INSERT INTO account ({', '.join(ACCOUNT_COLUMNS)}) VALUES ({placeholders}) {ACCOUNT_CONFLICT}",
        _account_rows(posts, _sqlite_time),
    )


def _pg_insert_posts(connection: Connection, posts: Sequence[dict], run_id: int | None) -> int:
    """COPY the batch straight into `post`; if a post is already stored, the unique index refuses the COPY, the
    savepoint undoes it, and the batch goes through COPY into a staging table + INSERT ... ON CONFLICT DO NOTHING.

    Most batches are all new, and one COPY costs half of staging and copying again. (No look-up of known ids
    first: `post_id = ANY(5000 ids)` against a table whose statistics lag a bulk load is planned as a scan that
    compares every row with every id, which took minutes on a re-ingest of 200,000 posts.)
    """
    driver = connection.connection.driver_connection
    rows = [_post_row(p, run_id, _pg_time) for p in posts]
    try:
        with driver.transaction(), driver.cursor().copy(
                f"COPY post ({', '.join(POST_COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(POST_PG_TYPES)
            for row in rows:
                copy.write_row(row)
        return len(rows)
    except psycopg.errors.UniqueViolation:
        return _copy_then_insert(connection, "post", POST_COLUMNS, POST_PG_TYPES, rows,
                                 "ON CONFLICT (platform, post_id) DO NOTHING")


def _pg_time(value: datetime | None) -> datetime | None:
    return value


def _copy_then_insert(connection: Connection, table: str, columns: Sequence[str], types: Sequence[str],
                      rows: list[tuple], conflict: str) -> int:
    """COPY rows into a temporary twin of `table`, then INSERT ... SELECT with the conflict rule; returns rows written."""
    cursor = connection.connection.driver_connection.cursor()
    staging = f"staging_{table}"
    column_list = ", ".join(columns)
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
    cursor.execute(f"TRUNCATE {staging}")
    with cursor.copy(f"COPY {staging} ({column_list}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)
    cursor.execute(f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {staging} {conflict}")
    return cursor.rowcount


# A run keeps its first REJECTED_KEPT rejected records (FILE:LINE: reason); its `rejected` counter counts all of
# them. A dump of a million broken lines must not double the store to say the same thing a million times.
REJECTED_KEPT = 10_000


def add_rejected(connection: Connection, run_id: int, rejected: Sequence[dict]) -> None:
    if not rejected:
        return
    table = RejectedRecord.__table__
    kept = connection.execute(select(func.count()).select_from(table).where(table.c.run_id == run_id)).scalar_one()
    room = max(REJECTED_KEPT - kept, 0)
    if room:
        connection.execute(table.insert(), [dict(item, run_id=run_id) for item in rejected[:room]])
