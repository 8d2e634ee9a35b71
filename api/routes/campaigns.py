"""Campaigns: the unit of review. Filtered lists, one campaign with its clusters as evidence, and deciding it once
(the decision applies to each of its clusters, append-only, so one cluster can still be decided otherwise)."""

from fastapi import APIRouter, HTTPException, status

from api import schemas
from api.crud import campaigns as crud
from api.crud import reviewers
from api.deps import API_V1, ApiUser, CampaignDep, CampaignFiltersDep, Limit, Offset, SessionDep
from api.render.campaign import build_campaign
from api.render.rows import comment_out, decision_out
from api.routes.clusters import json_answer

router = APIRouter(prefix=API_V1, tags=["campaigns"])


@router.get("/campaigns", response_model=schemas.CampaignList,
            summary="campaigns (clusters grouped by target, shared accounts and narrative), best first")
def list_campaigns(session: SessionDep, user: ApiUser, filters: CampaignFiltersDep, limit: Limit = 50,
                   offset: Offset = 0, mine: bool = False, second_opinion: bool = False) -> dict:
    """`mine`: assigned to you; `second_opinion`: decided by another reviewer and not yet by you."""
    filters.assigned_to = user.id if mine else None
    filters.second_opinion_for = user.id if second_opinion else None
    rows, count = crud.list_campaigns(session, filters=filters, limit=limit, offset=offset)
    return json_answer({"data": [row._asdict() for row in rows], "count": count})


@router.get("/campaigns/progress", response_model=schemas.Progress,
            summary="how many flagged campaigns are reviewed")
def progress(session: SessionDep, user: ApiUser) -> dict:
    return crud.campaign_progress(session)


@router.get("/campaigns/{campaign_id}", response_model=schemas.CampaignDetail, responses=schemas.NOT_FOUND,
            summary="one campaign: what happened in words, its clusters, accounts, narratives and decisions")
def get_campaign(session: SessionDep, user: ApiUser, campaign: CampaignDep) -> dict:
    return build_campaign(session, campaign=campaign)


@router.post("/campaigns/{campaign_id}/decisions", response_model=schemas.CampaignDecisionOut, status_code=201,
             responses=schemas.NOT_FOUND,
             summary="decide a whole campaign: one decision per cluster, appended (a cluster decided later on its "
                     "own keeps that decision)")
def decide(body: schemas.DecisionIn, session: SessionDep, user: ApiUser, campaign: CampaignDep) -> dict:
    rows = crud.decide_campaign(session, campaign=campaign, user=user, answer=body.answer, note=body.note)
    if not rows:
        raise HTTPException(status.HTTP_409_CONFLICT, f"campaign {campaign.id} has no current cluster to decide")
    return {"campaign_id": campaign.id, "answer": body.answer,
            "decisions": [decision_out(d, user.username) for d in rows]}


@router.post("/campaigns/{campaign_id}/assignment", response_model=schemas.CampaignItem, responses=schemas.NOT_FOUND,
             summary="assign the campaign to a reviewer (or to nobody)")
def assign(body: schemas.AssignmentIn, session: SessionDep, user: ApiUser, campaign: CampaignDep) -> dict:
    assignee = None
    if body.username is not None:
        assignee = reviewers.active_user(session, username=body.username)
        if assignee is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"no active user {body.username!r}")
    campaign = reviewers.assign_campaign(session, campaign=campaign, assignee=assignee)
    return {**campaign.model_dump(), "answer": crud.campaign_answer(session, campaign_id=campaign.id)}


@router.get("/campaigns/{campaign_id}/comments", response_model=schemas.CommentList, responses=schemas.NOT_FOUND,
            summary="reviewers' comments on the campaign, oldest first")
def list_comments(session: SessionDep, user: ApiUser, campaign: CampaignDep) -> dict:
    rows = reviewers.comments(session, campaign_id=campaign.id)
    return {"data": [comment_out(c, u) for c, u in rows], "count": len(rows)}


@router.post("/campaigns/{campaign_id}/comments", response_model=schemas.CommentOut, status_code=201,
             responses=schemas.NOT_FOUND, summary="comment on the campaign (appended)")
def comment(body: schemas.CommentIn, session: SessionDep, user: ApiUser, campaign: CampaignDep) -> dict:
    try:
        row = reviewers.add_comment(session, campaign=campaign, user=user, text=body.text)
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    return comment_out(row, user.username)


@router.get("/reviewers/agreement", response_model=schemas.Agreement,
            summary="agreement between reviewers over the campaigns two or more of them decided (Cohen's kappa)")
def agreement(session: SessionDep, user: ApiUser) -> dict:
    return reviewers.agreement(session)
