"""Apache Parquet (pyarrow): the normalized-post columns, or any columns with a mapping (`--map field=column`).

- Columns are the contract's names (`id`, `author_id`, `created_at`, `text`, ...); a mapping renames them as for
  the generic CSV (ReadOptions.mapping {contract field: column}); a contract field not mapped is taken from the
  column of the same name, when there is one. An unknown field, a missing column, or no column at all for `id`,
  `author_id` or `created_at` is a SourceError (one line about the file, not one rejection per row).
- Times: Arrow timestamp columns (any unit, with or without a time zone; naive ones are taken as UTC), dates,
  ISO 8601 strings or unix seconds.
- urls and hashtags: list columns, or strings read as for CSV (a JSON array, or items separated by commas/spaces).
- Ids may be integer columns. Nulls are missing values; NaN in a float column is null too (pandas writes it).
- The raw payload kept with a post is the other columns of its row (None when there are none), as for JSONL.
- Detected by the magic bytes "PAR1". Read row group by row group in batches (ParquetFile.iter_batches), so memory
  is bounded by a row group, not the file. The record number of a row (`line` in rejections) is its 1-based row number.
- A row group that cannot be decoded (corrupt data) is one Rejection for its rows ("rows N to M (row group G) cannot
  be read"); the other row groups go through.
- A row larger than the record limit (its string and list values over Limits.max_record_bytes) is a Rejection.
- Parquet compresses inside and needs random access, so a .parquet.gz/.zst is refused with that advice.

`table_records` gives the same records from an in-memory Arrow table (the library call with a DataFrame).
"""

import math
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from worker.sources.base import (
    CONTRACT_FIELDS,
    BrokenFile,
    InvalidRecord,
    NormalizedPost,
    RawRecord,
    ReadOptions,
    Rejection,
    current_limits,
    make_post,
    safe_excerpt,
    unexpected,
)
from worker.sources.files import GZIP_MAGIC, ZSTD_MAGIC, SourceError
from worker.sources.textutil import split_list

NAME = "parquet"
BINARY = True  # Source.items hands read() a seekable binary file, not a text stream
MAGIC = b"PAR1"
BATCH_ROWS = 8192  # rows per batch: a few MB of Python objects at most, whatever the row group size
TIME_FIELDS = ("created_at", "author_created_at")
LIST_FIELDS = ("urls", "hashtags")
REQUIRED = ("id", "author_id", "created_at")  # a file without one of these columns cannot give a single post


def detect(head: str, name: str) -> bool:
    return head.startswith(MAGIC.decode())


def is_parquet(path) -> bool:
    """Does the file start with the Parquet magic bytes (uncompressed)?"""
    try:
        with open(path, "rb") as f:
            return f.read(4) == MAGIC
    except OSError:
        return False


def read(stream: BinaryIO, options: ReadOptions) -> Iterator[RawRecord | Rejection]:
    magic = stream.read(4)
    stream.seek(0)
    if magic.startswith(GZIP_MAGIC) or magic.startswith(ZSTD_MAGIC):
        raise SourceError("a compressed Parquet file cannot be read: decompress it first "
                          "(Parquet is compressed inside already)")
    try:
        parquet = pq.ParquetFile(stream)
    except (pa.ArrowException, OSError) as error:
        raise SourceError(f"not a readable Parquet file ({error})") from None
    fields, extra = _columns(parquet.schema_arrow.names, options.mapping)
    columns = _wanted(fields, extra)
    row = 0
    for group in range(parquet.num_row_groups):
        # One row group at a time: memory holds one group's columns at most, and a corrupt group costs its rows only.
        end = row + parquet.metadata.row_group(group).num_rows
        batches = parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=[group], columns=columns, use_threads=False)
        for item in _records(batches, fields, extra, row):
            if isinstance(item, BrokenFile):
                yield Rejection(item.line, f"rows {item.line:,} to {end:,} (row group {group + 1}) cannot be read "
                                f"({item.reason})")
                break
            yield item
        row = end


