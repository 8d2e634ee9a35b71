"""Clusters: filtered lists, the review queue's progress, one cluster with all its evidence."""

import orjson
from fastapi import APIRouter, Response

from api import schemas
from api.crud import clusters as crud
from api.crud.queue import queue_progress
from api.deps import API_V1, ApiUser, ClusterDep, FiltersDep, Limit, Offset, SessionDep
from api.render.detail import build_detail, public

router = APIRouter(prefix=API_V1, tags=["clusters"])


def json_answer(payload: dict) -> Response:
    """JSON straight from plain values: a hot list need not be validated again against its response model."""
    return Response(orjson.dumps(payload, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC),
                    media_type="application/json")


@router.get("/clusters", response_model=schemas.ClusterList,
            responses=schemas.cluster_links(200, "$response.body#/data/0/id"))
def list_clusters(session: SessionDep, user: ApiUser, filters: FiltersDep, limit: Limit = 50, offset: Offset = 0) -> dict:
    rows, count = crud.list_clusters(session, filters=filters, limit=limit, offset=offset)
    return json_answer({"data": [row._asdict() for row in rows], "count": count})


@router.get("/clusters/progress", response_model=schemas.Progress, summary="how many flagged clusters are reviewed")
def progress(session: SessionDep, user: ApiUser) -> dict:
    return queue_progress(session)


@router.get("/clusters/{cluster_id}", response_model=schemas.ClusterDetail, responses=schemas.NOT_FOUND,
            summary="one cluster with its posts, accounts, signals, evidence edges, timeline and decisions")
def get_cluster_detail(session: SessionDep, user: ApiUser, cluster: ClusterDep) -> dict:
    return public(build_detail(session, cluster=cluster))
