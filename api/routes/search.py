"""Search posts by text, author and date, and accounts by id or name."""

from fastapi import APIRouter

from api import schemas
from api.crud.search import search_accounts, search_posts
from api.deps import API_V1, ApiUser, Limit, Offset, OptionalDate, SessionDep, optional_text

router = APIRouter(prefix=API_V1, tags=["search"])


@router.get("/posts", response_model=schemas.PostList, summary="search posts by text, author, date")
def posts(session: SessionDep, user: ApiUser, q: optional_text(500) = None, author: optional_text(200) = None,
          platform: optional_text(40) = None, since: OptionalDate = None, until: OptionalDate = None,
          limit: Limit = 50, offset: Offset = 0) -> dict:
    rows, count = search_posts(session, q=q, author=author, platform=platform, since=since, until=until,
                               limit=limit, offset=offset)
    return {"data": rows, "count": count}


@router.get("/accounts", response_model=schemas.AccountList)
def accounts(session: SessionDep, user: ApiUser, q: optional_text(200) = None,
             platform: optional_text(40) = None, limit: Limit = 50,
             offset: Offset = 0) -> dict:
    rows, count = search_accounts(session, q=q, platform=platform, limit=limit, offset=offset)
    return {"data": rows, "count": count}
