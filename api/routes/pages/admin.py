"""Admin pages: users (create one; its password and token are shown once) and watched feeds."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.crud.feeds import feed_rows
from api.deps import CsrfField, PageAdmin, SessionDep, check_csrf, text_form
from api.render.page import render_page
from smearwatch.users import UserError, create_user, list_users

router = APIRouter(include_in_schema=False)


@router.get("/admin/users", response_class=HTMLResponse)
def admin_users(request: Request, session: SessionDep, user: PageAdmin):
    return render_page(request, "admin_users.html", user, users=list_users(session), created=None, error=None)


@router.post("/admin/users", response_class=HTMLResponse)
def admin_add_user(request: Request, session: SessionDep, user: PageAdmin,
                   username: Annotated[str, text_form(100)], role: Annotated[str, text_form(20)] = "reviewer",
                   csrf_token: CsrfField = ""):
    check_csrf(request, csrf_token)
    created, error = None, None
    try:
        created = create_user(session, username=username, role=role)
    except UserError as e:
        error = str(e)
    return render_page(request, "admin_users.html", user, users=list_users(session), created=created, error=error,
                       status_code=201 if created else 400)


@router.get("/admin/feeds", response_class=HTMLResponse)
def admin_feeds(request: Request, session: SessionDep, user: PageAdmin):
    return render_page(request, "admin_feeds.html", user, feeds=feed_rows(session))
