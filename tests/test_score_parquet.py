"""Parquet and DataFrames out of batch scoring (issue 14): `score --out-format parquet` writes the same records as
the JSONL files; `score_posts` takes a pandas DataFrame or an Arrow table; results come back as DataFrames."""

import json
import subprocess
import sys
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from classifiers import load_model
from worker.batch_scoring import score_dumps, score_posts

ROOT = Path(__file__).resolve().parent.parent
NORMALIZED = ROOT / "samples" / "feeds" / "normalized.jsonl"
EXE = Path(sys.executable).with_name("smearwatch")


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def parquet_records(path: Path) -> list[dict]:
    """A .parquet output back as the JSONL's records: times as ISO strings, `signals` parsed from its JSON."""
    records = pq.read_table(path).to_pylist()
    for record in records:
        for key in ("start", "end"):
            if record.get(key) is not None:
                record[key] = record[key].isoformat()
        if "signals" in record:
            record["signals"] = json.loads(record["signals"])
    return records


def contract_posts() -> list[dict]:
    posts = []
    for line in NORMALIZED.read_text(encoding="utf-8").splitlines():
        try:
            posts.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            continue
    return posts


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The JSONL output of the sample dump, and the Parquet output of the same run (`smearwatch score`)."""
    base = tmp_path_factory.mktemp("score")
    for fmt in ("jsonl", "parquet"):
        proc = subprocess.run([str(EXE), "score", str(NORMALIZED), "--out", str(base / fmt), "--no-progress",
                               "--out-format", fmt], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 3, proc.stderr[-2000:]  # the dump's 3 broken lines
    return base


def test_parquet_output_round_trips_to_the_jsonl_records(reference):
    jsonl_dir, parquet_dir = reference / "jsonl", reference / "parquet"
    assert sorted(p.name for p in parquet_dir.iterdir()) == [
        "campaigns.parquet", "clusters.parquet", "rejected.jsonl", "report.html", "scores.parquet", "summary.json"]
    for name in ("scores", "clusters", "campaigns"):
        expected = jsonl(jsonl_dir / f"{name}.jsonl")
        assert expected, name
        assert parquet_records(parquet_dir / f"{name}.parquet") == expected, name
    for name in ("rejected.jsonl", "report.html"):  # the same whatever the format of the three outputs
        assert (parquet_dir / name).read_bytes() == (jsonl_dir / name).read_bytes(), name
    clusters = pq.read_table(parquet_dir / "clusters.parquet")
    assert clusters.schema.field("evidence").type.value_type.field("a").type == pa.struct(
        [("id", pa.string()), ("platform", pa.string()), ("author_id", pa.string())])
    assert clusters.schema.field("start").type == pa.timestamp("us", tz="UTC")
    summary = json.loads((parquet_dir / "summary.json").read_text())
    assert summary["scored"] == 1501 and summary["flagged"] > 0


def test_writing_one_format_removes_the_other_from_the_folder(reference, tmp_path):
    result = score_dumps([NORMALIZED], model=load_model())
    result.write(tmp_path, "parquet")
    result.write(tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["campaigns.jsonl", "clusters.jsonl", "rejected.jsonl", "report.html", "scores.jsonl", "summary.json"]
    assert (tmp_path / "clusters.jsonl").read_bytes() == (reference / "jsonl" / "clusters.jsonl").read_bytes()
    with pytest.raises(ValueError, match="unknown output format"):
        result.write(tmp_path, "csv")


def test_dataframe_and_arrow_table_in_give_the_same_scores(reference, tmp_path):
    pandas = pytest.importorskip("pandas")
    posts = contract_posts()
    frame = pandas.DataFrame(posts)
    frame["created_at"] = pandas.to_datetime(frame["created_at"], utc=True, errors="coerce", format="ISO8601")
    model = load_model()
    from_frame = score_posts(frame, model=model, out=tmp_path / "frame")
    for name in ("scores.jsonl", "clusters.jsonl", "campaigns.jsonl"):
        assert (tmp_path / "frame" / name).read_bytes() == (reference / "jsonl" / name).read_bytes(), name
    # the JSONL's line 13 (no author) and 26 (bad time) are rows 12 and 25 of the frame
    assert [(r["line"], r["reason"]) for r in from_frame.rejected] == [
        (12, "author_id is missing"), (25, "created_at is missing")]

    renamed = pa.Table.from_pylist(posts).rename_columns(
        ["post" if c == "id" else "body" if c == "text" else c for c in pa.Table.from_pylist(posts).column_names])
    from_table = score_posts(renamed, model=model, mapping={"id": "post", "text": "body"})
    assert list(from_table.scores()) == list(from_frame.scores())

    scores = from_frame.scores_frame()
    assert list(scores.columns) == ["id", "platform", "score", "cluster"] and len(scores) == 1501
    clusters = from_frame.clusters_frame()
    assert list(clusters["cluster"]) == [c["cluster"] for c in from_frame.clusters()]
    assert json.loads(clusters["signals"].iloc[0]) == from_frame.clusters()[0]["signals"]
    assert len(from_frame.campaigns_frame()) == len(from_frame.campaigns())
    assert from_frame.table("scores").num_rows == 1501
    with pytest.raises(ValueError, match="mapping is for a DataFrame"):
        score_posts(posts, mapping={"id": "post"})
