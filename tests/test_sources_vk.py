from pathlib import Path

from worker.sources import Rejection, detect_format, open_source

DATA = Path(__file__).parent / "data" / "sources"


def items(path, fmt=None):
    out = list(open_source(path, fmt).items())
    return [i for i in out if not isinstance(i, Rejection)], [i for i in out if isinstance(i, Rejection)]


def test_detects_document_and_lines():
    assert detect_format(DATA / "vk_wall.json") == "vk"
    assert detect_format(DATA / "vk_wall.jsonl") == "vk"


def test_group_post_with_link_and_hashtags():
    posts, _ = items(DATA / "vk_wall.json")
    first = posts[0]
    assert first["id"] == "-77001_501" and first["author_id"] == "-77001" and first["platform"] == "vk"
    assert first["author_name"] == "Патриоты Казахстана" and first["author_followers"] == 45000
    assert first["urls"] == ["https://example.kz/article/1"] and first["hashtags"] == ["позор", "Казахстан"]
    assert first["raw"]["author"]["screen_name"] == "patriots_kz"


def test_copy_history_repost_with_empty_text():
    posts, _ = items(DATA / "vk_wall.json")
    repost = posts[1]
    assert repost["id"] == "301_9" and repost["repost_of"] == "-77001_501" and repost["text"] == ""
    assert repost["author_name"] == "Айгерим Сапарова" and repost["line"] == 2


def test_missing_date_is_a_skip_with_item_number():
    posts, skips = items(DATA / "vk_wall.json")
    assert [(s.line, s.reason) for s in skips] == [(3, "date is missing")]
    assert posts[-1]["id"] == "302_11" and posts[-1]["line"] == 4


def test_json_lines_of_responses():
    posts, skips = items(DATA / "vk_wall.jsonl")
    assert [(p["line"], p["id"], p["author_name"]) for p in posts] == [(1, "303_12", "Ерлан Б."), (3, "-77001_13", None)]
    assert posts[0]["hashtags"] == ["тег"]
    assert skips[0].line == 2 and "Access denied" in skips[0].reason
