"""`smearwatch score --queue`: the time partitions scored by real Celery worker processes over a private Redis give
the output of one in-memory run, progress shows in `smearwatch status`, a worker killed with SIGKILL mid-run loses
nothing, and a run with no worker (or a work folder a worker cannot see) fails with one line."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid

import orjson
import pytest
import redis
import scored_outputs
from scored_outputs import WORLD, assert_same, outputs

from devsupport.commands import call_cli, run_cli
from devsupport.services import REPO, SMEARWATCH, RedisServer, WorkerProcess, wait_for

pytestmark = pytest.mark.integration

PARTITION_POSTS = "150"  # the sample world (2,917 posts) in 20 partitions
# Short limits so that the partition of a killed worker comes back within seconds (production: 900 s / 1 h).
FAST = {"SMEARWATCH_TASK_TIME_LIMIT": "60", "SMEARWATCH_BROKER_VISIBILITY_TIMEOUT": "70"}


world_in_memory = scored_outputs.world_in_memory  # fixture


class Stack:
    def __init__(self, tmp_path, migrated_sqlite):
        self.tmp_path = tmp_path
        self.redis = RedisServer(tmp_path / "redis").start()
        self.env = {"SMEARWATCH_DATABASE_URL": migrated_sqlite(tmp_path / "store.db"),
                    "SMEARWATCH_BROKER_URL": self.redis.url, **FAST}
        self.workers: list[WorkerProcess] = []
        self.work = tmp_path / "work"
        self.work.mkdir()

    def worker(self) -> WorkerProcess:
        """A worker process consuming `ingest`, once it is ready."""
        log = self.tmp_path / f"worker{len(self.workers)}.log"
        worker = WorkerProcess(self.env, log, queues="ingest", name=f"w{len(self.workers)}").start()
        self.workers.append(worker)
        wait_for(lambda: log.exists() and " ready." in log.read_text(), 60, what=f"{log.name}: ready")
        return worker

    def score_command(self, out) -> list[str]:
        return ["score", str(WORLD), "--out", str(out), "--queue", "--partition-posts", PARTITION_POSTS,
                "--work-dir", str(self.work), "--no-progress"]

    def score_jobs(self) -> list[dict]:
        result = call_cli("status", "--json", env=self.env)
        assert result.returncode == 0, result.stderr
        return orjson.loads(result.stdout)["score_jobs"]

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.redis.stop(signal.SIGKILL)


@pytest.fixture
def stack(tmp_path, migrated_sqlite):
    stack = Stack(tmp_path, migrated_sqlite)
    yield stack
    stack.close()


def test_two_workers_give_the_in_memory_output_and_status_shows_the_run(stack, world_in_memory, tmp_path):
    stack.worker()
    stack.worker()
    result = run_cli(*stack.score_command(tmp_path / "queued"), env=stack.env)
    assert result.returncode == 0, result.stderr
    assert_same(world_in_memory, outputs(tmp_path / "queued"))
    summary = orjson.loads((tmp_path / "queued" / "summary.json").read_bytes())
    assert summary["stream"]["partitions"] == 20
    logs = [(stack.tmp_path / f"worker{i}.log").read_text() for i in range(2)]
    assert all("smearwatch.score_partition" in log and "succeeded" in log for log in logs)  # both did partitions
    assert any("smearwatch.tag_texts" in log for log in logs)  # and the flagged clusters' NER went to them too
    job = stack.score_jobs()[0]
    assert (job["kind"], job["status"], job["progress"]) == ("score", "done", 1.0)
    assert job["result"]["scored"] == len(world_in_memory["scores"])
    assert not list(stack.work.iterdir())  # the sorted posts and partition files are gone with the run


def test_a_worker_killed_mid_run_loses_nothing(stack, world_in_memory, tmp_path):
    first = stack.worker()
    client = subprocess.Popen([*SMEARWATCH, *stack.score_command(tmp_path / "queued")], cwd=REPO,
                              env={**os.environ, **stack.env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        wait_for(lambda: len(list(stack.work.glob("*/partition-*.npz"))) >= 3, 120, interval=0.05,
                 what="3 partitions scored")
        first.kill9()  # main process and pool child: the partition in flight is never acknowledged
        assert len(list(stack.work.glob("*/partition-*.npz"))) < 20
        stack.worker()
        _, stderr = client.communicate(timeout=300)
    finally:
        if client.poll() is None:
            client.kill()
    assert client.returncode == 0, stderr
    assert_same(world_in_memory, outputs(tmp_path / "queued"))
    assert stack.score_jobs()[0]["status"] == "done"


def test_no_worker_is_one_line_and_a_failed_job(stack, tmp_path):
    result = run_cli(*stack.score_command(tmp_path / "queued"), env=stack.env, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"smearwatch: error: no Celery worker consumes the 'ingest' queue on {stack.redis.url} (start some with "
        "`smearwatch worker`)"]
    job = stack.score_jobs()[0]
    assert job["status"] == "failed" and "no Celery worker" in job["message"]


def test_a_work_folder_the_worker_cannot_see_is_reported_by_the_worker(stack, tmp_path):
    """What a worker on a machine without the shared folder answers (the client then stops with that line)."""
    stack.worker()
    reply = f"test:{uuid.uuid4().hex}"
    missing = tmp_path / "not-shared" / "job.json"
    connection = redis.Redis.from_url(stack.redis.url)
    celery_send(stack.env, [str(missing), 0, 0, 150, reply])
    item = connection.blpop([reply], timeout=90)
    assert item is not None, "the worker never answered"
    report = orjson.loads(item[1])
    assert report["k"] == 0
    assert report["error"] == f"{missing}: no such job file (is the work folder shared with this machine?)"


def celery_send(env: dict, args: list) -> None:
    """Send one score_partition task as the client does (in a process of its own: the broker is in `env`)."""
    code = ("import sys, json; from worker import service; "
            "service.enqueue('score_partition', [tuple(json.loads(sys.argv[1]))])")
    subprocess.run([SMEARWATCH[0], "-c", code, orjson.dumps(args).decode()], cwd=REPO, check=True,
                   env={**os.environ, **env}, timeout=60)
