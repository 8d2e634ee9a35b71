"""The FastAPI application: JSON API under /api/v1, the review UI, sessions, security headers.

`create_app()` is the factory `smearwatch serve` and uvicorn use (`uvicorn --factory api.main:create_app`).
"""

import gc
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine
from starlette.datastructures import MutableHeaders
from starlette.middleware.sessions import SessionMiddleware

from api.deps import ApiUser, LoginRequired
from api.render.formats import minute, target_names
from api.render.links import account_url, post_url
from api.render.page import render_page
from api.routes import ROUTERS
from api.schemas import NO_NUL
from api.security import LoginLimiter
from api.view_preparer import ViewPreparer
from smearwatch import __version__
from smearwatch.db import get_engine
from smearwatch.settings import Settings, get_settings

HERE = Path(__file__).parent
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
SESSION_HOURS = 12
NO_STORE_PREFIXES = ("/api/", "/clusters", "/login")


class SecurityHeaders:
    """Adds the security headers to every answer, and `no-store` to pages and API answers.

    Plain ASGI: `@app.middleware("http")` runs each request through extra tasks and streams. It wraps the whole
    middleware stack (`App`), so the 500 of an unhandled exception carries the headers too.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        no_store = path == "/" or path.startswith(NO_STORE_PREFIXES)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if no_store:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class App(FastAPI):
    """FastAPI with SecurityHeaders outside everything, Starlette's error middleware included: middleware added
    with `add_middleware` runs inside that one, which answers unhandled exceptions itself."""

    def build_middleware_stack(self):
        return SecurityHeaders(super().build_middleware_stack())


def _error_messages(exc: RequestValidationError) -> str:
    """The validation errors in one line, for a page: which parameter, what is wrong, in words."""
    return "; ".join(f"{'.'.join(str(part) for part in error.get('loc', ())[1:]) or 'request'}: {_in_words(error)}"
                     for error in exc.errors())


def _in_words(error: dict) -> str:
    if error.get("type") == "string_pattern_mismatch" and (error.get("ctx") or {}).get("pattern") == NO_NUL:
        return "must not contain a NUL character"
    return str(error.get("msg"))


def create_app(engine: Engine | None = None, *, settings: Settings | None = None,
               upload_dir: Path | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Few threads per process: many threads taking turns on one interpreter slow every request down.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.api_threads
        # Objects made at start-up live as long as the process: keep them out of every garbage collection.
        gc.collect()
        gc.freeze()
        preparer = ViewPreparer(app.state.engine, app.state.templates.env) if settings.prepare_pages else None
        if preparer is not None:
            preparer.start()
        yield
        if preparer is not None:
            preparer.stop()
        gc.unfreeze()

    app = App(
        lifespan=lifespan,
        title="smearwatch", version=__version__, openapi_url=None, docs_url=None, redoc_url=None,
        description="Flagged clusters of coordinated posts, their evidence, and reviewers' decisions. "
                    "Send `Authorization: Bearer <token>` (from `smearwatch users add`).",
    )
    app.state.engine = engine or get_engine()
    app.state.read_engine = app.state.engine.execution_options(isolation_level="AUTOCOMMIT")
    app.state.settings = settings
    app.state.upload_dir = Path(upload_dir or "var/uploads")
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.state.templates.env.auto_reload = False  # templates are compiled once, not stat()ed on every render
    app.state.templates.env.globals.update(account_url=account_url, post_url=post_url)
    app.state.templates.env.filters.update(target_names=target_names, minute=minute)
    app.state.login_limiter = LoginLimiter()

    # Outside development the cookie is `Secure`: browsers send it over HTTPS only.
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie="smearwatch_session",
                       max_age=SESSION_HOURS * 3600, same_site="strict",
                       https_only=settings.environment != "development")

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired):
        return RedirectResponse(f"/login?next={exc.next_url}", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith("/api/") or request.headers.get("HX-Request"):
            return await http_exception_handler(request, exc)
        return render_page(request, "error.html", status_code=exc.status_code, code=exc.status_code,
                           detail=exc.detail, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        if request.url.path.startswith("/api/"):
            return await request_validation_exception_handler(request, exc)
        # htmx swaps a 422 into the part of the page it asked for (base.html): one line, in place
        template = "_error_line.html" if request.headers.get("HX-Request") else "error.html"
        return render_page(request, template, status_code=422, code=422, detail=_error_messages(exc),
                           retry=request.url.path if request.method == "GET" else None)

    @app.get("/api/v1/openapi.json", include_in_schema=False)
    def openapi(user: ApiUser) -> dict:
        return app.openapi()

    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
