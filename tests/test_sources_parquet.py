"""Parquet input (issue 14): the normalized-post columns or a column mapping, read in row-group batches; bad rows are
rejected with their row number and the rest goes through; a Parquet twin of a JSONL dump scores identically."""

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from classifiers import load_model
from devsupport.commands import call_cli
from smearwatch.db import get_engine
from smearwatch.models import IngestRun, Post, RejectedRecord
from smearwatch.settings import get_settings
from worker import scoring
from worker.batch_scoring import score_dumps
from worker.ingest import ingest_paths
from worker.service import start_ingest as queue_ingest
from worker.sources import ReadOptions, Rejection, SourceError, detect_format, open_source
from worker.sources.base import Limits, use_limits

ROOT = Path(__file__).resolve().parent.parent
NORMALIZED = ROOT / "samples" / "feeds" / "normalized.jsonl"

CONTRACT_SCHEMA = pa.schema([
    ("id", pa.string()), ("platform", pa.string()), ("author_id", pa.string()), ("author_name", pa.string()),
    ("author_created_at", pa.timestamp("us", tz="UTC")), ("author_followers", pa.int64()), ("text", pa.string()),
    ("created_at", pa.timestamp("us", tz="UTC")), ("lang", pa.string()), ("urls", pa.list_(pa.string())),
    ("hashtags", pa.list_(pa.string())), ("repost_of", pa.string()), ("reply_to", pa.string()),
])


def parquet_twin(jsonl: Path, out: Path, row_group_size: int = 500) -> Path:
    """The JSONL dump's records as a typed Parquet file (times as Arrow timestamps). A line that is not JSON has
    no row; a time that does not parse becomes null (rejected as missing either way)."""
    rows = []
    for line in jsonl.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue

    def value(row, name):
        item = row.get(name)
        if name.endswith("_at") and item is not None:
            try:
                return datetime.fromisoformat(item)
            except ValueError:
                return None
        return item

    table = pa.table({f.name: [value(r, f.name) for r in rows] for f in CONTRACT_SCHEMA}, schema=CONTRACT_SCHEMA)
    pq.write_table(table, out, row_group_size=row_group_size)
    return out


def items(path, fmt=None, **options):
    return list(open_source(path, fmt, ReadOptions(**options)).items())


@pytest.fixture(scope="module")
def model():
    return load_model()


def test_parquet_twin_of_a_jsonl_dump_gives_identical_output(tmp_path, model):
    twin = parquet_twin(NORMALIZED, tmp_path / "normalized.parquet")
    assert detect_format(twin) == "parquet"
    from_jsonl = score_dumps([NORMALIZED], out=tmp_path / "jsonl", model=model)
    from_parquet = score_dumps([twin], out=tmp_path / "parquet", model=model)
    for name in ("scores.jsonl", "clusters.jsonl", "campaigns.jsonl"):
        assert (tmp_path / "parquet" / name).read_bytes() == (tmp_path / "jsonl" / name).read_bytes(), name
    assert from_parquet.summary()["scored"] == from_jsonl.summary()["scored"] == 1501
    assert sum(1 for c in from_parquet.clusters() if c["flagged"]) > 0
    # The JSONL's lines 13 (no author) and 26 (bad time) are rows 12 and 25 (line 4 is not JSON: no row).
    assert [(r["line"], r["reason"]) for r in from_parquet.rejected] == [
        (12, "author_id is missing"), (25, "created_at is missing")]


