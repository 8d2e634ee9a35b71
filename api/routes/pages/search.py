"""Search clusters, accounts and posts with one form (the results alone for htmx). Every field may be empty."""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.crud.clusters import ClusterFilters, list_clusters
from api.crud.search import clusters_of_posts, search_accounts, search_posts
from api.deps import (
    Label,
    OptionalDate,
    OptionalScore,
    PageNumber,
    PageUser,
    SessionDep,
    optional,
    optional_text,
)
from api.render.page import render_page

router = APIRouter(include_in_schema=False)
PAGE = 50
CLUSTERS_SHOWN = 20
ACCOUNTS_SHOWN = 20


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, session: SessionDep, user: PageUser, q: optional_text(500) = None,
           account: optional_text(200) = None, target: optional_text(300) = None,
           platform: optional_text(40) = None, label: optional(Label) = None, min_score: OptionalScore = None,
           since: OptionalDate = None, until: OptionalDate = None, page: PageNumber = 1):
    form = {"q": q, "account": account, "target": target, "platform": platform, "label": label,
            "min_score": min_score, "since": since, "until": until}
    given = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in form.items() if v is not None}
    context = {"form": form, "asked": bool(given), "query": urlencode(given), "page": page, "pages": 1}
    if given:
        filters = ClusterFilters(text=q, account=account, target=target, platform=platform, label=label,
                                 min_score=min_score, since=since, until=until)
        clusters, cluster_count = list_clusters(session, filters=filters, limit=CLUSTERS_SHOWN)
        # a post's label, target and score are those of a cluster it is in
        of_clusters = (ClusterFilters(label=label, target=target, min_score=min_score)
                       if label or target or min_score is not None else None)
        posts, post_count = search_posts(session, q=q, author=account, platform=platform, since=since,
                                         until=until, clusters=of_clusters, limit=PAGE, offset=(page - 1) * PAGE)
        accounts, account_count = (search_accounts(session, q=account, platform=platform, limit=ACCOUNTS_SHOWN)
                                   if account else ([], 0))
        context.update(clusters=clusters, cluster_count=cluster_count, posts=posts, post_count=post_count,
                       post_clusters=clusters_of_posts(session, post_ids=[p.id for p in posts]),
                       accounts=accounts, account_count=account_count, pages=max(1, -(-post_count // PAGE)))
    template = "_search_results.html" if request.headers.get("HX-Request") else "search.html"
    return render_page(request, template, user, **context)
