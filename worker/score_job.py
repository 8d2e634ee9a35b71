"""The Job row (kind "score") of a batch scoring run on the Celery workers (`smearwatch score --queue`): its phase
and progress as `smearwatch status`, the API's /jobs and the review app's Models page show them.

The run itself stays in the client (it sorts, merges and writes the files); only its progress goes to the store.
"""

from __future__ import annotations

import time

from sqlalchemy.engine import Engine

from smearwatch.jobs import create_job, finish_job, update_job
from smearwatch.models import utcnow

# Share of the whole run each phase stands for (roughly, from bench/scale.py's phase timings at 1M posts).
PHASES = {"reading": (0.0, 0.15), "scoring": (0.15, 0.4), "judging": (0.4, 0.7), "naming": (0.7, 0.95)}
WRITE_EVERY = 1.0  # seconds between two progress writes


class ScoreJob:
    def __init__(self, engine: Engine, *, inputs: list[str], partitions_on: str, created_by: str = "cli"):
        self.engine = engine
        self.id = create_job(engine, kind="score", created_by=created_by,
                             params={"inputs": inputs, "partitions_on": partitions_on})
        update_job(engine, self.id, status="running", started_at=utcnow(), message="reading")
        self._written = 0.0
        self._started: dict[str, float] = {}

    def reading(self, done: int, total: int) -> None:
        """Bytes of the inputs read and sorted."""
        self.update("reading", done, total, unit="bytes")

    def update(self, phase: str, done: int, total: int, unit: str | None = None) -> None:
        now = time.monotonic()
        started = self._started.setdefault(phase, now)
        if now - self._written < WRITE_EVERY and done < total:
            return
        self._written = now
        low, high = PHASES.get(phase, (0.95, 1.0))
        share = done / total if total else 1.0
        unit = unit or {"judging": "clusters", "naming": "texts"}.get(phase, "posts")
        rate = f", {done / (now - started):,.0f} {unit}/s" if now > started and done else ""
        update_job(self.engine, self.id, progress=round(low + (high - low) * min(share, 1.0), 4),
                   message=f"{phase} {done:,}/{total:,} {unit}{rate}")

    def done(self, summary: dict) -> None:
        finish_job(self.engine, self.id, status="done",
                   message=f"{summary['scored']:,} posts scored, {summary['clusters']:,} clusters, "
                           f"{summary['flagged']:,} flagged",
                   result={k: summary[k] for k in ("read", "scored", "rejected", "clusters", "flagged")})

    def failed(self, error: BaseException) -> None:
        finish_job(self.engine, self.id, status="failed", message=str(error) or type(error).__name__)
