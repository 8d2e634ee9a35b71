"""The upload form (the upload itself goes to the JSON API) and the ingest runs with their progress."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.crud.runs import list_runs
from api.deps import PageUser, SessionDep
from api.render.page import render_page
from api.render.rows import run_out

router = APIRouter(include_in_schema=False)


@router.get("/uploads", response_class=HTMLResponse)
def uploads(request: Request, session: SessionDep, user: PageUser):
    runs, _ = list_runs(session, limit=20)
    return render_page(request, "uploads.html", user, runs=[run_out(r) for r in runs],
                       max_bytes=request.app.state.settings.upload_max_bytes)


@router.get("/partials/runs", response_class=HTMLResponse)
def runs_partial(request: Request, session: SessionDep, user: PageUser):
    runs, _ = list_runs(session, limit=20)
    return render_page(request, "_runs.html", user, runs=[run_out(r) for r in runs])
