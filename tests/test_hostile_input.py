"""Hostile input never takes the readers down (issue 13): every reader, on inputs built here, in a subprocess whose
address space is capped, rejects the bad record with one line naming its line and reads the good ones around it.

The bombs are built from one compressed piece written many times (zstd frames, gzip members), so the test itself
stays small in memory while each file expands to more than the capped process could hold: a reader that buffered
the bad record would die with MemoryError (a traceback, a non-zero exit) instead of passing.

`smearwatch ingest` runs the same way on SQLite for the bombs and on PostgreSQL for bad values (NUL in text
among them): exit 3, the good posts stored, the bad ones listed as FILE:LINE: REASON.
"""

import io
import json
import os
import random
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
import zstandard
from sqlalchemy import text

from smearwatch import migrate
from smearwatch.db import make_engine
from smearwatch.models import Post
from worker.sources import jsonstream
from worker.sources.base import MAX_CHARS, Limits, json_depth
from worker.sources.files import open_text

REPO = Path(__file__).resolve().parents[1]
MiB = 1 << 20
READER_CAP = 512 * MiB  # address space of a reader process: python + the readers use ~100 MB of it
CLI_CAP = 1024 * MiB  # address space of `smearwatch ingest` (SQLAlchemy, psycopg, a writer thread)
BOMB = 640 * MiB  # one line or value of this many bytes: more than a capped process can hold
BIG_BOMB = 1024 * MiB  # the case: a small .zst holding one valid line, then this much without a newline
LIMIT = 4 * 1024 * 1024  # the default SMEARWATCH_INPUT_MAX_RECORD_BYTES

# Runs in the capped subprocess: reads each case, prints one JSON object per case.
# Peak RSS of this process image: VmHWM (ru_maxrss would also count the parent's, folded in at exec).
PEAK = r"""
def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) // 1024
"""

READER = PEAK + r"""
import json, resource, sys
cap = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from worker.sources import BrokenFile, ReadOptions, Rejection, SourceError, open_source
for case in json.loads(sys.argv[2]):
    items, error = [], None
    try:
        source = open_source(case["path"], case.get("format"), ReadOptions(mapping=case.get("map") or {}))
        for item in source.items():
            if isinstance(item, Rejection):
                items.append({"kind": "broken" if isinstance(item, BrokenFile) else "skip", "line": item.line,
                              "reason": item.reason})
            else:
                items.append({"kind": "post", "line": item["line"], "id": item["id"], "text": item["text"],
                              "author_name": item["author_name"], "followers": item["author_followers"],
                              "author_created_at": str(item["author_created_at"]),
                              "warnings": item.get("warnings") or []})
    except SourceError as exc:
        error = str(exc)
    print(json.dumps({"path": case["path"], "items": items, "error": error, "maxrss_mb": peak_mb()}), flush=True)
"""

# Runs `smearwatch ingest` in a capped process and reports its peak RSS on stderr.
CLI = PEAK + r"""
import atexit, resource, runpy, sys
cap = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
atexit.register(lambda: sys.stderr.write(f"\nMAXRSS_MB {peak_mb()}\n"))
sys.argv = ["smearwatch", *sys.argv[2:]]
runpy.run_module("cli", run_name="__main__")  # `smearwatch` is cli:main
"""


def read_capped(*cases: dict, cap: int = READER_CAP, env: dict | None = None) -> list[dict]:
    """Run the readers on `cases` ({"path", "format"?, "map"?}) in one capped subprocess; one result per case."""
    cases = [{**case, "path": str(case["path"])} for case in cases]
    proc = subprocess.run([sys.executable, "-c", READER, str(cap), json.dumps(cases)], capture_output=True,
                          text=True, timeout=600, cwd=REPO, env={**os.environ, **(env or {})})
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    for result in results:
        for item in result["items"]:
            if item["kind"] != "post":
                assert "\n" not in item["reason"] and 0 < len(item["reason"]) <= 500, item
    return results


def posts(result: dict) -> list[tuple[int, str]]:
    return [(item["line"], item["id"]) for item in result["items"] if item["kind"] == "post"]


def rejected(result: dict) -> list[tuple[int, str]]:
    return [(item["line"], item["reason"]) for item in result["items"] if item["kind"] != "post"]


# --- building inputs ------------------------------------------------------------------------------------------


