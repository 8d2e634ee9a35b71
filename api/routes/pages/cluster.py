"""One cluster's page (its kept evidence section, decisions and queue neighbours) and the no-JavaScript way to
decide."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from api import cluster_views
from api.crud import decisions
from api.crud.queue import queue_position
from api.deps import (
    ClusterDep,
    ClusterWithViewDep,
    CsrfField,
    PageNumber,
    PageUser,
    SessionDep,
    check_csrf,
    get_cluster,
    text_form,
)
from api.render.cluster_posts import posts_section
from api.render.page import render_page
from api.render.rows import cluster_out, decision_out

router = APIRouter(include_in_schema=False)


@router.get("/clusters/{cluster_id}", response_class=HTMLResponse)
def cluster_page(request: Request, session: SessionDep, user: PageUser, found: ClusterWithViewDep):
    cluster, view = found
    evidence_html, evidence_at = cluster_views.evidence_section(session, request.app.state.templates.env,
                                                                cluster=cluster, view=view)
    history = decisions.decision_history(session, cluster_id=cluster.id)
    prev_id, next_id, progress = queue_position(session, row=cluster)
    c = {**cluster_out(cluster, decisions.answer_of([d for d, _ in history])),
         "decisions": [decision_out(d, u) for d, u in history]}
    return render_page(request, "cluster.html", user, c=c, evidence_html=evidence_html, evidence_at=evidence_at,
                       prev_id=prev_id, next_id=next_id, progress=progress)


@router.get("/clusters/{cluster_id}/posts", response_class=HTMLResponse)
def cluster_posts_page(request: Request, session: SessionDep, user: PageUser, cluster: ClusterDep,
                       page: PageNumber = 1):
    """One page of the cluster's posts: the section alone for htmx, else a page of its own."""
    template = "_cluster_posts.html" if request.headers.get("HX-Request") else "cluster_posts.html"
    return render_page(request, template, user, posts=posts_section(session, cluster=cluster, page=page))


@router.post("/clusters/{cluster_id}/decide")
def decide_form(request: Request, cluster_id: int, session: SessionDep, user: PageUser,
                answer: Annotated[str, text_form(20)], note: Annotated[str, text_form(4000)] = "",
                csrf_token: CsrfField = ""):
    """The no-JavaScript way to decide; the keyboard uses the JSON API."""
    check_csrf(request, csrf_token)
    if answer not in decisions.ANSWERS:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "unknown answer")
    cluster = get_cluster(session, cluster_id)  # the form's own checks first, as for every form
    decisions.add_decision(session, cluster=cluster, user=user, answer=answer, note=note)
    return RedirectResponse(f"/clusters/{cluster_id}", status.HTTP_303_SEE_OTHER)
