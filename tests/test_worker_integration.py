"""The no-loss guarantee with real services: Redis, `smearwatch worker` (Celery) processes and PostgreSQL.

A 100,000-post dump is queued in slices; in the middle of it a worker is killed with SIGKILL, Redis is killed and
restarted, or PostgreSQL is restarted. Every time the run completes with every post stored exactly once.
"""

import signal
import subprocess
import sys
import uuid

import orjson
import pytest
import redis
from celery import Celery
from fixture_files import write_posts
from sqlalchemy import func, select

from devsupport.commands import call_cli, run_cli
from devsupport.services import REPO, PostgresCluster, RedisServer, WorkerProcess, wait_for
from smearwatch import migrate
from smearwatch.db import make_engine
from smearwatch.models import IngestRun, IngestSlice, Post

pytestmark = pytest.mark.integration

POSTS = 100_000
# Short limits so that a message whose worker was killed comes back within seconds (production: 900 s / 1 h).
FAST = {"SMEARWATCH_TASK_TIME_LIMIT": "8", "SMEARWATCH_BROKER_VISIBILITY_TIMEOUT": "10",
        "SMEARWATCH_INGEST_SLICE_BYTES": "1000000"}


@pytest.fixture(scope="session")
def dump_100k(tmp_path_factory):
    out = tmp_path_factory.mktemp("dump100k")
    subprocess.run([sys.executable, str(REPO / "samples" / "generate.py"), "--posts", str(POSTS), "--out", str(out)],
                   check=True, capture_output=True, timeout=120)
    path = out / "posts.jsonl"
    ids = set()
    with open(path, "rb") as f:
        for line in f:
            record = orjson.loads(line)
            ids.add((record.get("platform") or "unknown", record["id"]))
    assert len(ids) == POSTS
    return path


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop(signal.SIGKILL)


class Stack:
    def __init__(self, tmp_path, database_url, redis_server):
        self.tmp_path, self.database_url, self.redis = tmp_path, database_url, redis_server
        self.env = {**FAST, "SMEARWATCH_DATABASE_URL": database_url, "SMEARWATCH_BROKER_URL": redis_server.url}
        self.workers: list[WorkerProcess] = []
        migrate.upgrade(database_url)
        self.engine = make_engine(database_url)

    def worker(self, queues: str = "ingest") -> WorkerProcess:
        worker = WorkerProcess(self.env, self.tmp_path / f"worker{len(self.workers)}.log", queues=queues,
                               name=f"w{len(self.workers)}").start()
        self.workers.append(worker)
        return worker

    def queue(self, path) -> dict:
        result = run_cli("ingest", "--queue", str(path), "--json", env=self.env)
        assert result.returncode == 0, result.stderr
        out = orjson.loads(result.stdout)
        assert out["queued"] is True and out["slices"] >= 20
        return out

    def run(self, run_id: int) -> dict:
        with self.engine.connect() as connection:
            return dict(connection.execute(select(IngestRun).where(IngestRun.id == run_id)).mappings().one())

    def slices_done(self, run_id: int, at_least: int) -> bool:
        return self.run(run_id)["slices_done"] >= at_least

    def finished(self, run_id: int) -> bool:
        return self.run(run_id)["status"] in ("done", "failed")

    def assert_exactly_once(self, run_id: int) -> dict:
        run = self.run(run_id)
        assert run["status"] == "done", run
        assert run["slices_done"] == run["slices_total"] and run["slices_failed"] == 0
        assert (run["read"], run["stored"], run["duplicates"], run["rejected"]) == (POSTS, POSTS, 0, 0)
        with self.engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(Post)).scalar_one() == POSTS
            distinct = connection.execute(
                select(func.count()).select_from(select(Post.platform, Post.post_id).distinct().subquery())
            ).scalar_one()
            assert distinct == POSTS
        return run

    def status_json(self) -> dict:
        result = call_cli("status", "--json", env=self.env)
        assert result.returncode == 0, result.stderr
        return orjson.loads(result.stdout)

    def close(self):
        for worker in self.workers:
            worker.stop()
        self.engine.dispose()


@pytest.fixture
def stack(tmp_path, pg_url, redis_server):
    stack = Stack(tmp_path, pg_url, redis_server)
    yield stack
    stack.close()


