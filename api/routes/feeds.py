"""Watched feeds (admins)."""

from fastapi import APIRouter

from api import schemas
from api.crud.feeds import feed_rows
from api.deps import API_V1, ApiAdmin, SessionDep

router = APIRouter(prefix=API_V1, tags=["feeds"])


@router.get("/feeds", response_model=list[schemas.FeedOut], summary="watched feeds (admins)")
def feeds(session: SessionDep, user: ApiAdmin):
    return feed_rows(session)
