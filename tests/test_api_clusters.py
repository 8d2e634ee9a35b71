"""Clusters API: filters, sort, paging, the cluster with its evidence, append-only decisions, exports, uploads."""

import csv
import io
import time
import zipfile

import api_client
import networkx as nx
from api_client import bearer
from sqlmodel import Session, select

from api.crud import evidence
from smearwatch.models import Decision

client, world = api_client.client, api_client.world  # fixtures


def get(client, world, path, **params):
    response = client.get(path, headers=bearer(world["reviewer"]), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_list_shape_and_filters(client, world):
    body = get(client, world, "/api/v1/clusters")
    assert set(body) == {"data", "count"} and body["count"] == 8
    first = body["data"][0]
    assert {"id", "score", "flagged", "kind", "n_posts", "n_accounts", "start", "end", "status", "targets",
            "signals", "answer"} <= set(first)
    scores = [c["score"] for c in body["data"]]
    assert scores == sorted(scores, reverse=True)
    assert get(client, world, "/api/v1/clusters", flagged="true")["count"] == 7
    assert get(client, world, "/api/v1/clusters", flagged="false")["count"] == 1
    assert get(client, world, "/api/v1/clusters", min_score=0.8)["count"] == 4
    assert get(client, world, "/api/v1/clusters", max_score=0.7, min_score=0.6)["count"] == 3
    assert get(client, world, "/api/v1/clusters", kind="smear")["count"] == 4
    assert get(client, world, "/api/v1/clusters", platform="vk")["count"] == 3
    assert get(client, world, "/api/v1/clusters", target="Dauren Zhaksylykov")["count"] == 4
    assert get(client, world, "/api/v1/clusters", target="nobody")["count"] == 0
    assert get(client, world, "/api/v1/clusters", since="2020-04-29T12:00:00Z")["count"] == 3
    assert get(client, world, "/api/v1/clusters", until="2020-04-28T13:00:00")["count"] == 2  # naive is UTC
    assert get(client, world, "/api/v1/clusters", status="reviewed")["count"] == 0
    ascending = get(client, world, "/api/v1/clusters", sort="score", limit=3, offset=1)
    assert [c["score"] for c in ascending["data"]] == [0.65, 0.7, 0.75] and ascending["count"] == 8
    bad = client.get("/api/v1/clusters", headers=bearer(world["reviewer"]), params={"limit": 0})
    assert bad.status_code == 422


def test_cluster_detail(client, world):
    cid = world["clusters"][0]
    body = get(client, world, f"/api/v1/clusters/{cid}")
    assert body["id"] == cid and len(body["posts"]) == body["n_posts"] == 12
    assert len(body["accounts"]) == 6 and body["accounts"][0]["created_at"]
    assert {e["signal"] for e in body["evidence"]} <= {"co_repost", "near_duplicate", "co_link", "co_hashtag",
                                                      "co_reply", "burst"}
    assert body["network"]["nodes"] and body["network"]["links"]
    assert sum(b["cluster"] for b in body["timeline"]["buckets"]) == 12
    assert all(b["background"] >= b["cluster"] for b in body["timeline"]["buckets"])
    sentences = {s["key"]: s["sentence"] for s in body["signals_explained"]}
    assert "40 pairs" in sentences["near_duplicate"] and "70%" in sentences["account_creation"]
    assert body["links"][0][0] == "https://example.kz/a0"
    assert client.get("/api/v1/clusters/999999", headers=bearer(world["reviewer"])).status_code == 404


def test_decisions_are_append_only_with_undo(client, world, engine):
    cid = world["clusters"][1]
    headers = bearer(world["reviewer"])
    first = client.post(f"/api/v1/clusters/{cid}/decisions", headers=headers, json={"answer": "smear", "note": "copy"})
    assert first.status_code == 201 and first.json()["user"] == "rita"
    second = client.post(f"/api/v1/clusters/{cid}/decisions", headers=headers, json={"answer": "organic"})
    assert get(client, world, "/api/v1/clusters", status="reviewed")["count"] == 1
    assert get(client, world, f"/api/v1/clusters/{cid}")["answer"] == "organic"
    undo = client.post("/api/v1/decisions/undo-last", headers=headers)
    assert undo.status_code == 201 and undo.json()["undoes"] == second.json()["id"]
    assert get(client, world, f"/api/v1/clusters/{cid}")["answer"] == "smear"  # the earlier decision is back
    assert client.post(f"/api/v1/decisions/{second.json()['id']}/undo", headers=headers).status_code == 409
    assert client.post(f"/api/v1/decisions/{undo.json()['id']}/undo", headers=headers).status_code == 409
    client.post(f"/api/v1/decisions/{first.json()['id']}/undo", headers=headers)
    detail = get(client, world, f"/api/v1/clusters/{cid}")
    assert detail["answer"] is None and detail["status"] == "open"
    history = get(client, world, f"/api/v1/clusters/{cid}/decisions")
    assert [d["answer"] for d in history["data"]] == ["smear", "organic", "undo", "undo"]
    assert all(d["created_at"] and d["user"] == "rita" for d in history["data"])
    with Session(engine) as session:
        assert len(session.exec(select(Decision)).all()) == 4  # nothing was overwritten or deleted
    bad = client.post(f"/api/v1/clusters/{cid}/decisions", headers=headers, json={"answer": "maybe"})
    assert bad.status_code == 422
    assert client.post("/api/v1/decisions/undo-last", headers=bearer(world["admin"])).status_code == 404


def test_queue_page_progress(client, world):
    client.login("rita", world["reviewer"].password)
    headers = {"X-CSRF-Token": client.csrf()}
    for cid in world["clusters"][:3]:
        client.post(f"/api/v1/clusters/{cid}/decisions", headers=headers, json={"answer": "smear"})
    page = client.get("/queue/clusters")
    assert "3 of 7 reviewed" in page.text
    assert page.text.count('class="cluster-row"') == 7
    cluster = client.get(f"/clusters/{world['clusters'][0]}")
    assert cluster.status_code == 200
    for needle in ('class="chart chart-timeline"', 'class="chart chart-network"', 'class="chart chart-histogram"',
                   "<mark>", "Near-duplicate text", "Dauren Zhaksylykov" if False else "Targets", "#stopbureau0",
                   "rita", "coordinated smear"):
        assert needle in cluster.text, needle
    assert ' style="' not in cluster.text and "<script>" not in cluster.text


def test_exports(client, world):
    cid = world["clusters"][0]
    headers = bearer(world["reviewer"])
    client.post(f"/api/v1/clusters/{cid}/decisions", headers=headers, json={"answer": "smear", "note": "evidence"})
    report = client.get(f"/api/v1/clusters/{cid}/export", headers=headers, params={"format": "html"})
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    html = report.text
    assert "<svg" in html and "net-node" in html and "bar-cluster" in html
    assert 'src="http' not in html and "<script" not in html and "<link" not in html
    bundle = client.get(f"/api/v1/clusters/{cid}/export", headers=headers)
    archive = zipfile.ZipFile(io.BytesIO(bundle.content))
    assert {"manifest.json", "clusters.json", "clusters.csv", "posts.csv", "accounts.csv", "evidence.csv",
            "decisions.csv", "report.html"} <= set(archive.namelist())
    posts = list(csv.DictReader(io.StringIO(archive.read("posts.csv").decode())))
    assert len(posts) == 12
    decisions = list(csv.DictReader(io.StringIO(archive.read("decisions.csv").decode())))
    assert decisions[0]["note"] == "evidence" and decisions[0]["user"] == "rita"
    many = client.get("/api/v1/export", headers=headers, params={"flagged": "true", "format": "zip"})
    clusters = list(csv.DictReader(io.StringIO(zipfile.ZipFile(io.BytesIO(many.content)).read("clusters.csv").decode())))
    assert len(clusters) == 7


def test_network_files(client, world):
    """The cluster's account network for Gephi: one node per account, named, with its edges' signals."""
    cid = world["clusters"][0]
    detail = get(client, world, f"/api/v1/clusters/{cid}")
    readers = {"gexf": (nx.read_gexf, "application/gexf+xml"), "graphml": (nx.read_graphml, "application/graphml+xml")}
    for fmt, (read, media_type) in readers.items():
        answer = client.get(f"/api/v1/clusters/{cid}/network.{fmt}", headers=bearer(world["reviewer"]))
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith(media_type)
        assert answer.headers["content-disposition"] == f'attachment; filename="smearwatch-cluster-{cid}-network.{fmt}"'
        graph = read(io.BytesIO(answer.content))
        accounts = {f"{a['platform']}:{a['account_id']}": a for a in detail["accounts"]}
        assert set(graph.nodes) == set(accounts) and graph.number_of_nodes() == detail["n_accounts"]
        for node, data in graph.nodes(data=True):
            assert data["name"] == accounts[node]["name"] and data["posts"] == accounts[node]["posts_in_cluster"]
        signals = {data["signal"] for _, _, data in graph.edges(data=True)}
        assert signals == {link["signal"] for link in detail["network"]["links"]}
        assert all(data["weight"] >= 1 and data["first"] <= data["last"] for _, _, data in graph.edges(data=True))
        assert client.get(f"/api/v1/clusters/{cid}/network.{fmt}").status_code == 401
        assert client.get(f"/api/v1/clusters/999999/network.{fmt}",
                          headers=bearer(world["reviewer"])).status_code == 404
    client.login("rita", world["reviewer"].password)  # the cluster page's links: the login session is enough
    assert client.get(f"/api/v1/clusters/{cid}/network.gexf").status_code == 200


def test_network_of_a_big_cluster_is_read_whole(client, world, monkeypatch):
    """Past the evidence rows a page lists, the chart's network is read from all of them: the same graph."""
    cid = world["clusters"][2]
    listed = get(client, world, f"/api/v1/clusters/{cid}")["network"]
    monkeypatch.setattr(evidence, "EVIDENCE_SHOWN", 3)  # the cluster has more rows than that: read them all
    whole = get(client, world, f"/api/v1/clusters/{cid}")["network"]
    assert whole == listed and len(whole["nodes"]) == 8


def test_upload_becomes_an_ingest_run(client, world, tmp_path):
    headers = bearer(world["reviewer"])
    dump = b"".join(
        b'{"id": "u%d", "author_id": "a%d", "text": "uploaded", "created_at": "2020-04-30T10:00:00Z"}\n' % (i, i % 3)
        for i in range(25)
    ) + b"not json\n"
    response = client.post("/api/v1/uploads", headers=headers, params={"filename": "../../evil.jsonl"}, content=dump)
    assert response.status_code == 202, response.text
    body = response.json()
    assert "/" not in body["upload"] and body["upload"].endswith("evil.jsonl") and body["bytes"] == len(dump)
    assert (tmp_path / "uploads" / body["upload"]).exists()
    for _ in range(600):  # stored, then scored, in the background
        run = get(client, world, f"/api/v1/runs/{body['run_id']}")
        if run["status"] == "failed" or run["scored_at"]:
            break
        time.sleep(0.05)
    assert run["status"] == "done" and run["stored"] == 25 and run["rejected"] == 1 and run["progress"] == 1.0
    assert run["rejections"][0]["line"] == 26
    assert get(client, world, "/api/v1/posts", q="uploaded")["count"] == 25
    assert get(client, world, "/api/v1/runs")["data"][0]["id"] == body["run_id"]


def test_upload_limits(client, world):
    world["app"].state.settings = world["app"].state.settings.model_copy(update={"upload_max_bytes": 100})
    headers = bearer(world["reviewer"])
    too_big = client.post("/api/v1/uploads", headers=headers, content=b"x" * 101)
    assert too_big.status_code == 413
    streamed = client.post("/api/v1/uploads", headers=headers, content=iter([b"x" * 60, b"y" * 60]))
    assert streamed.status_code == 413
    assert client.post("/api/v1/uploads", headers=headers, content=b"").status_code == 400
    pickle = client.post("/api/v1/uploads", headers=headers, params={"filename": "model.pkl"},
                         content=b"\x80\x04\x95\x00")
    assert pickle.status_code == 400


def test_search_and_models(client, world):
    posts = get(client, world, "/api/v1/posts", q="WESTERN donors")
    assert posts["count"] > 0 and all("western" in p["text"] for p in posts["data"])
    assert get(client, world, "/api/v1/posts", author="c0a1")["count"] == 2
    assert get(client, world, "/api/v1/posts", q="100%_")["count"] == 0
    assert get(client, world, "/api/v1/accounts", q="patriot_0")["count"] == 6
    models = client.get("/api/v1/models", headers=bearer(world["reviewer"])).json()
    assert models[0]["metrics"]["roc_auc"] == 0.93
    client.login("rita", world["reviewer"].password)
    assert "roc_auc" in client.get("/models").text
    assert "western donors" in client.get("/search", params={"q": "western"}).text
