"""Ingest runs as the CLI and the workers read them: the counts and progress of one run, and who stores it."""

import os
import socket

from sqlalchemy import select
from sqlalchemy.engine import Engine

from smearwatch.models import IngestRun

RUNS = IngestRun.__table__
COUNTS = ("id", "status", "read", "stored", "duplicates", "rejected", "slices_total", "slices_done",
          "slices_failed", "bytes_total", "bytes_done", "error")


def this_process() -> str:
    """This process as the owner of a run or a slice: "host:pid"."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_counts(engine: Engine, run_id: int) -> dict | None:
    """A run's status and counters (records read, stored, duplicates, rejected; slices and bytes done)."""
    with engine.connect() as connection:
        row = connection.execute(select(RUNS).where(RUNS.c.id == run_id)).mappings().first()
    return None if row is None else {key: row[key] for key in COUNTS}
