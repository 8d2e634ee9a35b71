"""Pipeline benchmark: a queued dump through Redis and 2 worker processes into PostgreSQL, with a feed polled meanwhile.

    .venv/bin/python bench/pipeline.py                  # 1,000,000 posts, 2 workers
    .venv/bin/python bench/pipeline.py --posts 200000   # quicker

Starts its own redis-server on a free port, a fresh database on the PostgreSQL at 127.0.0.1:5432, N
`smearwatch worker` processes (concurrency 1 each) and one `smearwatch beat`, and serves an RSS feed on
127.0.0.1 that gains an entry every few seconds while the dump is ingested. Prints:
- end-to-end posts/s: from `smearwatch ingest --queue` until the run is done (goal >= 10,000/s);
- peak resident memory per worker, main process plus its pool process (goal < 500 MB);
- time from a new feed entry to its scored post, under that load: p50 / p95 / max (goal p95 < 5 s).
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from devsupport.services import SMEARWATCH, BeatProcess, RedisServer, WorkerProcess  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


class Feed:
    def __init__(self):
        self.entries: list[tuple[str, datetime]] = []
        self.etag = '"0"'
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.headers.get("If-None-Match") == feed.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                body = feed.body()
                self.send_response(200)
                self.send_header("ETag", feed.etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/feed.xml"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def body(self) -> bytes:
        items = "".join(
            f"<item><guid>{guid}</guid><title>Entry {guid}</title><link>https://bench.example/{guid}</link>"
            f"<pubDate>{format_datetime(when)}</pubDate></item>" for guid, when in self.entries[-50:]
        )
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench outlet</title>{items}'
                "</channel></rss>").encode()

    def publish(self, guid: str) -> None:
        self.entries.append((guid, datetime.now(UTC)))
        self.etag = f'"{len(self.entries)}"'


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the Celery main process and its pool process)."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        return 0.0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--feed-every", type=float, default=3.0, help="seconds between new feed entries")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="smearwatch-bench-"))
    print(f"generating {args.posts:,} posts ...", file=sys.stderr)
    subprocess.run([sys.executable, str(REPO / "samples" / "generate.py"), "--posts", str(args.posts), "--out",
                    str(work / "dump")], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dump = work / "dump" / "posts.jsonl"
    name = f"smearwatch_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    redis_server = RedisServer(work / "redis").start()
    # The benchmark's feed server is on 127.0.0.1, which the feed host policy refuses unless allowed.
    env = {"SMEARWATCH_DATABASE_URL": url, "SMEARWATCH_BROKER_URL": redis_server.url,
           "SMEARWATCH_FEED_ALLOW_PRIVATE": "true"}
    processes = []
    try:
        subprocess.run([*SMEARWATCH, "db", "upgrade"], env={**os.environ, **env}, check=True,
                       cwd=REPO, capture_output=True)
        feed = Feed()
        feed.publish("warmup")
        subprocess.run([*SMEARWATCH, "feeds", "add", "bench", "--kind", "rss", "--url",
                        feed.url, "--every", "1s"], env={**os.environ, **env}, check=True, cwd=REPO,
                       capture_output=True)
        workers = [WorkerProcess(env, work / f"worker{i}.log", concurrency=1, name=f"bench{i}").start()
                   for i in range(args.workers)]
        processes += workers
        processes.append(BeatProcess(env, work / "beat.log").start())
        connection = psycopg.connect(url, autocommit=True)

        def scored(guid: str) -> bool:
            row = connection.execute("SELECT score FROM post WHERE post_id = %s", (guid,)).fetchone()
            return bool(row and row[0] is not None)

        deadline = time.monotonic() + 120
        while not scored("warmup"):  # workers up, model loaded, feed polled once
            if time.monotonic() > deadline:
                raise SystemExit("the warm-up feed entry was never scored; see " + str(work))
            time.sleep(0.2)

        peaks = [0.0] * len(workers)
        latencies: list[float] = []
        pending: dict[str, float] = {}
        started = time.monotonic()
        queued = subprocess.run([*SMEARWATCH, "ingest", "--queue", str(dump), "--json"],
                                env={**os.environ, **env}, cwd=REPO, capture_output=True, text=True, check=True)
        run_id = json.loads(queued.stdout)["run"]
        next_entry = time.monotonic()
        count = 0
        while True:
            now = time.monotonic()
            for i, worker in enumerate(workers):
                peaks[i] = max(peaks[i], tree_rss_mb(worker.process.pid))
            if now >= next_entry:
                count += 1
                guid = f"bench-{count}"
                feed.publish(guid)
                pending[guid] = now
                next_entry = now + args.feed_every
            for guid, at in list(pending.items()):
                if scored(guid):
                    latencies.append(time.monotonic() - at)
                    del pending[guid]
            status, stored, slices_done, slices_total = connection.execute(
                "SELECT status, stored, slices_done, slices_total FROM ingestrun WHERE id = %s", (run_id,)).fetchone()
            if status in ("done", "failed"):
                break
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        drain = time.monotonic() + 30
        while pending and time.monotonic() < drain:
            for guid, at in list(pending.items()):
                if scored(guid):
                    latencies.append(time.monotonic() - at)
                    del pending[guid]
            time.sleep(0.1)
        latencies.sort()
        p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else float("nan")
        result = {
            "posts": args.posts, "workers": args.workers, "run_status": status, "stored": stored,
            "slices": slices_total, "seconds": round(elapsed, 1), "posts_per_s": round(stored / elapsed),
            "peak_rss_mb_per_worker": [round(p) for p in peaks],
            "feed_entries": len(latencies) + len(pending), "feed_unscored": len(pending),
            "feed_latency_s": {"p50": round(statistics.median(latencies), 2) if latencies else None,
                               "p95": round(p95, 2), "max": round(latencies[-1], 2) if latencies else None},
        }
        print(json.dumps(result))
        print(f"{stored:,} posts in {elapsed:.1f} s: {result['posts_per_s']:,} posts/s (goal >= 10,000); "
              f"peak RSS per worker {result['peak_rss_mb_per_worker']} MB (goal < 500); feed entry -> scored "
              f"post p95 {p95:.2f} s over {len(latencies)} entries (goal < 5 s)", file=sys.stderr)
        connection.close()
    finally:
        for process in processes:
            process.stop()
        redis_server.stop(signal.SIGKILL)
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        subprocess.run(["rm", "-rf", str(work)], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
