import pytest
from pydantic import ValidationError

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
