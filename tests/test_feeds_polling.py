"""Feeds in-process: intervals, the CLI, atomic claims, folders once per file, conditional GET, caps, retries, alerts."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest
from fixture_files import rss, write_posts
from sqlalchemy import func, select, update

from devsupport.commands import call_cli
from devsupport.services import REPO, free_port
from smearwatch.db import get_engine
from smearwatch.models import Alert, Cluster, Feed, IngestRun, Post, utcnow
from smearwatch.settings import get_settings
from worker import scoring
from worker.alerts import raise_alerts
from worker.beat import tick
from worker.feeds import (
    FeedError,
    add_feed,
    claim_due_feeds,
    fetch,
    list_feeds,
    parse_every,
    poll_feed,
    register_demo_feeds,
)


@pytest.fixture
def feed_db(engine, database_url, monkeypatch):
    monkeypatch.setenv("SMEARWATCH_DATABASE_URL", database_url)
    monkeypatch.delenv("SMEARWATCH_BROKER_URL", raising=False)
    monkeypatch.setenv("SMEARWATCH_FEED_RETRIES", "2")
    # The HTTP feeds of these tests are served on 127.0.0.1, which the default host policy refuses.
    monkeypatch.setenv("SMEARWATCH_FEED_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    get_engine.cache_clear()
    scored = []
    monkeypatch.setattr(scoring, "score_run", lambda engine, run_id: scored.append(run_id))  # every scoring
    engine.scored = scored
    yield engine
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_intervals():
    assert [parse_every(x) for x in ("45", "45s", "5m", "2h", "1d")] == [45, 45, 300, 7200, 86400]
    for bad in ("", "0", "5x", "-1m"):
        with pytest.raises(FeedError):
            parse_every(bad)


def test_feeds_cli_add_list_remove(tmp_path, migrated_sqlite):
    url = migrated_sqlite(tmp_path / "db.sqlite")
    env = {"SMEARWATCH_DATABASE_URL": url}
    folder = tmp_path / "drop"
    folder.mkdir()
    assert call_cli("feeds", "add", "drop", "--kind", "folder", "--path", str(folder), "--every", "10m", env=env).returncode == 0
    assert call_cli("feeds", "add", "news", "--kind", "rss", "--url", "https://news.example/rss", env=env).returncode == 0
    again = call_cli("feeds", "add", "drop", "--kind", "folder", "--path", str(folder), env=env)
    assert again.returncode == 2 and "exists already" in again.stderr
    missing = call_cli("feeds", "add", "x", "--kind", "folder", "--path", str(tmp_path / "nope"), env=env)
    assert missing.returncode == 2 and "not a folder" in missing.stderr
    listed = orjson.loads(call_cli("feeds", "list", "--json", env=env).stdout)
    assert [(f["name"], f["kind"], f["every"]) for f in listed] == [("drop", "folder", "10m"), ("news", "rss", "5m")]
    assert "drop" in call_cli("feeds", "list", env=env).stdout
    assert call_cli("feeds", "remove", "drop", env=env).returncode == 0
    assert call_cli("feeds", "remove", "drop", env=env).returncode == 1
    assert [f["name"] for f in orjson.loads(call_cli("feeds", "list", "--json", env=env).stdout)] == ["news"]


def test_two_schedulers_never_claim_the_same_feed(feed_db, tmp_path):
    for i in range(40):
        add_feed(feed_db, name=f"f{i}", kind="rss", location=f"https://news.example/{i}", every="1m")
    barrier = threading.Barrier(4)
    claims: list[list[int]] = []

    def claim():
        barrier.wait()
        claims.append(claim_due_feeds(feed_db))

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [feed_id for claim in claims for feed_id in claim]
    assert len(every) == len(set(every)) == 40
    assert claim_due_feeds(feed_db) == []  # claimed and not expired


def test_folder_feed_ingests_each_new_file_once(feed_db, tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    write_posts(folder / "a.jsonl", 100)
    (folder / "b.jsonl.part").write_text("still being written")
    (folder / ".hidden.jsonl").write_text("{}")
    old = time.time() - 10
    for path in folder.iterdir():
        __import__("os").utime(path, (old, old))
    feed = add_feed(feed_db, name="drop", kind="folder", location=str(folder), every="1m")
    first = poll_feed(feed_db, feed["id"])
    assert len(first["runs"]) == 1 and first["outcome"] == "1 new files"
    assert poll_feed(feed_db, feed["id"])["runs"] == []
    write_posts(folder / "c.jsonl", 50, start=1000)
    __import__("os").utime(folder / "c.jsonl", (old, old))
    third = poll_feed(feed_db, feed["id"])
    assert len(third["runs"]) == 1
    with feed_db.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Post)).scalar_one() == 150
        runs = connection.execute(select(IngestRun.status, IngestRun.feed_id)).all()
    assert runs == [("done", feed["id"])] * 2
    assert sorted(feed_db.scored) == sorted(first["runs"] + third["runs"])  # each run queued for scoring
    assert list_feeds(feed_db)[0]["files_seen"] == 2


def test_local_rss_file_unchanged_costs_nothing(feed_db, tmp_path):
    path = tmp_path / "outlet.xml"
    path.write_bytes(rss([("g1", "one"), ("g2", "two")]))
    feed = add_feed(feed_db, name="outlet", kind="rss", location=str(path), every="1m")
    first = poll_feed(feed_db, feed["id"])
    assert first["stored"] == 2
    second = poll_feed(feed_db, feed["id"])
    assert second["outcome"] == "not modified" and second["runs"] == []
    path.write_bytes(rss([("g1", "one"), ("g2", "two"), ("g3", "three")]))
    third = poll_feed(feed_db, feed["id"])
    assert third["stored"] == 1


class Server:
    def __init__(self, responses):
        self.responses = list(responses)  # (status, body, headers); the last one repeats
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append(dict(self.headers))
                status, body, headers = outer.responses[0] if len(outer.responses) == 1 else outer.responses.pop(0)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/feed.xml"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


def test_conditional_get_sends_validators_and_stops_at_304(feed_db):
    body = rss([("h1", "one")])
    server = Server([(200, body, {"ETag": '"v1"', "Last-Modified": "Tue, 28 Apr 2020 10:00:00 GMT"}),
                     (304, b"", {"ETag": '"v1"'})])
    try:
        feed = add_feed(feed_db, name="http", kind="rss", location=server.url, every="1m")
        assert poll_feed(feed_db, feed["id"])["stored"] == 1
        second = poll_feed(feed_db, feed["id"])
        assert second["outcome"] == "304 not modified"
        assert server.requests[1]["If-None-Match"] == '"v1"'
        assert server.requests[1]["If-Modified-Since"] == "Tue, 28 Apr 2020 10:00:00 GMT"
        with feed_db.connect() as connection:
            assert connection.execute(select(func.count()).select_from(IngestRun)).scalar_one() == 1
    finally:
        server.close()


def test_retries_with_backoff_then_success_and_no_retry_on_404(feed_db):
    server = Server([(503, b"busy", {}), (502, b"busy", {}), (200, rss([("r1", "one")]), {})])
    try:
        assert fetch(server.url).changed and len(server.requests) == 3
    finally:
        server.close()
    server = Server([(404, b"gone", {})])
    try:
        feed = add_feed(feed_db, name="gone", kind="rss", location=server.url, every="1m")
        result = poll_feed(feed_db, feed["id"])
        assert result["outcome"].startswith("error:") and "HTTP 404" in result["outcome"]
        assert len(server.requests) == 1
        assert list_feeds(feed_db)[0]["failures"] == 1
    finally:
        server.close()


def test_unreachable_feed_is_an_error_not_a_crash(feed_db, monkeypatch):
    monkeypatch.setenv("SMEARWATCH_FEED_TIMEOUT", "1")
    get_settings.cache_clear()
    feed = add_feed(feed_db, name="down", kind="url", location=f"http://127.0.0.1:{free_port()}/dump.jsonl")
    result = poll_feed(feed_db, feed["id"])
    assert "ConnectError" in result["outcome"] and "after 3 attempts" in result["outcome"]


def test_size_cap(feed_db, monkeypatch):
    monkeypatch.setenv("SMEARWATCH_FEED_MAX_BYTES", "1000")
    get_settings.cache_clear()
    server = Server([(200, rss([(f"s{i}", "x" * 50) for i in range(40)]), {})])
    try:
        feed = add_feed(feed_db, name="big", kind="rss", location=server.url)
        assert "size cap" in poll_feed(feed_db, feed["id"])["outcome"]
    finally:
        server.close()


def test_beat_tick_dispatches_due_feeds_once(feed_db, tmp_path):
    path = tmp_path / "outlet.xml"
    path.write_bytes(rss([("t1", "one")]))
    feed = add_feed(feed_db, name="outlet", kind="rss", location=str(path), every="1h")
    assert tick(feed_db) == [feed["id"]]  # in-process: polled right here
    assert tick(feed_db) == []  # next due in an hour
    with feed_db.connect() as connection:
        row = connection.execute(select(Feed).where(Feed.id == feed["id"])).mappings().one()
    assert row["claimed_until"] is None and row["last_polled_at"] is not None


def test_alerts_for_new_and_grown_flagged_clusters_once_each(feed_db, monkeypatch):
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(orjson.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv("SMEARWATCH_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{httpd.server_address[1]}/hook")
    get_settings.cache_clear()
    try:
        now = utcnow()
        with feed_db.begin() as connection:
            connection.execute(Cluster.__table__.insert(), [
                {"key": "c-1", "score": 0.9, "flagged": True, "kind": "smear", "n_posts": 5, "n_accounts": 4,
                 "start": now, "end": now, "status": "open", "created_at": now, "updated_at": now},
                {"key": "c-2", "score": 0.1, "flagged": False, "kind": "organic", "n_posts": 9, "n_accounts": 9,
                 "start": now, "end": now, "status": "open", "created_at": now, "updated_at": now},
            ])
        assert [a["kind"] for a in raise_alerts(feed_db, None, None)] == ["new"]
        assert raise_alerts(feed_db, None, None) == []  # nothing changed
        with feed_db.begin() as connection:
            connection.execute(update(Cluster).where(Cluster.key == "c-1").values(n_posts=8))
        grown = raise_alerts(feed_db, None, None)
        assert [(a["kind"], a["previous_posts"], a["n_posts"]) for a in grown] == [("grown", 5, 8)]
        with feed_db.connect() as connection:
            alerts = connection.execute(select(Alert.kind, Alert.webhook_status).order_by(Alert.id)).all()
        assert alerts == [("new", "204"), ("grown", "204")]
        assert [r["alert"]["cluster_key"] for r in received] == ["c-1", "c-1"]
    finally:
        httpd.shutdown()


def test_register_demo_feeds_polls_them_in_process(engine, database_url, monkeypatch):
    monkeypatch.setenv("SMEARWATCH_DATABASE_URL", database_url)
    monkeypatch.delenv("SMEARWATCH_FEED_ALLOW_PRIVATE", raising=False)
    monkeypatch.delenv("SMEARWATCH_FEED_ALLOW_HOSTS", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        assert not get_settings().feed_allow_private  # the demo's feeds are local files: no host policy applies
        first = register_demo_feeds(engine, REPO / "samples")
        assert first["feeds"] >= 2 and first["stored"] > 0
        kinds = {f["kind"] for f in list_feeds(engine)}
        assert kinds == {"folder", "rss"}
        again = register_demo_feeds(engine, REPO / "samples")
        assert again["feeds"] == first["feeds"] and again["stored"] == 0 and again["runs"] == []
        with engine.connect() as connection:
            scored = connection.execute(select(func.count()).select_from(Post).where(Post.score.is_not(None)))
            assert scored.scalar_one() == first["stored"]
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()