def as_table(data) -> pa.Table | None:
    """An Arrow table of a pandas DataFrame, an Arrow table or record batch; None for anything else (dicts)."""
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    pandas = sys.modules.get("pandas")  # a DataFrame means pandas is imported already: never imported here
    if pandas is not None and isinstance(data, pandas.DataFrame):
        return pa.Table.from_pandas(data, preserve_index=False)
    return None


def table_records(table: pa.Table, options: ReadOptions | None = None) -> Iterator[RawRecord | Rejection]:
    """The records of an in-memory Arrow table, exactly as read() gives a Parquet file's."""
    fields, extra = _columns(table.schema.names, (options or ReadOptions()).mapping)
    yield from _records(iter(table.select(_wanted(fields, extra)).to_batches(BATCH_ROWS)), fields, extra)


def _wanted(fields: list[tuple[str, str]], extra: list[str]) -> list[str]:
    return list(dict.fromkeys([column for _, column in fields] + extra))  # a column mapped twice is read once


def _columns(names: list[str], mapping: dict[str, str] | None) -> tuple[list[tuple[str, str]], list[str]]:
    """([(contract field, column)], [other columns]) of a schema, checking the mapping."""
    mapping = dict(mapping or {})
    unknown = sorted(set(mapping) - set(CONTRACT_FIELDS))
    if unknown:
        raise SourceError(f"--map names unknown field(s) {', '.join(unknown)}; fields are: {', '.join(CONTRACT_FIELDS)}")
    present = set(names)
    missing = sorted(f"{field}={column}" for field, column in mapping.items() if column not in present)
    if missing:
        raise SourceError(f"mapped column(s) not in the Parquet file: {', '.join(missing)} "
                          f"(columns: {', '.join(names)[:300]})")
    fields = [(field, mapping.get(field, field)) for field in CONTRACT_FIELDS if mapping.get(field, field) in present]
    lacking = [field for field in REQUIRED if field not in dict(fields)]
    if lacking:  # every row would be rejected for it: one line about the file instead
        raise SourceError(f"no column for {', '.join(lacking)} (columns: {', '.join(names)[:300]}); "
                          f"name one with --map {lacking[0]}=COLUMN")
    used = {column for _, column in fields}
    return fields, [name for name in names if name not in used]


def _records(batches: Iterator[pa.RecordBatch], fields: list[tuple[str, str]], extra: list[str],
             row: int = 0) -> Iterator[RawRecord | Rejection]:
    """Records numbered from row + 1; a batch that cannot be decoded ends them with a BrokenFile."""
    max_bytes = current_limits().max_record_bytes
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (pa.ArrowException, OSError) as error:  # corrupt data: every row before it is through
            yield BrokenFile(row + 1, str(error))
            return
        sizes = _row_bytes(batch)
        values = {field: _plain_column(batch.column(column)) for field, column in fields}
        others = {name: _plain_column(batch.column(name)) for name in extra}
        for i in range(batch.num_rows):
            row += 1
            if sizes is not None and sizes[i] > max_bytes:
                yield Rejection(row, f"row larger than {max_bytes:,} bytes (the limit of one record)",
                                safe_excerpt({f: v[i] for f, v in values.items() if f in ("id", "author_id")}))
                continue
            data = {field: column[i] for field, column in values.items()}
            raw = {name: column[i] for name, column in others.items()} if others else None
            yield RawRecord(row, (data, raw))


def normalize(record: RawRecord, options: ReadOptions | None = None) -> Iterator[NormalizedPost | Rejection]:
    data, raw = record.data
    get = data.get
    try:
        yield make_post(
            id=get("id"),
            platform=options.platform if options and options.platform else get("platform"),
            author_id=get("author_id"),
            author_name=get("author_name"),
            author_created_at=get("author_created_at"),
            author_followers=get("author_followers"),
            text=get("text") or "",
            created_at=get("created_at"),
            lang=get("lang"),
            urls=_list_value(get("urls")),
            hashtags=_list_value(get("hashtags")),
            repost_of=get("repost_of"),
            reply_to=get("reply_to"),
            raw=raw,
            line=record.line,
        )
    except InvalidRecord as error:
        yield Rejection(record.line, str(error), safe_excerpt(data))
    except Exception as error:
        yield unexpected(record, error)


