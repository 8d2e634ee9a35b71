"""RSS 2.0 / RSS 1.0 / Atom feeds through feedparser (platform `web`: online media).

feedparser needs the whole document, so a feed is read into memory, up to MAX_FEED_BYTES (larger: SourceError).
The raw bytes are handed to feedparser when the stream has them, so that a feed in windows-1251 or KOI8-R
(declared in its XML prolog) decodes right.

- id: entry `id` (guid), else `link`, else `sha1:` + a hash of title + date (feeds without guids are normal).
- author_id / author_name: the feed's title (the outlet); when the feed has no title, the entry's author, else
  the feed's link. No author at all rejects the entry.
- text: title, a blank line, then the summary with its HTML stripped (stdlib html.parser).
- created_at: published, else updated; neither rejects the entry.
- urls: the entry link, then the links (<a href>) in the summary. hashtags: from the text.
- lang: the feed's language (`ru-RU` -> `ru`).
- Record number: the entry's 1-based position in the feed. The raw payload is the entry (without the
  `*_parsed` time tuples), plus `feed_title`.
"""

import email.utils
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import TextIO

import feedparser

from worker.sources.base import (
    InvalidRecord,
    NormalizedPost,
    OutOfRange,
    RawRecord,
    ReadOptions,
    Rejection,
    current_limits,
    make_post,
    safe_excerpt,
    unexpected,
)
from worker.sources.files import SourceError
from worker.sources.textutil import hashtags_from_text, lang_code

NAME = "rss"
PLATFORM = "web"
MAX_FEED_BYTES = 50 * 1024 * 1024


def detect(head: str, name: str) -> bool:
    text = head.lstrip()[:4000]
    if not text.startswith("<"):
        return False
    return "<rss" in text or "<feed" in text or "<rdf:RDF" in text


def read(stream: TextIO, options: ReadOptions) -> Iterator[RawRecord | Rejection]:
    binary = getattr(stream, "buffer", None)
    data = binary.read(MAX_FEED_BYTES + 1) if binary is not None else stream.read(MAX_FEED_BYTES + 1)
    if len(data) > MAX_FEED_BYTES:
        raise SourceError(f"feed larger than {MAX_FEED_BYTES // (1024 * 1024)} MB; split it or convert it to JSONL")
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    if not entries and (parsed.get("bozo") or not parsed.get("version")):
        reason = parsed.get("bozo_exception") or "no RSS or Atom root element"
        raise SourceError(f"not a readable RSS/Atom feed: {reason}")
    feed = parsed.get("feed") or {}
    context = {
        "title": (feed.get("title") or "").strip(),
        "link": feed.get("link"),
        "language": feed.get("language"),
    }
    for number, entry in enumerate(entries, start=1):
        yield RawRecord(number, (entry, context))


def normalize(record: RawRecord, options: ReadOptions | None = None) -> Iterator[NormalizedPost | Rejection]:
    try:
        entry, feed = record.data
        raw = {key: value for key, value in entry.items() if not key.endswith("_parsed")}
        raw["feed_title"] = feed["title"] or None
        max_bytes = current_limits().max_record_bytes
        if _size(raw, max_bytes) > max_bytes:
            yield Rejection(record.line, f"entry longer than {max_bytes:,} bytes (the limit of one record)",
                       safe_excerpt(entry.get("title")))
            return
        yield _post(entry, feed, raw, record.line, options)
    except InvalidRecord as error:
        yield Rejection(record.line, str(error), safe_excerpt(raw))
    except Exception as error:
        yield unexpected(record, error)


def _size(value, stop: int) -> int:
    """Characters of text in an entry (its strings, nested ones included), counted up to `stop` + 1."""
    total = 0
    stack = [value]
    while stack and total <= stop:
        node = stack.pop()
        if isinstance(node, str):
            total += len(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return total


def _entry_time(entry) -> datetime:
    """Published, else updated, parsed strictly as RFC 822 (RSS) or ISO 8601 (Atom). Not feedparser's own
    parse: it quietly rolls impossible dates ("31 Apr 2020 25:61") into real ones, a time nobody wrote."""
    for field in ("published", "updated"):
        text = (entry.get(field) or "").strip()
        if not text:
            continue
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                raise InvalidRecord(f"{field} is not a valid time: {text[:40]!r}") from None
        try:
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        except OverflowError:  # year 1 east of UTC, year 9999 west of it
            raise OutOfRange(f"{field} is out of range: {text[:40]!r}") from None
    raise InvalidRecord("published/updated date is missing")


def _post(entry, feed: dict, raw: dict, line: int, options) -> NormalizedPost:
    created_at = _entry_time(entry)
    title = _strip_html(entry.get("title") or "")[0].strip()
    summary, summary_links = _strip_html(entry.get("summary") or "")
    summary = summary.strip()
    text = f"{title}\n\n{summary}" if title and summary else (title or summary)
    link = entry.get("link")
    entry_id = entry.get("id") or link
    if not entry_id:
        stamp = entry.get("published") or entry.get("updated") or created_at.isoformat()
        entry_id = "sha1:" + hashlib.sha1(f"{title}\n{stamp}".encode()).hexdigest()[:20]
    author = feed["title"] or entry.get("author") or feed.get("link")
    if not author:
        raise InvalidRecord("neither the feed nor the entry names an author")
    urls = [link] if link else []
    for url in summary_links:
        if url not in urls:
            urls.append(url)
    return make_post(
        id=entry_id,
        platform=(options.platform if options and options.platform else PLATFORM),
        author_id=author,
        author_name=author,
        text=text,
        created_at=created_at,
        lang=lang_code(feed.get("language")),
        urls=urls,
        hashtags=hashtags_from_text(text),
        raw=raw,
        line=line,
    )


class _TextAndLinks(HTMLParser):
    BLOCKS = frozenset({"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            for key, value in attrs:
                if key == "href" and value and value.startswith(("http://", "https://")):
                    self.links.append(value)
        elif tag in self.BLOCKS and self.parts:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def _strip_html(html: str) -> tuple[str, list[str]]:
    if "<" not in html and "&" not in html:
        return html, []
    parser = _TextAndLinks()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [" ".join(part.split()) for part in text.split("\n")]
    return "\n".join(line for line in lines if line), parser.links
