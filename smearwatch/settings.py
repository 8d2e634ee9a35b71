"""One Settings class for the CLI, the API and the workers, read from SMEARWATCH_* environment variables."""

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changethis", "change-me", "secret", "dev"}


class SettingsError(ValueError):
    """A setting that cannot be used; the CLI prints it as one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SMEARWATCH_", env_file=".env", extra="ignore",
                                      populate_by_name=True)

    environment: Literal["development", "test", "production"] = "development"
    # A plain postgresql://user@host:port/db URL works as given: db.engine_url picks the psycopg 3 driver.
    database_url: str = "sqlite:///./var/smearwatch.db"
    # Unset: tasks run in-process (the embedded default). Set: a Redis URL for Celery.
    broker_url: str | None = None
    secret_key: str = "changethis"
    # Directory of the post/cluster model to use; unset: the active model version, else the packaged default.
    model_dir: Path | None = None
    # Where retraining (`smearwatch train --from-decisions`, the models page) writes new model versions, one
    # directory each. SMEARWATCH_MODELS_DIR, its name before 0.2, is still read.
    versions_dir: Path = Field(default=Path("var/models"),
                               validation_alias=AliasChoices("SMEARWATCH_VERSIONS_DIR", "SMEARWATCH_MODELS_DIR"))
    # The shipped labelled samples (train.jsonl, heldout.jsonl): retraining adds the reviewers' decisions to
    # train.jsonl and the activation gate evaluates every new version on heldout.jsonl (docs/retraining.md).
    # Unset: samples/labelled of the checkout.
    labelled_dir: Path | None = None
    # Where benchmarks keep data they fetch or generate (real public datasets, large dumps); never committed.
    bench_cache: Path = Path("var/bench-cache")
    # Posts per database round trip during ingestion.
    ingest_batch_size: int = 5000
    # Largest dump the API accepts as an upload.
    upload_max_bytes: int = 512 * 1024 * 1024
    # Queued ingestion: a dump is cut into slices of about this many bytes (at record boundaries).
    ingest_slice_bytes: int = 4 * 1024 * 1024
    # A slice started this many times without finishing (worker killed each time) is marked failed.
    ingest_max_attempts: int = 8
    # Hard time limit of one task, in seconds; the soft limit is 90% of it. Must stay below the visibility timeout.
    task_time_limit: int = 900
    # Seconds before Redis hands an unacknowledged task (its worker died) to another worker.
    broker_visibility_timeout: int = 3600
    # A plain ingest run whose process wrote nothing for this long (or is gone from this host) was killed:
    # `smearwatch recover` and the next ingest mark it failed and score what it stored.
    run_stale_seconds: int = Field(default=900, ge=10)
    # HTTP feeds: per-request timeout (seconds), largest body accepted, retries on network errors and 5xx.
    feed_timeout: float = 20.0
    feed_max_bytes: int = 50 * 1024 * 1024
    feed_retries: int = 3
    # HTTP feeds against hostile servers (issue 13): every attempt, redirect, DNS lookup and body byte of one poll
    # ends by this many seconds after its start, however slowly the server answers.
    feed_deadline: float = Field(default=60.0, gt=0)
    # true: feeds may be on loopback, private, link-local and other non-global addresses (off: refused, checked on
    # every resolved address of the first URL and of every redirect). Local files and folders are not concerned.
    feed_allow_private: bool = False
    # Comma-separated host names and addresses or networks (CIDR) allowed although not global, e.g.
    # "intranet.example,10.20.0.0/16"; a listed name is allowed whatever it resolves to.
    feed_allow_hosts: str | None = None
    # Optional URL that receives a JSON POST for each alert (a new or grown flagged cluster).
    alert_webhook_url: str | None = None
    # The review app renders the evidence sections of flagged clusters in the background, ahead of reviewers.
    prepare_pages: bool = True
    # Threads per review-app process for request handlers (each process serves one request per thread at a time).
    api_threads: int = Field(default=4, ge=1, le=200)
    # Hostile input (worker/sources): a record over one of these limits is rejected as FILE:LINE: reason and the
    # reader goes on. Longest record in bytes (a line, a CSV record, a JSON message or item, a feed entry); no
    # record is ever held whole beyond it, so memory stays flat whatever the input (decompression bombs included).
    # 4 MiB: the largest real records, twarc2 pages of 100 tweets with expansions, stay below ~1.5 MB, and parsed
    # JSON costs up to ~28x its size in Python objects (4 MiB: ~115 MB at worst).
    input_max_record_bytes: int = Field(default=4 * 1024 * 1024, ge=4096, le=256 * 1024 * 1024)
    # Deepest nesting of objects and arrays in one JSON record (the store's JSON encoder gives up at 255).
    input_max_depth: int = Field(default=64, ge=2, le=200)
    # Largest count accepted in a numeric field (followers); larger, negative or not finite: stored as null.
    input_max_count: int = Field(default=10_000_000_000, ge=0, le=2**63 - 1)
    # Times before this are out of range: such a post is rejected, an optional time (account creation) is stored
    # as null with a warning. A date alone means midnight UTC.
    input_earliest_time: datetime = datetime(1990, 1, 1, tzinfo=UTC)
    # Times more than this many seconds after now are out of range too.
    input_max_future_seconds: int = Field(default=86400, ge=0, le=10 * 365 * 86400)

    @field_validator("input_earliest_time")
    @classmethod
    def _earliest_in_utc(cls, value: datetime) -> datetime:
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if not datetime(1900, 1, 1, tzinfo=UTC) <= value <= datetime.now(UTC):
            raise ValueError("must be between 1900-01-01 and now")
        return value

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> "Settings":
        if self.environment != "development" and self.secret_key in PLACEHOLDER_SECRETS:
            raise SettingsError(
                f"SMEARWATCH_SECRET_KEY is a placeholder; set a real secret for environment {self.environment!r}"
            )
        if self.task_time_limit >= self.broker_visibility_timeout:
            raise SettingsError(
                f"SMEARWATCH_TASK_TIME_LIMIT ({self.task_time_limit}) must be below "
                f"SMEARWATCH_BROKER_VISIBILITY_TIMEOUT ({self.broker_visibility_timeout}), or a slow task is run twice"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
