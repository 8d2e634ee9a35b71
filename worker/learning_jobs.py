"""The learning loop's long jobs: retraining and rescoring, tracked in the Job table with their progress.

`start_retrain` and `start_activation` create a Job row and hand its id to a worker (`dispatch.enqueue`, queue
`score`) when SMEARWATCH_BROKER_URL is set; without a broker the job runs in this process: right away with
`wait=True` (the CLI), in a background thread with `wait=False` (the API, which answers at once and lets the UI
poll the job). Either way the same plain functions (`run_retrain`, `run_rescore`) do the work and write the
progress, so the UI shows the same bars in the embedded default and in a deployment.

A job delivered twice (late acknowledgement after a worker died) runs again unless it already finished; both
jobs are idempotent (a version is its name: same data and seed, same version; rescoring with the active version
twice stores the same scores).
"""

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from smearwatch.db import get_engine
from smearwatch.models import Job, ModelVersion, Post, utcnow
from smearwatch.registry import activate_version, active_version, get_version, previous_version
from smearwatch.settings import get_settings

log = logging.getLogger(__name__)

JOBS = Job.__table__
KINDS = ("retrain", "rescore")
FINISHED = ("done", "failed")
Progress = Callable[[float, str], None]

# Two rescorings in one process (threads of the API without a broker) run one after the other, so the scores
# stored last are always those of the version that was active last.
_RESCORE_LOCK = threading.Lock()


class JobError(ValueError):
    """A job that cannot be started (nothing to roll back to, unknown version, unreadable file)."""


# --- the Job rows ----------------------------------------------------------------------------------------


def create_job(engine: Engine, *, kind: str, params: dict, created_by: str) -> int:
    if kind not in KINDS:
        raise ValueError(f"job kind must be one of {', '.join(KINDS)}")
    with engine.begin() as connection:
        return connection.execute(JOBS.insert().values(
            kind=kind, status="queued", progress=0.0, message="queued", params=params,
            created_by=created_by[:100], created_at=utcnow(),
        ).returning(JOBS.c.id)).scalar_one()


def get_job(engine: Engine, job_id: int) -> dict | None:
    with engine.connect() as connection:
        row = connection.execute(select(Job).where(Job.id == job_id)).mappings().first()
    return dict(row) if row else None


def list_jobs(engine: Engine, *, kind: str | None = None, status: str | None = None, limit: int = 20,
              offset: int = 0) -> tuple[list[dict], int]:
    conditions = []
    if kind:
        conditions.append(Job.kind == kind)
    if status:
        conditions.append(Job.status == status)
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(JOBS).where(*conditions)).scalar_one()
        rows = connection.execute(select(Job).where(*conditions).order_by(Job.id.desc()).offset(offset)
                                  .limit(limit)).mappings().all()
    return [dict(r) for r in rows], count


def _set(engine: Engine, job_id: int, **values) -> None:
    if "message" in values and values["message"] is not None:
        values["message"] = str(values["message"])[:2000]
    with engine.begin() as connection:
        connection.execute(update(JOBS).where(JOBS.c.id == job_id).values(**values))


class Reporter:
    """Writes a job's progress (never backwards) and passes it on to an optional callback."""

    def __init__(self, engine: Engine, job_id: int, callback: Progress | None = None):
        self.engine, self.job_id, self.callback, self.value = engine, job_id, callback, 0.0

    def __call__(self, progress: float, message: str) -> None:
        self.value = max(self.value, min(max(progress, 0.0), 1.0))
        _set(self.engine, self.job_id, progress=round(self.value, 4), message=message)
        if self.callback is not None:
            self.callback(self.value, message)


def _claim(engine: Engine, job_id: int) -> dict | None:
    """Mark the job running; None when it does not exist or already finished (a second delivery)."""
    job = get_job(engine, job_id)
    if job is None:
        log.warning("job %s does not exist", job_id)
        return None
    if job["status"] in FINISHED:
        return None
    _set(engine, job_id, status="running", started_at=utcnow(), message="started")
    return job


def _finish(engine: Engine, job_id: int, *, status: str, message: str, result: dict | None = None) -> None:
    values = {"status": status, "message": message, "finished_at": utcnow(), "result": result}
    if status == "done":
        values["progress"] = 1.0
    _set(engine, job_id, **values)


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


