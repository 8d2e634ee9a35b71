"""Request dependencies: the database session, who is asking (session cookie or bearer token), roles, CSRF, the
row a path names (or 404), the parameter types (text without NUL, ISO 8601 dates), paging and cluster filters.
Routes take them as the `Annotated` aliases below."""

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote

from fastapi import Depends, Form, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from sqlmodel import Session

from api import security
from api.crud.campaign_views import campaign_with_view
from api.crud.campaigns import CampaignFilters
from api.crud.cluster_views import cluster_with_view
from api.crud.clusters import ClusterFilters
from api.schemas import NO_NUL
from smearwatch import users
from smearwatch.models import (
    Campaign,
    CampaignView,
    Cluster,
    ClusterView,
    Decision,
    IngestRun,
    Job,
    ModelVersion,
    User,
)

API_V1 = "/api/v1"  # the prefix of every JSON API router (api/routes/*.py; the pages are at the root)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_HEADER = "X-CSRF-Token"
bearer_scheme = HTTPBearer(auto_error=False, description="an API token from `smearwatch users add`")


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A session for the request. Reading requests run without a transaction (no BEGIN and ROLLBACK round trips);
    async because opening a session does no I/O, and neither does closing a reading one (its connection is idle,
    so handing it back to the pool sends nothing): only a writing request's close needs the thread pool."""
    state = request.app.state
    writes = request.method in UNSAFE_METHODS
    session = Session(state.engine if writes else state.read_engine)
    try:
        yield session
    finally:
        if writes:
            await run_in_threadpool(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_db)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


class LoginRequired(Exception):
    """Raised by page dependencies; the app answers with a redirect to the login page."""

    def __init__(self, next_url: str):
        self.next_url = next_url


LOGIN_KEY = "login"  # the key of the login session's random id in the session cookie


def session_user(request: Request, session: Session) -> User | None:
    """The user of the session cookie's login, if it has not ended and the user is active (one indexed query)."""
    login_id = request.session.get(LOGIN_KEY)
    if not isinstance(login_id, str) or not login_id:
        return None
    return users.user_for_login_session(session, login_id=login_id)


def check_csrf(request: Request, given: str | None) -> None:
    if not security.csrf_matches(request.session.get("csrf"), given):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token")


def api_user(request: Request, session: SessionDep, credentials: BearerDep) -> User:
    """A bearer token, or the UI's session cookie (then unsafe methods need the CSRF header)."""
    if credentials is not None:
        user = users.user_for_token(session, token=credentials.credentials)
        if user is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or revoked token",
                                headers={"WWW-Authenticate": "Bearer"})
        return user
    user = session_user(request, session)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "log in or send a bearer token",
                            headers={"WWW-Authenticate": "Bearer"})
    if request.method in UNSAFE_METHODS:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return user


ApiUser = Annotated[User, Depends(api_user)]


def api_admin(user: ApiUser) -> User:
    if user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admins only")
    return user


ApiAdmin = Annotated[User, Depends(api_admin)]


def page_user(request: Request, session: SessionDep) -> User:
    user = session_user(request, session)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(quote(target, safe="/?=&"))
    return user


PageUser = Annotated[User, Depends(page_user)]


def page_admin(user: PageUser) -> User:
    if user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admins only")
    return user


PageAdmin = Annotated[User, Depends(page_admin)]


# --- the row a path names, or 404 -------------------------------------------------------------------------

# Row ids are 32-bit integer columns: an id outside that range names no row (404 like any unknown id), where
# the database would refuse the query.
ROW_IDS = range(-2**31, 2**31)
Row = TypeVar("Row")


def is_row_id(value: int) -> bool:
    return value in ROW_IDS


def get_or_404(session: Session, table: type[Row], row_id: int, name: str) -> Row:
    return found_or_404(session.get(table, row_id) if is_row_id(row_id) else None, row_id, name)


def found_or_404(row: Row | None, row_id: int, name: str) -> Row:
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no {name} {row_id}")
    return row


def get_cluster(session: SessionDep, cluster_id: int) -> Cluster:
    return get_or_404(session, Cluster, cluster_id, "cluster")


def get_cluster_with_view(session: SessionDep, cluster_id: int) -> tuple[Cluster, ClusterView | None]:
    """The cluster and its kept evidence section (if any), in one query."""
    row = cluster_with_view(session, cluster_id=cluster_id) if is_row_id(cluster_id) else None
    return found_or_404(row, cluster_id, "cluster")


def get_campaign(session: SessionDep, campaign_id: int) -> Campaign:
    return get_or_404(session, Campaign, campaign_id, "campaign")


def get_campaign_with_view(session: SessionDep, campaign_id: int) -> tuple[Campaign, CampaignView | None]:
    """The campaign and its kept narratives and accounts section (if any), in one query."""
    row = campaign_with_view(session, campaign_id=campaign_id) if is_row_id(campaign_id) else None
    return found_or_404(row, campaign_id, "campaign")


def get_decision(session: SessionDep, decision_id: int) -> Decision:
    return get_or_404(session, Decision, decision_id, "decision")


def get_run(session: SessionDep, run_id: int) -> IngestRun:
    return get_or_404(session, IngestRun, run_id, "run")


def get_job(session: SessionDep, job_id: int) -> Job:
    return get_or_404(session, Job, job_id, "job")


def get_model_version(session: SessionDep, model_id: int) -> ModelVersion:
    return get_or_404(session, ModelVersion, model_id, "model")


