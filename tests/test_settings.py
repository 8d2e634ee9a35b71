import pytest
from pydantic import ValidationError

from devsupport.commands import run_cli
from smearwatch.settings import Settings


def test_defaults_are_the_embedded_setup(monkeypatch):
    monkeypatch.delenv("SMEARWATCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("SMEARWATCH_BROKER_URL", raising=False)
    settings = Settings(_env_file=None)
    assert settings.database_url.startswith("sqlite:///./var/")
    assert settings.broker_url is None


def test_placeholder_secret_refused_outside_development(monkeypatch):
    monkeypatch.setenv("SMEARWATCH_ENVIRONMENT", "production")
    monkeypatch.setenv("SMEARWATCH_SECRET_KEY", "changethis")
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(_env_file=None)
    monkeypatch.setenv("SMEARWATCH_SECRET_KEY", "a-real-secret-of-some-length")
    assert Settings(_env_file=None).environment == "production"


def test_a_bad_setting_is_one_line_whatever_the_command(tmp_path):
    """Commands whose modules read the settings when imported (the Celery app) still fail in one line."""
    for command in (["feeds", "list"], ["ingest", "missing.jsonl"], ["worker"]):
        result = run_cli(*command, env={"SMEARWATCH_TASK_TIME_LIMIT": "abc"}, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().splitlines() == [
            "smearwatch: error: invalid setting task_time_limit: Input should be a valid integer, unable to parse "
            "string as an integer"]


def test_a_sqlite_url_in_a_missing_directory_fails_in_one_line_and_creates_nothing(tmp_path):
    result = run_cli("status", env={"SMEARWATCH_DATABASE_URL": "sqlite:///missing/dir/store.db"}, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "smearwatch: error: database: no SQLite database at sqlite:///missing/dir/store.db (create it with "
        "`smearwatch db upgrade`, or check SMEARWATCH_DATABASE_URL)"]
    assert list(tmp_path.iterdir()) == []
