"""Alembic is the only way tables are made: upgrade, downgrade and upgrade again, and models match migrations."""

import pytest
from sqlalchemy import inspect

from smearwatch import migrate
from smearwatch.db import make_engine

EXPECTED_TABLES = {
    "feed", "ingestrun", "rejectedrecord", "account", "post", "target", "modelversion", "cluster",
    "clustermember", "evidence", "user", "apitoken", "decision", "modelactivation", "job",
}


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_and_check(database_url):
    migrate.upgrade(database_url)
    assert EXPECTED_TABLES <= tables(database_url)
    migrate.downgrade(database_url)
    assert tables(database_url) == set()
    migrate.upgrade(database_url)
    assert EXPECTED_TABLES <= tables(database_url)
    migrate.check(database_url)  # raises when models and migrations disagree


@pytest.mark.postgres
def test_plain_postgresql_url_works_as_given(pg_url):
    assert pg_url.startswith("postgresql://")
    migrate.upgrade(pg_url)
    assert "post" in tables(pg_url)