# Declare them after the user: who is asking is checked before whether the row exists.
ClusterDep = Annotated[Cluster, Depends(get_cluster)]
CampaignDep = Annotated[Campaign, Depends(get_campaign)]
CampaignWithViewDep = Annotated[tuple[Campaign, CampaignView | None], Depends(get_campaign_with_view)]
ClusterWithViewDep = Annotated[tuple[Cluster, ClusterView | None], Depends(get_cluster_with_view)]
DecisionDep = Annotated[Decision, Depends(get_decision)]
RunDep = Annotated[IngestRun, Depends(get_run)]
JobDep = Annotated[Job, Depends(get_job)]
ModelVersionDep = Annotated[ModelVersion, Depends(get_model_version)]


# --- parameter types --------------------------------------------------------------------------------------

def text_query(max_length: int, **options: Any) -> Any:
    """A text query parameter: at most `max_length` characters, no NUL."""
    return Query(max_length=max_length, pattern=NO_NUL, **options)


def text_form(max_length: int, **options: Any) -> Any:
    """A text form field: at most `max_length` characters, no NUL."""
    return Form(max_length=max_length, pattern=NO_NUL, **options)


CsrfField = Annotated[str, text_form(200)]
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[Tt ]|$)", re.ASCII)


def _iso_8601_only(value: Any) -> Any:
    """Dates are ISO 8601 only: a bare number (`0.5`, `1588000000`) is not read as a Unix time."""
    if isinstance(value, datetime) or (isinstance(value, str) and ISO_DATE.match(value)):
        return value
    raise ValueError("use an ISO 8601 date or date-time, e.g. 2020-04-28 or 2020-04-28T06:00:00Z")


def _utc(value: datetime) -> datetime:
    """Query datetimes without an offset are UTC."""
    try:
        return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)
    except OverflowError:
        raise ValueError("date out of range") from None


QueryDate = Annotated[datetime, BeforeValidator(_iso_8601_only), AfterValidator(_utc)]
Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


def _empty_is_none(value: Any) -> Any:
    return None if value == "" else value


# A GET form sends its empty fields too (`?since=&min_score=`), and so does a script that fills a URL template:
# an empty query parameter is one not given, on the pages and in the JSON API alike.
OptionalDate = Annotated[QueryDate | None, BeforeValidator(_empty_is_none)]
OptionalScore = Annotated[Probability | None, BeforeValidator(_empty_is_none)]
PageDate, PageScore = OptionalDate, OptionalScore  # the names the page routes first used


def optional_text(max_length: int, **options: Any) -> Any:
    """The type of an optional text query parameter: empty is not given."""
    text = Annotated[str, StringConstraints(max_length=max_length, pattern=NO_NUL)]
    return Annotated[text | None, BeforeValidator(_empty_is_none), Query(**options)]


# --- paging and filters ----------------------------------------------------------------------------------

MAX_OFFSET = 1_000_000_000
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
PageNumber = Annotated[int, Query(ge=1, le=100000)]
Sort = Literal["score", "-score", "start", "-start", "n_posts", "-n_posts", "n_accounts", "-n_accounts", "id", "-id",
               "coordination", "-coordination", "smear", "-smear", "uncertainty"]
Label = Literal["smear", "coordinated", "organic"]
Status = Literal["open", "reviewed"]


def optional(kind: Any) -> Any:
    """The type of an optional query parameter of type `kind`: empty is not given."""
    return Annotated[kind | None, BeforeValidator(_empty_is_none)]


async def cluster_filters(  # async: no I/O here, so no trip to the thread pool
    flagged: optional(bool) = None,
    label: optional(Label) = None,
    status_: Annotated[optional(Status), Query(alias="status")] = None,
    min_score: OptionalScore = None,
    max_score: OptionalScore = None,
    since: OptionalDate = None,
    until: OptionalDate = None,
    platform: optional_text(40) = None,
    target: optional_text(300) = None,
    kind: optional_text(40) = None,
    q: optional_text(500) = None,
    account: optional_text(200) = None,
    sort: optional(Sort) = None,
) -> ClusterFilters:
    """The filters of a list of clusters, for the JSON API and the pages: `q` is text in one of its posts,
    `account` the id or a name of one of its accounts; an empty parameter is not given."""
    return ClusterFilters(flagged=flagged, label=label, status=status_, min_score=min_score, max_score=max_score,
                          since=since, until=until, platform=platform, target=target, kind=kind, text=q,
                          account=account, sort=sort or "-score")


FiltersDep = Annotated[ClusterFilters, Depends(cluster_filters)]
CampaignSort = Literal["score", "-score", "start", "-start", "n_posts", "-n_posts", "n_accounts", "-n_accounts",
                       "n_clusters", "-n_clusters", "id", "-id"]


async def campaign_filters(
    flagged: optional(bool) = None,
    label: optional(Label) = None,
    status_: Annotated[optional(Status), Query(alias="status")] = None,
    min_score: OptionalScore = None,
    max_score: OptionalScore = None,
    since: OptionalDate = None,
    until: OptionalDate = None,
    target: optional_text(300) = None,
    sort: optional(CampaignSort) = None,
) -> CampaignFilters:
    """The filters of a list of campaigns; an empty parameter is not given."""
    return CampaignFilters(flagged=flagged, label=label, status=status_, min_score=min_score, max_score=max_score,
                           since=since, until=until, target=target, sort=sort or "-score")


CampaignFiltersDep = Annotated[CampaignFilters, Depends(campaign_filters)]
