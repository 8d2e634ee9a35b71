"""One account's page: profile, posts (paged), and the campaigns and clusters it appears in."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.responses import HTMLResponse

from api.crud.accounts import account_clusters, account_posts, get_account
from api.crud.campaigns import account_campaigns
from api.crud.search import clusters_of_posts
from api.deps import PageNumber, PageUser, SessionDep
from api.render.page import render_page

router = APIRouter(include_in_schema=False)
PAGE = 50
PlatformPart = Annotated[str, Path(max_length=40, pattern=r"^[^\x00]*$")]
AccountPart = Annotated[str, Path(max_length=200, pattern=r"^[^\x00]*$")]


@router.get("/accounts/{platform}/{account_id:path}", response_class=HTMLResponse)
def account_page(request: Request, session: SessionDep, user: PageUser, platform: PlatformPart,
                 account_id: AccountPart, page: PageNumber = 1):
    """An account known from its profile or only from its posts; 404 when neither is stored."""
    account = get_account(session, platform=platform, account_id=account_id)
    posts, post_count = account_posts(session, platform=platform, account_id=account_id, limit=PAGE,
                                      offset=(page - 1) * PAGE)
    if account is None and post_count == 0:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no account {platform}:{account_id}")
    clusters = account_clusters(session, platform=platform, account_id=account_id)
    name = account.name if account and account.name else next((p.author_name for p in posts if p.author_name), None)
    return render_page(request, "account.html", user, account=account, platform=platform, account_id=account_id,
                       name=name, posts=posts, post_count=post_count, clusters=clusters,
                       post_clusters=clusters_of_posts(session, post_ids=[p.id for p in posts]),
                       campaigns=[campaign_link(c) for c in account_campaigns(session, platform=platform,
                                                                              account_id=account_id)],
                       page=page, pages=max(1, -(-post_count // PAGE)), query="")


def campaign_link(campaign) -> dict:
    names = ", ".join(t["name"] for t in (campaign.targets or [])[:2] if t.get("name"))
    title = (f"Campaign {campaign.id}: {campaign.label}" + (f" against {names}" if names and campaign.flagged else "")
             + f", {campaign.n_clusters} clusters, {campaign.n_accounts} accounts")
    return {"url": f"/campaigns/{campaign.id}", "title": title}
