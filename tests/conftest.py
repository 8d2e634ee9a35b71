"""Shared fixtures: fresh SQLite and PostgreSQL databases, migrated with Alembic like a user's would be."""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from smearwatch import migrate
from smearwatch.db import make_engine

REPO = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("SMEARWATCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
# Apps under test render cluster pages on request only: a background preparer would write to the test databases
# at moments no test chooses. tests/test_views.py runs it on purpose.
os.environ.setdefault("SMEARWATCH_PREPARE_PAGES", "false")


def _pg_ready() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def ensure_postgres() -> None:
    """Find PostgreSQL on 127.0.0.1:5432, or start the machine's cluster (CI does the same first)."""
    if _pg_ready():
        return
    clusters = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if clusters and shutil.which("pg_ctlcluster"):
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", clusters[0], "main", "start"], check=False)
        for _ in range(30):
            if _pg_ready():
                return
            time.sleep(1)
    pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 and could not be started")


@pytest.fixture(scope="session")
def pg_server():
    ensure_postgres()
    return PG_ADMIN_URL


@pytest.fixture
def pg_url(pg_server):
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"smearwatch_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = pg_server.rsplit("/", 1)[0] + "/" + name
    yield url
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'smearwatch.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """Each test using this runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'smearwatch.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(database_url):
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None, input: str | None = None):
    """Run the installed `smearwatch` command as a user would; returns the CompletedProcess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, env=full_env,
        cwd=cwd or REPO, input=input, timeout=600,
    )
