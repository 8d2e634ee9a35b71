"""Search posts and accounts (the results alone for htmx)."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.crud.search import search_accounts, search_posts
from api.deps import PageDate, PageUser, SessionDep, text_query
from api.render.page import render_page

router = APIRouter(include_in_schema=False)


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, session: SessionDep, user: PageUser,
           q: Annotated[str, text_query(500)] = "", author: Annotated[str, text_query(200)] = "",
           since: PageDate = None, until: PageDate = None):
    posts, post_count, accounts = [], 0, []
    if q or author or since or until:
        posts, post_count = search_posts(session, q=q or None, author=author or None, since=since,
                                         until=until, limit=50)
        if q or author:
            accounts, _ = search_accounts(session, q=(author or q), limit=20)
    template = "_search_results.html" if request.headers.get("HX-Request") else "search.html"
    return render_page(request, template, user, q=q, author=author, since=since, until=until, posts=posts,
                       post_count=post_count, accounts=accounts)
