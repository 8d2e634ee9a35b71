"""Log in (rate-limited per client and per username) and out.

A login is a row on the server (`LoginSession`); the session cookie carries only its random id. Logging out ends
the row, so the cookie, or any copy of it, no longer works.
"""

from typing import Annotated

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import LOGIN_KEY, CsrfField, SessionDep, check_csrf, session_user, text_form, text_query
from api.render.page import render_page
from api.security import LoginLimiter, new_csrf_token
from smearwatch.users import authenticate, end_login_session, start_login_session

router = APIRouter(include_in_schema=False)


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, session: SessionDep, next: Annotated[str, text_query(2000)] = "/"):
    if session_user(request, session) is not None:
        return RedirectResponse(_safe_next(next), status.HTTP_303_SEE_OTHER)
    return render_page(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, session: SessionDep, username: Annotated[str, text_form(100)],
          password: Annotated[str, text_form(500)], csrf_token: CsrfField = "",
          next: Annotated[str, text_form(2000)] = "/"):
    check_csrf(request, csrf_token)
    limiter: LoginLimiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"
    wait = limiter.retry_after(client, username)
    if wait:
        response = render_page(request, "login.html", next=_safe_next(next), status_code=429,
                               error=f"Too many failed attempts; try again in {wait} s.")
        response.headers["Retry-After"] = str(wait)
        return response
    user = authenticate(session, username=username, password=password)
    if user is None:
        limiter.failed(client, username)
        return render_page(request, "login.html", next=_safe_next(next), status_code=401,
                           error="Wrong username or password.")
    limiter.succeeded(client, username)
    _end_login(request, session)
    request.session[LOGIN_KEY] = start_login_session(session, user=user)
    request.session["csrf"] = new_csrf_token()
    return RedirectResponse(_safe_next(next), status.HTTP_303_SEE_OTHER)


@router.post("/logout")
def logout(request: Request, session: SessionDep, csrf_token: CsrfField = ""):
    check_csrf(request, csrf_token)
    _end_login(request, session)
    return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)


def _end_login(request: Request, session: SessionDep) -> None:
    """End the cookie's login on the server (if any) and empty the cookie."""
    login_id = request.session.get(LOGIN_KEY)
    if isinstance(login_id, str) and login_id:
        end_login_session(session, login_id=login_id)
    request.session.clear()
