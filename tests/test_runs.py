"""Uploads and runs in words: the format picker and column mapping, the run page and API with rejected records
(FILE:LINE: reason), failed runs, the cap on kept rejections, and `smearwatch runs list|show`."""

import json
import time
from datetime import UTC, datetime

import api_client
import pytest
from api_client import bearer
from sqlalchemy import select, update

import api.routes.pages.uploads
from devsupport.commands import call_cli
from smearwatch import store
from smearwatch.models import ClusterMember, IngestRun, Post, RejectedRecord
from smearwatch.run_report import file_name, without_paths
from smearwatch.store import add_rejected

GOOD = '{"id": "r%d", "author_id": "a%d", "text": "run words", "created_at": "2020-04-30T10:00:00Z"}\n'
DUMP = (GOOD % (1, 1) + "not json\n" + GOOD % (2, 2) + '{"id": "r3"}\n').encode()
client, world = api_client.client, api_client.world  # fixtures

MAPPED_CSV = (b"post,user,body,when,extra\n"
              b"m1,u1,hello mapped,2020-04-30T10:00:00Z,x\n"
              b"m2,u2,hello again,2020-04-30T10:05:00Z,y\n")


def wait_for_run(client, headers, run_id: int) -> dict:
    for _ in range(1200):
        run = client.get(f"/api/v1/runs/{run_id}", headers=headers).json()
        if run["status"] in ("done", "failed"):
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish: {run}")


