"""One Settings class for the CLI, the API and the workers, read from SMEARWATCH_* environment variables."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changethis", "change-me", "secret", "dev"}


class SettingsError(ValueError):
    """A setting that cannot be used; the CLI prints it as one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SMEARWATCH_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # A plain postgresql://user@host:port/db URL works as given: db.engine_url picks the psycopg 3 driver.
    database_url: str = "sqlite:///./var/smearwatch.db"
    # Unset: tasks run in-process (the embedded default). Set: a Redis URL for Celery.
    broker_url: str | None = None
    secret_key: str = "changethis"
    # Directory of the post/cluster model to use; unset: the active model version, else the packaged default.
    model_dir: Path | None = None
    # Posts per database round trip during ingestion.
    ingest_batch_size: int = 5000
    # Largest dump the API accepts as an upload.
    upload_max_bytes: int = 512 * 1024 * 1024

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> "Settings":
        if self.environment != "development" and self.secret_key in PLACEHOLDER_SECRETS:
            raise SettingsError(
                f"SMEARWATCH_SECRET_KEY is a placeholder; set a real secret for environment {self.environment!r}"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
