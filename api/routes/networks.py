"""The account network of a cluster or a campaign as a file for Gephi and other graph tools: GEXF 1.3 or GraphML."""

from collections.abc import Sequence

from fastapi import APIRouter, Response
from sqlmodel import Session

from api import schemas
from api.crud.campaigns import campaign_clusters
from api.deps import API_V1, ApiUser, CampaignDep, ClusterDep, SessionDep
from smearwatch.account_network import account_network
from smearwatch.network_files import FORMATS, write

router = APIRouter(prefix=API_V1, tags=["exports"])


def _responses(fmt: str) -> dict:
    return {200: {"content": {FORMATS[fmt][1]: {}},
                  "description": f"the account network as {fmt.upper()}: one node per account, one edge per pair "
                                 "of accounts and signal (weight, first and last co-action in UTC)"},
            **schemas.NOT_FOUND}


def network_response(session: Session, cluster_ids: Sequence[int], fmt: str, name: str) -> Response:
    """The network of these clusters as a download; also for a campaign (its clusters' ids)."""
    _, media_type, suffix = FORMATS[fmt]
    return Response(write(account_network(session, cluster_ids), fmt), media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{suffix}"'})


@router.get("/clusters/{cluster_id}/network.gexf", responses=_responses("gexf"), response_class=Response,
            summary="the cluster's account network as GEXF 1.3 (Gephi)")
def cluster_network_gexf(session: SessionDep, user: ApiUser, cluster: ClusterDep) -> Response:
    return network_response(session, [cluster.id], "gexf", f"smearwatch-cluster-{cluster.id}-network")


@router.get("/clusters/{cluster_id}/network.graphml", responses=_responses("graphml"), response_class=Response,
            summary="the cluster's account network as GraphML")
def cluster_network_graphml(session: SessionDep, user: ApiUser, cluster: ClusterDep) -> Response:
    return network_response(session, [cluster.id], "graphml", f"smearwatch-cluster-{cluster.id}-network")


@router.get("/campaigns/{campaign_id}/network.gexf", responses=_responses("gexf"), response_class=Response,
            summary="the campaign's account network (all its clusters) as GEXF 1.3 (Gephi)")
def campaign_network_gexf(session: SessionDep, user: ApiUser, campaign: CampaignDep) -> Response:
    ids = [c.id for c in campaign_clusters(session, campaign_id=campaign.id)]
    return network_response(session, ids, "gexf", f"smearwatch-campaign-{campaign.id}-network")


@router.get("/campaigns/{campaign_id}/network.graphml", responses=_responses("graphml"), response_class=Response,
            summary="the campaign's account network (all its clusters) as GraphML")
def campaign_network_graphml(session: SessionDep, user: ApiUser, campaign: CampaignDep) -> Response:
    ids = [c.id for c in campaign_clusters(session, campaign_id=campaign.id)]
    return network_response(session, ids, "graphml", f"smearwatch-campaign-{campaign.id}-network")
