"""A campaign is reviewed when every one of its current clusters is: kept true after decisions, undos and regrouping.

One statement for the worker (a Connection) and the review app (a Session) alike.
"""

from sqlalchemy import func, select, update

from smearwatch.models import Campaign, Cluster, utcnow

CAMPAIGNS, CLUSTERS = Campaign.__table__, Cluster.__table__


def refresh_campaign_status(executor, campaign_id: int | None) -> None:
    if campaign_id is None:
        return
    still_open = executor.execute(select(func.count()).where(
        CLUSTERS.c.campaign_id == campaign_id, CLUSTERS.c.status == "open")).scalar_one()
    executor.execute(update(CAMPAIGNS).where(CAMPAIGNS.c.id == campaign_id)
                     .values(status="open" if still_open else "reviewed", updated_at=utcnow()))
