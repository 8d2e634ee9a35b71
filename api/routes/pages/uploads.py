"""The upload form (the upload itself goes to the JSON API) and the ingest runs with their progress."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.crud.runs import list_runs
from api.deps import PageNumber, PageUser, RunDep, SessionDep
from api.render.page import render_page
from api.render.rows import run_out
from api.upload_mapping import REQUIRED
from smearwatch import run_report
from smearwatch.store import REJECTED_KEPT
from worker import service

REJECTED_PER_PAGE = 100
FORMAT_NAMES = {"twarc2": "twarc2 / Twitter API v2 JSONL", "jsonl": "normalized posts (JSONL)",
                "telegram": "Telegram Desktop export (JSON)", "vk": "VK wall.get (JSON)",
                "ioarchive": "Twitter information-operations archive (CSV)", "crowdtangle": "CrowdTangle (CSV)",
                "rss": "RSS / Atom", "csv": "CSV with a column mapping"}

router = APIRouter(include_in_schema=False)


@router.get("/uploads", response_class=HTMLResponse)
def uploads(request: Request, session: SessionDep, user: PageUser):
    runs, _ = list_runs(session, limit=20)
    return render_page(request, "uploads.html", user, runs=[run_out(r) for r in runs],
                       max_bytes=request.app.state.settings.upload_max_bytes, formats=service.FORMATS,
                       fields=service.FIELDS, required=REQUIRED, format_names=FORMAT_NAMES)


@router.get("/partials/runs", response_class=HTMLResponse)
def runs_partial(request: Request, session: SessionDep, user: PageUser):
    runs, _ = list_runs(session, limit=20)
    return render_page(request, "_runs.html", user, runs=[run_out(r) for r in runs])


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, user: PageUser, found: RunDep, page: PageNumber = 1):
    """A run in words: its files, counts, rejected records (FILE:LINE: reason, paged) and what it produced."""
    engine = request.app.state.engine
    run = run_report.get_run(engine, found.id)
    rejections, kept = run_report.run_rejections(engine, found.id, limit=REJECTED_PER_PAGE,
                                                  offset=(page - 1) * REJECTED_PER_PAGE)
    return render_page(request, "run.html", user, run=run, rejections=rejections, kept=kept,
                       kept_limit=REJECTED_KEPT, clusters=run_report.run_clusters(engine, found.id),
                       page=page, pages=max(1, -(-kept // REJECTED_PER_PAGE)), per_page=REJECTED_PER_PAGE, query="")
