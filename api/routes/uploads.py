"""Uploads of dumps (each becomes an ingest run) and the runs with their progress.

A refused upload (too large, empty, unreadable or of no known format) leaves nothing on disk, and no answer shows
where the app keeps its files: only the uploaded file's own name.
"""

from pathlib import PurePosixPath
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool

from api import schemas
from api.crud.runs import list_runs, run_rejections
from api.deps import API_V1, ApiUser, Limit, Offset, RunDep, SessionDep, text_query
from api.render.paths import hide_paths
from api.render.rows import rejection_out, run_out
from api.uploads import UploadEmpty, UploadTooLarge, save_stream
from worker import service

router = APIRouter(prefix=API_V1, tags=["uploads"])


@router.post("/uploads", response_model=schemas.UploadOut, status_code=202,
             responses={400: {"model": schemas.Problem}, 413: {"model": schemas.Problem},
                        **schemas.run_link(202, "$response.body#/run_id")},
             summary="upload a dump as the raw request body; it becomes an ingest run",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
async def upload(request: Request, user: ApiUser,
                 filename: Annotated[str, text_query(200, min_length=1)] = "upload") -> dict:
    limit = request.app.state.settings.upload_max_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"upload larger than the limit of {limit} bytes")
    try:
        path, size = await save_stream(request.stream(), folder=request.app.state.upload_dir, filename=filename,
                                       max_bytes=limit)
    except UploadTooLarge as error:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, str(error)) from None
    except UploadEmpty as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from None
    try:
        started = await run_in_threadpool(service.start_ingest, request.app.state.engine, [path], background=True)
    except service.ServiceError as error:
        path.unlink(missing_ok=True)
        name = PurePosixPath(filename).name or "upload"
        message = hide_paths(str(error), {str(path.resolve()): name, str(path): name})
        raise HTTPException(status.HTTP_400_BAD_REQUEST,
                            message if message.startswith(name) else f"{name}: {message}") from None
    return {"upload": path.name, "bytes": size, "run_id": started["run"]}


@router.get("/runs", response_model=schemas.RunList, summary="ingest runs and their progress",
            responses=schemas.run_link(200, "$response.body#/data/0/id"))
def runs(session: SessionDep, user: ApiUser, limit: Limit = 20, offset: Offset = 0) -> dict:
    rows, count = list_runs(session, limit=limit, offset=offset)
    return {"data": [run_out(r) for r in rows], "count": count}


@router.get("/runs/{run_id}", response_model=schemas.RunDetail, responses=schemas.NOT_FOUND)
def run(session: SessionDep, user: ApiUser, found: RunDep) -> dict:
    return {**run_out(found), "rejections": [rejection_out(r) for r in run_rejections(session, run_id=found.id)]}