def zst(*parts) -> bytes:
    """zstd frames: bytes as they are; (filler, total) as `total` bytes of `filler`, compressed 16 MiB once."""
    out = bytearray()
    for part in parts:
        if isinstance(part, tuple):
            filler, total = part
            chunk = filler * (MiB // len(filler))
            writer = zstandard.ZstdCompressor(level=3).compressobj()
            frame = b"".join(writer.compress(chunk) for _ in range(16)) + writer.flush()
            out += frame * (total // (16 * len(chunk)))
        else:
            out += zstandard.ZstdCompressor().compress(part)
    return bytes(out)


def gz(*parts) -> bytes:
    """gzip members, as zst() builds zstd frames."""
    out = bytearray()
    for part in parts:
        if isinstance(part, tuple):
            filler, total = part
            chunk = filler * (MiB // len(filler))
            writer = zlib.compressobj(9, zlib.DEFLATED, 31)
            member = b"".join(writer.compress(chunk) for _ in range(16)) + writer.flush()
            out += member * (total // (16 * len(chunk)))
        else:
            writer = zlib.compressobj(6, zlib.DEFLATED, 31)
            out += writer.compress(part) + writer.flush()
    return bytes(out)


def post_line(i: int, **fields) -> bytes:
    record = {"id": str(i), "author_id": f"a{i}", "created_at": "2020-04-28T10:00:00Z", "text": f"post {i}"}
    record.update(fields)
    return json.dumps(record).encode() + b"\n"


def tweet_line(i: int, **fields) -> bytes:
    tweet = {"id": str(i), "author_id": f"u{i}", "text": f"tweet {i}", "created_at": "2020-04-28T10:00:00.000Z",
             "author": {"id": f"u{i}", "username": f"user{i}"}}
    tweet.update(fields)
    return json.dumps(tweet).encode() + b"\n"


def vk_line(i: int, **fields) -> bytes:
    item = {"id": i, "owner_id": -1, "from_id": -1, "date": 1588068000, "text": f"item {i}"}
    item.update(fields)
    return json.dumps({"response": {"count": 1, "items": [item]}}).encode() + b"\n"


IOARCHIVE_HEADER = (b"tweetid,userid,user_display_name,user_screen_name,follower_count,account_creation_date,"
                    b"tweet_language,tweet_text,tweet_time,in_reply_to_tweetid,is_retweet,retweet_tweetid,hashtags,urls\n")


def io_row(i: int, text: str = "hello", time: str = "2020-04-28 10:00", followers: str = "5",
           created: str = "2019-01-01") -> bytes:
    return f"{i},u{i},Name,user{i},{followers},{created},ru,{text},{time},,False,,[],[]\n".encode()


CT_HEADER = b"Page Name,User Name,Facebook Id,Followers at Posting,Post Created,Type,URL,Message\n"


def ct_row(i: int, created: str = "2020-04-28 10:00:00 ALMT", followers: str = "100") -> bytes:
    return f"Page,page{i},{1000 + i},{followers},{created},Status,https://facebook.com/{i},message {i}\n".encode()


CSV_HEADER = b"id,author_id,created_at,text,platform\n"


def csv_row(i: int, created: str = "2020-04-28T10:00:00Z", text_: str = "text", platform: str = "web") -> bytes:
    return f"{i},a{i},{created},{text_},{platform}\n".encode()


def message(i: int, **fields) -> str:
    msg = {"id": i, "type": "message", "date": "2020-04-28T10:00:00", "date_unixtime": "1588068000",
           "from": "A", "from_id": "user1", "text": f"message {i}"}
    msg.update(fields)
    return json.dumps(msg)


def telegram(*messages: str) -> bytes:
    return ('{"name": "chat", "type": "public_supergroup", "id": 77, "messages": [' + ", ".join(messages)
            + "]}").encode()


def vk_item(i: int, **fields) -> str:
    item = {"id": i, "owner_id": -1, "from_id": -1, "date": 1588068000, "text": f"item {i}"}
    item.update(fields)
    return json.dumps(item)


def vk_document(*items: str) -> bytes:
    return ('{"response": {"count": 3, "items": [' + ", ".join(items)
            + '], "groups": [{"id": 1, "name": "Group"}]}}').encode()


def rss(*items: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Outlet</title>'
            + "".join(items) + "</channel></rss>").encode()


def rss_item(i: int, date: str = "Tue, 28 Apr 2020 10:00:00 +0000", body: str = "") -> str:
    return f"<item><title>title {i}</title><guid>g{i}</guid><pubDate>{date}</pubDate>{body}</item>"


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- memory bombs ---------------------------------------------------------------------------------------------


def test_a_small_zst_expanding_to_a_gib_without_newline_costs_one_line(tmp_path):
    path = write(tmp_path / "bomb.jsonl.zst", zst(post_line(1), (b"x", BIG_BOMB), b"\n" + post_line(3)))
    assert path.stat().st_size < 200_000
    (result,) = read_capped({"path": path})
    assert posts(result) == [(1, "1"), (3, "3")]
    assert rejected(result) == [(2, f"line longer than {LIMIT:,} bytes (the limit of one record)")]
    assert result["maxrss_mb"] < 200, result["maxrss_mb"]


@pytest.mark.parametrize(("name", "fmt", "compress", "head", "tail", "good", "bad_line"), [
    ("bomb.jsonl.gz", "jsonl", gz, post_line(1), post_line(3), [(1, "1"), (3, "3")], 2),
    ("bomb.twarc2.jsonl.zst", "twarc2", zst, tweet_line(1), tweet_line(3), [(1, "1"), (3, "3")], 2),
    ("bomb.vk.jsonl.zst", "vk", zst, vk_line(1), vk_line(3), [(1, "-1_1"), (3, "-1_3")], 2),
    ("bomb.ioarchive.csv.zst", "ioarchive", zst, IOARCHIVE_HEADER + io_row(1), io_row(3), [(2, "1"), (4, "3")], 3),
    ("bomb.crowdtangle.csv.gz", "crowdtangle", gz, CT_HEADER + ct_row(1), ct_row(3),
     [(2, "https://facebook.com/1"), (4, "https://facebook.com/3")], 3),
    ("bomb.csv.zst", "csv", zst, CSV_HEADER + csv_row(1), csv_row(3), [(2, "1"), (4, "3")], 3),
])
def test_line_bombs_in_every_line_format(tmp_path, name, fmt, compress, head, tail, good, bad_line):
    path = write(tmp_path / name, compress(head, (b"x", BOMB), b"\n" + tail))
    (detected, named) = read_capped({"path": path}, {"path": path, "format": fmt})
    for result in (detected, named):
        assert posts(result) == good
        assert rejected(result) == [(bad_line, f"line longer than {LIMIT:,} bytes (the limit of one record)")]


def test_a_gib_string_inside_one_telegram_message_or_vk_item(tmp_path):
    tg = write(tmp_path / "big.json.zst", zst(telegram(message(1))[:-2] + b', {"id": 2, "type": "message", "text": "',
                                              (b"x", BOMB), b'"}, ' + message(3).encode() + b"]}"))
    vk = write(tmp_path / "big.vk.json.gz", gz(b'{"response": {"count": 3, "items": [' + vk_item(1).encode()
                                               + b', {"id": 2, "text": "', (b"y", BOMB), b'"}, '
                                               + vk_item(3).encode() + b'], "groups": [{"id": 1, "name": "G"}]}}'))
    tg_result, vk_result = read_capped({"path": tg}, {"path": vk, "format": "vk"})
    assert posts(tg_result) == [(1, "77_1"), (3, "77_3")]
    assert rejected(tg_result) == [(2, f"message longer than {LIMIT:,} bytes (the limit of one record)")]
    assert posts(vk_result) == [(1, "-1_1"), (3, "-1_3")]
    assert rejected(vk_result) == [(2, f"item longer than {LIMIT:,} bytes (the limit of one record)")]


def test_nesting_bombs_reject_one_record(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    cases = {
        # the 200 KB export with one message nested 100,000 levels
        "tg_100k.json": (telegram(message(1), message(2, text=None)[:-1] + f', "x": {deep}}}', message(3)),
                         [(1, "77_1"), (3, "77_3")], "message nested deeper than 64 levels"),
        # 400 levels in one 3 KB record aborted the whole file
        "tg_400.json": (telegram(message(1), message(2, text={"a": 1})[:-1].replace('{"a": 1}', '{"a":' * 400
                                                                                       + "1" + "}" * 400) + "}",
                                 message(3)), [(1, "77_1"), (3, "77_3")], "message nested deeper than 64 levels"),
        "vk_100k.json": (vk_document(vk_item(1), vk_item(2)[:-1] + f', "attachments": {deep}}}', vk_item(3)),
                         [(1, "-1_1"), (3, "-1_3")], "item nested deeper than 64 levels"),
        "deep.jsonl": (post_line(1) + post_line(2)[:-2] + b', "x": ' + b"[" * 300 + b"]" * 300 + b"}\n" + post_line(3),
                       [(1, "1"), (3, "3")], "nested deeper than 64 levels"),
        "deep_orjson.jsonl": (post_line(1) + b'{"x": ' + b"[" * 5000 + b"]" * 5000 + b"}\n" + post_line(3),
                              [(1, "1"), (3, "3")], "not valid JSON (depth limit exceeded)"),
        "deep.twarc2.jsonl": (tweet_line(1) + tweet_line(2)[:-2] + b', "x": ' + b"[" * 300 + b"]" * 300 + b"}\n"
                              + tweet_line(3), [(1, "1"), (3, "3")], "nested deeper than 64 levels"),
    }
    for name, (data, _, _) in cases.items():
        write(tmp_path / name, data)
    assert (tmp_path / "tg_100k.json").stat().st_size < 250_000
    results = read_capped(*({"path": tmp_path / name} for name in cases))
    for result, (name, (_, good, reason)) in zip(results, cases.items(), strict=True):
        assert posts(result) == good, name
        assert rejected(result) == [(2, reason)], name


def test_a_document_that_never_closes_ends_with_one_line(tmp_path):
    opened = telegram(message(1))[:-2] + b', {"id": 2, "type": "message", "text": '
    brackets = write(tmp_path / "open.json.zst", zst(opened, (b"[", BOMB)))
    objects = write(tmp_path / "open_objects.json.zst", zst(opened, (b'{"a": ', 64 * MiB)))
    for result in read_capped({"path": brackets}, {"path": objects}):
        assert posts(result) == [(1, "77_1")]
        ((line, reason),) = rejected(result)
        assert line == 2 and reason.startswith("broken JSON after message 1: the file ends inside a value")


def test_an_rss_bomb_is_one_error_and_a_huge_entry_one_record(tmp_path):
    bomb = write(tmp_path / "feed.xml.zst", zst(rss(rss_item(1)).removesuffix(b"</channel></rss>"), (b"x", BOMB)))
    huge = write(tmp_path / "huge.xml", rss(rss_item(1), rss_item(2, body="<description>" + "y" * (5 * MiB)
                                                                 + "</description>"), rss_item(3)))
    deep = write(tmp_path / "deep.xml", rss(rss_item(1), rss_item(2, body="<x:a xmlns:x='u'>" * 20_000 + "z"
                                                                 + "</x:a>" * 20_000), rss_item(3)))
    bomb_result, huge_result, deep_result = read_capped({"path": bomb}, {"path": huge}, {"path": deep})
    assert bomb_result["error"].endswith("feed larger than 50 MB; split it or convert it to JSONL")
    assert posts(huge_result) == [(1, "g1"), (3, "g3")]
    assert rejected(huge_result) == [(2, f"entry longer than {LIMIT:,} bytes (the limit of one record)")]
    assert posts(deep_result) == [(1, "g1"), (2, "g2"), (3, "g3")]  # feedparser keeps no nesting: one flat entry


def test_record_limits_follow_the_settings(tmp_path):
    path = write(tmp_path / "posts.jsonl", post_line(1) + post_line(2, text="z" * 5000) + post_line(3, urls=[[[[1]]]]))
    (result,) = read_capped({"path": path}, env={"SMEARWATCH_INPUT_MAX_RECORD_BYTES": "4096",
                                                 "SMEARWATCH_INPUT_MAX_DEPTH": "3"})
    assert posts(result) == [(1, "1")]
    assert rejected(result) == [(2, "line longer than 4,096 bytes (the limit of one record)"),
                                (3, "nested deeper than 3 levels")]


# --- archives -------------------------------------------------------------------------------------------------


def _complete_lines(data: bytes) -> int:
    return data[: data.rfind(b"\n") + 1].count(b"\n")


def test_truncated_and_corrupt_archives_keep_every_record_before_the_break(tmp_path):
    lines = b"".join(post_line(i) for i in range(1, 6862))
    whole_gz, whole_zst = gz(lines), zstandard.ZstdCompressor(level=3).compress(lines)
    corrupt = bytearray(whole_gz)
    for k in range(len(corrupt) // 2, len(corrupt) // 2 + 64):
        corrupt[k] ^= 0x55
    files = {
        "cut.jsonl.gz": whole_gz[: len(whole_gz) * 2 // 3],
        "cut.jsonl.zst": whole_zst[: len(whole_zst) * 2 // 3],
        "corrupt.jsonl.gz": bytes(corrupt),
        "garbage.jsonl.zst": whole_zst + b"not zstd at all",
        "garbage.jsonl.gz": whole_gz + b"not gzip at all",
        "cut.telegram.json.gz": gz(telegram(*(message(i) for i in range(1, 2001))))[:-200],
    }
    for name, data in files.items():
        write(tmp_path / name, data)
    results = {Path(r["path"]).name: r for r in read_capped(*({"path": tmp_path / name} for name in files))}
    # As many records as zlib can decompress from the cut file (the partial line at the cut is not one).
    readable = _complete_lines(zlib.decompressobj(31).decompress(files["cut.jsonl.gz"]))
    cut = results["cut.jsonl.gz"]
    assert posts(cut) == [(i, str(i)) for i in range(1, readable + 1)] and readable > 4000
    assert rejected(cut) == [(readable + 1, f"cannot decompress after {readable:,} records: the compressed data "
                                            "ends before the end of the gzip stream (truncated file)")]
    zst_cut = results["cut.jsonl.zst"]
    n = len(posts(zst_cut))
    assert posts(zst_cut) == [(i, str(i)) for i in range(1, n + 1)] and n > 1000
    assert rejected(zst_cut) == [(n + 1, f"cannot decompress after {n:,} records: the compressed data ends inside "
                                         "a zstd frame (truncated file)")]
    for name in ("garbage.jsonl.zst", "garbage.jsonl.gz"):
        assert len(posts(results[name])) == 6861, name
        ((line, reason),) = rejected(results[name])
        assert line == 6862 and reason.startswith("cannot decompress after 6,861 records: "), name
    corrupted = results["corrupt.jsonl.gz"]
    assert corrupted["items"][-1]["kind"] == "broken"
    assert corrupted["items"][-1]["reason"].startswith("cannot decompress after ")
    assert "corrupt gzip data" in corrupted["items"][-1]["reason"]
    assert posts(corrupted)[:2000] == [(i, str(i)) for i in range(1, 2001)]  # all before the damage
    tg = results["cut.telegram.json.gz"]
    last = tg["items"][-1]
    assert last["kind"] == "broken" and last["reason"].startswith(f"cannot decompress after {len(posts(tg)):,} records")
    assert posts(tg) == [(i, f"77_{i}") for i in range(1, len(posts(tg)) + 1)] and len(posts(tg)) > 1000


def test_decompression_stops_at_the_break_after_the_last_whole_line(tmp_path):
    rnd = random.Random(13)
    for trial in range(60):
        data = b"".join(b"%d " % i + b"x" * rnd.randint(0, 300) + b"\n" for i in range(rnd.randint(1, 2000)))
        blob = gz(data) if trial % 2 else zstandard.ZstdCompressor().compress(data)
        cut = rnd.randint(10, len(blob))
        path = write(tmp_path / "f", blob[:cut])
        stream, counter = open_text(path, whole_lines=True)
        with stream:
            got = stream.read().encode()
        document, _ = open_text(path)  # whole documents: every byte before the break
        with document:
            got_all = document.read().encode()
        if cut == len(blob):
            assert got == got_all == data and counter.error is None
        else:
            assert data.startswith(got) and (got == b"" or got.endswith(b"\n")) and counter.error, (trial, cut)
            assert data.startswith(got_all) and got_all.startswith(got)
            if trial % 2:  # gzip: every line zlib can decompress is there
                prefix = zlib.decompressobj(31).decompress(blob[:cut])
                assert got.count(b"\n") == _complete_lines(prefix) and got_all == prefix


# --- bad values -----------------------------------------------------------------------------------------------


BAD_JSONL = [
    post_line(1),
    post_line(2, created_at="0001-01-01T00:00:00Z"),
    post_line(3, created_at="9999-12-31T23:59:59Z"),
    post_line(4, created_at="0001-01-01T00:00:00+05:00"),
    post_line(5, created_at=1e20),
    post_line(6, author_followers=1e30),
    post_line(7, author_followers="1e400"),
    post_line(8, platform=["twitter"]),
    post_line(9, text="NUL\u0000 inside\u0007 and \u001b[1m escapes\u0085", author_name="A\u0000B"),
    post_line(10, author_created_at="0001-01-01T00:00:00Z"),
    post_line(11, id={"a": 1}),
    post_line(12, created_at="2200-01-01T00:00:00Z"),
    b'{"id": "13", "author_id": "a", "created_at": "2020-04-28T10:00:00Z", "text": "x", "n": 1e400}\n',
    post_line(14, author_id="x" * 300),
    post_line(15, lang="x" * 50, urls=[{"u": 1}, "https://ok"], hashtags="single", author_followers=-5),
    post_line(16, created_at="99999999999999999999999999"),
    post_line(17),
]


def test_bad_values_cost_one_record_or_one_field(tmp_path):
    range_ = "(1990-01-01 to now + 1 day)"
    jsonl = write(tmp_path / "bad.jsonl", b"".join(BAD_JSONL))
    tg = write(tmp_path / "bad_telegram.json", telegram(
        message(1), message(2, date_unixtime="1e20"), message(3, date_unixtime="100000000000000000000"),
        message(4, from_id=["user1"]), message(5, text="a\u0000b"), message(6, date_unixtime=None, date="0001-01-01T00:00:00"),
        message(7)))
    vk = write(tmp_path / "bad_vk.json", vk_document(
        vk_item(1), vk_item(2, date=1e20), vk_item(3)[:-1] + ', "views": 1e400}', vk_item(4, owner_id={"a": 1}),
        vk_item(5, text="x\u0000y"), vk_item(6)))
    io_csv = write(tmp_path / "bad_io.csv", IOARCHIVE_HEADER + io_row(1) + io_row(2, time="0001-01-01 00:00")
                   + io_row(3, followers="1e400") + io_row(4, created="0001-01-01") + io_row(5, text="a\x00b")
                   + io_row(6))
    ct_csv = write(tmp_path / "bad_ct.csv", CT_HEADER + ct_row(1) + ct_row(2, created="0001-01-01 00:00:00 ALMT")
                   + ct_row(3, followers="1e30") + ct_row(4))
    generic = write(tmp_path / "bad.csv", CSV_HEADER + csv_row(1) + csv_row(2, created="99999999999999999999")
                    + csv_row(3, platform="x" * 60) + csv_row(4, text_="a\x00\x01b") + csv_row(5))
    feed = write(tmp_path / "bad.xml", rss(rss_item(1), rss_item(2, date="Mon, 01 Jan 1900 00:00:00 +0500"),
                                           rss_item(3, date="Fri, 31 Dec 9999 23:59:59 -0500"), rss_item(4)))
    results = read_capped({"path": jsonl}, {"path": tg}, {"path": vk, "format": "vk"}, {"path": io_csv},
                          {"path": ct_csv}, {"path": generic, "format": "csv"}, {"path": feed})
    jl, tg_r, vk_r, io_r, ct_r, csv_r, feed_r = results

    assert posts(jl) == [(i, str(i)) for i in (1, 6, 7, 9, 10, 15, 17)]
    assert rejected(jl) == [
        (2, f"created_at '0001-01-01T00:00:00Z' is out of range {range_}"),
        (3, f"created_at '9999-12-31T23:59:59Z' is out of range {range_}"),
        (4, f"created_at '0001-01-01T00:00:00+05:00' is out of range {range_}"),
        (5, f"created_at '1e+20' is out of range {range_}"),
        (8, 'platform is not a string: ["twitter"]'),
        (11, 'id is not a string or an integer: {"a":1}'),
        (12, f"created_at '2200-01-01T00:00:00Z' is out of range {range_}"),
        (13, "not valid JSON (number is infinity when parsed as double)"),
        (14, "author_id is longer than 200 characters"),
        (16, f"created_at '99999999999999999999999999' is out of range {range_}"),
    ]
    by_line = {item["line"]: item for item in jl["items"]}
    assert by_line[6]["followers"] is None and by_line[6]["warnings"] == [
        "author_followers '1e+30' is out of range (0 to 10,000,000,000); author_followers stored as null"]
    assert by_line[7]["warnings"] == ["author_followers '1e400' is out of range; author_followers stored as null"]
    assert by_line[9]["text"] == "NUL inside and [1m escapes" and by_line[9]["author_name"] == "AB"
    assert by_line[10]["author_created_at"] == "None" and by_line[10]["warnings"] == [
        f"author_created_at '0001-01-01T00:00:00Z' is out of range {range_}; author_created_at stored as null"]
    assert by_line[15]["warnings"] == [
        "author_followers '-5' is out of range (0 to 10,000,000,000); author_followers stored as null",
        "lang is longer than 16 characters; stored as null", "urls: 1 item(s) not a string dropped"]

    assert posts(tg_r) == [(1, "77_1"), (5, "77_5"), (7, "77_7")]
    assert rejected(tg_r) == [
        (2, "date_unixtime is not a valid time: '1e20'"),
        (3, f"date_unixtime '100000000000000000000' is out of range {range_}"),
        (4, 'author_id is not a string or an integer: ["user1"]'),
        (6, f"date '0001-01-01T00:00:00' is out of range {range_}"),
    ]
    assert [item["text"] for item in tg_r["items"] if item["line"] == 5] == ["ab"]

    assert posts(vk_r) == [(1, "-1_1"), (5, "-1_5"), (6, "-1_6")]
    assert rejected(vk_r) == [
        (2, f"date '1e+20' is out of range {range_}"),
        (3, "item not valid JSON (number is infinity when parsed as double)"),
        (4, "owner_id or id is not a number or a string"),
    ]

    assert posts(io_r) == [(2, "1"), (4, "3"), (5, "4"), (6, "5"), (7, "6")]
    assert rejected(io_r) == [(3, f"tweet_time '0001-01-01 00:00' is out of range {range_}")]
    io_lines = {item["line"]: item for item in io_r["items"]}
    assert io_lines[4]["followers"] is None and io_lines[4]["warnings"]
    assert io_lines[5]["author_created_at"] == "None" and io_lines[5]["warnings"]
    assert io_lines[6]["text"] == "ab"

    assert posts(ct_r) == [(2, "https://facebook.com/1"), (4, "https://facebook.com/3"), (5, "https://facebook.com/4")]
    assert rejected(ct_r) == [(3, "Post Created is out of range: '0001-01-01 00:00:00 ALMT'")]

    assert posts(csv_r) == [(2, "1"), (5, "4"), (6, "5")]
    assert rejected(csv_r) == [(3, f"created_at '99999999999999999999' is out of range {range_}"),
                               (4, "platform is longer than 40 characters")]
    assert [item["text"] for item in csv_r["items"] if item["line"] == 5] == ["ab"]

    assert posts(feed_r) == [(1, "g1"), (4, "g4")]
    assert rejected(feed_r) == [(2, f"created_at '1899-12-31T19:00:00+00:00' is out of range {range_}"),
                                (3, "published is out of range: 'Fri, 31 Dec 9999 23:59:59 -0500'")]


def test_field_sizes_match_the_post_table():

    columns = Post.__table__.columns
    assert MAX_CHARS == {"platform": columns["platform"].type.length, "id": columns["post_id"].type.length,
                         "author_id": columns["author_id"].type.length,
                         "author_name": columns["author_name"].type.length, "lang": columns["lang"].type.length,
                         "repost_of": columns["repost_of"].type.length, "reply_to": columns["reply_to"].type.length}


# --- the document scanner, against orjson -----------------------------------------------------------------------


def test_document_scanner_agrees_with_orjson_at_every_buffer_boundary(monkeypatch):
    rnd = random.Random(7)
    alphabet = ["a", '"', "\\", "[", "]", "{", "}", ",", ":", " ", "я", "\n", "\u2028", "\x00"]

    def text():
        return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 8)))

    def value(depth, deepest):
        roll = rnd.random()
        if depth >= deepest or roll < 0.3:
            return rnd.choice([text(), rnd.randint(-5, 10**6), 1.5, True, None])
        if roll < 0.65:
            return {text(): value(depth + 1, deepest) for _ in range(rnd.randint(0, 3))}
        return [value(depth + 1, deepest) for _ in range(rnd.randint(0, 3))]

    for _ in range(1500):
        limits = Limits(max_depth=rnd.randint(2, 6), max_record_bytes=rnd.randint(4096, 4200))
        items = [value(0, rnd.randint(1, 8)) for _ in range(rnd.randint(0, 5))]
        if rnd.random() < 0.2:
            items.append({"big": "x" * rnd.randint(3000, 6000)})
        doc = {"name": text(), "skipped": value(0, 9), "messages": items}
        source = json.dumps(doc, ensure_ascii=rnd.random() < 0.5, indent=rnd.choice([None, 1]))
        monkeypatch.setattr(jsonstream, "CHUNK_CHARS", rnd.choice([1, 2, 3, 7, 64, 1 << 20]))
        cut = rnd.randint(0, min(len(source), 40))
        found = list(jsonstream.extract(io.StringIO(source[cut:]), {"messages.item": "m", "name": "n"}, limits,
                                        prefix=source[:cut]))
        assert (found[0].name, found[0].value) == ("n", doc["name"])
        for got, item in zip(found[1:], items, strict=True):
            encoded = len(json.dumps(item, ensure_ascii=False).encode())
            deep, long = json_depth(item, 99) > limits.max_depth, encoded > limits.max_record_bytes
            if not deep and not long:
                assert got.value == item and got.reason is None
            else:
                assert got.value is None and got.reason.startswith("nested" if deep and not long else
                                                                   "longer" if long and not deep else "")


# --- smearwatch ingest ----------------------------------------------------------------------------------------


def ingest_capped(database_url: str, *args: str) -> tuple[int, str, int]:
    proc = subprocess.run([sys.executable, "-c", CLI, str(CLI_CAP), "ingest", "--no-score", *args],
                          capture_output=True, text=True, timeout=600, cwd=REPO,
                          env={**os.environ, "SMEARWATCH_DATABASE_URL": database_url})
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    maxrss = int(proc.stderr.rsplit("MAXRSS_MB ", 1)[1].split()[0])
    return proc.returncode, proc.stderr, maxrss


def stored(database_url: str) -> list[tuple[str, str]]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text("SELECT post_id, text FROM post ORDER BY id"))]
    finally:
        engine.dispose()


def test_ingest_of_bombs_and_broken_archives_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate.upgrade(url)
    bomb = write(tmp_path / "bomb.jsonl.zst", zst(post_line(1), (b"x", BIG_BOMB), b"\n" + post_line(3)))
    code, stderr, maxrss = ingest_capped(url, str(bomb))
    assert code == 3 and f"{bomb}:2: line longer than {LIMIT:,} bytes (the limit of one record)" in stderr
    assert [post_id for post_id, _ in stored(url)] == ["1", "3"] and maxrss < 500

    deep = write(tmp_path / "deep.json", telegram(message(1), message(2)[:-1] + ', "x": ' + "[" * 100_000
                                                   + "]" * 100_000 + "}", message(3)))
    code, stderr, maxrss = ingest_capped(url, str(deep))
    assert code == 3 and f"{deep}:2: message nested deeper than 64 levels" in stderr and maxrss < 500
    assert [post_id for post_id, _ in stored(url)][2:] == ["77_1", "77_3"]

    lines = b"".join(post_line(i, id=f"t{i}") for i in range(1, 6862))
    whole = gz(lines)
    cut = write(tmp_path / "cut.jsonl.gz", whole[: len(whole) * 2 // 3])
    readable = _complete_lines(zlib.decompressobj(31).decompress(cut.read_bytes()))
    code, stderr, _ = ingest_capped(url, str(cut))
    assert code == 3 and f"{cut}:{readable + 1}: cannot decompress after {readable:,} records: " in stderr
    assert [post_id for post_id, _ in stored(url)][4:] == [f"t{i}" for i in range(1, readable + 1)]


@pytest.mark.postgres
def test_ingest_of_bad_values_on_postgresql(pg_url, tmp_path):
    migrate.upgrade(pg_url)
    jsonl = write(tmp_path / "bad.jsonl", b"".join(BAD_JSONL))
    tg = write(tmp_path / "nul.json", telegram(message(1, text="tele\u0000gram", **{"from": "N\u0000L"}),
                                               message(2, date_unixtime="1e20")))
    code, stderr, _ = ingest_capped(pg_url, str(jsonl), str(tg))
    assert code == 3
    assert f"{jsonl}:2: created_at '0001-01-01T00:00:00Z' is out of range" in stderr
    assert f"{tg}:2: date_unixtime is not a valid time: '1e20'" in stderr
    rows = dict(stored(pg_url))
    assert sorted(rows) == sorted(["1", "6", "7", "9", "10", "15", "17", "77_1"])
    assert rows["9"] == "NUL inside and [1m escapes" and rows["77_1"] == "telegram"
    # The store keeps working: a normal ingest afterwards stores and exits 0.
    good = write(tmp_path / "good.jsonl", post_line(100) + post_line(101))
    code, _, _ = ingest_capped(pg_url, str(good))
    assert code == 0 and {"100", "101"} <= set(dict(stored(pg_url)))
