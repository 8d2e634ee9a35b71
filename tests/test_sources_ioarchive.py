from pathlib import Path

from worker.sources import Rejection, detect_format, open_source

DATA = Path(__file__).parent / "data" / "sources"


def items(path, fmt=None):
    out = list(open_source(path, fmt).items())
    return [i for i in out if not isinstance(i, Rejection)], [i for i in out if isinstance(i, Rejection)]


def test_detects_ioarchive():
    assert detect_format(DATA / "ioarchive.csv") == "ioarchive"


def test_fields_and_multiline_records_report_their_first_line():
    posts, _ = items(DATA / "ioarchive.csv")
    first = posts[0]
    assert (first["id"], first["author_id"], first["author_name"]) == ("1255000000000000001", "111", "kz_voice")
    assert first["platform"] == "twitter" and first["author_followers"] == 12
    assert first["created_at"].isoformat() == "2020-04-28T10:00:00+00:00"
    assert first["author_created_at"].isoformat() == "2020-04-01T00:00:00+00:00"
    assert first["hashtags"] == ["KZ", "закон"] and first["urls"] == ["https://example.kz/article/1"]
    assert first["raw"]["tweet_client_name"] == "Twitter Web App"
    retweet, reply = posts[1], posts[2]
    assert retweet["line"] == 3 and retweet["repost_of"] == "1254999999999999999"
    assert reply["line"] == 5 and reply["reply_to"] == "1254000000000000000"
    assert reply["text"] == '@someone "exactly"\nsecond line of the reply' and reply["lang"] is None


def test_broken_quote_is_one_skip_and_the_rest_is_read():
    posts, skips = items(DATA / "ioarchive.csv")
    assert skips[0].line == 7 and "broken CSV record" in skips[0].reason
    assert "1255000000000000004" in skips[0].excerpt
    after = [p for p in posts if p["line"] > 7]
    assert [p["id"] for p in after] == ["1255000000000000005", "1255000000000000008"]
    assert after[0]["hashtags"] == ["a", "b"]  # "['a', 'b']" list style


def test_bad_time_and_missing_id():
    _, skips = items(DATA / "ioarchive.csv")
    assert [(s.line, s.reason.split(":")[0]) for s in skips[1:]] == [
        (9, "tweet_time is not a valid time"), (10, "id is missing")]
