"""Job rows: the long jobs (retrain, rescore, `score --queue`) with their status and progress, as the UI shows them.

A "job" in smearwatch is only this: one row of the Job table. The work it stands for runs as a task
(worker/service.py decides where); the row is how the CLI, the API and the UI follow it.
"""

import logging
import time
from collections.abc import Callable

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, Engine

from smearwatch.models import Job, utcnow

log = logging.getLogger(__name__)

JOBS = Job.__table__
KINDS = ("retrain", "judge", "rescore", "score")  # score: `smearwatch score --queue` (worker/score_job.py)
FINISHED = ("done", "failed")
Progress = Callable[[float, str], None]
Bind = Engine | Connection


class JobError(ValueError):
    """A job that cannot be found or started; reported as one line."""


def create_job(engine: Engine, *, kind: str, params: dict, created_by: str) -> int:
    if kind not in KINDS:
        raise ValueError(f"job kind must be one of {', '.join(KINDS)}")
    with engine.begin() as connection:
        return connection.execute(JOBS.insert().values(
            kind=kind, status="queued", progress=0.0, message="queued", params=params,
            created_by=created_by[:100], created_at=utcnow(),
        ).returning(JOBS.c.id)).scalar_one()


def get_job(bind: Bind, job_id: int) -> dict | None:
    query = select(Job).where(Job.id == job_id)
    if isinstance(bind, Connection):
        row = bind.execute(query).mappings().first()
    else:
        with bind.connect() as connection:
            row = connection.execute(query).mappings().first()
    return dict(row) if row else None


def list_jobs(bind: Bind, *, kind: str | None = None, status: str | None = None, limit: int = 20,
              offset: int = 0) -> tuple[list[dict], int]:
    """Jobs newest first, with the count of all that match."""
    conditions = []
    if kind:
        conditions.append(Job.kind == kind)
    if status:
        conditions.append(Job.status == status)
    count_query = select(func.count()).select_from(JOBS).where(*conditions)
    rows_query = select(Job).where(*conditions).order_by(Job.id.desc()).offset(offset).limit(limit)
    if isinstance(bind, Connection):
        return [dict(r) for r in bind.execute(rows_query).mappings()], bind.execute(count_query).scalar_one()
    with bind.connect() as connection:
        count = connection.execute(count_query).scalar_one()
        rows = connection.execute(rows_query).mappings().all()
    return [dict(r) for r in rows], count


def update_job(engine: Engine, job_id: int, **values) -> None:
    if "message" in values and values["message"] is not None:
        values["message"] = str(values["message"])[:2000]
    with engine.begin() as connection:
        connection.execute(update(JOBS).where(JOBS.c.id == job_id).values(**values))


def claim_job(engine: Engine, job_id: int) -> dict | None:
    """Mark the job running; None when it does not exist or already finished (a second delivery)."""
    job = get_job(engine, job_id)
    if job is None:
        log.warning("job %s does not exist", job_id)
        return None
    if job["status"] in FINISHED:
        return None
    update_job(engine, job_id, status="running", started_at=utcnow(), message="started")
    return job


def finish_job(engine: Engine, job_id: int, *, status: str, message: str, result: dict | None = None) -> None:
    values = {"status": status, "message": message, "finished_at": utcnow(), "result": result}
    if status == "done":
        values["progress"] = 1.0
    update_job(engine, job_id, **values)


class JobProgress:
    """Writes a job's progress (never backwards) and passes it on to an optional callback."""

    def __init__(self, engine: Engine, job_id: int, callback: Progress | None = None):
        self.engine, self.job_id, self.callback, self.value = engine, job_id, callback, 0.0

    def __call__(self, progress: float, message: str) -> None:
        self.value = max(self.value, min(max(progress, 0.0), 1.0))
        update_job(self.engine, self.job_id, progress=round(self.value, 4), message=message)
        if self.callback is not None:
            self.callback(self.value, message)


def wait_for_job(engine: Engine, job_id: int, *, on_progress: Progress | None = None, timeout: float | None = None,
                 interval: float = 0.3) -> dict:
    """Poll the job until it finished; raises TimeoutError after `timeout` seconds."""
    deadline = None if timeout is None else time.monotonic() + timeout
    seen = None
    while True:
        job = get_job(engine, job_id)
        if job is None:
            raise JobError(f"no job {job_id}")
        if on_progress is not None and (job["progress"], job["message"]) != seen:
            seen = (job["progress"], job["message"])
            on_progress(job["progress"], job["message"] or "")
        if job["status"] in FINISHED:
            return job
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} did not finish within {timeout} s ({job['status']}, "
                               f"{job['progress']:.0%})")
        time.sleep(interval)
