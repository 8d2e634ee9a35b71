"""The narratives and accounts of a campaign page, rendered once and kept in `campaignview`.

They are read from all the campaign's posts (2,000 for a campaign of 40 clusters), which made a campaign page
three times the cost of a cluster page, and they change only when a regrouping rewrites the campaign (it sets
the campaign row's `updated_at`). A kept section is used while it was rendered from the campaign row as it still
is by this code (`version`); otherwise the page renders it again and keeps it. The app's view preparer
(api/view_preparer.py) renders those of flagged campaigns ahead, best first.
"""

import hashlib
from datetime import datetime
from pathlib import Path

from jinja2 import Environment
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from api.crud.campaign_views import keep_campaign_view, next_stale_flagged_campaign
from api.render.campaign import campaign_evidence
from smearwatch import __version__
from smearwatch.models import Campaign, CampaignView, utcnow

TEMPLATE = "_campaign_evidence.html"
HERE = Path(__file__).parent


def _code_version() -> str:
    """Changes whenever the template or the code that fills it changes, so upgrades re-render."""
    digest = hashlib.sha256(__version__.encode())
    for path in (HERE / "templates" / TEMPLATE, HERE / "render" / "campaign.py", HERE / "crud" / "campaigns.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


VERSION = _code_version()


class CampaignRenderError(Exception):
    def __init__(self, campaign_id: int):
        super().__init__(f"campaign {campaign_id}")
        self.campaign_id = campaign_id


def render(session: Session, env: Environment, *, campaign: Campaign) -> str:
    return env.get_template(TEMPLATE).render(n_accounts=campaign.n_accounts,
                                             **campaign_evidence(session, campaign=campaign))


def evidence_section(session: Session, env: Environment, *, campaign: Campaign,
                     view: CampaignView | None) -> tuple[str, datetime]:
    """The section's HTML and when it was rendered: the kept `view` if still fresh, else a new one (kept)."""
    if view is not None and view.version == VERSION and view.campaign_updated_at == campaign.updated_at:
        return view.html, view.built_at
    html = render(session, env, campaign=campaign)
    try:
        return html, keep_campaign_view(session, campaign=campaign, version=VERSION, html=html)
    except OperationalError:  # a busy SQLite store: serve the page now, keep the section another time
        session.rollback()
        return html, utcnow()


def prepare_one(engine: Engine, env: Environment, *, skip: frozenset[int] = frozenset()) -> int | None:
    """Render and keep the view of the best flagged campaign that needs one: its id, or None when none does."""
    with Session(engine) as session:
        campaign = next_stale_flagged_campaign(session, version=VERSION, skip=skip)
        if campaign is None:
            return None
        try:
            html = render(session, env, campaign=campaign)
        except Exception as error:
            raise CampaignRenderError(campaign.id) from error
        keep_campaign_view(session, campaign=campaign, version=VERSION, html=html)
        return campaign.id
