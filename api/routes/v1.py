"""The JSON API under /api/v1. Every route needs a bearer token or a logged-in session, except health."""

from datetime import UTC, datetime
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from sqlalchemy import text

from api import crud, exports, schemas
from api.deps import ApiAdmin, ApiUser, SessionDep
from api.detail import build_detail, decision_view, public
from api.ingest_jobs import IngestStartError, start_ingest
from api.uploads import UploadEmpty, UploadTooLarge, save_stream
from smearwatch.models import Cluster, ClusterView, Decision, IngestRun, Job, ModelVersion
from smearwatch.users import UserError, create_user, list_users

router = APIRouter(prefix="/api/v1")
MAX_OFFSET = 1_000_000_000
EXPORT_MAX_CLUSTERS = 200
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Score = Annotated[float | None, Query(ge=0.0, le=1.0, allow_inf_nan=False)]
Sort = Literal["score", "-score", "start", "-start", "n_posts", "-n_posts", "n_accounts", "-n_accounts", "id", "-id",
               "uncertainty"]
ExportFormat = Literal["zip", "html"]
NOT_FOUND = {404: {"model": schemas.Problem}}


def json_answer(payload: dict) -> Response:
    """JSON straight from plain values: a hot list need not be validated again against its response model."""
    return Response(orjson.dumps(payload, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC),
                    media_type="application/json")


