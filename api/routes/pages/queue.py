"""The cluster queue (flagged clusters by score, or by uncertainty), its progress partials, and the filtered list
of all clusters. The review app's home is the campaign queue (routes/pages/campaigns.py)."""

from dataclasses import asdict
from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.crud.clusters import QUEUE, ClusterFilters, list_clusters
from api.crud.queue import (
    CHECK_EVERY,
    mix_checks,
    pending_decisions,
    queue_counts,
    queue_progress,
    review_checks,
)
from api.deps import FiltersDep, PageNumber, PageUser, SessionDep
from api.render.page import render_page

router = APIRouter(include_in_schema=False)
QUEUE_PAGE = 50


@router.get("/queue/clusters", response_class=HTMLResponse)
def queue(request: Request, session: SessionDep, user: PageUser, page: PageNumber = 1,
          order: Literal["score", "uncertainty", "coordinated"] = "score"):
    """Smears (flagged clusters) by score; or the clusters that are coordinated but not a smear (spam, promotion,
    news rebroadcast, fan and solidarity campaigns), most coordinated first; or, to ask for the labels that teach
    the model most, every open cluster nearest the active model's threshold first."""
    progress, pending, threshold = queue_counts(session)
    if order == "uncertainty":
        filters, known_count = ClusterFilters(status="open", sort="uncertainty", threshold=threshold), None
    elif order == "coordinated":
        filters, known_count = ClusterFilters(label="coordinated", sort="-coordination"), None
    else:  # the queue is every flagged cluster: the progress count is its length
        filters, known_count = QUEUE, progress["total"]
    rows, count = list_clusters(session, filters=filters, limit=QUEUE_PAGE, offset=(page - 1) * QUEUE_PAGE,
                                count=known_count)
    checks = []
    if order == "score":  # unflagged clusters mixed in for a check (api/crud/queue.py, CHECK_EVERY)
        checks = review_checks(session, threshold=threshold, limit=len(rows) // CHECK_EVERY,
                               offset=(page - 1) * (QUEUE_PAGE // CHECK_EVERY))
        rows = mix_checks(rows, checks)
    return render_page(request, "queue.html", user, clusters=rows, count=count, page=page, checks=len(checks),
                       pages=max(1, -(-count // QUEUE_PAGE)), progress=progress, order=order,
                       query=f"order={order}" if order != "score" else "", threshold=threshold,
                       pending=pending)


@router.get("/partials/progress", response_class=HTMLResponse)
def progress_partial(request: Request, session: SessionDep, user: PageUser):
    return render_page(request, "_progress_inner.html", user, progress=queue_progress(session))


@router.get("/partials/pending", response_class=HTMLResponse)
def pending_partial(request: Request, session: SessionDep, user: PageUser):
    return render_page(request, "_pending.html", user, pending=pending_decisions(session))


@router.get("/clusters", response_class=HTMLResponse)
def clusters(request: Request, session: SessionDep, user: PageUser, filters: FiltersDep, page: PageNumber = 1):
    """Every cluster, filtered with the JSON API's own filters (an empty field is not given)."""
    rows, count = list_clusters(session, filters=filters, limit=QUEUE_PAGE, offset=(page - 1) * QUEUE_PAGE)
    form = {"q": filters.text, "account": filters.account, **asdict(filters)}
    given = {"q": filters.text, "account": filters.account, "flagged": filters.flagged, "label": filters.label,
             "status": filters.status, "min_score": filters.min_score, "max_score": filters.max_score,
             "since": filters.since, "until": filters.until, "kind": filters.kind, "target": filters.target,
             "platform": filters.platform, "sort": None if filters.sort == "-score" else filters.sort}
    query = urlencode({k: str(v).lower() if isinstance(v, bool) else v.isoformat() if hasattr(v, "isoformat")
                       else v for k, v in given.items() if v is not None})
    return render_page(request, "clusters.html", user, clusters=rows, count=count, page=page,
                       pages=max(1, -(-count // QUEUE_PAGE)), query=query, form=form)
