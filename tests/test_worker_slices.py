"""Queued ingestion without a broker: slices at record boundaries, each stored exactly once, same result as a plain ingest."""

import gzip
import shutil
from collections import Counter
from datetime import timedelta

import orjson
import pytest
from fixture_files import write_posts
from sqlalchemy import func, select, update

from devsupport.commands import call_cli
from devsupport.services import REPO
from smearwatch.db import get_engine, make_engine
from smearwatch.models import IngestRun, IngestSlice, Post, RejectedRecord, utcnow
from smearwatch.settings import get_settings
from worker import scoring, slices, tasks
from worker.ingest import ingest_paths
from worker.ingest_runs import create_queued_run
from worker.service import start_ingest as queue_ingest
from worker.slices import claim_slice, requeue_stale_slices
from worker.slices import store_slice as ingest_slice
from worker.sources import ReadOptions, Rejection, open_source
from worker.sources.ranges import plan_slices, slice_items

SOURCES = REPO / "tests" / "data" / "sources"


@pytest.fixture
def worker_db(engine, database_url, monkeypatch):
    """The engine fixture's database as the settings' database, with scoring switched off (tested elsewhere)."""
    monkeypatch.setenv("SMEARWATCH_DATABASE_URL", database_url)
    monkeypatch.delenv("SMEARWATCH_BROKER_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    monkeypatch.setattr(scoring, "score_run", lambda engine, run_id: None)
    yield engine
    get_settings.cache_clear()
    get_engine.cache_clear()


def items_of(path, fmt, options, plans):
    out = []
    for plan in plans:
        out.extend(slice_items(path, fmt, options, plan))
    return out


def key(item):
    if isinstance(item, Rejection):
        return ("skip", item.line, item.reason)
    return ("post", item["platform"], item["id"], item.get("text"))


CASES = [
    ("twarc2_flat.jsonl", None, {}), ("twarc2_pages.jsonl", None, {}), ("ioarchive.csv", None, {}),
    ("crowdtangle_facebook.csv", None, {}), ("crowdtangle_instagram.csv", None, {}), ("vk_wall.jsonl", None, {}),
    ("telegram_full.json", None, {}), ("feed.rss", None, {}), ("vk_wall.json", None, {}),
]


@pytest.mark.parametrize("name,fmt,mapping", CASES)
@pytest.mark.parametrize("slice_bytes", [200, 1500])
def test_slices_read_exactly_what_the_whole_file_reads(name, fmt, mapping, slice_bytes):
    path = SOURCES / name
    source = open_source(path, fmt, ReadOptions(mapping=mapping))
    whole = [key(item) for item in source.items()]
    plans = plan_slices(path, source.format, slice_bytes)
    sliced = [key(item) for item in items_of(path, source.format, ReadOptions(mapping=mapping), plans)]
    assert sliced == whole
    if source.format in ("jsonl", "twarc2", "ioarchive", "crowdtangle") and path.stat().st_size > slice_bytes * 2:
        assert len(plans) > 1
    data = path.read_bytes()
    for plan in plans:
        end = plan.end if plan.end is not None else len(data)
        assert plan.start == 0 or data[plan.start - 1:plan.start] == b"\n"
        assert end == len(data) or data[end - 1:end] == b"\n"


def test_csv_slices_never_cut_inside_a_quoted_newline(tmp_path):
    path = tmp_path / "mapped.csv"
    rows = ['id,user,ts,message']
    for i in range(200):
        text = f'"line one of {i}\nline two, with ""quotes"""' if i % 3 == 0 else f"plain {i}"
        rows.append(f"{i},u{i % 7},2020-04-28T10:00:00Z,{text}")
    rows.insert(50, '51x,,not-a-time,"broken')
    rows.insert(51, 'still inside the quote"')
    path.write_text("\n".join(rows) + "\n")
    options = ReadOptions(mapping={"id": "id", "author_id": "user", "created_at": "ts", "text": "message"})
    whole = [key(item) for item in open_source(path, "csv", options).items()]
    plans = plan_slices(path, "csv", 300)
    assert len(plans) > 5
    assert [key(item) for item in items_of(path, "csv", options, plans)] == whole


def test_compressed_and_whole_document_files_are_one_slice(tmp_path):

    path = tmp_path / "dump.jsonl.gz"
    raw = tmp_path / "dump.jsonl"
    write_posts(raw, 2000)
    path.write_bytes(gzip.compress(raw.read_bytes()))
    assert len(plan_slices(path, "jsonl", 100)) == 1
    assert len(plan_slices(SOURCES / "telegram_full.json", "telegram", 100)) == 1
    assert len(plan_slices(raw, "jsonl", 1000)) > 10


def test_queued_ingest_in_process_matches_a_plain_ingest(worker_db, database_url, tmp_path):
    dump = tmp_path / "dump.jsonl"
    write_posts(dump, 3000, broken_every=97)
    queued = queue_ingest(worker_db, [dump], slice_bytes=4000)
    assert queued["slices"] > 20 and not queued["queued"]
    with worker_db.connect() as connection:
        run = connection.execute(select(IngestRun).where(IngestRun.id == queued["run"])).mappings().one()
        lines = sorted(connection.execute(select(RejectedRecord.line).where(
            RejectedRecord.run_id == queued["run"])).scalars())
        posts = connection.execute(select(func.count()).select_from(Post)).scalar_one()
    assert run["status"] == "done" and run["slices_done"] == run["slices_total"] == queued["slices"]
    assert run["bytes_done"] == run["bytes_total"] == dump.stat().st_size
    broken = [i + 1 for i in range(3000) if i % 97 == 48]
    assert lines == broken  # line numbers of the whole file, not of the slice
    assert (run["read"], run["stored"], run["rejected"], posts) == (3000, 3000 - len(broken), len(broken), posts)
    plain = ingest_paths([dump], engine=worker_db)
    assert (plain.read, plain.stored, plain.duplicates, plain.rejected) == (3000, 0, 3000 - len(broken), len(broken))


def test_the_same_slice_delivered_twice_changes_nothing(worker_db, tmp_path):
    dump = tmp_path / "dump.jsonl"
    write_posts(dump, 1000)
    run_id, slice_ids = create_queued_run(worker_db, [dump], slice_bytes=8000)
    first = [slices.ingest_slice(worker_db, i) for i in slice_ids]
    snapshot = _state(worker_db, run_id)
    again = [slices.ingest_slice(worker_db, i) for i in slice_ids]
    assert {r["outcome"] for r in first} == {"done"} and {r["outcome"] for r in again} == {"skipped"}
    assert _state(worker_db, run_id) == snapshot
    assert snapshot["run"]["stored"] == 1000 and snapshot["run"]["status"] == "done"


def test_a_slice_half_stored_when_its_worker_died_is_stored_once_on_redelivery(worker_db, tmp_path, monkeypatch):
    """A failure in the middle of a slice rolls the whole slice back; the retry stores it once, counts it once."""
    dump = tmp_path / "dump.jsonl"
    write_posts(dump, 3000)
    run_id, slice_ids = create_queued_run(worker_db, [dump], slice_bytes=10**9)

    real = slices.upsert_accounts

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # like a kill: after the posts of the slice were written in its transaction

    monkeypatch.setattr(slices, "upsert_accounts", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest_slice(worker_db, slice_ids[0], batch_size=500)
    with worker_db.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Post)).scalar_one() == 0
    monkeypatch.setattr(slices, "upsert_accounts", real)
    result = ingest_slice(worker_db, slice_ids[0], batch_size=500)
    state = _state(worker_db, run_id)
    assert result.outcome == "done" and state["posts"] == 3000
    assert (state["run"]["stored"], state["run"]["duplicates"], state["run"]["status"]) == (3000, 0, "done")
    assert state["slices"][0]["attempts"] == 2


