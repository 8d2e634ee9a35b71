"""Generic CSV with a column mapping (`--map field=column`, ReadOptions.mapping {contract field: column}).

- A contract field not in the mapping is taken from the column of the same name, when there is one.
- platform: the mapped/`platform` column, else `--platform`, else `unknown`.
- urls and hashtags: a JSON array, or items separated by commas and/or whitespace.
- The delimiter (comma, semicolon or tab) is sniffed from the header line.
- Auto-detection only chooses this format when the header already has the contract's names (`id`, `author_id`,
  `created_at`, `text`); otherwise name it with `--format csv` and give a mapping.
- A mapping naming an unknown field, or a column the header lacks, is a SourceError (the whole file is wrong).
"""

from collections.abc import Iterator
from typing import TextIO

from worker.sources.base import (
    CONTRACT_FIELDS,
    InvalidRecord,
    NormalizedPost,
    RawRecord,
    ReadOptions,
    Rejection,
    excerpt,
    make_post,
    unexpected,
)
from worker.sources.csvrows import header_of, read_rows
from worker.sources.files import SourceError
from worker.sources.textutil import split_list

NAME = "csv"
WHOLE_LINES = True  # a broken archive ends after its last whole line (files.open_text)
DETECT_COLUMNS = {"id", "author_id", "created_at", "text"}
_LIST_FIELDS = ("urls", "hashtags")


def detect(head: str, name: str) -> bool:
    header = header_of(head)
    return header is not None and DETECT_COLUMNS.issubset(header)


def read(stream: TextIO, options: ReadOptions) -> Iterator[RawRecord | Rejection]:
    mapping = dict(options.mapping or {})
    unknown = sorted(set(mapping) - set(CONTRACT_FIELDS))
    if unknown:
        raise SourceError(f"--map names unknown field(s) {', '.join(unknown)}; fields are: {', '.join(CONTRACT_FIELDS)}")
    columns: list[tuple[str, int]] | None = None
    for item in read_rows(stream):
        if isinstance(item, Rejection):
            yield item
            continue
        header, row, line = item
        if columns is None:
            columns = _columns(header, mapping)
        yield RawRecord(line, ({field: row[index] for field, index in columns}, header, row))


def _columns(header: list[str], mapping: dict[str, str]) -> list[tuple[str, int]]:
    position = {name: index for index, name in enumerate(header)}
    missing = sorted(f"{field}={column}" for field, column in mapping.items() if column not in position)
    if missing:
        raise SourceError(f"mapped column(s) not in the CSV header: {', '.join(missing)} "
                          f"(header: {', '.join(header)[:300]})")
    columns = []
    for field in CONTRACT_FIELDS:
        column = mapping.get(field, field)
        if column in position:
            columns.append((field, position[column]))
    return columns


def normalize(record: RawRecord, options: ReadOptions | None = None) -> Iterator[NormalizedPost | Rejection]:
    values, header, row = record.data
    get = values.get
    raw = dict(zip(header, row, strict=True))
    try:
        platform = options.platform if options and options.platform else get("platform")
        yield make_post(
            id=(get("id") or "").strip(),
            platform=platform,
            author_id=(get("author_id") or "").strip(),
            author_name=get("author_name"),
            author_created_at=get("author_created_at"),
            author_followers=get("author_followers"),
            text=get("text") or "",
            created_at=get("created_at"),
            lang=get("lang"),
            urls=split_list(get("urls")),
            hashtags=split_list(get("hashtags")),
            repost_of=get("repost_of"),
            reply_to=get("reply_to"),
            raw=raw,
            line=record.line,
        )
    except InvalidRecord as error:
        yield Rejection(record.line, str(error), excerpt(",".join(row)))
    except Exception as error:
        yield unexpected(record, error)
