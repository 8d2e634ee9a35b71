"""Small input files the tests write: JSONL dumps of made-up posts, RSS documents."""

from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import orjson


def write_posts(path: Path, n: int, start: int = 0, broken_every: int = 0) -> None:
    with open(path, "wb") as out:
        for i in range(start, start + n):
            if broken_every and i % broken_every == broken_every // 2:
                out.write(b'{"id": "broken\n')
                continue
            out.write(orjson.dumps({
                "id": str(i), "platform": "twitter", "author_id": f"u{i % 53}", "text": f"post {i}",
                "created_at": f"2020-04-28T10:{i % 60:02d}:00+06:00",
            }) + b"\n")


def rss(entries: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://news.example/{guid}</link>"
        f"<description>{title} and more</description>"
        f"<pubDate>{format_datetime(datetime(2020, 4, 28, 10, i, tzinfo=UTC))}</pubDate></item>"
        for i, (guid, title) in enumerate(entries)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Local outlet</title>'
            f"<link>https://news.example/</link><language>ru</language>{items}</channel></rss>").encode()
