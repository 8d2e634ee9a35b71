"""The review UI: server-rendered pages (Jinja2) with htmx partials. Every page needs a login."""

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from api import crud, security, views
from api.deps import PageAdmin, PageUser, SessionDep, check_csrf, session_user
from api.detail import cluster_view, decision_view
from api.routes.v1 import aware, get_cluster, get_cluster_with_view
from api.security import csrf_token
from api.shortcuts import ANSWER_LABELS, SHORTCUTS
from smearwatch import users

router = APIRouter(include_in_schema=False)
QUEUE_PAGE = 50


def render(request: Request, template: str, user=None, status_code: int = 200, headers: dict | None = None,
           **context) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(
        request, template, {"user": user, "csrf": csrf_token(request), "shortcuts": SHORTCUTS,
                            "answer_labels": ANSWER_LABELS, **context}, status_code=status_code, headers=headers)


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


# --- login -----------------------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, session: SessionDep, next: str = "/"):
    if session_user(request, session) is not None:
        return RedirectResponse(_safe_next(next), status.HTTP_303_SEE_OTHER)
    return render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, session: SessionDep, username: Annotated[str, Form(max_length=100)],
          password: Annotated[str, Form(max_length=500)], csrf_token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/"):
    check_csrf(request, csrf_token)
    limiter: security.LoginLimiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"
    wait = limiter.retry_after(client, username)
    if wait:
        response = render(request, "login.html", next=_safe_next(next), status_code=429,
                          error=f"Too many failed attempts; try again in {wait} s.")
        response.headers["Retry-After"] = str(wait)
        return response
    user = users.authenticate(session, username=username, password=password)
    if user is None:
        limiter.failed(client, username)
        return render(request, "login.html", next=_safe_next(next), status_code=401,
                      error="Wrong username or password.")
    limiter.succeeded(client, username)
    request.session.clear()
    request.session["uid"] = user.id
    request.session["csrf"] = security.new_csrf_token()
    return RedirectResponse(_safe_next(next), status.HTTP_303_SEE_OTHER)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = ""):
    check_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)


