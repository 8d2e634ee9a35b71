"""Ingestion stores every post once and reports every unreadable record with file, line and reason."""

import gzip
import json

import orjson
import pytest
import zstandard
from sqlalchemy import select

from devsupport.commands import call_cli
from smearwatch.models import Account, Post, RejectedRecord
from worker.ingest import ingest_paths


def post(i: int, **extra) -> dict:
    record = {
        "id": str(i), "platform": "twitter", "author_id": f"u{i % 37}", "author_name": f"user{i % 37}",
        "text": f"post number {i}", "created_at": f"2020-04-28T10:{i % 60:02d}:00+06:00",
        "urls": [f"https://example.org/{i % 5}"], "hashtags": ["tag"],
    }
    record.update(extra)
    return record


def write_jsonl(path, records, broken: dict[int, str] | None = None) -> None:
    """Write records one per line; `broken` maps 1-based line numbers to raw junk lines inserted there."""
    lines = [orjson.dumps(r).decode() for r in records]
    for line_number in sorted(broken or {}):
        lines.insert(line_number - 1, broken[line_number])
    path.write_text("\n".join(lines) + "\n")


def test_same_file_twice_stores_each_post_once(engine, tmp_path):
    dump = tmp_path / "dump.jsonl"
    write_jsonl(dump, [post(i) for i in range(500)])
    first = ingest_paths([dump], engine=engine, batch_size=128)
    second = ingest_paths([dump], engine=engine, batch_size=128)
    assert (first.stored, first.duplicates, first.rejected) == (500, 0, 0)
    assert (second.stored, second.duplicates, second.rejected) == (0, 500, 0)
    with engine.connect() as connection:
        assert len(connection.execute(select(Post.id)).all()) == 500
        assert len(connection.execute(select(Account.id)).all()) == 37


def test_duplicates_inside_one_file_are_stored_once(engine, tmp_path):
    dump = tmp_path / "dump.jsonl"
    write_jsonl(dump, [post(i % 10) for i in range(30)])
    summary = ingest_paths([dump], engine=engine, batch_size=7)
    assert (summary.read, summary.stored, summary.duplicates) == (30, 10, 20)


def test_three_broken_lines_among_a_thousand(engine, tmp_path):
    dump = tmp_path / "mixed.jsonl"
    broken = {10: '{"id": "x", "text": ', 500: "not json at all", 1003: '{"id": "y", "text": "no author"}'}
    write_jsonl(dump, [post(i) for i in range(1000)], broken)
    summary = ingest_paths([dump], engine=engine)
    assert (summary.read, summary.stored, summary.rejected) == (1003, 1000, 3)
    with engine.connect() as connection:
        rows = connection.execute(select(RejectedRecord).order_by(RejectedRecord.line)).mappings().all()
    assert [row["line"] for row in rows] == [10, 500, 1003]
    assert all(row["source"] == str(dump) for row in rows)
    assert "JSON" in rows[0]["reason"] and "author_id" in rows[2]["reason"]


def test_account_keeps_latest_profile(engine, tmp_path):
    dump = tmp_path / "profiles.jsonl"
    write_jsonl(dump, [
        post(2, author_id="a", author_name="new name", author_followers=20, created_at="2020-04-29T00:00:00Z"),
        post(1, author_id="a", author_name="old name", author_followers=10, created_at="2020-04-28T00:00:00Z"),
    ])
    ingest_paths([dump], engine=engine)
    later = tmp_path / "older.jsonl"
    write_jsonl(later, [post(3, author_id="a", author_name="oldest", author_followers=1,
                             created_at="2020-04-20T00:00:00Z")])
    ingest_paths([later], engine=engine)
    with engine.connect() as connection:
        account = connection.execute(select(Account).where(Account.account_id == "a")).mappings().one()
    assert (account["name"], account["followers"]) == ("new name", 20)
    assert account["profile_at"].day == 29


@pytest.mark.parametrize("compression", ["gz", "zst"])
def test_compressed_inputs_are_read_transparently(engine, tmp_path, compression):
    plain = tmp_path / "dump.jsonl"
    write_jsonl(plain, [post(i) for i in range(50)])
    data = plain.read_bytes()
    packed = tmp_path / f"dump.jsonl.{compression}"
    packed.write_bytes(gzip.compress(data) if compression == "gz" else zstandard.ZstdCompressor().compress(data))
    summary = ingest_paths([packed], engine=engine)
    assert summary.stored == 50


# --- the command line, as a user runs it ------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path, migrated_sqlite):
    url = migrated_sqlite(tmp_path / "cli.db")
    return {"SMEARWATCH_DATABASE_URL": url}


def test_cli_ingest_json_and_exit_codes(tmp_path, cli_env):
    dump = tmp_path / "dump.jsonl"
    write_jsonl(dump, [post(i) for i in range(20)], {5: "garbage"})
    result = call_cli("ingest", str(dump), "--json", env=cli_env)
    assert result.returncode == 3
    counts = json.loads(result.stdout)
    assert counts == {"read": 21, "stored": 20, "duplicates": 0, "rejected": 1, "run": counts["run"]}
    assert f"{dump}:5: not valid JSON" in result.stderr

    good = tmp_path / "good.jsonl"
    write_jsonl(good, [post(i) for i in range(20)])
    again = call_cli("ingest", str(good), "--json", env=cli_env)
    assert again.returncode == 0
    assert json.loads(again.stdout)["duplicates"] == 20

    status = call_cli("status", "--json", env=cli_env)
    body = json.loads(status.stdout)
    assert (body["posts"], body["accounts"]) == (20, 20)
    assert body["runs"][0]["status"] == "done" and body["runs"][0]["progress"] == 1.0


def test_cli_unreadable_and_unknown_inputs_give_one_line(tmp_path, cli_env):
    missing = call_cli("ingest", str(tmp_path / "missing.jsonl"), env=cli_env)
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "cannot open" in missing.stderr

    unknown = tmp_path / "notes.txt"
    unknown.write_text("just some words\nnothing structured here\n")
    result = call_cli("ingest", str(unknown), env=cli_env)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "unknown format" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_usage_error_exits_2(cli_env):
    assert call_cli("ingest", env=cli_env).returncode == 2
    assert call_cli("ingest", "x.jsonl", "--format", "nope", env=cli_env).returncode == 2


def test_cli_database_problems_are_one_line(tmp_path):
    missing_schema = call_cli("status", env={"SMEARWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    assert missing_schema.returncode == 1 and "smearwatch db upgrade" in missing_schema.stderr
    unreachable = call_cli("status", env={"SMEARWATCH_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert unreachable.returncode == 1 and "SMEARWATCH_DATABASE_URL" in unreachable.stderr
    for result in (missing_schema, unreachable):
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_field_out_of_range_is_a_warning_not_a_rejection(engine, database_url, tmp_path):
    dump = tmp_path / "warned.jsonl"
    write_jsonl(dump, [post(1, author_followers=1e30), post(2)])
    result = call_cli("ingest", str(dump), "--no-score", env={"SMEARWATCH_DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr  # stored, nothing rejected
    assert f"{dump}:1: warning: author_followers" in result.stderr
    with engine.connect() as connection:
        raw = dict(connection.execute(select(Post.post_id, Post.raw)).all())
    assert "author_followers" in raw["1"]["_warnings"][0] and not (raw["2"] or {}).get("_warnings")
