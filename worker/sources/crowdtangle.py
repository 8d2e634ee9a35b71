"""CrowdTangle CSV exports (the dashboard's "Download" / historical data CSV), Facebook and Instagram.

Facebook files have `Page Name`, `User Name`, `Facebook Id`, `Page Created`, `Followers at Posting`,
`Post Created`, `Type`, `URL`, `Message`, `Link`, `Final Link`, `Description`, …; Instagram files have `Account`,
`User Name`, `Followers at Posting`, `Post Created`, `URL`, `Description`, `Link`, … The platform follows from the
header (`Facebook Id` → facebook, else instagram).

- id: the post `URL`, verbatim (trimmed). The CSV has no post id column and the URL is the stable unique key;
  it is also what the CrowdTangle API and the JSON twins use.
- author_id: `Facebook Id` (the page/group/profile id) on Facebook; `User Name` (the handle) on Instagram.
- author_name: `Page Name` (Facebook) / `Account` (Instagram), else `User Name`.
- followers: `Followers at Posting`, else `Likes at Posting` (pages that only report likes).
- text: Facebook `Message` (the page's own words; `Description` is the linked article's blurb, kept in raw);
  Instagram `Description` (the caption). Hashtags from the text.
- urls: `Link`, `Final Link` (deduplicated).
- Times: `2020-04-28 10:00:00 EDT` (a zone abbreviation, see ZONES), with a numeric offset, or ISO 8601;
  a time without zone is UTC. An unknown abbreviation rejects the record (Post Created) or drops the value
  (Page Created).
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import TextIO

from worker.sources.base import (
    InvalidRecord,
    NormalizedPost,
    OutOfRange,
    RawRecord,
    ReadOptions,
    Rejection,
    excerpt,
    make_post,
    unexpected,
)
from worker.sources.csvrows import header_of, read_rows
from worker.sources.textutil import hashtags_from_text

NAME = "crowdtangle"
WHOLE_LINES = True  # a broken archive ends after its last whole line (files.open_text)

# Abbreviations CrowdTangle prints (the dashboard user's zone). IST is India's; MSK Moscow; ALMT Almaty.
ZONES_HOURS = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "IST": 5.5, "CET": 1, "CEST": 2, "EET": 2,
    "EEST": 3, "MSK": 3, "TRT": 3, "GST": 4, "AQTT": 5, "PKT": 5, "ALMT": 6, "ICT": 7, "WIB": 7, "CST": -6,
    "CDT": -5, "EST": -5, "EDT": -4, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8,
    "HST": -10, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5, "BRT": -3, "ART": -3, "HKT": 8, "SGT": 8,
    "AWST": 8, "JST": 9, "KST": 9, "ACST": 9.5, "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
    "SAST": 2, "CAT": 2, "EAT": 3, "WAT": 1,
}
ZONES = {name: timezone(timedelta(hours=hours)) for name, hours in ZONES_HOURS.items()}


def detect(head: str, name: str) -> bool:
    header = header_of(head)
    if header is None or "Post Created" not in header or "URL" not in header:
        return False
    return "Facebook Id" in header or "Account" in header or "Page Name" in header


def read(stream: TextIO, options: ReadOptions) -> Iterator[RawRecord | Rejection]:
    platform = None
    for item in read_rows(stream, ","):
        if isinstance(item, Rejection):
            yield item
            continue
        header, row, line = item
        if platform is None:
            platform = "facebook" if "Facebook Id" in header or "Page Name" in header else "instagram"
        yield RawRecord(line, (dict(zip(header, row, strict=True)), platform))


def normalize(record: RawRecord, options: ReadOptions | None = None) -> Iterator[NormalizedPost | Rejection]:
    row, platform = record.data
    get = row.get
    try:
        if platform == "facebook":
            author_id = get("Facebook Id")
            author_name = get("Page Name") or get("User Name")
            text = get("Message") or ""
        else:
            author_id = get("User Name")
            author_name = get("Account") or get("User Name")
            text = get("Description") or ""
        urls = [url.strip() for url in (get("Link"), get("Final Link")) if url and url.strip()]
        if len(urls) == 2 and urls[0] == urls[1]:
            urls.pop()
        followers = (get("Followers at Posting") or get("Likes at Posting") or "").replace(",", "").strip()
        yield make_post(
            id=(get("URL") or "").strip(),
            platform=(options.platform if options and options.platform else platform),
            author_id=(author_id or "").strip(),
            author_name=author_name,
            author_created_at=_optional_time(get("Page Created")),
            author_followers=followers,
            text=text,
            created_at=parse_ct_time(get("Post Created"), "Post Created"),
            urls=urls,
            hashtags=hashtags_from_text(text),
            raw=row,
            line=record.line,
        )
    except InvalidRecord as error:
        yield Rejection(record.line, str(error), excerpt(",".join(row.values())))
    except Exception as error:
        yield unexpected(record, error)


def parse_ct_time(value: str | None, field_name: str) -> datetime:
    """'2020-04-28 10:00:00 EDT', '2020-04-28 10:00:00 -0400', ISO 8601; no zone means UTC."""
    if not value or not value.strip():
        raise InvalidRecord(f"{field_name} is missing")
    text = value.strip()
    zone = None
    head, _, last = text.rpartition(" ")
    if head and last and (last[0] in "+-" or last.isalpha()):
        if last[0] in "+-":
            text = head + last
        else:
            zone = ZONES.get(last.upper())
            if zone is None:
                raise InvalidRecord(f"{field_name} has an unknown time zone {last!r}")
            text = head
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidRecord(f"{field_name} is not a time: {value.strip()[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone or UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        raise OutOfRange(f"{field_name} is out of range: {value.strip()[:40]!r}") from None


def _optional_time(value: str | None) -> datetime | None:
    if not value or not value.strip():
        return None
    try:
        return parse_ct_time(value, "Page Created")
    except InvalidRecord:
        return None