def test_a_slice_that_keeps_killing_its_worker_fails_after_max_attempts(worker_db, tmp_path):
    dump = tmp_path / "dump.jsonl"
    write_posts(dump, 100)
    run_id, (slice_id,) = create_queued_run(worker_db, [dump])
    for _ in range(3):
        assert claim_slice(worker_db, slice_id) is not None  # started, then the worker vanished
    result = ingest_slice(worker_db, slice_id, max_attempts=3)
    state = _state(worker_db, run_id)
    assert result.outcome == "failed" and result.run_finished
    assert state["run"]["status"] == "failed" and state["run"]["slices_failed"] == 1
    assert "gave up after 3 attempts" in state["slices"][0]["error"]


def test_an_unreadable_slice_fails_with_its_reason_and_the_rest_of_the_run_goes_through(worker_db, tmp_path):
    good, gone = tmp_path / "good.jsonl", tmp_path / "gone.jsonl"
    write_posts(good, 50)
    write_posts(gone, 50, start=1000)
    run_id, slice_ids = create_queued_run(worker_db, [good, gone])
    gone.unlink()
    outcomes = [slices.ingest_slice(worker_db, i)["outcome"] for i in slice_ids]
    state = _state(worker_db, run_id)
    assert outcomes == ["done", "failed"]
    assert state["run"]["status"] == "failed" and state["run"]["stored"] == 50
    assert "gone.jsonl" in state["run"]["error"]


