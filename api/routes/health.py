"""GET /api/v1/health: the one route open without a login."""

from fastapi import APIRouter, Request
from sqlalchemy import text

from api import schemas
from api.deps import API_V1

router = APIRouter(prefix=API_V1, tags=["health"])


@router.get("/health", response_model=schemas.Health, summary="liveness and database check")
def health(request: Request) -> dict:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # the answer is the check
        database = "unavailable"
    return {"status": "ok" if database == "ok" else "degraded", "database": database}