# --- starting jobs ---------------------------------------------------------------------------------------


def start_retrain(engine: Engine | None = None, *, plus_paths=(), created_by: str = "cli", wait: bool = False,
                  auto_activate: bool = True, on_progress: Progress | None = None,
                  timeout: float | None = None) -> int:
    """Retrain from the reviewers' decisions (plus labelled files) as a job; returns its id.

    With `wait`, returns when the job finished (done or failed: read it with `get_job`); `on_progress(p,
    message)` is called as it advances. A new version is activated only if it is not worse than the active one
    on the evaluation split and `auto_activate` is on; an activation rescores the stored posts in the same job.
    """
    engine = engine or get_engine()
    paths = [str(Path(p).resolve()) for p in plus_paths]
    for path in paths:
        if not Path(path).is_file():
            raise JobError(f"{path}: cannot open labelled file")
    job_id = create_job(engine, kind="retrain", created_by=created_by,
                        params={"plus_paths": paths, "auto_activate": bool(auto_activate)})
    _launch(engine, "retrain", job_id, wait=wait, on_progress=on_progress, timeout=timeout)
    return job_id


def start_activation(engine: Engine | None, version_id: int, *, created_by: str, reason: str, wait: bool = False,
                     on_progress: Progress | None = None, timeout: float | None = None) -> int:
    """Make a version active now (recorded with who and why) and rescore the stored posts with it as a job."""
    engine = engine or get_engine()
    version = get_version(engine, version_id)
    if version is None:
        raise JobError(f"no model version {version_id}")
    activate_version(engine, version["id"], actor=created_by, reason=reason or "chosen by an admin")
    job_id = create_job(engine, kind="rescore", created_by=created_by,
                        params={"version_id": version["id"], "version": version["name"], "reason": reason})
    _launch(engine, "rescore", job_id, wait=wait, on_progress=on_progress, timeout=timeout)
    return job_id


def start_rollback(engine: Engine | None = None, *, created_by: str, reason: str = "rollback",
                   wait: bool = False, on_progress: Progress | None = None) -> tuple[int, int]:
    """Activate the version that was active before the current one; returns (version id, job id)."""
    engine = engine or get_engine()
    previous = previous_version(engine)
    if previous is None:
        raise JobError("nothing to roll back to: no earlier active version")
    return previous, start_activation(engine, previous, created_by=created_by, reason=reason, wait=wait,
                                      on_progress=on_progress)


def _launch(engine: Engine, name: str, job_id: int, *, wait: bool, on_progress: Progress | None,
            timeout: float | None) -> None:
    from worker.dispatch import broker_enabled, enqueue  # noqa: PLC0415

    if broker_enabled():
        enqueue(name, job_id)
        if wait:
            wait_for_job(engine, job_id, on_progress=on_progress, timeout=timeout)
        return
    runner = RUNNERS[name]
    if wait:
        runner(engine, job_id, on_progress=on_progress)
    else:
        threading.Thread(target=runner, args=(engine, job_id), name=f"smearwatch-{name}-{job_id}",
                         daemon=True).start()


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


# --- the jobs --------------------------------------------------------------------------------------------


def models_dir() -> Path:
    """Absolute, so the API and workers started in other directories find the same files."""
    return Path(get_settings().models_dir).expanduser().resolve()


def _read_plus(paths: list[str]) -> list[dict]:
    if not paths:
        return []
    from smearwatch.cli.train import read_labelled  # noqa: PLC0415  (the one reader of labelled files)

    return read_labelled(paths)


