"""Uploads of dumps (each becomes an ingest run) and the runs with their progress.

A refused upload (too large, empty, unreadable or of no known format) leaves nothing on disk, and no answer shows
where the app keeps its files: only the uploaded file's own name.
"""

from pathlib import PurePosixPath
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import StringConstraints

from api import schemas
from api.crud.runs import list_runs
from api.deps import API_V1, ApiUser, Limit, Offset, RunDep, SessionDep, text_query
from api.render.paths import hide_paths
from api.render.rows import run_out
from api.upload_mapping import MappingError, UploadFormat, parse_mapping, upload_message
from api.uploads import UploadEmpty, UploadTooLarge, save_stream
from smearwatch import run_report
from worker import service

MappingItem = Annotated[str, StringConstraints(max_length=400, pattern=schemas.NO_NUL)]
router = APIRouter(prefix=API_V1, tags=["uploads"])
PROBE_BYTES = 65536


@router.post("/uploads", response_model=schemas.UploadOut, status_code=202,
             responses={400: {"model": schemas.UploadProblem}, 413: {"model": schemas.Problem},
                        **schemas.run_link(202, "$response.body#/run_id")},
             summary="upload a dump as the raw request body; it becomes an ingest run",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
async def upload(request: Request, user: ApiUser,
                 filename: Annotated[str, text_query(200, min_length=1)] = "upload",
                 format: Annotated[UploadFormat, Query(description="the dump's format; auto: detected")] = "auto",
                 map: Annotated[list[MappingItem] | None, Query(
                     description="CSV column mapping, field=column (format csv is implied)")] = None) -> dict:
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
    name = PurePosixPath(filename).name or "upload"
    try:
        mapping = parse_mapping(map or [], service.file_columns(path), name) if map or format == "csv" else None
        fmt = "csv" if map else (None if format == "auto" else format)
        started = await run_in_threadpool(service.start_ingest, request.app.state.engine, [path], fmt=fmt,
                                          options=service.ReadOptions(mapping=mapping), background=True)
    except service.UnknownFormat:
        # The picker and the column form on the upload page answer this, so say so (no CLI advice, no path).
        columns = service.file_columns(path)
        path.unlink(missing_ok=True)
        return JSONResponse(status_code=400, content={
            "detail": f"{name}: unknown format: no supported format recognises this file. Choose its format"
                      + (", or map its columns to the fields." if columns else "."),
            "columns": columns, "fields": list(service.FIELDS)})
    except (service.ServiceError, MappingError) as error:
        path.unlink(missing_ok=True)
        message = upload_message(hide_paths(str(error), {str(path.resolve()): name, str(path): name}))
        raise HTTPException(status.HTTP_400_BAD_REQUEST,
                            message if message.startswith(name) else f"{name}: {message}") from None
    return {"upload": path.name, "bytes": size, "run_id": started["run"]}


@router.post("/uploads/probe", response_model=schemas.ProbeOut, responses={400: {"model": schemas.Problem}},
             summary="the format and CSV columns of a dump from its first 64 KB (the raw request body)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
async def probe(request: Request, user: ApiUser,
                filename: Annotated[str, text_query(200, min_length=1)] = "upload") -> dict:
    # Asked before a whole file is sent, so the page shows the column form instead of sending it in vain.
    name = PurePosixPath(filename).name or "upload"
    try:
        path, _ = await save_stream(request.stream(), folder=request.app.state.upload_dir / "probes",
                                    filename=filename, max_bytes=PROBE_BYTES)
    except UploadTooLarge:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"send at most {PROBE_BYTES} bytes") from None
    except UploadEmpty as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"{name}: {error}") from None
    try:
        return await run_in_threadpool(service.probe_file, path)
    except service.ServiceError as error:
        message = upload_message(hide_paths(str(error), {str(path.resolve()): name, str(path): name}))
        raise HTTPException(status.HTTP_400_BAD_REQUEST,
                            message if message.startswith(name) else f"{name}: {message}") from None
    finally:
        path.unlink(missing_ok=True)


@router.get("/runs", response_model=schemas.RunList, summary="ingest runs and their progress",
            responses=schemas.run_link(200, "$response.body#/data/0/id"))
def runs(session: SessionDep, user: ApiUser, limit: Limit = 20, offset: Offset = 0) -> dict:
    rows, count = list_runs(session, limit=limit, offset=offset)
    return {"data": [run_out(r) for r in rows], "count": count}


@router.get("/runs/{run_id}", response_model=schemas.RunDetail, responses=schemas.NOT_FOUND,
            summary="a run: its files, counts, first rejected records and the clusters holding its posts")
def run(request: Request, user: ApiUser, found: RunDep) -> dict:
    engine = request.app.state.engine
    summary = run_report.get_run(engine, found.id)
    rejections, _ = run_report.run_rejections(engine, found.id, limit=50)
    return {**run_out(found), "files": summary["files"], "rejected_kept": summary["rejected_kept"],
            "rejections": rejections, "clusters": run_report.run_clusters(engine, found.id)}


@router.get("/runs/{run_id}/rejected", response_model=schemas.RejectionList, responses=schemas.NOT_FOUND,
            summary="a run's rejected records (FILE:LINE: reason), paged; the first 10,000 of a run are kept")
def rejected(request: Request, user: ApiUser, found: RunDep, limit: Limit = 20, offset: Offset = 0) -> dict:
    rows, kept = run_report.run_rejections(request.app.state.engine, found.id, limit=limit, offset=offset)
    return {"data": rows, "count": kept, "rejected": found.rejected}
