"""Evidence exports: a zip bundle (JSON + CSV + report) or a self-contained HTML report, one cluster or a set."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from api import schemas
from api.crud.clusters import clusters_by_id, list_clusters
from api.deps import API_V1, ApiUser, ClusterDep, FiltersDep, SessionDep
from api.render import exports
from smearwatch.models import Cluster

router = APIRouter(prefix=API_V1, tags=["exports"])
EXPORT_MAX_CLUSTERS = 200
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
ExportFormat = Literal["zip", "html"]
EXPORT_RESPONSES = {200: {"content": {"application/zip": {}, "text/html": {}},
                          "description": "a zip bundle (JSON + CSV + report) or a self-contained HTML report"},
                    **schemas.NOT_FOUND}


def export_response(request: Request, session: Session, clusters: list[Cluster], fmt: str, name: str,
                    scope: str | None = None) -> Response:
    env = request.app.state.templates.env
    if fmt == "html":
        return HTMLResponse(exports.report(session, clusters, env, scope), headers={
            "Content-Disposition": f'attachment; filename="{name}.html"', "Content-Security-Policy": REPORT_CSP})
    return Response(exports.bundle(session, clusters, env), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}.zip"'})


@router.get("/clusters/{cluster_id}/export", responses=EXPORT_RESPONSES, response_class=Response,
            summary="evidence for one cluster: zip bundle or HTML report")
def export_cluster(request: Request, session: SessionDep, user: ApiUser, cluster: ClusterDep,
                   format: ExportFormat = "zip") -> Response:
    return export_response(request, session, [cluster], format, f"smearwatch-cluster-{cluster.id}")


@router.get("/export", responses=EXPORT_RESPONSES, response_class=Response,
            summary=f"evidence for a filtered set of clusters (at most {EXPORT_MAX_CLUSTERS})")
def export_set(request: Request, session: SessionDep, user: ApiUser, filters: FiltersDep,
               format: ExportFormat = "zip", limit: Annotated[int, Query(ge=1, le=EXPORT_MAX_CLUSTERS)] = 50
               ) -> Response:
    rows, _ = list_clusters(session, filters=filters, limit=limit, offset=0)
    # the cover says how the set was chosen: the filters as asked, without the output format
    scope = ", ".join(f"{k}={v}" for k, v in request.query_params.multi_items() if k != "format" and v) or "all"
    return export_response(request, session, clusters_by_id(session, ids=[row.id for row in rows]), format,
                           "smearwatch-clusters", scope)

