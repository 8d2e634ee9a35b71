"""Log in (rate-limited per client and per username) and out."""

from typing import Annotated

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import CsrfField, SessionDep, check_csrf, session_user, text_form, text_query
from api.render.page import render_page
from api.security import LoginLimiter, new_csrf_token
from smearwatch.users import authenticate

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
    request.session.clear()
    request.session["uid"] = user.id
    request.session["csrf"] = new_csrf_token()
    return RedirectResponse(_safe_next(next), status.HTTP_303_SEE_OTHER)


@router.post("/logout")
def logout(request: Request, csrf_token: CsrfField = ""):
    check_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
