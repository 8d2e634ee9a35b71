"""Campaigns API: the list with filters, one campaign with its clusters, deciding a campaign once (one decision per
cluster, append-only), a later per-cluster override, and undo of the whole campaign decision."""

import io

import api_client
import networkx as nx
from api_client import bearer
from sqlmodel import Session, select

from smearwatch.models import Campaign, Cluster, Decision

client, world = api_client.client, api_client.world  # fixtures


def get(client, world, path, **params):
    response = client.get(path, headers=bearer(world["reviewer"]), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_fixture_smears_form_one_campaign_per_target(client, world):
    body = get(client, world, "/api/v1/campaigns")
    assert set(body) == {"data", "count"} and body["count"] == 3  # two smear targets, one organic cluster
    flagged = get(client, world, "/api/v1/campaigns", flagged="true")
    assert flagged["count"] == 2
    assert sorted(c["n_clusters"] for c in flagged["data"]) == [3, 4]
    assert {c["targets"][0]["name"] for c in flagged["data"]} == {"Ashyq Alan Legal Bureau", "Dauren Zhaksylykov"}
    assert get(client, world, "/api/v1/campaigns", target="Dauren Zhaksylykov")["count"] == 2  # + the organic one
    assert get(client, world, "/api/v1/campaigns", target="Dauren Zhaksylykov", flagged="true")["count"] == 1
    assert get(client, world, "/api/v1/campaigns", label="organic")["count"] == 1
    assert get(client, world, "/api/v1/campaigns", min_score=0.9)["count"] == 2  # best cluster 0.95 and 0.90
    assert get(client, world, "/api/v1/campaigns", since="2020-05-10T00:00:00Z")["count"] == 0
    assert get(client, world, "/api/v1/campaigns/progress") == {"reviewed": 0, "total": 2}


def test_one_campaign_in_full(client, world):
    first = get(client, world, "/api/v1/campaigns", flagged="true", sort="-n_clusters")["data"][0]
    detail = get(client, world, f"/api/v1/campaigns/{first['id']}")
    assert detail["n_clusters"] == 4 and len(detail["clusters"]) == 4
    assert all(c["campaign_id"] == first["id"] for c in detail["clusters"])
    assert "attacking Ashyq Alan Legal Bureau" in detail["summary"] and "4 clusters" in detail["summary"]
    assert detail["accounts"] and detail["accounts"][0]["posts"] >= 2
    assert detail["narratives"] and detail["narratives"][0]["posts"] >= 2
    assert client.get("/api/v1/campaigns/999999", headers=bearer(world["reviewer"])).status_code == 404
    assert client.get(f"/api/v1/campaigns/{first['id']}").status_code == 401


def test_deciding_a_campaign_decides_its_clusters_and_undo_withdraws_them_all(client, world, engine):
    reviewer = bearer(world["reviewer"])
    campaign = get(client, world, "/api/v1/campaigns", flagged="true", sort="-n_clusters")["data"][0]
    response = client.post(f"/api/v1/campaigns/{campaign['id']}/decisions", headers=reviewer,
                           json={"answer": "smear", "note": "one troll network"})
    assert response.status_code == 201, response.text
    assert len(response.json()["decisions"]) == 4
    detail = get(client, world, f"/api/v1/campaigns/{campaign['id']}")
    assert detail["answer"] == "smear" and detail["status"] == "reviewed"
    assert [c["answer"] for c in detail["clusters"]] == ["smear"] * 4
    assert get(client, world, "/api/v1/campaigns/progress") == {"reviewed": 1, "total": 2}

    # one cluster decided otherwise on its own: the override stands, the campaign decision too
    part = detail["clusters"][-1]["id"]
    assert client.post(f"/api/v1/clusters/{part}/decisions", headers=reviewer,
                       json={"answer": "organic"}).status_code == 201
    detail = get(client, world, f"/api/v1/campaigns/{campaign['id']}")
    assert [c["answer"] for c in detail["clusters"]] == ["smear"] * 3 + ["organic"]
    assert detail["answer"] == "smear"

    # backspace withdraws the latest decision: the override; then the whole campaign decision at once
    assert client.post("/api/v1/decisions/undo-last", headers=reviewer).json()["cluster_id"] == part
    undo = client.post("/api/v1/decisions/undo-last", headers=reviewer).json()
    assert undo["campaign_id"] == campaign["id"]
    detail = get(client, world, f"/api/v1/campaigns/{campaign['id']}")
    assert detail["answer"] is None and detail["status"] == "open"
    assert [c["answer"] for c in detail["clusters"]] == [None] * 4
    with Session(engine) as session:  # append-only: 4 decisions, 1 override, its undo, 4 undos
        rows = session.exec(select(Decision).order_by(Decision.id)).all()
        assert [d.answer for d in rows].count("undo") == 5 and len(rows) == 10
        assert session.exec(select(Campaign).where(Campaign.id == campaign["id"])).one().status == "open"
        assert all(c.status == "open" for c in session.exec(
            select(Cluster).where(Cluster.campaign_id == campaign["id"])))


def test_campaign_pages_and_the_no_javascript_decision(client, world):
    assert client.login("rita", world["reviewer"].password).status_code == 303
    home = client.get("/")
    assert home.status_code == 200 and "Campaign queue" in home.text and "0 of 2 reviewed" in home.text
    campaign = get(client, world, "/api/v1/campaigns", flagged="true")["data"][0]
    page = client.get(f"/campaigns/{campaign['id']}")
    assert page.status_code == 200 and "chart-campaign" in page.text and "Its clusters" in page.text
    response = client.post(f"/campaigns/{campaign['id']}/decide",
                           data={"answer": "coordinated", "note": "", "csrf_token": client.csrf()},
                           follow_redirects=False)
    assert response.status_code == 303
    assert get(client, world, f"/api/v1/campaigns/{campaign['id']}")["answer"] == "coordinated"
    assert client.get("/?order=coordinated").status_code == 200
    assert client.get("/?order=uncertainty", follow_redirects=False).headers["location"].startswith("/queue/clusters")
    assert "Cluster queue" in client.get("/queue/clusters").text


def test_campaign_network_downloads_one_node_per_account(client, world):
    campaign = get(client, world, "/api/v1/campaigns", flagged="true", sort="-n_clusters")["data"][0]
    for fmt, read in (("gexf", nx.read_gexf), ("graphml", nx.read_graphml)):
        response = client.get(f"/api/v1/campaigns/{campaign['id']}/network.{fmt}", headers=bearer(world["reviewer"]))
        assert response.status_code == 200, response.text
        assert f"campaign-{campaign['id']}-network.{fmt}" in response.headers["content-disposition"]
        graph = read(io.BytesIO(response.content))
        assert graph.number_of_nodes() == campaign["n_accounts"]
        assert {d["signal"] for _, _, d in graph.edges(data=True)}


def test_pages_of_flagged_and_unflagged_rows_link_their_queue_neighbours(client, world):
    """A flagged cluster or campaign links its neighbours in its queue; an unflagged one has none to link."""
    assert client.login("rita", world["reviewer"].password).status_code == 303
    for kind in ("clusters", "campaigns"):
        flagged = get(client, world, f"/api/v1/{kind}", flagged="true", sort="-score")["data"]
        unflagged = get(client, world, f"/api/v1/{kind}", flagged="false")["data"]
        assert len(flagged) >= 2 and unflagged, kind
        first = client.get(f"/{kind}/{flagged[0]['id']}")
        assert first.status_code == 200 and f'href="/{kind}/{flagged[1]["id"]}"' in first.text
        second = client.get(f"/{kind}/{flagged[1]['id']}")
        assert second.status_code == 200 and f'href="/{kind}/{flagged[0]["id"]}"' in second.text
        alone = client.get(f"/{kind}/{unflagged[0]['id']}")
        assert alone.status_code == 200, (kind, alone.text[-500:])