def _list_value(value):
    return split_list(value) if isinstance(value, str) else value


# --- Arrow columns to Python values ------------------------------------------------------------------------------


def _plain_column(column: pa.Array) -> list:
    """The column's values as Python objects the contract (and the store's JSON) takes: timestamps as datetimes
    (microseconds: nanoseconds are cut, not refused), dates as midnight UTC, NaN as None, binary, decimal and
    other exotic values as strings."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.dictionary_decode()
        kind = column.type
    if pa.types.is_timestamp(kind):
        return _datetimes(column.cast(pa.int64()).to_pylist(), _MICROS_PER[kind.unit])
    if pa.types.is_date32(kind):
        return _datetimes(column.cast(pa.int32()).to_pylist(), _MICROS_PER["day"])
    if pa.types.is_date64(kind):
        return _datetimes(column.cast(pa.int64()).to_pylist(), _MICROS_PER["ms"])
    if pa.types.is_floating(kind):
        return [None if value is not None and math.isnan(value) else value for value in column.to_pylist()]
    if _plain(kind):
        return column.to_pylist()
    return [None if value is None else _as_text(value) for value in column.to_pylist()]


# Arrow timestamps are integers since the epoch in UTC (naive ones too: taken as UTC), so epoch + timedelta gives
# the UTC datetime exactly and ten times faster than to_pylist() with its time zone objects.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROS_PER = {"s": 1_000_000, "ms": 1000, "us": 1, "ns": None, "day": 86_400_000_000}
_MIN_MICROS = (datetime(1, 1, 2, tzinfo=UTC) - _EPOCH) // timedelta(microseconds=1)
_MAX_MICROS = (datetime(9999, 12, 30, tzinfo=UTC) - _EPOCH) // timedelta(microseconds=1)


def _datetimes(values: list[int | None], scale: int | None) -> list:
    """Aware UTC datetimes of integer times (`scale` microseconds each; None: nanoseconds, cut to microseconds).
    A time beyond datetime's years becomes its unix seconds, which make_post rejects as out of range."""
    out: list = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        micros = value // 1000 if scale is None else value * scale
        if _MIN_MICROS <= micros <= _MAX_MICROS:
            out.append(_EPOCH + timedelta(microseconds=micros))
        else:
            out.append(micros // 1_000_000)
    return out


def _plain(kind: pa.DataType) -> bool:
    """Does to_pylist() give values JSON can hold (strings, numbers, booleans, times, lists and dicts of them)?"""
    if (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_integer(kind)
            or pa.types.is_floating(kind) or pa.types.is_boolean(kind) or pa.types.is_null(kind)
            or pa.types.is_date(kind) or (pa.types.is_timestamp(kind) and kind.unit != "ns")):
        return True
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _plain(kind.value_type)
    if pa.types.is_struct(kind):
        return all(_plain(kind.field(i).type) for i in range(kind.num_fields))
    return False


def _as_text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    return safe_excerpt(value) if isinstance(value, list | dict) else str(value)


def _row_bytes(batch: pa.RecordBatch) -> np.ndarray | None:
    """Bytes of the string and binary values of each row (top level and in lists), or None when it has none."""
    total = None
    for column in batch.columns:
        sizes = _value_bytes(column)
        if sizes is not None:
            total = sizes if total is None else total + sizes
    return total


def _value_bytes(column: pa.Array) -> np.ndarray | None:
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.dictionary_decode()
        kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind) \
            or pa.types.is_large_binary(kind):
        return pc.fill_null(pc.binary_length(column), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    if (pa.types.is_list(kind) or pa.types.is_large_list(kind)) and (
            pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)):
        flat = pc.list_flatten(column)
        if len(flat) == 0:
            return None
        parents = pc.list_parent_indices(column).to_numpy(zero_copy_only=False)
        lengths = pc.fill_null(pc.binary_length(flat), 0).to_numpy(zero_copy_only=False)
        return np.bincount(parents, weights=lengths, minlength=len(column)).astype(np.int64)
    return None
