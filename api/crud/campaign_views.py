"""Kept campaign page sections (`campaignview` rows): read one, keep one, find the next to prepare."""

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, select

from smearwatch.db import replace_row
from smearwatch.models import Campaign, CampaignView, utcnow


def campaign_with_view(session: Session, *, campaign_id: int) -> tuple[Campaign, CampaignView | None] | None:
    """The campaign and its kept section (if any), in one query; None if there is no such campaign."""
    row = session.exec(select(Campaign, CampaignView).outerjoin(CampaignView, CampaignView.campaign_id == Campaign.id)
                       .where(Campaign.id == campaign_id)).first()
    return None if row is None else (row[0], row[1])


def keep_campaign_view(session: Session, *, campaign: Campaign, version: str, html: str) -> datetime:
    """Insert or replace the campaign's view (two processes may render the same one; the last one stays)."""
    built_at = utcnow()
    replace_row(session, CampaignView, key="campaign_id", values={
        "campaign_id": campaign.id, "version": version, "campaign_updated_at": campaign.updated_at,
        "built_at": built_at, "html": html})
    session.commit()
    return built_at


def next_stale_flagged_campaign(session: Session, *, version: str,
                                skip: frozenset[int] = frozenset()) -> Campaign | None:
    """The flagged campaign with the highest score whose view is missing or not rendered from its current row by
    `version` of the code (leaving out `skip`)."""
    statement = (
        select(Campaign).outerjoin(CampaignView, CampaignView.campaign_id == Campaign.id)
        .where(Campaign.flagged, Campaign.id.not_in(skip),
               or_(CampaignView.campaign_id.is_(None), CampaignView.version != version,
                   CampaignView.campaign_updated_at != Campaign.updated_at))
        .order_by(Campaign.score.desc(), Campaign.id).limit(1)
        # two app processes prepare different campaigns; a locked one is being rendered elsewhere
        .with_for_update(of=Campaign, skip_locked=True))
    return session.exec(statement).first()
