from pathlib import Path

import pytest

from worker.sources import Rejection, detect_format, open_source
from worker.sources.base import InvalidRecord
from worker.sources.crowdtangle import parse_ct_time

DATA = Path(__file__).parent / "data" / "sources"


def items(path, fmt=None):
    out = list(open_source(path, fmt).items())
    return [i for i in out if not isinstance(i, Rejection)], [i for i in out if isinstance(i, Rejection)]


def test_detects_facebook_and_instagram():
    assert detect_format(DATA / "crowdtangle_facebook.csv") == "crowdtangle"
    assert detect_format(DATA / "crowdtangle_instagram.csv") == "crowdtangle"


def test_facebook_posts():
    posts, skips = items(DATA / "crowdtangle_facebook.csv")
    first, second = posts
    assert first["platform"] == "facebook"
    assert first["id"] == "https://www.facebook.com/100012345678901/posts/2890000000000001"
    assert first["author_id"] == "100012345678901" and first["author_name"] == "Патриоты Казахстана"
    assert first["created_at"].isoformat() == "2020-04-28T14:00:00+00:00"  # EDT
    assert first["author_created_at"].isoformat() == "2015-03-02T16:20:51+00:00"  # EST
    assert first["text"] == "Бюро защищает иностранцев.\nПозор! #позор" and first["hashtags"] == ["позор"]
    assert first["urls"] == ["https://example.kz/article/1"] and first["author_followers"] == 45000
    assert first["raw"]["Description"] == "Article blurb, from the link"
    assert second["line"] == 4  # the first record spans lines 2-3
    assert second["created_at"].isoformat() == "2020-04-28T06:30:00+00:00"  # +0600
    assert second["urls"] == ["https://bit.ly/xyz", "https://news.kz/law"]
    assert [(s.line, s.reason) for s in skips] == [(5, "Post Created has an unknown time zone 'XYZT'")]


def test_instagram_posts():
    posts, skips = items(DATA / "crowdtangle_instagram.csv")
    (post,) = posts
    assert post["platform"] == "instagram" and post["author_id"] == "steppe.eagle"
    assert post["author_name"] == "Steppe Eagle" and post["text"] == "Они живут на гранты #позор #kz"
    assert post["created_at"].isoformat() == "2020-04-29T07:15:00+00:00"  # CEST
    assert [(s.line, s.reason) for s in skips] == [(3, "author_id is missing")]


@pytest.mark.parametrize("value, expected", [
    ("2020-04-28 10:00:00 EST", "2020-04-28T15:00:00+00:00"),
    ("2020-04-28 10:00:00 UTC", "2020-04-28T10:00:00+00:00"),
    ("2020-04-28 10:00:00 -04:00", "2020-04-28T14:00:00+00:00"),
    ("2020-04-28T10:00:00+06:00", "2020-04-28T04:00:00+00:00"),
    ("2020-04-28 10:00:00", "2020-04-28T10:00:00+00:00"),
])
def test_time_zones(value, expected):
    assert parse_ct_time(value, "Post Created").isoformat() == expected


def test_bad_time():
    with pytest.raises(InvalidRecord, match="Post Created is not a time"):
        parse_ct_time("28.04.2020 10:00", "Post Created")
