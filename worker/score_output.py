"""The files of a batch scoring: scores, clusters and campaigns as JSON Lines (the default) or Parquet, and the same
records as Arrow tables or pandas DataFrames for notebooks.

Parquet columns carry the JSONL fields one for one (docs/detection.md, "Outputs"):
- lists of ids (`accounts`, `posts`, `clusters`) are list<string>; `targets` is list<struct<name, aliases, type>>;
  `evidence` is list<struct<signal, a, b, seconds, similarity>> with `a`/`b` struct<id, platform, author_id>;
- `start`/`end` are timestamp[us, UTC] (the JSONL's ISO strings are the same instants);
- `signals` is a JSON string: its keys are signal and feature names that differ from cluster to cluster, which an
  Arrow struct would turn into hundreds of mostly-null columns. json.loads gives back the JSONL's object.
Scores are written in row groups of SCORES_CHUNK posts, so writing never holds more than one chunk as Arrow data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Protocol

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

OUT_FORMATS = ("jsonl", "parquet")
NAMES = ("scores", "clusters", "campaigns")
SCORES_CHUNK = 65536
JSONL_CHUNK_BYTES = 16 * 1024 * 1024

_REF = pa.struct([("id", pa.string()), ("platform", pa.string()), ("author_id", pa.string())])
_TARGETS = pa.list_(pa.struct([("name", pa.string()), ("aliases", pa.list_(pa.string())), ("type", pa.string())]))
_TIME = pa.timestamp("us", tz="UTC")
_IDS = pa.list_(pa.string())

SCHEMAS = {
    "scores": pa.schema([("id", pa.string()), ("platform", pa.string()), ("score", pa.float64()),
                         ("cluster", pa.string())]),
    "clusters": pa.schema([
        ("cluster", pa.string()), ("score", pa.float64()), ("flagged", pa.bool_()), ("kind", pa.string()),
        ("coordination", pa.float64()), ("smear", pa.float64()), ("label", pa.string()), ("accounts", _IDS),
        ("posts", _IDS), ("start", _TIME), ("end", _TIME), ("signals", pa.string()), ("targets", _TARGETS),
        ("evidence", pa.list_(pa.struct([("signal", pa.string()), ("a", _REF), ("b", _REF),
                                         ("seconds", pa.float64()), ("similarity", pa.float64())]))),
    ]),
    "campaigns": pa.schema([
        ("campaign", pa.string()), ("label", pa.string()), ("score", pa.float64()), ("flagged", pa.bool_()),
        ("clusters", _IDS), ("accounts", _IDS), ("posts", pa.int64()), ("targets", _TARGETS), ("start", _TIME),
        ("end", _TIME),
    ]),
}


class Scored(Protocol):
    """What the writers need of a result (worker.batch_scoring.BatchScoring)."""

    def scores(self) -> Iterator[dict]: ...
    def clusters(self) -> list[dict]: ...
    def campaigns(self) -> list[dict]: ...


def write_outputs(result: Scored, out: Path, out_format: str = "jsonl") -> list[Path]:
    """Write scores, clusters and campaigns into `out` as .jsonl or .parquet; returns the paths written. The other
    format's files from an earlier run into the same folder are removed, so a folder never mixes two runs."""
    if out_format not in OUT_FORMATS:
        raise ValueError(f"unknown output format {out_format!r}; choose one of: {', '.join(OUT_FORMATS)}")
    for name in NAMES:
        for suffix in OUT_FORMATS:
            if suffix != out_format:
                (out / f"{name}.{suffix}").unlink(missing_ok=True)
    records = {"scores": result.scores(), "clusters": result.clusters(), "campaigns": result.campaigns()}
    paths = []
    for name in NAMES:
        path = out / f"{name}.{out_format}"
        if out_format == "parquet":
            write_parquet(path, name, records[name])
        else:
            write_jsonl(path, records[name])
        paths.append(path)
    return paths


def write_jsonl(path: Path, records: Iterable[dict]) -> None:
    """One line per record, written SCORES_CHUNK lines or JSONL_CHUNK_BYTES at a time (a cluster with its
    evidence is kilobytes: tens of thousands of them must not be held as one chunk)."""
    with open(path, "wb") as f:
        lines, size = [], 0
        for record in records:
            line = orjson.dumps(record)
            lines.append(line)
            size += len(line)
            if len(lines) >= SCORES_CHUNK or size >= JSONL_CHUNK_BYTES:
                f.write(b"\n".join(lines) + b"\n")
                lines, size = [], 0
        if lines:
            f.write(b"\n".join(lines) + b"\n")


def write_parquet(path: Path, name: str, records: Iterable[dict]) -> None:
    schema = SCHEMAS[name]
    records = iter(records)
    with pq.ParquetWriter(path, schema) as writer:  # an empty result still gets a file with the columns
        while chunk := list(islice(records, SCORES_CHUNK)):
            writer.write_table(table_of(name, chunk))


def table_of(name: str, records: list[dict]) -> pa.Table:
    """Records of `scores`, `clusters` or `campaigns` (as in the JSONL) as an Arrow table of the Parquet schema."""
    if name != "scores":
        records = [_arrow_record(record) for record in records]
    return pa.Table.from_pylist(records, schema=SCHEMAS[name])


def result_table(result: Scored, name: str) -> pa.Table:
    """The whole of one output as an Arrow table."""
    if name not in NAMES:
        raise ValueError(f"unknown output {name!r}; choose one of: {', '.join(NAMES)}")
    records = {"scores": result.scores, "clusters": result.clusters, "campaigns": result.campaigns}[name]()
    chunks = []
    records = iter(records)
    while chunk := list(islice(records, SCORES_CHUNK)):
        chunks.append(table_of(name, chunk))
    return pa.concat_tables(chunks) if chunks else SCHEMAS[name].empty_table()


def to_pandas(table: pa.Table):
    """The table as a pandas DataFrame; pandas is optional (pyarrow imports it here, only when asked)."""
    try:
        return table.to_pandas()
    except ImportError:
        raise ImportError("pandas is not installed (pip install pandas); result.table(name) gives the same "
                          "data as an Arrow table") from None


def _arrow_record(record: dict) -> dict:
    out = dict(record)
    for key in ("start", "end"):
        if out.get(key) is not None:
            out[key] = datetime.fromisoformat(out[key])
    if "signals" in out:
        out["signals"] = orjson.dumps(out["signals"]).decode()
    return out
