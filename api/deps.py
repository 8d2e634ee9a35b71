"""Request dependencies: the database session, who is asking (session cookie or bearer token), roles, CSRF."""

from collections.abc import AsyncIterator
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from api import security
from smearwatch import users
from smearwatch.models import User

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_HEADER = "X-CSRF-Token"
bearer_scheme = HTTPBearer(auto_error=False, description="an API token from `smearwatch users add`")


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A session for the request. Reading requests run without a transaction (no BEGIN and ROLLBACK round trips);
    async because opening a session does no I/O, so only closing it needs the thread pool."""
    state = request.app.state
    session = Session(state.engine if request.method in UNSAFE_METHODS else state.read_engine)
    try:
        yield session
    finally:
        await run_in_threadpool(session.close)


SessionDep = Annotated[Session, Depends(get_db)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


class LoginRequired(Exception):
    """Raised by page dependencies; the app answers with a redirect to the login page."""

    def __init__(self, next_url: str):
        self.next_url = next_url


def session_user(request: Request, session: Session) -> User | None:
    user_id = request.session.get("uid")
    if not isinstance(user_id, int):
        return None
    user = session.get(User, user_id)
    return user if user is not None and user.active else None


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