def test_column_mapping_timestamps_and_lists(tmp_path):
    path = tmp_path / "export.parquet"
    naive = [datetime(2021, 3, 1, 12, 0, 0), datetime(2021, 3, 1, 12, 5, 30)]
    pq.write_table(pa.table({
        "post_id": pa.array([101, 102], pa.int64()),
        "user": ["alice", "bob"],
        "ts": pa.array(naive, pa.timestamp("ns")),  # naive nanoseconds (pandas' default): taken as UTC
        "message": ["hello #one", "world"],
        "links": [["https://a.example/1"], []],
        "tags": ["#one, two", None],
        "followers": pa.array([12.0, float("nan")]),  # pandas writes missing integers as NaN floats
        "joined": pa.array([datetime(2020, 1, 1, 8, tzinfo=UTC), None], pa.timestamp("s", tz="Asia/Almaty")),
        "likes": [3, 4],
    }), path)
    mapping = {"id": "post_id", "author_id": "user", "created_at": "ts", "text": "message", "urls": "links",
               "hashtags": "tags", "author_followers": "followers", "author_created_at": "joined"}
    posts = items(path, mapping=mapping, platform="forum")
    assert not [p for p in posts if isinstance(p, Rejection)]
    first, second = posts
    assert (first["id"], first["author_id"], first["platform"], first["text"]) == ("101", "alice", "forum", "hello #one")
    assert first["created_at"] == datetime(2021, 3, 1, 12, tzinfo=UTC)
    assert second["created_at"] == datetime(2021, 3, 1, 12, 5, 30, tzinfo=UTC)
    assert first["author_created_at"] == datetime(2020, 1, 1, 8, tzinfo=UTC)
    assert first["urls"] == ["https://a.example/1"] and first["hashtags"] == ["one", "two"]
    assert (first["author_followers"], second["author_followers"]) == (12, None)
    assert "warnings" not in second and second["hashtags"] == [] and second["author_created_at"] is None
    assert first["raw"] == {"likes": 3} and first["line"] == 1 and second["line"] == 2


def test_timezone_columns_map_to_the_same_instant(tmp_path):
    path = tmp_path / "zoned.parquet"
    instant = datetime(2022, 5, 1, 6, 30, tzinfo=UTC)
    pq.write_table(pa.table({
        "id": ["1"], "author_id": ["a"], "text": ["t"],
        "created_at": pa.array([instant], pa.timestamp("ms", tz="+06:00")),
        "author_created_at": pa.array([instant.date()], pa.date32()),
    }), path)
    (post,) = items(path)
    assert post["created_at"] == instant and post["created_at"].tzinfo is UTC
    assert post["author_created_at"] == datetime(2022, 5, 1, tzinfo=UTC)
    assert post["platform"] == "unknown" and post["raw"] is None


def test_times_beyond_the_years_of_python_are_rejected_as_out_of_range(tmp_path):
    path = tmp_path / "far.parquet"
    pq.write_table(pa.table({
        "id": ["1", "2", "3"], "author_id": ["a", "a", "a"], "text": ["t", "u", "v"],
        "created_at": pa.array([10**12, -(10**12), 1_600_000_000], pa.timestamp("s")),
    }), path)
    first, second, third = items(path)
    assert isinstance(first, Rejection) and "out of range" in first.reason and first.line == 1
    assert isinstance(second, Rejection) and "out of range" in second.reason and second.line == 2
    assert third["created_at"] == datetime.fromtimestamp(1_600_000_000, UTC)


def test_mapping_with_unknown_column_or_field_is_refused(tmp_path):
    path = parquet_twin(NORMALIZED, tmp_path / "n.parquet")
    with pytest.raises(SourceError, match="mapped column"):
        items(path, mapping={"text": "message"})
    with pytest.raises(SourceError, match="unknown field"):
        items(path, mapping={"body": "text"})
    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"id": ["1"], "user": ["a"], "when": ["2021-01-01"]}), other)
    with pytest.raises(SourceError, match="no column for author_id, created_at .* --map author_id=COLUMN"):
        items(other)


