import io
from pathlib import Path

import pytest

from worker.sources import ReadOptions, Rejection, SourceError, detect_format, open_source
from worker.sources.csvrows import read_rows

DATA = Path(__file__).parent / "data" / "sources"
MAPPING = {"id": "post_id", "author_id": "user", "created_at": "ts", "text": "message", "platform": "net"}


def items(path, fmt=None, options=None):
    out = list(open_source(path, fmt, options).items())
    return [i for i in out if not isinstance(i, Rejection)], [i for i in out if isinstance(i, Rejection)]


def rows(text):
    return [r if isinstance(r, Rejection) else (r[2], r[1]) for r in read_rows(io.StringIO(text))]


def test_contract_header_is_detected_other_csv_is_not(tmp_path):
    assert detect_format(DATA / "generic.csv") == "csv"
    with pytest.raises(SourceError, match="unknown format"):
        detect_format(DATA / "mapped.csv")


def test_contract_columns_and_list_cells():
    posts, skips = items(DATA / "generic.csv")
    first, second = posts
    assert first["id"] == "p1" and first["platform"] == "facebook" and first["author_name"] == "Alice"
    assert first["urls"] == ["https://a.example", "https://b.example"] and first["hashtags"] == ["kz", "закон"]
    assert first["created_at"].isoformat() == "2020-04-28T04:00:00+00:00"
    assert second["platform"] == "unknown" and second["urls"] == ["https://c.example"] and second["repost_of"] == "p1"
    assert [(s.line, s.reason) for s in skips] == [(4, "author_id is missing")]


def test_mapping_semicolons_and_bad_time():
    posts, skips = items(DATA / "mapped.csv", "csv", ReadOptions(mapping=MAPPING))
    assert [(p["id"], p["author_id"], p["platform"], p["text"]) for p in posts] == [
        ("m1", "acc1", "vk", "semi; colon"), ("m2", "acc2", "vk", "unix seconds")]
    assert posts[1]["created_at"].isoformat() == "2020-04-28T10:00:00+00:00"
    assert skips[0].line == 4 and "created_at is not a valid time" in skips[0].reason


def test_platform_option_overrides():
    posts, _ = items(DATA / "mapped.csv", "csv", ReadOptions(mapping=MAPPING, platform="telegram"))
    assert {p["platform"] for p in posts} == {"telegram"}


def test_bad_mapping_is_a_source_error():
    with pytest.raises(SourceError, match="not in the CSV header: text=body"):
        items(DATA / "mapped.csv", "csv", ReadOptions(mapping={**MAPPING, "text": "body"}))
    with pytest.raises(SourceError, match="unknown field"):
        items(DATA / "mapped.csv", "csv", ReadOptions(mapping={"colour": "net"}))


# --- csvrows: line numbers and recovery from broken quotes ------------------------------------------------


def test_multiline_record_reports_first_line_and_blank_lines_are_ignored():
    assert rows('a,b\n1,"x\ny"\n\n2,z\n') == [(2, ["1", "x\ny"]), (5, ["2", "z"])]


def test_unterminated_quote_at_end_of_file_resyncs():
    out = rows('a,b\n1,ok\n2,"never closed\n3,fine\n4,also fine\n')
    assert out[0] == (2, ["1", "ok"])
    assert isinstance(out[1], Rejection) and out[1].line == 3 and "unterminated quoted field" in out[1].reason
    assert out[2:] == [(4, ["3", "fine"]), (5, ["4", "also fine"])]


def test_swallowed_lines_with_wrong_field_count_resync():
    out = rows('a,b,c\n1,"open,x\n2,y,z\n3,"q",w\n')
    skips = [o for o in out if isinstance(o, Rejection)]
    good = [o for o in out if not isinstance(o, Rejection)]
    assert skips[0].line == 2
    assert (3, ["2", "y", "z"]) in good and (4, ["3", "q", "w"]) in good


def test_swallowed_records_with_matching_field_count_are_detected():
    header = ",".join(f"c{i}" for i in range(8))
    good = ",".join(["v"] * 8)
    text = f'{header}\n1,v,v,v,v,v,v,"never closed\n{good}\n{good}\n2,v,v,v,v,v,v,"x"\n'
    out = rows(text)
    assert isinstance(out[0], Rejection) and out[0].line == 2
    assert [o[0] for o in out if not isinstance(o, Rejection)] == [3, 4, 5]


def test_wrong_field_count_on_one_line():
    out = rows("a,b\n1,2,3\n4,5\n")
    assert isinstance(out[0], Rejection) and out[0].reason == "CSV record has 3 fields, expected 2"
    assert out[1] == (3, ["4", "5"])
