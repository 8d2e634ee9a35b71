"""Every decision, newest first."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.crud.decisions import list_decisions
from api.deps import PageNumber, PageUser, SessionDep
from api.render.page import render_page

router = APIRouter(include_in_schema=False)


@router.get("/decisions", response_class=HTMLResponse)
def decisions_page(request: Request, session: SessionDep, user: PageUser, page: PageNumber = 1):
    rows, count = list_decisions(session, limit=100, offset=(page - 1) * 100)
    return render_page(request, "decisions.html", user, rows=rows, count=count, page=page,
                       pages=max(1, -(-count // 100)))