def run_retrain(engine: Engine, job_id: int, *, on_progress: Progress | None = None) -> dict | None:
    """The retrain job: train a version on the decisions (and files), compare it, maybe activate and rescore."""
    from worker.learning import train_version  # noqa: PLC0415

    job = _claim(engine, job_id)
    if job is None:
        return get_job(engine, job_id)
    report = Reporter(engine, job_id, on_progress)
    params = job["params"] or {}
    try:
        report(0.02, "reading decisions and labelled files")
        plus = _read_plus(params.get("plus_paths") or [])

        def training_log(message: str) -> None:  # no step count is known: creep towards 0.65
            report(report.value + (0.65 - report.value) * 0.25 if report.value >= 0.1 else 0.1, message)

        was_active = active_version(engine)
        outcome = train_version(engine, plus=plus, models_dir=models_dir(),
                                auto_activate=bool(params.get("auto_activate", True)), log=training_log)
        compared = _record_comparison(engine, outcome, was_active)
        report(0.7, outcome.reason)
        result = {"version_id": outcome.version_id, "name": outcome.name, "path": str(outcome.path),
                  "metrics": outcome.metrics, "active_metrics": outcome.active_metrics, "compared_to": compared,
                  "activated": outcome.activated, "reason": outcome.reason, "labels": outcome.labels}
        if outcome.activated:
            result["rescored"] = _rescore(engine, report, start=0.72)
    except Exception as error:  # the job's outcome is its row: failed, with the reason in one line
        log.exception("retrain job %s failed", job_id)
        _finish(engine, job_id, status="failed", message=_one_line(error))
        return get_job(engine, job_id)
    _finish(engine, job_id, status="done", message=f"version {outcome.name}: {outcome.reason}", result=result)
    return get_job(engine, job_id)


def _record_comparison(engine: Engine, outcome, was_active: dict | None) -> dict | None:
    """Keep, next to the new version's metrics, the metrics of the version active at training time on the same
    evaluation split (the comparison the models page shows)."""
    if was_active is None or outcome.active_metrics is None or was_active["id"] == outcome.version_id:
        return None
    compared = {"id": was_active["id"], "name": was_active["name"], "evaluation": outcome.active_metrics}
    with engine.begin() as connection:
        metrics = connection.execute(select(ModelVersion.metrics).where(ModelVersion.id == outcome.version_id)
                                     ).scalar() or {}
        connection.execute(update(ModelVersion.__table__).where(ModelVersion.id == outcome.version_id)
                           .values(metrics={**metrics, "compared_to": compared}))
    return compared


def run_rescore(engine: Engine, job_id: int, *, on_progress: Progress | None = None) -> dict | None:
    """The rescore job: rescore every stored post with the active version and rebuild the clusters (decided
    clusters keep their ids and decisions). A later rescore job makes an earlier, not yet started one moot."""
    job = _claim(engine, job_id)
    if job is None:
        return get_job(engine, job_id)
    report = Reporter(engine, job_id, on_progress)
    try:
        with engine.connect() as connection:
            newer = connection.execute(select(func.max(JOBS.c.id)).where(
                JOBS.c.kind == "rescore", JOBS.c.id > job_id, JOBS.c.status != "failed")).scalar()
        if newer is not None:
            _finish(engine, job_id, status="done", message=f"superseded by job {newer}",
                    result={"superseded_by": newer})
            return get_job(engine, job_id)
        result = {"rescored": _rescore(engine, report, start=0.05)}
    except Exception as error:
        log.exception("rescore job %s failed", job_id)
        _finish(engine, job_id, status="failed", message=_one_line(error))
        return get_job(engine, job_id)
    rescored = result["rescored"]
    result.update(version_id=rescored.pop("version_id"), name=rescored.get("model"))
    _finish(engine, job_id, status="done", result=result,
            message=f"rescored {rescored['posts']} posts, {rescored['clusters']} clusters with {result['name']}")
    return get_job(engine, job_id)


def _rescore(engine: Engine, report: Reporter, *, start: float) -> dict:
    from classifiers import load_model  # noqa: PLC0415
    from worker.scoring import run_detection  # noqa: PLC0415

    report(start, "waiting for other rescoring in this process")
    with _RESCORE_LOCK:
        current = active_version(engine)
        if current is None:
            raise JobError("no active model version")
        report(start + 0.05, f"loading model {current['name']}")
        model = load_model(current["path"])
        with engine.connect() as connection:
            posts = connection.execute(select(func.count()).select_from(Post.__table__)).scalar_one()
        report(start + 0.15, f"rescoring {posts} stored posts and rebuilding clusters with {current['name']}")
        counts = run_detection(engine, None, None, model=model)
    report(0.99, "rescored")
    return {**counts, "version_id": current["id"]}


RUNNERS = {"retrain": run_retrain, "rescore": run_rescore}
