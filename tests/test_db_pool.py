"""The connection pool hands out working connections: one whose PostgreSQL backend ended while it sat idle is
replaced, without pinging connections that were used a moment ago (smearwatch/db.py)."""

import psycopg
import pytest
from sqlalchemy import text

from smearwatch import db

pytestmark = pytest.mark.postgres


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_killed_while_idle_is_replaced(pg_url, monkeypatch):
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # every checkout counts as after a pause
    engine = db.make_engine(pg_url)
    try:
        killed = _backend(engine)
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (killed,))
        assert _backend(engine) != killed  # the dead one was dropped, not handed out
    finally:
        engine.dispose()


def test_only_a_connection_that_sat_idle_is_pinged(pg_url, monkeypatch):
    engine = db.make_engine(pg_url)
    pings = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(1) or ping(connection))
    try:
        first = _backend(engine)
        assert _backend(engine) == first and pings == []  # new, then just returned: no round trip spent
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
        assert _backend(engine) == first and pings == [1]
    finally:
        engine.dispose()