def test_bad_rows_are_rejected_with_their_row_number_and_the_rest_goes_through(tmp_path):
    path = tmp_path / "bad.parquet"
    good = datetime(2021, 1, 1, tzinfo=UTC)
    rows = [
        {"id": "1", "author_id": "a", "created_at": good, "text": "ok"},
        {"id": None, "author_id": "a", "created_at": good, "text": "no id"},
        {"id": "3", "author_id": "a", "created_at": datetime(1970, 1, 2, tzinfo=UTC), "text": "too early"},
        {"id": "4", "author_id": "", "created_at": good, "text": "empty author"},
        {"id": "5", "author_id": "a", "created_at": good + timedelta(days=4000), "text": "future"},
        {"id": "6", "author_id": "a", "created_at": None, "text": "no time"},
        {"id": "7", "author_id": "a", "created_at": good, "text": "x" * 5000},  # over the record limit below
        {"id": "8", "author_id": "b", "created_at": good, "text": "ok too"},
    ]
    schema = pa.schema([("id", pa.string()), ("author_id", pa.string()),
                        ("created_at", pa.timestamp("us", tz="UTC")), ("text", pa.string())])
    pq.write_table(pa.Table.from_pylist(rows, schema), path, row_group_size=3)  # rows span several row groups
    use_limits(Limits(max_record_bytes=4096))
    try:
        result = items(path)
    finally:
        use_limits(None)
    rejected = {r.line: r.reason for r in result if isinstance(r, Rejection)}
    assert [p["id"] for p in result if not isinstance(p, Rejection)] == ["1", "8"]
    assert sorted(rejected) == [2, 3, 4, 5, 6, 7]
    assert rejected[2] == "id is missing" and rejected[4] == "author_id is missing"
    assert "out of range" in rejected[3] and "out of range" in rejected[5]
    assert rejected[6] == "created_at is missing" and "larger than 4,096 bytes" in rejected[7]


def test_wrongly_typed_columns_reject_rows_not_the_file(tmp_path):
    path = tmp_path / "typed.parquet"
    pq.write_table(pa.table({
        "id": ["1", "2"], "author_id": ["a", "b"], "text": ["t", "u"],
        "created_at": ["2021-01-01T00:00:00Z", "yesterday"],  # ISO strings are fine; prose is not
        "author_followers": ["12", "many"], "hashtags": ['["x", "y"]', None],
        "blob": [b"\x00\xffbytes", None],  # an extra binary column: kept in raw as text
    }), path)
    first, second = items(path)
    assert first["created_at"] == datetime(2021, 1, 1, tzinfo=UTC) and first["hashtags"] == ["x", "y"]
    assert first["author_followers"] == 12 and isinstance(first["raw"]["blob"], str)
    assert isinstance(second, Rejection) and second.line == 2 and "not a valid time" in second.reason


def test_a_corrupt_row_group_costs_its_rows_only(tmp_path):
    path = tmp_path / "three_groups.parquet"
    rows = 3000
    pq.write_table(pa.table({
        "id": [str(i) for i in range(rows)], "author_id": [f"a{i % 7}" for i in range(rows)],
        "text": [f"text {i} " * 5 for i in range(rows)],
        "created_at": pa.array([datetime(2021, 1, 1, tzinfo=UTC) + timedelta(seconds=i) for i in range(rows)],
                               pa.timestamp("us", tz="UTC")),
    }), path, row_group_size=1000)
    text = pq.ParquetFile(path).metadata.row_group(1).column(2)  # the second group's text column chunk
    data = bytearray(path.read_bytes())
    data[text.data_page_offset + 20:text.data_page_offset + 220] = b"\xab" * 200
    path.write_bytes(bytes(data))
    result = items(path)
    rejected = [r for r in result if isinstance(r, Rejection)]
    assert len(rejected) == 1 and rejected[0].line == 1001
    assert rejected[0].reason.startswith("rows 1,001 to 2,000 (row group 2) cannot be read")
    ids = [int(p["id"]) for p in result if not isinstance(p, Rejection)]
    assert ids == list(range(1000)) + list(range(2000, 3000))


def test_not_parquet_compressed_and_truncated_files(tmp_path):
    path = parquet_twin(NORMALIZED, tmp_path / "n.parquet")
    packed = tmp_path / "n.parquet.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    assert detect_format(packed) == "parquet"
    with pytest.raises(SourceError, match="decompress it first"):
        items(packed)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(SourceError, match="not a readable Parquet file"):
        items(cut, "parquet")
    with pytest.raises(SourceError, match="not a readable Parquet file"):
        items(NORMALIZED, "parquet")


