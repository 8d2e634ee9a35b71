"""Search posts by text, author and date, and accounts by id or name."""

from typing import Annotated

from fastapi import APIRouter

from api import schemas
from api.crud.search import search_accounts, search_posts
from api.deps import API_V1, ApiUser, Limit, Offset, QueryDate, SessionDep, text_query

router = APIRouter(prefix=API_V1, tags=["search"])


@router.get("/posts", response_model=schemas.PostList, summary="search posts by text, author, date")
def posts(session: SessionDep, user: ApiUser, q: Annotated[str | None, text_query(500)] = None,
          author: Annotated[str | None, text_query(200)] = None,
          platform: Annotated[str | None, text_query(40)] = None, since: QueryDate | None = None,
          until: QueryDate | None = None, limit: Limit = 50, offset: Offset = 0) -> dict:
    rows, count = search_posts(session, q=q, author=author, platform=platform, since=since, until=until,
                               limit=limit, offset=offset)
    return {"data": rows, "count": count}


@router.get("/accounts", response_model=schemas.AccountList)
def accounts(session: SessionDep, user: ApiUser, q: Annotated[str | None, text_query(200)] = None,
             platform: Annotated[str | None, text_query(40)] = None, limit: Limit = 50,
             offset: Offset = 0) -> dict:
    rows, count = search_accounts(session, q=q, platform=platform, limit=limit, offset=offset)
    return {"data": rows, "count": count}
