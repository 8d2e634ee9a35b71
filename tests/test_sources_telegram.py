import io
from pathlib import Path

from worker.sources import ReadOptions, Rejection, detect_format, open_source, telegram

DATA = Path(__file__).parent / "data" / "sources"


def items(path, fmt=None):
    out = list(open_source(path, fmt).items())
    return [i for i in out if not isinstance(i, Rejection)], [i for i in out if isinstance(i, Rejection)]


def test_detects_single_chat_and_full_export():
    assert detect_format(DATA / "telegram_result.json") == "telegram"
    assert detect_format(DATA / "telegram_full.json") == "telegram"


def test_entity_list_text_links_and_hashtags():
    posts, _ = items(DATA / "telegram_result.json")
    first = posts[0]
    assert first["id"] == "1400000001_2" and first["line"] == 2 and first["platform"] == "telegram"
    assert first["author_id"] == "channel1400000001" and first["author_name"] == "Патриоты KZ"
    assert first["text"] == "Бюро защищает иностранцев! #позор читайте https://example.kz/article/1 и здесь!"
    assert first["urls"] == ["https://example.kz/article/1", "https://example.kz/article/2"]
    assert first["hashtags"] == ["позор"]
    assert first["created_at"].isoformat() == "2020-04-28T10:00:00+00:00"  # date_unixtime, not local `date`


def test_service_messages_are_ignored_not_rejected():
    posts, skips = items(DATA / "telegram_result.json")
    assert 1 not in [p["line"] for p in posts] and 1 not in [s.line for s in skips]


def test_forward_reply_text_entities_and_fallbacks():
    posts, skips = items(DATA / "telegram_result.json")
    by_id = {p["id"].removeprefix("1400000001_"): p for p in posts}
    assert by_id["3"]["repost_of"] == "channel1500000002" and by_id["3"]["text"] == ""
    assert by_id["4"]["reply_to"] == "1400000001_2" and by_id["4"]["hashtags"] == ["закон"]  # from text_entities
    assert by_id["5"]["created_at"].isoformat() == "2020-04-28T16:15:00+00:00"  # old export: `date` as UTC
    assert by_id["7"]["author_id"] == "channel1400000001"  # channel post without from_id
    assert [(s.line, s.reason) for s in skips] == [(6, "date_unixtime is not a valid time: 'yesterday'")]


def test_full_export_numbers_messages_over_all_chats():
    posts, skips = items(DATA / "telegram_full.json")
    assert not skips
    assert [(p["line"], p["id"], p["author_id"]) for p in posts] == [(1, "9000000001_10", "user501"), (3, "100_1", "user100")]


def test_truncated_document_keeps_what_was_read():
    text = (DATA / "telegram_result.json").read_text()
    cut = text[: text.index('"id": 4')]
    out = list(telegram.read(io.StringIO(cut), ReadOptions()))
    records = [r for r in out if not isinstance(r, Rejection)]
    assert [r.line for r in records] == [2, 3]
    assert isinstance(out[-1], Rejection) and "broken JSON" in out[-1].reason
