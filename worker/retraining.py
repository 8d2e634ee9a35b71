"""The learning loop's long jobs: retraining, judging a kept version again, and rescoring. Each is a task that takes a Job row's id and
writes its progress on that row, so the UI shows the same bars in the embedded default and in a deployment.
worker/service.py starts them (start_retrain, start_judge, start_activation, start_rollback, start_rescore).

A job delivered twice (late acknowledgement after a worker died) runs again unless it already finished; both
jobs are idempotent (a version is its name: same data and seed, same version; rescoring with the active version
twice stores the same scores).
"""

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from classifiers import load_model, read_labelled
from smearwatch.jobs import JOBS, JobError, JobProgress, Progress, claim_job, finish_job, get_job
from smearwatch.models import ModelVersion, Post
from smearwatch.registry import active_version
from smearwatch.settings import get_settings
from worker.learning import TrainingOutcome, judge_again, train_version
from worker.scoring import run_detection

log = logging.getLogger(__name__)

# Two rescorings in one process (threads of the API without a broker) run one after the other, so the scores
# stored last are always those of the version that was active last.
_RESCORE_LOCK = threading.Lock()


# --- the jobs --------------------------------------------------------------------------------------------


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def versions_dir() -> Path:
    """Absolute, so the API and workers started in other directories find the same files."""
    return Path(get_settings().versions_dir).expanduser().resolve()


def run_retrain(engine: Engine, job_id: int, *, on_progress: Progress | None = None) -> dict | None:
    """The retrain job: train a version on the decisions (and files), compare it, maybe activate and rescore."""

    def train(params: dict, report: JobProgress) -> TrainingOutcome:
        report(0.02, "reading decisions and labelled files")
        plus = read_labelled(params["plus_paths"]) if params.get("plus_paths") else []

        def training_log(message: str) -> None:  # no step count is known: creep towards 0.65
            report(report.value + (0.65 - report.value) * 0.25 if report.value >= 0.1 else 0.1, message)

        return train_version(engine, plus=plus, versions_dir=versions_dir(),
                             auto_activate=bool(params.get("auto_activate", True)), log=training_log)

    return _version_job(engine, job_id, "retrain", train, on_progress)


def run_judge(engine: Engine, job_id: int, *, on_progress: Progress | None = None) -> dict | None:
    """The judge job: judge a kept version again with the decisions as they are now (once reviewers decided its
    preview's sample, say), and activate and rescore when it passes."""

    def judge(params: dict, report: JobProgress) -> TrainingOutcome:
        report(0.05, f"judging version {params['version']} with today's decisions")
        return judge_again(engine, int(params["version_id"]), auto_activate=bool(params.get("auto_activate", True)),
                           log=lambda message: report(min(report.value + 0.05, 0.65), message))

    return _version_job(engine, job_id, "judge", judge, on_progress)


def _version_job(engine: Engine, job_id: int, kind: str,
                 outcome_of: Callable[[dict, JobProgress], TrainingOutcome],
                 on_progress: Progress | None) -> dict | None:
    """Run a job that ends with a judged version (`outcome_of(params, report)`), recording its result."""
    job = claim_job(engine, job_id)
    if job is None:
        return get_job(engine, job_id)
    report = JobProgress(engine, job_id, on_progress)
    try:
        was_active = active_version(engine)
        outcome = outcome_of(job["params"] or {}, report)
        result = _conclude_job(engine, report, outcome, was_active)
    except Exception as error:  # the job's outcome is its row: failed, with the reason in one line
        log.exception("%s job %s failed", kind, job_id)
        finish_job(engine, job_id, status="failed", message=_one_line(error))
        return get_job(engine, job_id)
    finish_job(engine, job_id, status="done", message=f"version {outcome.name}: {outcome.reason}", result=result)
    return get_job(engine, job_id)


def _conclude_job(engine: Engine, report: JobProgress, outcome: TrainingOutcome, was_active: dict | None) -> dict:
    """A judged version's result for its job row; the store is rescored when the version was activated."""
    compared = _record_comparison(engine, outcome, was_active)
    report(0.7, outcome.reason)
    result = {"version_id": outcome.version_id, "name": outcome.name, "path": str(outcome.path),
              "metrics": outcome.metrics, "active_metrics": outcome.active_metrics, "compared_to": compared,
              "activated": outcome.activated, "reason": outcome.reason, "labels": outcome.labels,
              "refused": (outcome.gate or {}).get("refused"), "preview": _preview_counts(outcome.preview)}
    if outcome.activated:
        result["rescored"] = _rescore(engine, report, start=0.72)
    return result


def _preview_counts(preview: dict | None) -> dict | None:
    """The preview's counts for the job's result (its samples stay on the version)."""
    return {k: v for k, v in preview.items() if k != "samples"} if preview else None


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
    job = claim_job(engine, job_id)
    if job is None:
        return get_job(engine, job_id)
    report = JobProgress(engine, job_id, on_progress)
    try:
        with engine.connect() as connection:
            newer = connection.execute(select(func.max(JOBS.c.id)).where(
                JOBS.c.kind == "rescore", JOBS.c.id > job_id, JOBS.c.status != "failed")).scalar()
        if newer is not None:
            finish_job(engine, job_id, status="done", message=f"superseded by job {newer}",
                    result={"superseded_by": newer})
            return get_job(engine, job_id)
        result = {"rescored": _rescore(engine, report, start=0.05)}
    except Exception as error:
        log.exception("rescore job %s failed", job_id)
        finish_job(engine, job_id, status="failed", message=_one_line(error))
        return get_job(engine, job_id)
    rescored = result["rescored"]
    result.update(version_id=rescored.pop("version_id"), name=rescored.get("model"))
    finish_job(engine, job_id, status="done", result=result,
            message=f"rescored {rescored['posts']} posts, {rescored['clusters']} clusters with {result['name']}")
    return get_job(engine, job_id)


def _rescore(engine: Engine, report: JobProgress, *, start: float) -> dict:
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

