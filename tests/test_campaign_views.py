"""A campaign page keeps its narratives and accounts (`campaignview`): rendered once, used while the campaign row
is as it was, rendered again after a regrouping or by other code, prepared ahead for flagged campaigns, and dropped
with a campaign that a regrouping empties."""

import api_client
from sqlmodel import Session, select

from api import campaign_views
from api.main import create_app
from api.view_preparer import ViewPreparer
from smearwatch.models import Campaign, CampaignView, Cluster, utcnow
from worker.campaign_store import regroup_campaigns

client, world = api_client.client, api_client.world  # fixtures


def kept(engine, campaign_id: int) -> CampaignView | None:
    with Session(engine) as session:
        return session.get(CampaignView, campaign_id)


def flagged_campaigns(engine) -> list[int]:
    with Session(engine) as session:
        return list(session.exec(select(Campaign.id).where(Campaign.flagged)
                                 .order_by(Campaign.score.desc(), Campaign.id)))


def test_the_page_keeps_narratives_and_accounts_until_the_campaign_is_regrouped(client, world, engine):
    cid = flagged_campaigns(engine)[0]
    assert kept(engine, cid) is None
    client.login("rita", world["reviewer"].password)
    first = client.get(f"/campaigns/{cid}")
    assert first.status_code == 200 and 'id="narratives"' in first.text and 'id="campaign-accounts"' in first.text
    view = kept(engine, cid)
    assert view is not None and view.version == campaign_views.VERSION and 'id="campaign-accounts"' in view.html
    assert view.html in first.text

    client.get(f"/campaigns/{cid}")
    assert kept(engine, cid).built_at == view.built_at  # the kept section was used

    # a stale copy is never shown: a section by other code, then a campaign row that changed
    with Session(engine) as session:
        stale = session.get(CampaignView, cid)
        stale.html, stale.version = '<p id="stale">older</p>', "older-app"
        session.add(stale)
        session.commit()
    assert 'id="stale"' not in client.get(f"/campaigns/{cid}").text
    assert kept(engine, cid).version == campaign_views.VERSION
    with Session(engine) as session:
        stale = session.get(CampaignView, cid)
        stale.html = '<p id="stale">older</p>'
        session.add(stale)
        campaign = session.get(Campaign, cid)
        campaign.updated_at = utcnow()  # what a regrouping does
        session.add(campaign)
        session.commit()
    again = client.get(f"/campaigns/{cid}")
    assert 'id="stale"' not in again.text and 'id="campaign-accounts"' in again.text


def test_the_preparer_renders_flagged_campaigns_after_clusters(world, engine):
    app = create_app(engine)
    preparer = ViewPreparer(engine, app.state.templates.env)
    while preparer.prepare_next():
        pass
    flagged = flagged_campaigns(engine)
    assert flagged and all(kept(engine, cid) is not None for cid in flagged)
    with Session(engine) as session:
        unflagged = list(session.exec(select(Campaign.id).where(Campaign.flagged == False)))  # noqa: E712
    assert unflagged and all(kept(engine, cid) is None for cid in unflagged)  # rendered when opened
    assert not preparer.failed and not preparer.failed_campaigns


def test_a_campaign_that_a_regrouping_drops_takes_its_section_with_it(client, world, engine):
    cid = flagged_campaigns(engine)[0]
    client.login("rita", world["reviewer"].password)
    client.get(f"/campaigns/{cid}")
    assert kept(engine, cid) is not None
    with Session(engine) as session:  # its clusters are superseded: the campaign is empty
        for cluster in session.exec(select(Cluster).where(Cluster.campaign_id == cid)):
            cluster.status, cluster.campaign_id = "superseded", None
            session.add(cluster)
        session.commit()
    with engine.begin() as connection:
        regroup_campaigns(connection)
    with Session(engine) as session:
        assert session.get(Campaign, cid) is None
    assert kept(engine, cid) is None
