"""Model versions: list them, retrain from the decisions, judge a kept one again, activate one or roll back
(admins)."""

from fastapi import APIRouter, HTTPException, Request, status
from sqlmodel import Session

from api import schemas
from api.crud.model_versions import list_models
from api.deps import API_V1, ApiAdmin, ApiUser, ModelVersionDep, SessionDep, get_or_404
from smearwatch.models import Job, ModelVersion
from worker import service

router = APIRouter(prefix=API_V1, tags=["models"])


@router.get("/models", response_model=list[schemas.ModelOut], responses=schemas.links(
    200, Activate=("post", "/api/v1/models/{model_id}/activate", {"model_id": "$response.body#/0/id"})))
def models(session: SessionDep, user: ApiUser):
    return list_models(session)


def _activated(session: Session, version_id: int, job_id: int) -> dict:
    session.rollback()  # a new transaction sees what the job functions committed (SQLite snapshots)
    model = session.get(ModelVersion, version_id)
    return {**schemas.ModelOut.model_validate(model, from_attributes=True).model_dump(),
            "job": get_or_404(session, Job, job_id, "job")}


@router.post("/models/retrain", response_model=schemas.RetrainStarted, status_code=202,
             responses=schemas.job_link(202, "$response.body#/job/id"),
             summary="retrain from the reviewers' decisions as a background job (admins)")
def retrain(request: Request, session: SessionDep, user: ApiAdmin, body: schemas.RetrainIn | None = None) -> dict:
    job_id = service.start_retrain(request.app.state.engine, created_by=user.username,
                           auto_activate=(body or schemas.RetrainIn()).auto_activate)
    session.rollback()
    return {"job": get_or_404(session, Job, job_id, "job")}


@router.post("/models/rollback", response_model=schemas.ModelActivated,
             responses={**schemas.CONFLICT, **schemas.job_link(200, "$response.body#/job/id")},
             summary="activate the previously active version and rescore in the background (admins)")
def rollback(request: Request, session: SessionDep, user: ApiAdmin, body: schemas.ActivateIn | None = None) -> dict:
    try:
        version_id, job_id = service.start_rollback(request.app.state.engine, created_by=user.username,
                                                    reason=(body.reason if body and body.reason else "rollback"))
    except service.ServiceError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return _activated(session, version_id, job_id)


@router.post("/models/{model_id}/judge", response_model=schemas.RetrainStarted, status_code=202,
             responses={**schemas.NOT_FOUND, **schemas.CONFLICT, **schemas.job_link(202, "$response.body#/job/id")},
             summary="judge a kept version again with the decisions as they are now, as a background job; it is "
                     "activated (and the store rescored) when it passes the gate and is not worse (admins)")
def judge(request: Request, session: SessionDep, user: ApiAdmin, model: ModelVersionDep,
          body: schemas.RetrainIn | None = None) -> dict:
    try:
        job_id = service.start_judge(request.app.state.engine, model.id, created_by=user.username,
                                     auto_activate=(body or schemas.RetrainIn()).auto_activate)
    except service.ServiceError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    session.rollback()
    return {"job": get_or_404(session, Job, job_id, "job")}


@router.post("/models/{model_id}/activate", response_model=schemas.ModelActivated,
             responses={**schemas.NOT_FOUND, **schemas.CONFLICT, **schemas.job_link(200, "$response.body#/job/id")},
             summary="make this version the active one and rescore in the background (admins); a version the "
                     "activation gate refused needs force")
def activate(request: Request, session: SessionDep, user: ApiAdmin, model: ModelVersionDep,
             body: schemas.ActivateIn | None = None) -> dict:
    try:
        job_id = service.start_activation(request.app.state.engine, model.id, created_by=user.username,
                                          reason=(body.reason if body and body.reason else "chosen by an admin"),
                                          force=bool(body and body.force))
    except service.RefusedVersion as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return _activated(session, model.id, job_id)