def aware(value: datetime | None) -> datetime | None:
    """Query datetimes without an offset are UTC."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)
    except OverflowError:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "date out of range") from None


async def cluster_filters(  # async: no I/O here, so no trip to the thread pool
    flagged: bool | None = None,
    status_: Annotated[Literal["open", "reviewed"] | None, Query(alias="status")] = None,
    min_score: Score = None,
    max_score: Score = None,
    since: datetime | None = None,
    until: datetime | None = None,
    platform: Annotated[str | None, Query(max_length=40)] = None,
    target: Annotated[str | None, Query(max_length=300)] = None,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    sort: Sort = "-score",
) -> crud.ClusterFilters:
    return crud.ClusterFilters(flagged=flagged, status=status_, min_score=min_score, max_score=max_score,
                               since=aware(since), until=aware(until), platform=platform, target=target,
                               kind=kind, sort=sort)


FiltersDep = Annotated[crud.ClusterFilters, Depends(cluster_filters)]


def get_cluster(session, cluster_id: int) -> Cluster:
    cluster = session.get(Cluster, cluster_id) if -2**31 <= cluster_id < 2**31 else None
    if cluster is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no cluster {cluster_id}")
    return cluster


def get_cluster_with_view(session, cluster_id: int) -> tuple[Cluster, ClusterView | None]:
    """The cluster and its kept evidence section (if any), in one query."""
    row = crud.cluster_with_view(session, cluster_id=cluster_id) if -2**31 <= cluster_id < 2**31 else None
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no cluster {cluster_id}")
    return row[0], row[1]


# --- health -----------------------------------------------------------------------------------------------


@router.get("/health", response_model=schemas.Health, tags=["health"], summary="liveness and database check")
def health(request: Request) -> dict:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # the answer is the check
        database = "unavailable"
    return {"status": "ok" if database == "ok" else "degraded", "database": database}


@router.get("/me", response_model=schemas.UserOut, tags=["users"])
def me(user: ApiUser):
    return user


# --- clusters and decisions ------------------------------------------------------------------------------


@router.get("/clusters", response_model=schemas.ClusterList, tags=["clusters"])
def list_clusters(session: SessionDep, user: ApiUser, filters: FiltersDep, limit: Limit = 50,
                  offset: Offset = 0) -> dict:
    rows, count = crud.list_clusters(session, filters=filters, limit=limit, offset=offset)
    return json_answer({"data": [row._asdict() for row in rows], "count": count})


@router.get("/clusters/progress", response_model=schemas.Progress, tags=["clusters"],
            summary="how many flagged clusters are reviewed")
def progress(session: SessionDep, user: ApiUser) -> dict:
    return crud.queue_progress(session)


@router.get("/clusters/{cluster_id}", response_model=schemas.ClusterDetail, responses=NOT_FOUND, tags=["clusters"],
            summary="one cluster with its posts, accounts, signals, evidence edges, timeline and decisions")
def get_cluster_detail(cluster_id: int, session: SessionDep, user: ApiUser) -> dict:
    return public(build_detail(session, cluster=get_cluster(session, cluster_id)))


@router.get("/clusters/{cluster_id}/decisions", response_model=schemas.DecisionList, responses=NOT_FOUND,
            tags=["decisions"], summary="every decision on a cluster, undos included, oldest first")
def cluster_decisions(cluster_id: int, session: SessionDep, user: ApiUser) -> dict:
    cluster = get_cluster(session, cluster_id)
    rows = crud.decision_history(session, cluster_id=cluster.id)
    return {"data": [decision_view(d, u) for d, u in rows], "count": len(rows)}


@router.post("/clusters/{cluster_id}/decisions", response_model=schemas.DecisionOut, status_code=201,
             responses=NOT_FOUND, tags=["decisions"], summary="record a decision (appended, never overwritten)")
def decide(cluster_id: int, body: schemas.DecisionIn, session: SessionDep, user: ApiUser) -> dict:
    cluster = get_cluster(session, cluster_id)
    decision = crud.add_decision(session, cluster=cluster, user=user, answer=body.answer, note=body.note)
    return decision_view(decision, user.username)


@router.get("/decisions", response_model=schemas.DecisionList, tags=["decisions"])
def decisions(session: SessionDep, user: ApiUser, mine: bool = False, limit: Limit = 50,
              offset: Offset = 0) -> dict:
    rows, count = crud.list_decisions(session, user_id=user.id if mine else None, limit=limit, offset=offset)
    return {"data": [decision_view(d, u) for d, u in rows], "count": count}


@router.post("/decisions/undo-last", response_model=schemas.DecisionOut, status_code=201, responses=NOT_FOUND,
             tags=["decisions"], summary="withdraw your latest decision still in force (appends an undo)")
def undo_last(session: SessionDep, user: ApiUser) -> dict:
    decision = crud.last_effective_decision(session, user=user)
    if decision is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "nothing to undo")
    return decision_view(crud.undo_decision(session, decision=decision, user=user), user.username)


@router.post("/decisions/{decision_id}/undo", response_model=schemas.DecisionOut, status_code=201,
             responses={**NOT_FOUND, 409: {"model": schemas.Problem}}, tags=["decisions"],
             summary="withdraw one decision (appends an undo that points at it)")
def undo(decision_id: int, session: SessionDep, user: ApiUser) -> dict:
    decision = session.get(Decision, decision_id) if -2**31 <= decision_id < 2**31 else None
    if decision is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no decision {decision_id}")
    try:
        undo_row = crud.undo_decision(session, decision=decision, user=user)
    except crud.ConflictError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return decision_view(undo_row, user.username)


# --- posts and accounts ----------------------------------------------------------------------------------


@router.get("/posts", response_model=schemas.PostList, tags=["search"], summary="search posts by text, author, date")
def posts(session: SessionDep, user: ApiUser, q: Annotated[str | None, Query(max_length=500)] = None,
          author: Annotated[str | None, Query(max_length=200)] = None,
          platform: Annotated[str | None, Query(max_length=40)] = None, since: datetime | None = None,
          until: datetime | None = None, limit: Limit = 50, offset: Offset = 0) -> dict:
    rows, count = crud.search_posts(session, q=q, author=author, platform=platform, since=aware(since),
                                    until=aware(until), limit=limit, offset=offset)
    return {"data": rows, "count": count}


@router.get("/accounts", response_model=schemas.AccountList, tags=["search"])
def accounts(session: SessionDep, user: ApiUser, q: Annotated[str | None, Query(max_length=200)] = None,
             platform: Annotated[str | None, Query(max_length=40)] = None, limit: Limit = 50,
             offset: Offset = 0) -> dict:
    rows, count = crud.search_accounts(session, q=q, platform=platform, limit=limit, offset=offset)
    return {"data": rows, "count": count}


# --- uploads and runs ------------------------------------------------------------------------------------


def run_view(run: IngestRun) -> dict:
    data = run.model_dump()
    data["progress"] = crud.run_progress(run)
    return data


@router.post("/uploads", response_model=schemas.UploadOut, status_code=202, tags=["uploads"],
             responses={400: {"model": schemas.Problem}, 413: {"model": schemas.Problem}},
             summary="upload a dump as the raw request body; it becomes an ingest run",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
async def upload(request: Request, user: ApiUser,
                 filename: Annotated[str, Query(min_length=1, max_length=200)] = "upload") -> dict:
    limit = request.app.state.settings.upload_max_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"upload larger than the limit of {limit} bytes")
    try:
        path, size = await save_stream(request.stream(), folder=request.app.state.upload_dir, filename=filename,
                                       max_bytes=limit)
    except UploadTooLarge as error:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, str(error)) from None
    except UploadEmpty as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from None
    from starlette.concurrency import run_in_threadpool

    try:
        run_id = await run_in_threadpool(start_ingest, path, engine=request.app.state.engine)
    except IngestStartError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"{filename}: {error}") from None
    return {"upload": path.name, "bytes": size, "run_id": run_id}


@router.get("/runs", response_model=schemas.RunList, tags=["uploads"], summary="ingest runs and their progress")
def runs(session: SessionDep, user: ApiUser, limit: Limit = 20, offset: Offset = 0) -> dict:
    rows, count = crud.list_runs(session, limit=limit, offset=offset)
    return {"data": [run_view(r) for r in rows], "count": count}


@router.get("/runs/{run_id}", response_model=schemas.RunDetail, responses=NOT_FOUND, tags=["uploads"])
def run(run_id: int, session: SessionDep, user: ApiUser) -> dict:
    found = session.get(IngestRun, run_id) if -2**31 <= run_id < 2**31 else None
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no run {run_id}")
    return {**run_view(found), "rejections": [r.model_dump() for r in crud.run_rejections(session, run_id=run_id)]}


# --- models, users, feeds -------------------------------------------------------------------------------


@router.get("/models", response_model=list[schemas.ModelOut], tags=["models"])
def models(session: SessionDep, user: ApiUser):
    return crud.list_models(session)


def job_or_404(session, job_id: int) -> Job:
    job = session.get(Job, job_id) if -2**31 <= job_id < 2**31 else None
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no job {job_id}")
    return job


def _activated(request: Request, session, version_id: int, job_id: int) -> dict:
    session.rollback()  # a new transaction sees what the job functions committed (SQLite snapshots)
    model = session.get(ModelVersion, version_id)
    return {**schemas.ModelOut.model_validate(model, from_attributes=True).model_dump(),
            "job": job_or_404(session, job_id)}


@router.post("/models/retrain", response_model=schemas.RetrainStarted, status_code=202, tags=["models"],
             summary="retrain from the reviewers' decisions as a background job (admins)")
def retrain(request: Request, session: SessionDep, user: ApiAdmin, body: schemas.RetrainIn | None = None) -> dict:
    from worker.learning_jobs import start_retrain

    job_id = start_retrain(request.app.state.engine, created_by=user.username,
                           auto_activate=(body or schemas.RetrainIn()).auto_activate)
    session.rollback()
    return {"job": job_or_404(session, job_id)}


@router.post("/models/rollback", response_model=schemas.ModelActivated, tags=["models"],
             responses={409: {"model": schemas.Problem}},
             summary="activate the previously active version and rescore in the background (admins)")
def rollback(request: Request, session: SessionDep, user: ApiAdmin, body: schemas.ActivateIn | None = None) -> dict:
    from worker.learning_jobs import JobError, start_rollback

    try:
        version_id, job_id = start_rollback(request.app.state.engine, created_by=user.username,
                                            reason=(body.reason if body and body.reason else "rollback"))
    except JobError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return _activated(request, session, version_id, job_id)


@router.post("/models/{model_id}/activate", response_model=schemas.ModelActivated, responses=NOT_FOUND,
             tags=["models"], summary="make this version the active one and rescore in the background (admins)")
def activate(model_id: int, request: Request, session: SessionDep, user: ApiAdmin,
             body: schemas.ActivateIn | None = None) -> dict:
    from worker.learning_jobs import start_activation

    model = session.get(ModelVersion, model_id) if -2**31 <= model_id < 2**31 else None
    if model is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no model {model_id}")
    job_id = start_activation(request.app.state.engine, model.id, created_by=user.username,
                              reason=(body.reason if body and body.reason else "chosen by an admin"))
    return _activated(request, session, model.id, job_id)


@router.get("/jobs", response_model=schemas.JobList, tags=["jobs"], summary="background jobs, newest first")
def jobs(session: SessionDep, user: ApiUser, kind: Literal["retrain", "rescore"] | None = None,
         status_: Annotated[Literal["queued", "running", "done", "failed"] | None, Query(alias="status")] = None,
         limit: Limit = 20, offset: Offset = 0) -> dict:
    rows, count = crud.list_jobs(session, kind=kind, status=status_, limit=limit, offset=offset)
    return {"data": rows, "count": count}


@router.get("/jobs/{job_id}", response_model=schemas.JobOut, responses=NOT_FOUND, tags=["jobs"],
            summary="one background job with its progress (0-1), message and result")
def job(job_id: int, session: SessionDep, user: ApiUser):
    return job_or_404(session, job_id)


@router.get("/users", response_model=list[schemas.UserOut], tags=["users"], summary="all users (admins)")
def users(session: SessionDep, user: ApiAdmin):
    return list_users(session)


@router.post("/users", response_model=schemas.UserCreated, status_code=201, tags=["users"],
             responses={409: {"model": schemas.Problem}},
             summary="create a user; the password and token are shown once (admins)")
def add_user(body: schemas.UserCreate, session: SessionDep, user: ApiAdmin) -> dict:
    try:
        credentials = create_user(session, username=body.username, role=body.role)
    except UserError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return credentials.as_dict()


@router.get("/feeds", response_model=list[schemas.FeedOut], tags=["feeds"], summary="watched feeds (admins)")
def feeds(session: SessionDep, user: ApiAdmin):
    return crud.list_feeds(session)


# --- exports ---------------------------------------------------------------------------------------------


def export_response(request: Request, session, clusters: list[Cluster], fmt: str, name: str) -> Response:
    env = request.app.state.templates.env
    if fmt == "html":
        return HTMLResponse(exports.report(session, clusters, env), headers={
            "Content-Disposition": f'attachment; filename="{name}.html"', "Content-Security-Policy": REPORT_CSP})
    return Response(exports.bundle(session, clusters, env), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}.zip"'})


EXPORT_RESPONSES = {200: {"content": {"application/zip": {}, "text/html": {}},
                          "description": "a zip bundle (JSON + CSV + report) or a self-contained HTML report"},
                    **NOT_FOUND}


@router.get("/clusters/{cluster_id}/export", tags=["exports"], responses=EXPORT_RESPONSES,
            response_class=Response, summary="evidence for one cluster: zip bundle or HTML report")
def export_cluster(cluster_id: int, request: Request, session: SessionDep, user: ApiUser,
                   format: ExportFormat = "zip") -> Response:
    cluster = get_cluster(session, cluster_id)
    return export_response(request, session, [cluster], format, f"smearwatch-cluster-{cluster.id}")


@router.get("/export", tags=["exports"], responses=EXPORT_RESPONSES, response_class=Response,
            summary=f"evidence for a filtered set of clusters (at most {EXPORT_MAX_CLUSTERS})")
def export_set(request: Request, session: SessionDep, user: ApiUser, filters: FiltersDep,
               format: ExportFormat = "zip", limit: Annotated[int, Query(ge=1, le=EXPORT_MAX_CLUSTERS)] = 50
               ) -> Response:
    rows, _ = crud.list_clusters(session, filters=filters, limit=limit, offset=0)
    clusters = crud.clusters_by_id(session, ids=[row.id for row in rows])
    return export_response(request, session, clusters, format, "smearwatch-clusters")

