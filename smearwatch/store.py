"""Bulk writes for ingestion: posts stored once on (platform, id), accounts keeping their latest profile."""

from collections.abc import Sequence

from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from smearwatch.models import Account, Post, RejectedRecord

POSTS = Post.__table__
ACCOUNTS = Account.__table__
REJECTED = RejectedRecord.__table__


def _insert(connection: Connection, table):
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def insert_posts(connection: Connection, posts: Sequence[dict], run_id: int | None) -> int:
    """Insert posts, skipping those already stored; returns how many were new.

    The caller removes duplicates within the batch first: ON CONFLICT DO NOTHING then tells stored from
    already-known by the rows RETURNING gives back, on SQLite and PostgreSQL alike.
    """
    if not posts:
        return 0
    rows = [
        {
            "platform": post["platform"],
            "post_id": post["id"],
            "author_id": post["author_id"],
            "author_name": post.get("author_name"),
            "text": post.get("text") or "",
            "created_at": post["created_at"],
            "lang": post.get("lang"),
            "urls": post.get("urls") or None,
            "hashtags": post.get("hashtags") or None,
            "repost_of": post.get("repost_of"),
            "reply_to": post.get("reply_to"),
            "raw": post.get("raw"),
            "run_id": run_id,
        }
        for post in posts
    ]
    statement = (
        _insert(connection, POSTS)
        .on_conflict_do_nothing(index_elements=["platform", "post_id"])
        .returning(POSTS.c.id)
    )
    return len(connection.execute(statement, rows).all())


def upsert_accounts(connection: Connection, posts: Sequence[dict]) -> None:
    """Create or refresh each posting account; profile fields come from its latest post."""
    latest: dict[tuple[str, str], dict] = {}
    first_seen: dict[tuple[str, str], object] = {}
    for post in posts:
        key = (post["platform"], post["author_id"])
        seen = first_seen.get(key)
        if seen is None or post["created_at"] < seen:
            first_seen[key] = post["created_at"]
        if key not in latest or post["created_at"] >= latest[key]["created_at"]:
            latest[key] = post
    if not latest:
        return
    rows = [
        {
            "platform": platform,
            "account_id": author_id,
            "name": post.get("author_name"),
            "created_at": post.get("author_created_at"),
            "followers": post.get("author_followers"),
            "first_seen_at": first_seen[(platform, author_id)],
            "last_seen_at": post["created_at"],
        }
        for (platform, author_id), post in sorted(latest.items())  # sorted: stable lock order between writers
    ]
    statement = _insert(connection, ACCOUNTS)
    new = statement.excluded
    newer = new.last_seen_at >= ACCOUNTS.c.last_seen_at
    statement = statement.on_conflict_do_update(
        index_elements=["platform", "account_id"],
        set_={
            "name": case((newer, func.coalesce(new.name, ACCOUNTS.c.name)), else_=ACCOUNTS.c.name),
            "followers": case((newer, func.coalesce(new.followers, ACCOUNTS.c.followers)), else_=ACCOUNTS.c.followers),
            "created_at": func.coalesce(ACCOUNTS.c.created_at, new.created_at),
            "first_seen_at": case((new.first_seen_at < ACCOUNTS.c.first_seen_at, new.first_seen_at),
                                  else_=ACCOUNTS.c.first_seen_at),
            "last_seen_at": case((newer, new.last_seen_at), else_=ACCOUNTS.c.last_seen_at),
        },
    )
    connection.execute(statement, rows)


def add_rejected(connection: Connection, run_id: int, rejected: Sequence[dict]) -> None:
    if rejected:
        connection.execute(REJECTED.insert(), [dict(item, run_id=run_id) for item in rejected])


def count(connection: Connection, table) -> int:
    return connection.execute(select(func.count()).select_from(table)).scalar_one()