def test_ingest_stores_a_parquet_file(engine, tmp_path):
    twin = parquet_twin(NORMALIZED, tmp_path / "normalized.parquet")
    summary = ingest_paths([twin], engine=engine)
    assert (summary.read, summary.stored, summary.rejected) == (1503, 1501, 2)
    again = ingest_paths([twin], engine=engine)
    assert (again.stored, again.duplicates) == (0, 1501)
    with engine.connect() as connection:
        assert len(connection.execute(select(Post.id)).all()) == 1501
        rows = connection.execute(select(RejectedRecord.line, RejectedRecord.source)  # each run reports them
                                  .order_by(RejectedRecord.line)).all()
        stored = connection.execute(select(Post.created_at).where(Post.post_id == "1254593341425713486")).scalar_one()
    assert [row.line for row in rows] == [12, 12, 25, 25] and rows[0].source == str(twin)
    assert stored.replace(tzinfo=None) == datetime(2020, 4, 27, 2, 8, 56)


def test_cli_score_with_a_mapping_picks_parquet_and_writes_parquet(tmp_path):
    path = tmp_path / "mapped.parquet"
    pq.write_table(pa.table({"post_id": ["p1", "p2", None], "user": ["u1", "u2", "u3"], "message": ["a", "b", "c"],
                             "ts": pa.array([datetime(2021, 1, 1)] * 3, pa.timestamp("ms"))}), path)
    result = call_cli("score", str(path), "--out", str(tmp_path / "out"), "--out-format", "parquet", "--no-progress",
                      "--map", "id=post_id", "--map", "author_id=user", "--map", "text=message", "--map", "created_at=ts")
    assert result.returncode == 3, result.stderr  # the row without an id
    scores = pq.read_table(tmp_path / "out" / "scores.parquet").to_pylist()
    assert [s["id"] for s in scores] == ["p1", "p2"] and all(s["platform"] == "unknown" for s in scores)
    rejected = [json.loads(line) for line in (tmp_path / "out" / "rejected.jsonl").read_text().splitlines()]
    assert rejected == [{"source": str(path), "line": 3, "reason": "id is missing"}]


def test_cli_ingest_with_a_mapping_picks_parquet(tmp_path, migrated_sqlite):
    path = tmp_path / "mapped.parquet"
    pq.write_table(pa.table({"post_id": ["p1", "p2"], "user": ["u1", "u2"], "message": ["a", "b"],
                             "ts": pa.array([datetime(2021, 1, 1), datetime(2021, 1, 2)], pa.timestamp("us"))}), path)
    env = {"SMEARWATCH_DATABASE_URL": migrated_sqlite(tmp_path / "cli.db")}
    result = call_cli("ingest", str(path), "--map", "id=post_id", "--map", "author_id=user", "--map", "text=message",
                      "--map", "created_at=ts", "--no-score", "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["stored"] == 2


def test_queued_ingest_stores_a_parquet_file_as_one_slice(engine, database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SMEARWATCH_DATABASE_URL", database_url)
    monkeypatch.delenv("SMEARWATCH_BROKER_URL", raising=False)
    monkeypatch.setattr(scoring, "score_run", lambda engine, run_id: None)  # scoring is tested elsewhere
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        twin = parquet_twin(NORMALIZED, tmp_path / "normalized.parquet")
        queued = queue_ingest(engine, [twin], slice_bytes=4000)  # no byte ranges in Parquet: one slice
        with engine.connect() as connection:
            run = connection.execute(select(IngestRun).where(IngestRun.id == queued["run"])).mappings().one()
            lines = sorted(connection.execute(select(RejectedRecord.line)
                                              .where(RejectedRecord.run_id == queued["run"])).scalars())
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()
    assert queued["slices"] == 1 and run["status"] == "done"
    assert (run["read"], run["stored"], run["rejected"]) == (1503, 1501, 2) and lines == [12, 25]
