"""Engine and sessions for SQLite (WAL) and PostgreSQL."""

import time
from functools import lru_cache
from pathlib import Path

import orjson
from sqlalchemy import event, exc
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

from smearwatch.settings import get_settings


def engine_url(url: str) -> str:
    """Pick the psycopg 3 driver for plain postgresql:// URLs, so the URL works as a user wrote it."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _json_dumps(value) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


POOL_SIZE = 20


def insert_for(engine_or_connection):
    """`insert` with ON CONFLICT clauses for the store's dialect (PostgreSQL or SQLite)."""
    return pg_insert if engine_or_connection.dialect.name == "postgresql" else sqlite_insert


def replace_row(session, model, *, key: str, values: dict) -> None:
    """Insert `values` as a row of `model`, or overwrite the row with the same `key` (two processes may write the
    same one; the last one stays). The caller commits."""
    statement = insert_for(session.get_bind())(model).values(**values)
    session.exec(statement.on_conflict_do_update(
        index_elements=[key], set_={name: statement.excluded[name] for name in values if name != key}))


def make_engine(url: str) -> Engine:
    url = engine_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            # Open the file read-write without creating it: a mistyped URL must fail, not leave an empty database
            # (and its directory) behind. `smearwatch db upgrade` (Alembic) is what creates a store.
            path = Path(parsed.database).resolve()
            url = parsed.set(database=f"file:{path}?mode=rw", query={**parsed.query, "uri": "true"})
        engine = create_engine(url, json_serializer=_json_dumps, json_deserializer=orjson.loads,
                               connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A pool as large as the app's concurrent requests: a connection beyond the pool is opened and closed for
    # one request, and a new PostgreSQL backend costs more than most queries.
    engine = create_engine(url, json_serializer=_json_dumps, json_deserializer=orjson.loads,
                           pool_size=POOL_SIZE, max_overflow=POOL_SIZE)
    _ping_after_idle(engine)
    return engine


# A pooled connection that sat unused this long is pinged before it is handed out (PostgreSQL may have restarted
# or a firewall dropped it meanwhile); one returned a moment ago is not: a ping on every checkout was one more
# round trip per request, about a tenth of a page's time.
IDLE_PING_SECONDS = 2.0


def _ping_after_idle(engine: Engine) -> None:
    def stamp(_dbapi_connection, record, *_rest) -> None:
        record.info["returned_at"] = time.monotonic()

    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("returned_at", 0.0) < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception:  # the pool drops this connection and hands out a fresh one
            raise exc.DisconnectionError() from None

    event.listen(engine, "connect", stamp)
    event.listen(engine, "checkin", stamp)
    event.listen(engine, "checkout", ping_if_idle)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the API read while an ingest writes; NORMAL sync is safe with WAL and much faster.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Up to 128 MB of page cache (default 2 MB): the indexes of a million posts must not be read back from
    # disk for every insert (ingest of 1M posts: 18,700 -> 21,700 posts/s on one core, peak RSS 264 MB).
    cursor.execute("PRAGMA cache_size=-131072")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    return make_engine(url or get_settings().database_url)
