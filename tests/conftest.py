"""Shared fixtures: fresh SQLite and PostgreSQL databases migrated with Alembic like a user's would be, and the
browser settings of the review-app tests.

Alembic runs once per session and database kind, into a template; each test gets its own copy of it, which holds
exactly what the migrations made (tests/store_templates.py). Fixture worlds are made the same way: built once,
copied per test (`prepared`).
"""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # devsupport/ is not installed: it is found at the top of the repository
    sys.path.insert(0, str(REPO))

from store_templates import StoreTemplates  # noqa: E402

from smearwatch.db import make_engine  # noqa: E402

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


def _database_url(server_url: str, name: str) -> str:
    return server_url.rsplit("/", 1)[0] + "/" + name


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
    url = _database_url(pg_server, name)
    yield url
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'smearwatch.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """Each test using this runs on SQLite and on PostgreSQL (an empty database; `engine` migrates it)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'smearwatch.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def store_templates(tmp_path_factory):
    """The session's stores to copy from (tests/store_templates.py)."""
    templates = StoreTemplates(tmp_path_factory.mktemp("templates"), PG_ADMIN_URL)
    yield templates
    templates.drop()


@pytest.fixture(scope="session")
def migrated_sqlite(store_templates):
    """`migrated_sqlite(path)` makes a migrated SQLite store at `path` (a copy of the template); returns its URL."""

    def make(path: Path) -> str:
        url = f"sqlite:///{path}"
        store_templates.copy(url)
        return url

    return make


@pytest.fixture
def engine(request, database_url, store_templates):
    """An engine on a migrated database of its own (the migrations' result, copied from the session's template)."""
    if not database_url.startswith("sqlite"):
        request.getfixturevalue("pg_server")  # found or started
    store_templates.copy(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def prepared(engine, database_url, store_templates):
    """`prepared(key, build)` replaces the database of `engine` with a copy of the migrated store after
    `build(engine)`, which runs once per session and database kind; returns what `build` returned (read-only).
    Call it before anything connects to `engine`."""

    def prepare(key: str, build):
        engine.dispose()
        return store_templates.copy(database_url, key, build)

    return prepare


# --- the review app in a browser (Debian's chromium through pytest-playwright; never `playwright install`) ----

CHROMIUM = Path("/usr/bin/chromium")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium); apt-get install -y chromium")
    return {"executable_path": str(CHROMIUM), "headless": True,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--disable-quic"]}


@pytest.fixture
def watched(page):
    """The page, with every request's host and every console error recorded."""
    record = {"hosts": set(), "errors": []}
    page.on("request", lambda request: record["hosts"].add(urlparse(request.url).hostname))
    page.on("console", lambda message: record["errors"].append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: record["errors"].append(str(error)))
    yield page, record
    assert record["hosts"] <= LOCAL_HOSTS, f"requests left the machine: {record['hosts'] - LOCAL_HOSTS}"
    assert record["errors"] == [], record["errors"]
