"""Model versions and their metrics, the activation history, the jobs; retrain, judge again, roll back, activate
(admins)."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from api.crud.model_versions import list_models, model_names
from api.crud.queue import pending_decisions
from api.crud.reviewers import agreement as reviewer_agreement
from api.deps import CsrfField, PageAdmin, PageUser, SessionDep, check_csrf, is_row_id, text_form
from api.render.model_versions import model_metrics
from api.render.page import render_page
from smearwatch.jobs import list_jobs
from smearwatch.registry import activation_history, previous_version
from worker import service

router = APIRouter(include_in_schema=False)


def _models_context(session: Session) -> dict:
    connection = session.connection()  # one pooled connection per request, never a second one
    versions = list_models(session)
    active = next((v for v in versions if v.active), None)
    rows = [{"v": v, **model_metrics(v, active)} for v in versions]
    jobs, _ = list_jobs(connection, limit=10)
    history = list(reversed(activation_history(connection)))[:50]
    return {"rows": rows, "active": active, "history": history, "names": model_names(session),
            "jobs": jobs, "pending": pending_decisions(session), "previous": previous_version(connection)}


@router.get("/models", response_class=HTMLResponse)
def models(request: Request, session: SessionDep, user: PageUser):
    return render_page(request, "models.html", user, agreement=reviewer_agreement(session), **_models_context(session))


@router.get("/partials/jobs", response_class=HTMLResponse)
def jobs_partial(request: Request, session: SessionDep, user: PageUser):
    jobs, _ = list_jobs(session.connection(), limit=10)
    return render_page(request, "_jobs.html", user, jobs=jobs, names=model_names(session))


@router.post("/models/retrain")
def retrain_form(request: Request, user: PageAdmin, csrf_token: CsrfField = "",
                 auto_activate: Annotated[str, text_form(5)] = ""):
    check_csrf(request, csrf_token)
    service.start_retrain(request.app.state.engine, created_by=user.username, auto_activate=auto_activate == "on")
    return RedirectResponse("/models#jobs", status.HTTP_303_SEE_OTHER)


@router.post("/models/rollback")
def rollback_form(request: Request, user: PageAdmin, csrf_token: CsrfField = "",
                  reason: Annotated[str, text_form(400)] = ""):
    check_csrf(request, csrf_token)
    try:
        service.start_rollback(request.app.state.engine, created_by=user.username,
                               reason=reason.strip() or "rollback")
    except service.ServiceError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return RedirectResponse("/models#jobs", status.HTTP_303_SEE_OTHER)


@router.post("/models/{model_id}/judge")
def judge_form(request: Request, model_id: int, user: PageAdmin, csrf_token: CsrfField = ""):
    check_csrf(request, csrf_token)
    if not is_row_id(model_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no model {model_id}")
    try:
        service.start_judge(request.app.state.engine, model_id, created_by=user.username)
    except service.ServiceError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return RedirectResponse("/models#jobs", status.HTTP_303_SEE_OTHER)


@router.post("/models/{model_id}/activate")
def activate_form(request: Request, model_id: int, user: PageAdmin, csrf_token: CsrfField = "",
                  reason: Annotated[str, text_form(400)] = ""):
    check_csrf(request, csrf_token)
    if not is_row_id(model_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no model {model_id}")
    try:
        service.start_activation(request.app.state.engine, model_id, created_by=user.username,
                                 reason=reason.strip() or "chosen by an admin")
    except service.RefusedVersion as error:  # the page offers no override: the CLI and the API do (force)
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    except service.ServiceError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    return RedirectResponse("/models#jobs", status.HTTP_303_SEE_OTHER)
