"""The campaign queue (the review app's home: flagged campaigns by score, or the coordinated ones), one campaign's
page, and the no-JavaScript way to decide a campaign."""

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from api import campaign_views
from api.crud import campaigns as crud
from api.crud import reviewers
from api.crud.decisions import ANSWERS
from api.crud.queue import (
    CHECK_EVERY,
    checks_on_page,
    mix_checks,
    queue_counts,
    queue_position,
    review_checks,
)
from api.deps import (
    CampaignWithViewDep,
    CsrfField,
    PageNumber,
    PageUser,
    SessionDep,
    check_csrf,
    get_campaign,
    text_form,
)
from api.render.campaign import campaign_overview
from api.render.campaign_timeline import campaign_timeline_svg
from api.render.page import render_page
from api.render.rows import comment_out
from smearwatch.models import Campaign

router = APIRouter(include_in_schema=False)
QUEUE_PAGE = 50


@router.get("/", response_class=HTMLResponse)
def campaign_queue(request: Request, session: SessionDep, user: PageUser, page: PageNumber = 1,
                   order: Literal["score", "coordinated", "mine", "second", "uncertainty"] = "score"):
    """Smear campaigns by score (one decision per campaign); the coordinated campaigns that are not smears; the
    open campaigns assigned to you; or, blind, the campaigns another reviewer decided and you have not (a second
    opinion, for the agreement between reviewers)."""
    if order == "uncertainty":  # cluster by cluster: the labels that teach the model most
        return RedirectResponse("/queue/clusters?order=uncertainty", status.HTTP_303_SEE_OTHER)
    progress, pending, threshold = queue_counts(session, table=Campaign)
    if order == "coordinated":
        filters, known = crud.CampaignFilters(label="coordinated", sort="-n_accounts"), None
    elif order == "mine":
        filters, known = crud.CampaignFilters(assigned_to=user.id, status="open", sort="-score"), None
    elif order == "second":
        filters, known = crud.CampaignFilters(second_opinion_for=user.id, sort="-score"), None
    else:
        filters, known = crud.QUEUE, progress["total"]
    rows, count = crud.list_campaigns(session, filters=filters, limit=QUEUE_PAGE, offset=(page - 1) * QUEUE_PAGE,
                                      count=known)
    checks = []
    if order == "score":  # unflagged campaigns mixed in for a check, as in the cluster queue (api/crud/queue.py)
        checks = review_checks(session, threshold=threshold, limit=checks_on_page(len(rows), trailing=True),
                               offset=(page - 1) * (QUEUE_PAGE // CHECK_EVERY), table=Campaign)
        rows = mix_checks(rows, checks)
    return render_page(request, "campaign_queue.html", user, campaigns=rows, count=count, page=page,
                       pages=max(1, -(-count // QUEUE_PAGE)), progress=progress, order=order, checks=len(checks),
                       query=f"order={order}" if order != "score" else "", pending=pending)


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(request: Request, session: SessionDep, user: PageUser, campaign_and_view: CampaignWithViewDep):
    campaign, view = campaign_and_view
    detail = campaign_overview(session, campaign=campaign)
    evidence_html, evidence_at = campaign_views.evidence_section(session, request.app.state.templates.env,
                                                                 campaign=campaign, view=view)
    prev_id, next_id, progress = queue_position(session, row=campaign)
    people = reviewers.active_reviewers(session)
    return render_page(request, "campaign.html", user, p=detail, progress=progress,
                       evidence_html=evidence_html, evidence_at=evidence_at,
                       timeline_svg=campaign_timeline_svg(detail["clusters"]), prev_id=prev_id, next_id=next_id,
                       reviewers=people, assignee=next((u.username for u in people if u.id == campaign.assigned_to),
                                                       None),
                       comments=[comment_out(c, u) for c, u in reviewers.comments(session, campaign_id=campaign.id)])


@router.post("/campaigns/{campaign_id}/assign")
def assign_form(request: Request, campaign_id: int, session: SessionDep, user: PageUser,
                username: Annotated[str, text_form(100)] = "", csrf_token: CsrfField = ""):
    check_csrf(request, csrf_token)
    campaign = get_campaign(session, campaign_id)
    assignee = reviewers.active_user(session, username=username) if username else None
    if username and assignee is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"no active user {username!r}")
    reviewers.assign_campaign(session, campaign=campaign, assignee=assignee)
    return RedirectResponse(f"/campaigns/{campaign_id}", status.HTTP_303_SEE_OTHER)


@router.post("/campaigns/{campaign_id}/comment")
def comment_form(request: Request, campaign_id: int, session: SessionDep, user: PageUser,
                 text: Annotated[str, text_form(4000)] = "", csrf_token: CsrfField = ""):
    check_csrf(request, csrf_token)
    campaign = get_campaign(session, campaign_id)
    try:
        reviewers.add_comment(session, campaign=campaign, user=user, text=text)
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    return RedirectResponse(f"/campaigns/{campaign_id}#comments", status.HTTP_303_SEE_OTHER)


@router.post("/campaigns/{campaign_id}/decide")
def decide_form(request: Request, campaign_id: int, session: SessionDep, user: PageUser,
                answer: Annotated[str, text_form(20)], note: Annotated[str, text_form(4000)] = "",
                csrf_token: CsrfField = ""):
    check_csrf(request, csrf_token)
    if answer not in ANSWERS:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "unknown answer")
    campaign = get_campaign(session, campaign_id)
    crud.decide_campaign(session, campaign=campaign, user=user, answer=answer, note=note)
    return RedirectResponse(f"/campaigns/{campaign_id}", status.HTTP_303_SEE_OTHER)


