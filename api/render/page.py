"""A review page: a Jinja2 template with what every page needs (the user, the CSRF token, the keyboard)."""

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.security import csrf_token
from api.shortcuts import ANSWER_LABELS, SHORTCUTS


def render_page(request: Request, template: str, user=None, status_code: int = 200, headers: dict | None = None,
                **context) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(
        request, template, {"user": user, "csrf": csrf_token(request), "shortcuts": SHORTCUTS,
                            "answer_labels": ANSWER_LABELS, **context}, status_code=status_code, headers=headers)
