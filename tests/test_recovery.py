"""Runs always end and scoring cannot be poisoned: killed runs are found, unscored posts are scored, and a store
holding posts dated year 1 or 9999 still scores new runs."""

import os
import signal
import subprocess
from datetime import UTC, datetime

import orjson
from sqlalchemy import func, select, update

from devsupport.commands import call_cli
from devsupport.services import SMEARWATCH, wait_for
from smearwatch.models import IngestRun, Post
from smearwatch.store import insert_posts
from worker.ingest import ingest_paths
from worker.recovery import recover
from worker.scoring import _window_locks, score_run


def post(i: int, minute: int | None = None) -> dict:
    return {"id": str(i), "platform": "twitter", "author_id": f"u{i % 41}", "text": f"post number {i} about town",
            "created_at": f"2020-04-28T10:{(i if minute is None else minute) % 60:02d}:00+06:00"}


def write_posts(path, n: int, start: int = 0) -> None:
    path.write_bytes(b"".join(orjson.dumps(post(i)) + b"\n" for i in range(start, start + n)))


def unscored_posts(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(Post).where(Post.score.is_(None))).scalar_one()


def run_row(engine, run_id: int) -> dict:
    with engine.connect() as connection:
        return dict(connection.execute(select(IngestRun).where(IngestRun.id == run_id)).mappings().one())


def test_a_run_killed_while_scoring_is_scored_by_the_next_ingest(engine, database_url, tmp_path):
    dump = tmp_path / "dump.jsonl"
    write_posts(dump, 300)
    stored = ingest_paths([dump], engine=engine)  # stored, and then the process "died" before scoring
    assert unscored_posts(engine) == 300
    status = call_cli("status", "--json", env={"SMEARWATCH_DATABASE_URL": database_url})
    run = orjson.loads(status.stdout)["runs"][0]
    assert (run["status"], run["scoring"]) == ("done", "not scored")
    text = call_cli("status", env={"SMEARWATCH_DATABASE_URL": database_url}).stdout
    assert f"run {stored.run}: done, not scored" in text

    again = call_cli("ingest", str(dump), env={"SMEARWATCH_DATABASE_URL": database_url})
    assert again.returncode == 0, again.stderr
    assert "stored 0" in again.stdout and f"1 scored ({stored.run})" in again.stdout
    assert unscored_posts(engine) == 0
    assert run_row(engine, stored.run)["scored_at"] is not None


def test_no_score_runs_are_left_alone_and_say_so(engine, database_url, tmp_path):
    dump = tmp_path / "dump.jsonl"
    write_posts(dump, 50)
    result = call_cli("ingest", str(dump), "--no-score", env={"SMEARWATCH_DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    assert recover(engine) == {"ended": [], "scored": []}
    status = call_cli("status", "--json", env={"SMEARWATCH_DATABASE_URL": database_url})
    assert orjson.loads(status.stdout)["runs"][0]["scoring"] == "not scored (--no-score)"


def test_a_run_killed_while_storing_is_ended_and_its_posts_scored(engine, database_url, tmp_path):
    dump = tmp_path / "big.jsonl"
    write_posts(dump, 200_000)
    env = {**os.environ, "SMEARWATCH_DATABASE_URL": database_url, "SMEARWATCH_INGEST_BATCH_SIZE": "2000"}
    process = subprocess.Popen([*SMEARWATCH, "ingest", str(dump)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        def some_stored() -> bool:
            with engine.connect() as connection:
                return (connection.execute(select(func.max(IngestRun.stored))).scalar() or 0) > 0
        wait_for(some_stored, timeout=120, what="a first batch stored")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    with engine.connect() as connection:
        run_id, status, stored = connection.execute(
            select(IngestRun.id, IngestRun.status, IngestRun.stored).order_by(IngestRun.id.desc())).first()
    if status != "running":  # the machine was fast enough to store everything before the kill
        return
    assert 0 < stored < 200_000

    result = call_cli("recover", "--json", env={"SMEARWATCH_DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    assert orjson.loads(result.stdout) == {"ended": [run_id], "scored": [run_id]}
    run = run_row(engine, run_id)
    assert run["status"] == "failed" and "process is gone" in run["error"] and run["scored_at"] is not None
    assert unscored_posts(engine) == 0
    assert call_cli("recover", env={"SMEARWATCH_DATABASE_URL": database_url}).stdout.startswith("nothing to recover")


def test_a_store_with_posts_dated_year_1_and_9999_still_scores_new_runs(engine, tmp_path):
    edges = [
        {**post(900_001), "created_at": datetime(1, 1, 1, tzinfo=UTC)},
        {**post(900_002), "created_at": datetime(9999, 12, 31, 23, 59, tzinfo=UTC)},
    ]
    for item in edges:
        item.setdefault("urls", []), item.setdefault("hashtags", [])
    with engine.begin() as connection:
        insert_posts(connection, edges, None)
    dump = tmp_path / "normal.jsonl"
    write_posts(dump, 200)
    summary = ingest_paths([dump], engine=engine)
    outcome = score_run(engine, summary.run)
    assert outcome["detection"]["posts"] >= 200
    with engine.begin() as connection:  # a run spanning the poisoned posts too
        connection.execute(update(Post.__table__).where(Post.post_id.in_(["900001", "900002"]))
                           .values(run_id=summary.run))
    assert score_run(engine, summary.run)["detection"]["posts"] >= 200


def test_locks_stay_bounded_for_a_window_of_two_centuries(engine):
    locks = _window_locks(engine, datetime(2020, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))
    assert len(locks.locks) <= 1  # the store-wide lock, not one lock per day (none on SQLite)
    small = _window_locks(engine, datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 1, 3, tzinfo=UTC))
    assert len(small.locks) == (0 if engine.dialect.name == "sqlite" else 1 + 4)  # shared + 4 day buckets