def test_stale_slices_are_enqueued_again(worker_db, tmp_path):


    dump = tmp_path / "dump.jsonl"
    write_posts(dump, 200)
    run_id, slice_ids = create_queued_run(worker_db, [dump], slice_bytes=2000)
    with worker_db.begin() as connection:
        connection.execute(update(IngestSlice).values(queued_at=utcnow() - timedelta(hours=3)))
    assert requeue_stale_slices(worker_db, older_than=timedelta(hours=1)) == len(slice_ids)  # in-process: stored
    assert _state(worker_db, run_id)["run"]["status"] == "done"
    assert requeue_stale_slices(worker_db, older_than=timedelta(hours=1)) == 0


def _state(engine, run_id):
    with engine.connect() as connection:
        run = dict(connection.execute(select(IngestRun).where(IngestRun.id == run_id)).mappings().one())
        slices = [dict(r) for r in connection.execute(
            select(IngestSlice).where(IngestSlice.run_id == run_id).order_by(IngestSlice.seq)).mappings()]
        posts = connection.execute(select(func.count()).select_from(Post)).scalar_one()
        rejected = Counter(connection.execute(select(RejectedRecord.line)).scalars())
    for row in [run, *slices]:
        for volatile in ("finished_at", "started_at", "worker", "queued_at"):
            row.pop(volatile, None)
    return {"run": run, "slices": slices, "posts": posts, "rejected": rejected}


def test_cli_ingest_queue_without_a_broker(tmp_path, migrated_sqlite):
    url = migrated_sqlite(tmp_path / "db.sqlite")
    dump = tmp_path / "dump.jsonl"
    write_posts(dump, 2000, broken_every=500)
    env = {"SMEARWATCH_DATABASE_URL": url, "SMEARWATCH_INGEST_SLICE_BYTES": "5000", "SMEARWATCH_BROKER_URL": ""}
    result = call_cli("ingest", "--queue", str(dump), "--json", env=env)
    assert result.returncode == 3, result.stderr
    out = orjson.loads(result.stdout)
    assert out["queued"] is False and out["slices"] > 5 and out["status"] == "done"
    assert (out["read"], out["stored"], out["rejected"]) == (2000, 1996, 4)
    status = orjson.loads(call_cli("status", "--json", env=env).stdout)
    assert status["runs"][0]["slices_done"] == status["runs"][0]["slices_total"] == out["slices"]
    assert status["posts"] == 1996
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Post)).scalar_one() == 1996
    engine.dispose()
    shutil.rmtree(tmp_path / "unused", ignore_errors=True)


def test_an_unexpected_error_in_process_fails_the_slice_at_once_and_the_run_ends(worker_db, tmp_path, monkeypatch):
    dump = tmp_path / "dump.jsonl"
    write_posts(dump, 300)

    def broken(*_args):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(slices, "_store_slice", broken)
    queued = queue_ingest(worker_db, [dump], slice_bytes=4000)  # no broker: stored here, slice by slice
    state = _state(worker_db, queued["run"])
    assert state["run"]["status"] == "failed" and state["run"]["slices_failed"] == queued["slices"]
    assert {s["status"] for s in state["slices"]} == {"failed"}
    assert state["slices"][0]["error"] == "RuntimeError: disk on fire"


def test_on_a_worker_an_error_that_retrying_cannot_fix_fails_the_slice_at_once(worker_db, tmp_path, monkeypatch):
    dump = tmp_path / "dump.jsonl"
    write_posts(dump, 50)
    run_id, slice_ids = create_queued_run(worker_db, [dump])

    def broken(*_args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(slices, "_store_slice", broken)
    with pytest.raises(RuntimeError):
        tasks.ingest_slice.run(slice_ids[0])  # the task body, as a Celery worker runs it
    state = _state(worker_db, run_id)
    assert state["run"]["status"] == "failed" and state["slices"][0]["error"] == "RuntimeError: disk on fire"
