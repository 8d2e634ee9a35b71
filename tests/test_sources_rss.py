import io
from pathlib import Path

import pytest

from worker.sources import ReadOptions, Rejection, SourceError, detect_format, open_source, rss

DATA = Path(__file__).parent / "data" / "sources"


def items(path, fmt=None):
    out = list(open_source(path, fmt).items())
    return [i for i in out if not isinstance(i, Rejection)], [i for i in out if isinstance(i, Rejection)]


def test_detects_rss_and_atom():
    assert detect_format(DATA / "feed.rss") == "rss"
    assert detect_format(DATA / "feed.atom") == "rss"


def test_rss_entries():
    posts, skips = items(DATA / "feed.rss")
    first = posts[0]
    assert first["id"] == "gosnews-1" and first["platform"] == "web"
    assert first["author_id"] == first["author_name"] == "Государственные Новости"
    assert first["text"] == ("Бюро защищает иностранцев\n\nПравозащитное бюро живёт на гранты.\n"
                             "Подробнее здесь & #позор")
    assert first["urls"] == ["https://gosnews.example.kz/news/1", "https://example.kz/article/1"]
    assert first["hashtags"] == ["позор"] and first["lang"] == "ru"
    assert first["created_at"].isoformat() == "2020-04-28T08:00:00+00:00"
    assert "published_parsed" not in first["raw"] and first["raw"]["feed_title"] == "Государственные Новости"


def test_entry_without_id_uses_link_then_a_stable_hash():
    posts, _ = items(DATA / "feed.rss")
    assert posts[1]["id"] == "https://gosnews.example.kz/news/2"
    hashed = posts[2]["id"]
    assert hashed.startswith("sha1:") and hashed == items(DATA / "feed.rss")[0][2]["id"]
    assert posts[2]["urls"] == [] and posts[2]["line"] == 3


def test_entry_without_date_is_a_skip():
    _, skips = items(DATA / "feed.rss")
    assert [(s.line, s.reason) for s in skips] == [(4, "published/updated date is missing")]


def test_atom_without_feed_title_uses_entry_author():
    (post,), _ = items(DATA / "feed.atom")
    assert post["author_id"] == "Ержан" and post["created_at"].isoformat() == "2020-04-29T18:30:02+00:00"


def test_windows_1251_feed(tmp_path):
    xml = ('<?xml version="1.0" encoding="windows-1251"?><rss version="2.0"><channel><title>Вести</title>'
           '<item><title>Заголовок</title><guid>a1</guid><pubDate>Tue, 28 Apr 2020 14:00:00 GMT</pubDate></item>'
           '</channel></rss>')
    path = tmp_path / "cp1251.xml"
    path.write_bytes(xml.encode("cp1251"))
    (post,), _ = items(path)
    assert post["author_id"] == "Вести" and post["text"] == "Заголовок"


def test_too_large_or_unreadable_feed(monkeypatch):
    monkeypatch.setattr(rss, "MAX_FEED_BYTES", 10)
    with pytest.raises(SourceError, match="larger than"):
        list(rss.read(io.StringIO("<rss>" + "x" * 20), ReadOptions()))
    monkeypatch.undo()
    with pytest.raises(SourceError, match="not a readable"):
        list(rss.read(io.StringIO("<html><body><p>not a feed</p></body></html>"), ReadOptions()))
