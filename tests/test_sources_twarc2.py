from pathlib import Path

from worker.sources import Rejection, detect_format, open_source, twarc2

DATA = Path(__file__).parent / "data" / "sources"


def items(path, fmt=None):
    out = list(open_source(path, fmt).items())
    return [i for i in out if not isinstance(i, Rejection)], [i for i in out if isinstance(i, Rejection)]


def test_detects_pages_and_flattened_lines():
    assert detect_format(DATA / "twarc2_pages.jsonl") == "twarc2"
    assert detect_format(DATA / "twarc2_flat.jsonl") == "twarc2"


def test_detects_a_page_longer_than_the_head():
    head = '{"data": [{"id": "1", "author_id": "2", "text": "' + "x" * 70000
    assert twarc2.detect(head[:65536], "big.jsonl")


def test_normalized_jsonl_is_not_twarc2():
    line = '{"id": "1", "platform": "twitter", "author_id": "2", "text": "hi", "created_at": "2020-04-28T10:00:00Z"}'
    assert not twarc2.detect(line, "posts.jsonl")


def test_page_tweets_users_and_entities():
    posts, _ = items(DATA / "twarc2_pages.jsonl")
    first = posts[0]
    assert first["id"] == "1255000000000000001" and first["platform"] == "twitter"
    assert first["author_id"] == "111" and first["author_name"] == "kz_voice"
    assert first["author_followers"] == 12
    assert first["author_created_at"].isoformat() == "2020-04-01T08:00:00+00:00"
    assert first["urls"] == ["https://example.kz/article/1"]
    assert first["hashtags"] == ["KZ", "закон"]
    assert first["lang"] == "ru" and first["line"] == 1
    # raw is the tweet with its author, not the page
    assert first["raw"]["author"]["username"] == "kz_voice" and "includes" not in first["raw"]


def test_truncated_retweet_takes_full_text_and_keeps_prefix():
    posts, _ = items(DATA / "twarc2_pages.jsonl")
    retweet = posts[1]
    assert retweet["repost_of"] == "1254999999999999999"
    assert retweet["text"] == ("RT @patriot_kz: The bureau defends foreigners, not us #KZ #закон https://t.co/abc "
                               "and lives on foreign donor money. Shame! #позор")
    assert "позор" in retweet["hashtags"] and retweet["urls"] == ["https://example.kz/article/1"]


def test_reply_and_undetermined_language():
    posts, _ = items(DATA / "twarc2_pages.jsonl")
    reply = posts[2]
    assert reply["reply_to"] == "1254000000000000000" and reply["repost_of"] is None
    assert reply["lang"] is None  # "und"


def test_bad_records_are_skips_with_the_page_line():
    posts, skips = items(DATA / "twarc2_pages.jsonl")
    assert [p["id"] for p in posts][-1] == "1255000000000000006"  # author missing from includes is fine
    assert posts[-1]["author_name"] is None
    reasons = [(s.line, s.reason) for s in skips]
    assert reasons[0] == (3, "created_at is missing")
    assert reasons[1][0] == 3 and "not a valid time" in reasons[1][1]
    assert reasons[2][0] == 4 and reasons[2][1].startswith("not valid JSON")
    assert len(posts) == 4 and len(skips) == 3  # the empty page (line 2) is neither


def test_flattened_retweet_and_note_tweet():
    posts, skips = items(DATA / "twarc2_flat.jsonl")
    assert not skips
    retweet, note = posts
    assert retweet["text"] == "RT @patriot_kz: Short version of the full text with #хэштег"
    assert retweet["hashtags"] == ["хэштег"] and retweet["author_name"] == "bot_4481"
    assert retweet["author_followers"] == 0 and retweet["line"] == 1
    assert note["text"].startswith("A long note tweet, now in full") and note["hashtags"] == ["долго"]
