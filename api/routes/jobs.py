"""Background jobs (retrain, rescore, `score --queue` runs) with their progress."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api import schemas
from api.deps import API_V1, ApiUser, JobDep, Limit, Offset, SessionDep
from smearwatch.jobs import list_jobs

router = APIRouter(prefix=API_V1, tags=["jobs"])


@router.get("/jobs", response_model=schemas.JobList, summary="background jobs, newest first",
            responses=schemas.job_link(200, "$response.body#/data/0/id"))
def jobs(session: SessionDep, user: ApiUser, kind: Literal["retrain", "judge", "rescore", "score"] | None = None,
         status_: Annotated[Literal["queued", "running", "done", "failed"] | None, Query(alias="status")] = None,
         limit: Limit = 20, offset: Offset = 0) -> dict:
    rows, count = list_jobs(session.connection(), kind=kind, status=status_, limit=limit, offset=offset)
    return {"data": rows, "count": count}


@router.get("/jobs/{job_id}", response_model=schemas.JobOut, responses=schemas.NOT_FOUND,
            summary="one background job with its progress (0-1), message and result")
def job(user: ApiUser, found: JobDep):
    return found