def test_kill_9_of_a_worker_mid_ingest_loses_and_duplicates_nothing(stack, dump_100k):
    worker = stack.worker()
    queued = stack.queue(dump_100k)
    run_id = queued["run"]
    wait_for(lambda: stack.slices_done(run_id, 5), 90, what="5 slices stored")
    # Kill while a slice is in flight (its transaction open), main process and pool child together. On a busy
    # machine the slice seen running may commit just before the kill lands: then kill the next one in flight.
    for _ in range(3):
        wait_for(lambda: _running_slice(stack, run_id), 30, interval=0.02, what="a slice in flight")
        worker.kill9()
        if _running_slice(stack, run_id):  # a killed worker leaves its slice "running" until it is redelivered
            break
        worker = stack.worker()
    before = stack.run(run_id)
    assert before["status"] == "running" and before["slices_done"] < before["slices_total"]
    progress = stack.status_json()["runs"][0]
    assert progress["id"] == run_id and progress["slices_done"] < progress["slices_total"]
    stack.worker()
    wait_for(lambda: stack.finished(run_id), 120, interval=0.5, what="the run to finish after the restart")
    run = stack.assert_exactly_once(run_id)
    with stack.engine.connect() as connection:
        attempts = connection.execute(select(func.max(IngestSlice.attempts)).where(IngestSlice.run_id == run_id))
        assert attempts.scalar_one() >= 2  # the slice that was in flight ran again
    status = stack.status_json()["runs"][0]
    assert status["status"] == "done" and status["slices_done"] == status["slices_total"] == run["slices_total"]


def _running_slice(stack, run_id) -> bool:
    with stack.engine.connect() as connection:
        return bool(connection.execute(
            select(func.count()).select_from(IngestSlice).where(IngestSlice.run_id == run_id,
                                                                 IngestSlice.status == "running")
        ).scalar_one())


def test_redis_killed_and_restarted_mid_ingest_loses_and_duplicates_nothing(stack, dump_100k):
    stack.worker()
    run_id = stack.queue(dump_100k)["run"]
    wait_for(lambda: stack.slices_done(run_id, 5), 90, what="5 slices stored")
    stack.redis.restart(signal.SIGKILL)
    assert not stack.finished(run_id)
    wait_for(lambda: stack.finished(run_id), 150, interval=0.5, what="the run to finish after the Redis restart")
    stack.assert_exactly_once(run_id)


def test_the_same_task_message_delivered_twice_changes_nothing(stack, tmp_path):
    dump = tmp_path / "small.jsonl"
    write_posts(dump, 20_000)
    stack.worker()
    run_id = _queue(stack, dump)
    wait_for(lambda: stack.finished(run_id), 60, what="the run")
    before = stack.run(run_id)
    with stack.engine.connect() as connection:
        slice_ids = list(connection.execute(select(IngestSlice.id).where(IngestSlice.run_id == run_id)).scalars())
    # Deliver every slice's message twice more, as a broker would after a lost acknowledgement.

    app = Celery(broker=stack.redis.url)
    with app.producer_or_acquire() as producer:
        for slice_id in slice_ids * 2:
            app.send_task("smearwatch.ingest_slice", args=[slice_id], queue="ingest", producer=producer)

    client = redis.Redis.from_url(stack.redis.url)
    wait_for(lambda: client.llen("ingest") == 0, 60, what="the repeated messages to be consumed")
    wait_for(lambda: not client.hlen("unacked"), 30, what="the repeated messages to be acknowledged")
    after = stack.run(run_id)
    assert {k: v for k, v in after.items() if k != "error"} == {k: v for k, v in before.items() if k != "error"}
    with stack.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Post)).scalar_one() == 20_000
        attempts = connection.execute(select(IngestSlice.attempts).where(IngestSlice.run_id == run_id)).scalars()
        assert set(attempts) == {1}  # a finished slice is not even started again


def _queue(stack, dump) -> int:
    env = {**stack.env, "SMEARWATCH_INGEST_SLICE_BYTES": "200000"}
    result = run_cli("ingest", "--queue", str(dump), "--json", env=env)
    assert result.returncode == 0, result.stderr
    return orjson.loads(result.stdout)["run"]


@pytest.fixture
def pg_cluster():
    cluster = PostgresCluster().start()
    yield cluster
    cluster.stop()


def test_postgresql_restarted_mid_ingest_tasks_retry_and_nothing_is_lost(tmp_path, pg_cluster, redis_server,
                                                                        dump_100k):
    url = pg_cluster.create_database(f"smearwatch_{uuid.uuid4().hex[:8]}")
    stack = Stack(tmp_path, url, redis_server)
    try:
        stack.worker()
        run_id = stack.queue(dump_100k)["run"]
        wait_for(lambda: stack.slices_done(run_id, 5), 90, what="5 slices stored")
        stack.engine.dispose()
        pg_cluster.restart()
        wait_for(lambda: stack.finished(run_id), 150, interval=0.5, what="the run to finish after the restart")
        stack.assert_exactly_once(run_id)
        log = (tmp_path / "worker0.log").read_text(errors="replace")
        assert "Retry in" in log or "retry" in log.lower()  # the restart was felt, and retried
    finally:
        stack.close()
