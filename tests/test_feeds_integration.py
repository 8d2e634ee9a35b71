"""A local RSS feed polled on schedule by a real beat and a real worker, through a real Redis into PostgreSQL."""

import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest
from fixture_files import rss
from sqlalchemy import func, select

from devsupport.commands import call_cli
from devsupport.services import BeatProcess, RedisServer, WorkerProcess, wait_for
from smearwatch import migrate
from smearwatch.db import make_engine
from smearwatch.models import IngestRun, Post

pytestmark = pytest.mark.integration


class FeedServer:
    """Serves one RSS document with an ETag, answering If-None-Match with 304; logs every status sent."""

    def __init__(self):
        self.body = b""
        self.etag = ""
        self.log: list[int] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.headers.get("If-None-Match") == server.etag:
                    server.log.append(304)
                    self.send_response(304)
                    self.send_header("ETag", server.etag)
                    self.end_headers()
                    return
                server.log.append(200)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", server.etag)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/feed.xml"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def publish(self, entries) -> None:
        self.body = rss(entries)
        self.etag = f'"v{len(entries)}-{time.monotonic_ns()}"'

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()


def test_rss_feed_polled_on_schedule_new_entry_scored_within_10s_unchanged_feed_gets_304(tmp_path, pg_url):
    redis_server = RedisServer(tmp_path / "redis").start()
    migrate.upgrade(pg_url)
    engine = make_engine(pg_url)
    env = {"SMEARWATCH_DATABASE_URL": pg_url, "SMEARWATCH_BROKER_URL": redis_server.url,
           "SMEARWATCH_TASK_TIME_LIMIT": "60", "SMEARWATCH_BROKER_VISIBILITY_TIMEOUT": "120",
           "SMEARWATCH_FEED_ALLOW_PRIVATE": "true"}  # the feed is served on 127.0.0.1: refused by default
    processes = []
    try:
        with FeedServer() as server:
            server.publish([("a-1", "Бюро защищает иностранцев"), ("a-2", "Погода в Алматы")])
            added = call_cli("feeds", "add", "local", "--kind", "rss", "--url", server.url, "--every", "2s", "--json",
                            env=env)
            assert added.returncode == 0, added.stderr
            listed = orjson.loads(call_cli("feeds", "list", "--json", env=env).stdout)
            assert [(f["name"], f["kind"], f["every"]) for f in listed] == [("local", "rss", "2s")]
            processes.append(WorkerProcess(env, tmp_path / "worker.log", concurrency=2).start())
            processes.append(BeatProcess(env, tmp_path / "beat.log").start())

            wait_for(lambda: _post(engine, "a-2"), 60, what="the first poll to store the feed")
            wait_for(lambda: (_post(engine, "a-2") or {}).get("score") is not None, 60, what="the first scoring")
            # Unchanged: the next polls are answered 304 and store nothing, not even a run.
            runs = _runs(engine)
            wait_for(lambda: server.log.count(304) >= 2, 15, what="two conditional polls answered 304")
            assert _runs(engine) == runs == 1

            server.publish([("a-1", "Бюро защищает иностранцев"), ("a-2", "Погода в Алматы"),
                            ("a-3", "Бюро живёт на иностранные гранты")])
            published = time.monotonic()
            wait_for(lambda: (_post(engine, "a-3") or {}).get("score") is not None, 10, interval=0.1,
                     what="the new entry as a scored post")
            latency = time.monotonic() - published
            print(f"feed entry to scored post: {latency:.2f} s")
            with engine.connect() as connection:
                assert connection.execute(select(func.count()).select_from(Post)).scalar_one() == 3
            feeds = orjson.loads(call_cli("feeds", "list", "--json", env=env).stdout)
            assert feeds[0]["last_polled_at"] and feeds[0]["failures"] == 0
            removed = call_cli("feeds", "remove", "local", env=env)
            assert removed.returncode == 0 and orjson.loads(call_cli("feeds", "list", "--json", env=env).stdout) == []
    finally:
        for process in processes:
            process.stop()
        redis_server.stop(signal.SIGKILL)
        engine.dispose()


def _post(engine, post_id: str) -> dict | None:
    with engine.connect() as connection:
        row = connection.execute(select(Post.post_id, Post.score).where(Post.post_id == post_id)).mappings().first()
    return dict(row) if row else None


def _runs(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(IngestRun)).scalar_one()