# --- queue and clusters ----------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def queue(request: Request, session: SessionDep, user: PageUser, page: Annotated[int, Query(ge=1, le=100000)] = 1,
          order: Literal["score", "uncertainty"] = "score"):
    """Flagged clusters by score; or, to ask for the labels that teach the model most, every open cluster
    nearest the active model's threshold first."""
    progress, pending, threshold = crud.queue_counts(session)
    if order == "uncertainty":
        filters, known_count = crud.ClusterFilters(status="open", sort="uncertainty", threshold=threshold), None
    else:  # the queue is every flagged cluster: the progress count is its length
        filters, known_count = crud.ClusterFilters(flagged=True, sort="-score"), progress["total"]
    rows, count = crud.list_clusters(session, filters=filters, limit=QUEUE_PAGE, offset=(page - 1) * QUEUE_PAGE,
                                     count=known_count)
    return render(request, "queue.html", user, clusters=rows, count=count, page=page,
                  pages=max(1, -(-count // QUEUE_PAGE)), progress=progress, order=order,
                  query="order=uncertainty" if order == "uncertainty" else "", threshold=threshold,
                  pending=pending)


@router.get("/partials/progress", response_class=HTMLResponse)
def progress_partial(request: Request, session: SessionDep, user: PageUser):
    return render(request, "_progress_inner.html", user, progress=crud.queue_progress(session))


@router.get("/partials/pending", response_class=HTMLResponse)
def pending_partial(request: Request, session: SessionDep, user: PageUser):
    return render(request, "_pending.html", user, pending=crud.pending_decisions(session))


@router.get("/clusters", response_class=HTMLResponse)
def clusters(request: Request, session: SessionDep, user: PageUser,
             flagged: Annotated[str | None, Query(max_length=5)] = None,
             status_: Annotated[str | None, Query(alias="status", max_length=20)] = None,
             min_score: Annotated[float | None, Query(ge=0, le=1, allow_inf_nan=False)] = None,
             kind: Annotated[str | None, Query(max_length=40)] = None,
             target: Annotated[str | None, Query(max_length=300)] = None,
             platform: Annotated[str | None, Query(max_length=40)] = None,
             since: datetime | None = None, until: datetime | None = None,
             page: Annotated[int, Query(ge=1, le=100000)] = 1):
    filters = crud.ClusterFilters(
        flagged={"true": True, "false": False}.get(flagged or ""), status=status_ or None, min_score=min_score,
        kind=kind or None, target=target or None, platform=platform or None, since=aware(since),
        until=aware(until))
    rows, count = crud.list_clusters(session, filters=filters, limit=QUEUE_PAGE, offset=(page - 1) * QUEUE_PAGE)
    chosen = {"flagged": flagged if flagged in ("true", "false") else None, "status": status_,
              "min_score": min_score, "kind": kind, "target": target, "platform": platform,
              "since": since.isoformat() if since else None, "until": until.isoformat() if until else None}
    query = urlencode({k: v for k, v in chosen.items() if v not in (None, "")})
    return render(request, "clusters.html", user, clusters=rows, count=count, page=page,
                  pages=max(1, -(-count // QUEUE_PAGE)), query=query,
                  form={"flagged": flagged or "", "status": status_ or "", "min_score": min_score,
                        "kind": kind or "", "target": target or "", "platform": platform or ""})


@router.get("/clusters/{cluster_id}", response_class=HTMLResponse)
def cluster_page(request: Request, cluster_id: int, session: SessionDep, user: PageUser):
    cluster, view = get_cluster_with_view(session, cluster_id)
    evidence_html, evidence_at = views.evidence_section(session, request.app.state.templates.env, cluster=cluster,
                                                        view=view)
    history = crud.decision_history(session, cluster_id=cluster.id)
    prev_id, next_id, progress = crud.queue_position(session, cluster=cluster)
    c = {**cluster_view(cluster, crud.answer_of([d for d, _ in history])),
         "decisions": [decision_view(d, u) for d, u in history]}
    return render(request, "cluster.html", user, c=c, evidence_html=evidence_html, evidence_at=evidence_at,
                  prev_id=prev_id, next_id=next_id, progress=progress)


@router.post("/clusters/{cluster_id}/decide")
def decide_form(request: Request, cluster_id: int, session: SessionDep, user: PageUser,
                answer: Annotated[str, Form()], note: Annotated[str, Form(max_length=4000)] = "",
                csrf_token: Annotated[str, Form()] = ""):
    """The no-JavaScript way to decide; the keyboard uses the JSON API."""
    check_csrf(request, csrf_token)
    if answer not in crud.ANSWERS:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "unknown answer")
    cluster = get_cluster(session, cluster_id)
    crud.add_decision(session, cluster=cluster, user=user, answer=answer, note=note)
    return RedirectResponse(f"/clusters/{cluster_id}", status.HTTP_303_SEE_OTHER)


@router.get("/decisions", response_class=HTMLResponse)
def decisions_page(request: Request, session: SessionDep, user: PageUser,
                   page: Annotated[int, Query(ge=1, le=100000)] = 1):
    rows, count = crud.list_decisions(session, limit=100, offset=(page - 1) * 100)
    return render(request, "decisions.html", user, rows=rows, count=count, page=page,
                  pages=max(1, -(-count // 100)))


# --- search, uploads, models ----------------------------------------------------------------------------


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, session: SessionDep, user: PageUser,
           q: Annotated[str, Query(max_length=500)] = "", author: Annotated[str, Query(max_length=200)] = "",
           since: datetime | None = None, until: datetime | None = None):
    posts, post_count, accounts = [], 0, []
    if q or author or since or until:
        posts, post_count = crud.search_posts(session, q=q or None, author=author or None, since=aware(since),
                                              until=aware(until), limit=50)
        if q or author:
            accounts, _ = crud.search_accounts(session, q=(author or q), limit=20)
    template = "_search_results.html" if request.headers.get("HX-Request") else "search.html"
    return render(request, template, user, q=q, author=author, since=since, until=until, posts=posts,
                  post_count=post_count, accounts=accounts)


@router.get("/uploads", response_class=HTMLResponse)
def uploads(request: Request, session: SessionDep, user: PageUser):
    runs, _ = crud.list_runs(session, limit=20)
    return render(request, "uploads.html", user, runs=runs, run_progress=crud.run_progress,
                  max_bytes=request.app.state.settings.upload_max_bytes)


@router.get("/partials/runs", response_class=HTMLResponse)
def runs_partial(request: Request, session: SessionDep, user: PageUser):
    runs, _ = crud.list_runs(session, limit=20)
    return render(request, "_runs.html", user, runs=runs, run_progress=crud.run_progress)


def _models_context(request: Request, session) -> dict:
    from smearwatch.registry import activation_history, previous_version

    connection = session.connection()  # one pooled connection per request, never a second one
    versions = crud.list_models(session)
    active = next((v for v in versions if v.active), None)
    rows = [{"v": v, **model_metrics(v, active)} for v in versions]
    jobs, _ = crud.list_jobs(session, limit=10)
    history = list(reversed(activation_history(connection)))[:50]
    return {"rows": rows, "active": active, "history": history, "names": crud.model_names(session),
            "jobs": jobs, "pending": crud.pending_decisions(session), "previous": previous_version(connection)}


def model_metrics(version, active) -> dict:
    """A version's metrics on the fixed evaluation split and the comparison to the active version on that same
    split (recorded when the version was trained: the active version then was scored on the same posts)."""
    metrics = version.metrics or {}
    evaluation = metrics.get("evaluation")
    compared = metrics.get("compared_to")
    heldout = metrics.get("post_heldout") if not evaluation else None
    deltas = {}
    if evaluation and compared and compared.get("evaluation"):
        for key in ("precision", "recall", "f1", "average_precision"):
            a, b = evaluation.get(key), compared["evaluation"].get(key)
            if isinstance(a, int | float) and isinstance(b, int | float):
                deltas[key] = round(a - b, 4)
    return {"evaluation": evaluation, "heldout": heldout, "compared": compared, "deltas": deltas,
            "training": (version.card or {}).get("training_data") or {}}


@router.get("/models", response_class=HTMLResponse)
def models(request: Request, session: SessionDep, user: PageUser):
    return render(request, "models.html", user, **_models_context(request, session))


@router.get("/partials/jobs", response_class=HTMLResponse)
def jobs_partial(request: Request, session: SessionDep, user: PageUser):
    jobs, _ = crud.list_jobs(session, limit=10)
    return render(request, "_jobs.html", user, jobs=jobs, names=crud.model_names(session))


@router.post("/models/retrain")
def retrain_form(request: Request, user: PageAdmin, csrf_token: Annotated[str, Form()] = "",
                 auto_activate: Annotated[str, Form(max_length=5)] = ""):
    check_csrf(request, csrf_token)
    from worker.learning_jobs import start_retrain

    start_retrain(request.app.state.engine, created_by=user.username, auto_activate=auto_activate == "on")
    return RedirectResponse("/models#jobs", status.HTTP_303_SEE_OTHER)


@router.post("/models/rollback")
def rollback_form(request: Request, user: PageAdmin, csrf_token: Annotated[str, Form()] = "",
                  reason: Annotated[str, Form(max_length=400)] = ""):
    check_csrf(request, csrf_token)
    from worker.learning_jobs import JobError, start_rollback

    try:
        start_rollback(request.app.state.engine, created_by=user.username, reason=reason.strip() or "rollback")
    except JobError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return RedirectResponse("/models#jobs", status.HTTP_303_SEE_OTHER)


@router.post("/models/{model_id}/activate")
def activate_form(request: Request, model_id: int, user: PageAdmin, csrf_token: Annotated[str, Form()] = "",
                  reason: Annotated[str, Form(max_length=400)] = ""):
    check_csrf(request, csrf_token)
    from worker.learning_jobs import JobError, start_activation

    if not -2**31 <= model_id < 2**31:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no model {model_id}")
    try:
        start_activation(request.app.state.engine, model_id, created_by=user.username,
                         reason=reason.strip() or "chosen by an admin")
    except JobError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    return RedirectResponse("/models#jobs", status.HTTP_303_SEE_OTHER)


# --- admin -----------------------------------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse)
def admin_users(request: Request, session: SessionDep, user: PageAdmin):
    return render(request, "admin_users.html", user, users=users.list_users(session), created=None, error=None)


@router.post("/admin/users", response_class=HTMLResponse)
def admin_add_user(request: Request, session: SessionDep, user: PageAdmin,
                   username: Annotated[str, Form(max_length=100)], role: Annotated[str, Form()] = "reviewer",
                   csrf_token: Annotated[str, Form()] = ""):
    check_csrf(request, csrf_token)
    created, error = None, None
    try:
        created = users.create_user(session, username=username, role=role)
    except users.UserError as e:
        error = str(e)
    return render(request, "admin_users.html", user, users=users.list_users(session), created=created, error=error,
                  status_code=201 if created else 400)


@router.get("/admin/feeds", response_class=HTMLResponse)
def admin_feeds(request: Request, session: SessionDep, user: PageAdmin):
    return render(request, "admin_feeds.html", user, feeds=crud.list_feeds(session))
