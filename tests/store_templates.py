"""Stores made once per test session and copied for each test: the migrated schema, or the schema with content.

Running Alembic, or building the same fixture world, for every test costs seconds and buys nothing: a copy holds
exactly what they made. A SQLite store is copied with SQLite's backup API (consistent whatever its journal mode);
a PostgreSQL one with `CREATE DATABASE ... TEMPLATE`, from a template database named after this session, so other
test sessions on the same server keep theirs.
"""

import contextlib
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg
from sqlalchemy.engine import Engine

from smearwatch import migrate
from smearwatch.db import make_engine

MIGRATED = "migrated"


class StoreTemplates:
    """`copy(url)` makes the database at `url` a copy of the migrated store; `copy(url, key, build)` a copy of the
    migrated store after `build(engine)`, which runs the first time `key` is asked for on SQLite or on PostgreSQL.
    Returns what `build` returned then (the same object each time: treat it as read-only).

    The database at `url` may exist, empty or not, but nothing may be connected to it: it is replaced.
    """

    def __init__(self, directory: Path, pg_admin_url: str):
        self.directory, self.pg_admin_url = directory, pg_admin_url
        self.made: dict[tuple[str, str], tuple[str, Any]] = {}
        self.pg_templates: list[str] = []

    def copy(self, url: str, key: str = MIGRATED, build: Callable[[Engine], Any] | None = None) -> Any:
        kind = "sqlite" if url.startswith("sqlite:///") else "postgresql"
        if (kind, key) not in self.made:
            if key != MIGRATED and build is None:
                raise ValueError(f"no store {key!r} yet, and nothing to build it with")
            self.made[(kind, key)] = self._make(kind, key, build)
        source, value = self.made[(kind, key)]
        if kind == "sqlite":
            _sqlite_copy(Path(source), Path(url.removeprefix("sqlite:///")))
        else:
            name = urlparse(url).path.lstrip("/")
            with psycopg.connect(self.pg_admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        return value

    def _make(self, kind: str, key: str, build: Callable[[Engine], Any] | None) -> tuple[str, Any]:
        if kind == "sqlite":
            source = str(self.directory / f"store-{len(self.made)}.db")
            url = f"sqlite:///{source}"
        else:
            source = f"smearwatch_template_{uuid.uuid4().hex[:12]}"
            url = self.pg_admin_url.rsplit("/", 1)[0] + "/" + source
            self.pg_templates.append(source)
        if key == MIGRATED:
            if kind == "postgresql":
                with psycopg.connect(self.pg_admin_url, autocommit=True) as admin:
                    admin.execute(f'CREATE DATABASE "{source}"')
            migrate.upgrade(url)  # Alembic's own engine (NullPool): no connection stays open
            return source, None
        self.copy(url)
        engine = make_engine(url)
        try:
            value = build(engine)
        finally:
            engine.dispose()  # a template must have no connection when it is copied
        return source, value

    def drop(self) -> None:
        if not self.pg_templates:
            return
        with psycopg.connect(self.pg_admin_url, autocommit=True) as admin:
            for name in self.pg_templates:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sqlite_copy(source: Path, target: Path) -> None:
    for leftover in (target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        leftover.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(source)) as original, contextlib.closing(sqlite3.connect(target)) as copy:
        original.backup(copy)