def test_run_page_and_api_list_rejected_records_as_file_line_reason(client, world):
    headers = bearer(world["reviewer"])
    answer = client.post("/api/v1/uploads", headers=headers, params={"filename": "mine.jsonl"}, content=DUMP)
    assert answer.status_code == 202, answer.text
    run_id = answer.json()["run_id"]
    run = wait_for_run(client, headers, run_id)
    assert run["status"] == "done" and run["files"] == ["mine.jsonl"]
    assert (run["stored"], run["rejected"], run["rejected_kept"]) == (2, 2, 2)
    assert [r["line"] for r in run["rejections"]] == [2, 4]

    page = client.get(f"/api/v1/runs/{run_id}/rejected", headers=headers, params={"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and page["rejected"] == 2 and len(page["data"]) == 1
    second = page["data"][0]
    assert second["source"] == "mine.jsonl" and second["line"] == 4
    assert second["text"] == f"mine.jsonl:4: {second['reason']}" and "author_id" in second["reason"]
    assert client.get("/api/v1/runs/999999/rejected", headers=headers).status_code == 404

    client.login("rita", world["reviewer"].password)
    html = client.get(f"/runs/{run_id}").text
    folder = str(world["app"].state.upload_dir.resolve())
    assert "mine.jsonl:2: " in html and "mine.jsonl:4: " in html and folder not in html
    assert "2 records could not be read" in html
    runs = client.get("/partials/runs").text
    assert f'href="/runs/{run_id}"' in runs and f'href="/runs/{run_id}#rejected"' in runs and "mine.jsonl" in runs


def test_unknown_format_answers_with_its_columns_and_a_mapping_stores_it(client, world):
    headers = bearer(world["reviewer"])
    refused = client.post("/api/v1/uploads", headers=headers, params={"filename": "odd.csv"}, content=MAPPED_CSV)
    assert refused.status_code == 400
    body = refused.json()
    assert body["columns"] == ["post", "user", "body", "when", "extra"] and "author_id" in body["fields"]
    assert body["detail"].startswith("odd.csv: unknown format") and "--" not in body["detail"]
    assert "map its columns" in body["detail"]

    wrong = client.post("/api/v1/uploads", headers=headers, content=MAPPED_CSV,
                        params={"filename": "odd.csv", "map": ["id=post", "author_id=nobody"]})
    assert wrong.status_code == 400
    assert wrong.json()["detail"] == ("odd.csv: the file has no column 'nobody'; "
                                      "its columns are: post, user, body, when, extra")
    partial = client.post("/api/v1/uploads", headers=headers, content=MAPPED_CSV,
                          params={"filename": "odd.csv", "map": ["id=post", "author_id=user"]})
    assert partial.json()["detail"] == "odd.csv: choose a column for created_at, text"

    mapped = client.post("/api/v1/uploads", headers=headers, content=MAPPED_CSV, params={
        "filename": "odd.csv", "map": ["id=post", "author_id=user", "text=body", "created_at=when", "lang="]})
    assert mapped.status_code == 202, mapped.text
    run = wait_for_run(client, headers, mapped.json()["run_id"])
    assert (run["status"], run["stored"], run["rejected"]) == ("done", 2, 0)
    found = client.get("/api/v1/posts", headers=headers, params={"q": "hello mapped"}).json()
    assert found["count"] == 1 and found["data"][0]["author_id"] == "u1"


def test_a_picked_format_is_used_and_its_errors_carry_no_cli_advice(client, world):
    headers = bearer(world["reviewer"])
    answer = client.post("/api/v1/uploads", headers=headers, params={"filename": "dump.txt", "format": "jsonl"},
                         content=DUMP)
    assert answer.status_code == 202
    assert wait_for_run(client, headers, answer.json()["run_id"])["stored"] == 2
    unmapped = client.post("/api/v1/uploads", headers=headers, params={"filename": "odd.csv", "format": "csv"},
                           content=MAPPED_CSV)
    assert unmapped.status_code == 400
    assert unmapped.json()["detail"] == "odd.csv: choose a column for id, author_id, created_at, text"
    bad = client.post("/api/v1/uploads", headers=headers, params={"filename": "x.csv", "format": "nonsense"},
                      content=DUMP)
    assert bad.status_code == 422


def test_a_failed_run_is_red_and_not_full_and_its_clusters_are_linked(client, world, engine):
    with engine.begin() as connection:
        run_id = connection.execute(IngestRun.__table__.insert().values(
            status="failed", sources=["/srv/secret/uploads/0123456789abcdef-broken.jsonl"], bytes_total=1000,
            bytes_done=400, error="/srv/secret/uploads/0123456789abcdef-broken.jsonl: cannot decompress",
            read=3, stored=3, started_at=datetime(2020, 5, 1, tzinfo=UTC),
        ).returning(IngestRun.__table__.c.id)).scalar_one()
        cluster_id = connection.execute(select(ClusterMember.cluster_id).limit(1)).scalar_one()
        posts = select(ClusterMember.post_id).where(ClusterMember.cluster_id == cluster_id)
        connection.execute(update(Post).where(Post.id.in_(posts)).values(run_id=run_id))
    headers = bearer(world["reviewer"])
    run = client.get(f"/api/v1/runs/{run_id}", headers=headers).json()
    assert run["progress"] == 0.4 and run["files"] == ["broken.jsonl"]
    assert [c["id"] for c in run["clusters"]] == [cluster_id]
    client.login("rita", world["reviewer"].password)
    html = client.get(f"/runs/{run_id}").text
    assert 'class="run-progress failed" max="1" value="0.4"' in html and "failed at 40%" in html
    assert f'href="/clusters/{cluster_id}"' in html and "/srv/secret" not in html
    assert "broken.jsonl: cannot decompress" in html
    assert 'class="run-progress failed"' in client.get("/partials/runs").text


def test_a_run_keeps_its_first_rejected_records_only(engine, monkeypatch):
    monkeypatch.setattr(store, "REJECTED_KEPT", 5)
    with engine.begin() as connection:
        run_id = connection.execute(IngestRun.__table__.insert().values(status="running")
                                    .returning(IngestRun.__table__.c.id)).scalar_one()
        for batch in range(3):
            add_rejected(connection, run_id, [{"source": "f.jsonl", "line": batch * 4 + i, "reason": "bad"}
                                              for i in range(1, 5)])
        lines = connection.execute(select(RejectedRecord.line).where(RejectedRecord.run_id == run_id)
                                   .order_by(RejectedRecord.id)).scalars().all()
    assert lines == [1, 2, 3, 4, 5]


@pytest.fixture
def cli_env(tmp_path, migrated_sqlite):
    return {"SMEARWATCH_DATABASE_URL": migrated_sqlite(tmp_path / "cli.db")}


def test_cli_runs_list_and_show(tmp_path, cli_env):
    dump = tmp_path / "mine.jsonl"
    dump.write_bytes(DUMP)
    ingested = call_cli("ingest", str(dump), "--json", "--no-score", env=cli_env)
    assert ingested.returncode == 3, ingested.stderr
    run_id = json.loads(ingested.stdout)["run"]

    listing = call_cli("runs", "list", env=cli_env)
    assert listing.returncode == 0
    assert listing.stdout.startswith(f"run {run_id} mine.jsonl: done 100%  read 4, stored 2, duplicates 0, rejected 2")
    as_json = json.loads(call_cli("runs", "list", "--json", env=cli_env).stdout)
    assert as_json["count"] == 1 and as_json["data"][0]["files"] == ["mine.jsonl"]

    shown = call_cli("runs", "show", str(run_id), env=cli_env)
    assert shown.returncode == 0
    lines = shown.stdout.splitlines()
    assert lines[0].startswith(f"run {run_id} mine.jsonl: done")
    assert [line.split(": ", 1)[0] for line in lines[1:]] == ["mine.jsonl:2", "mine.jsonl:4"]
    assert str(tmp_path) not in shown.stdout

    detail = json.loads(call_cli("runs", "show", str(run_id), "--json", env=cli_env).stdout)
    assert detail["rejected"] == 2 and [r["text"].split(": ")[0] for r in detail["rejections"]] == \
        ["mine.jsonl:2", "mine.jsonl:4"]
    assert detail["clusters"] == [] and detail["files"] == ["mine.jsonl"]
    assert len(json.loads(call_cli("runs", "show", str(run_id), "--json", "--limit", "1",
                                   env=cli_env).stdout)["rejections"]) == 1

    missing = call_cli("runs", "show", "999", env=cli_env)
    assert missing.returncode == 1 and missing.stderr.strip().count("\n") == 0 and "no ingest run 999" in missing.stderr


def test_run_report_without_paths():
    assert file_name("/var/uploads/0123456789abcdef-a b.csv") == "a b.csv"
    assert without_paths("/var/x/0123456789abcdef-d.csv: bad; see https://x.org/a/b") == "d.csv: bad; see https://x.org/a/b"


def test_probe_names_the_format_or_the_columns_and_keeps_nothing(client, world):
    headers = bearer(world["reviewer"])
    odd = client.post("/api/v1/uploads/probe", headers=headers, params={"filename": "odd.csv"}, content=MAPPED_CSV)
    assert odd.status_code == 200 and odd.json() == {"format": None,
                                                     "columns": ["post", "user", "body", "when", "extra"]}
    known = client.post("/api/v1/uploads/probe", headers=headers, params={"filename": "m.jsonl"}, content=DUMP)
    assert known.json()["format"] == "jsonl"
    assert client.post("/api/v1/uploads/probe", headers=headers, content=b"x" * 70000).status_code == 413
    probes = world["app"].state.upload_dir / "probes"
    assert not probes.exists() or list(probes.iterdir()) == []


def test_the_run_page_pages_its_rejected_records(client, world, monkeypatch):
    monkeypatch.setattr(api.routes.pages.uploads, "REJECTED_PER_PAGE", 1)
    headers = bearer(world["reviewer"])
    answer = client.post("/api/v1/uploads", headers=headers, params={"filename": "paged.jsonl"}, content=DUMP)
    run_id = answer.json()["run_id"]
    assert wait_for_run(client, headers, run_id)["rejected"] == 2
    client.login("rita", world["reviewer"].password)
    first = client.get(f"/runs/{run_id}").text
    assert "paged.jsonl:2: " in first and "paged.jsonl:4: " not in first and "page 1 of 2" in first
    second = client.get(f"/runs/{run_id}", params={"page": 2}).text
    assert "paged.jsonl:4: " in second and "paged.jsonl:2: " not in second and '<ol class="rejected" start="2">' in second
