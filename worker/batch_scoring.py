"""Batch scoring as a library call: dump files (or posts) in, scores and clusters out; no database, no broker.

    from worker.batch_scoring import score_dumps
    result = score_dumps(["tweets.jsonl.gz"], out="scored/")   # writes the files of `smearwatch score`
    flagged = [c for c in result.clusters() if c["flagged"]]
    result = score_posts(dataframe)            # a pandas DataFrame or Arrow table of posts, in a notebook
    result.clusters_frame()                    # pandas (if installed); result.table("clusters") for Arrow

`smearwatch score` is a thin wrapper around `score_dumps`. Outputs follow the contract in docs/architecture.md
("Batch scoring output"): scores.jsonl, clusters.jsonl, campaigns.jsonl (or .parquet, worker/score_output.py),
rejected.jsonl and summary.json.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from classifiers import DetectResult, Model, PostFrame, detect, load_model
from classifiers.campaigns import brief_of, group_campaigns
from worker.batch_report import write_report
from worker.score_output import result_table, to_pandas, write_outputs
from worker.sources import ReadOptions, Rejection, open_source
from worker.sources.base import RawRecord
from worker.sources.jsonl import normalize as normalize_contract
from worker.sources.parquet import as_table, table_records
from worker.sources.parquet import normalize as normalize_row

# Called with (bytes read so far, bytes in all inputs) while the dumps are read.
ReadProgress = Callable[[int, int], None]


@dataclass
class BatchScoring:
    """What one batch scoring produced; `write(out)` writes the documented files."""

    frame: PostFrame
    detection: DetectResult
    model: Model
    rejected: list[dict] = field(default_factory=list)  # {"source", "line", "reason"}
    read: int = 0
    inputs: list[str] = field(default_factory=list)
    window: float | None = None
    targets: dict[str, list[str]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    _campaigns: list[dict] | None = field(default=None, repr=False)

    def scores(self) -> Iterator[dict]:
        """One record per scored post: {"id", "platform", "score", "cluster"}."""
        keys = [c.key for c in self.detection.clusters]
        ids, platforms = self.frame.id, self.frame.platform
        scores, cluster = self.detection.post_scores, self.detection.post_cluster
        for i in range(len(self.frame)):
            c = int(cluster[i])
            yield {"id": ids[i], "platform": platforms[i], "score": round(float(scores[i]), 6),
                   "cluster": keys[c] if c >= 0 else None}

    def clusters(self) -> list[dict]:
        """One record per cluster, best first (ties by key, so the same input gives the same order)."""
        ordered = sorted(self.detection.clusters, key=lambda c: (-c.score, c.key))
        return [cluster_record(c, self.frame) for c in ordered]

    def campaigns(self) -> list[dict]:
        """One record per campaign (clusters grouped by target, accounts and narrative), flagged ones first."""
        if self._campaigns is None:
            campaigns = group_campaigns([brief_of(c, self.frame) for c in self.detection.clusters])
            self._campaigns = [campaign_record(c, self.detection.clusters) for c in campaigns]
        return self._campaigns

    def table(self, name: str) -> pa.Table:
        """"scores", "clusters" or "campaigns" as an Arrow table (the columns of the Parquet output)."""
        return result_table(self, name)

    def scores_frame(self):
        """The scores as a pandas DataFrame (needs pandas)."""
        return to_pandas(self.table("scores"))

    def clusters_frame(self):
        """The clusters as a pandas DataFrame (needs pandas); `signals` is a JSON string, as in Parquet."""
        return to_pandas(self.table("clusters"))

    def campaigns_frame(self):
        """The campaigns as a pandas DataFrame (needs pandas)."""
        return to_pandas(self.table("campaigns"))

    def summary(self) -> dict:
        flagged = sum(bool(c.flagged) for c in self.detection.clusters)
        campaigns = self.campaigns()
        return {
            "read": self.read, "scored": len(self.frame), "rejected": len(self.rejected),
            "clusters": len(self.detection.clusters), "flagged": int(flagged),
            "campaigns": len(campaigns), "flagged_campaigns": sum(c["flagged"] for c in campaigns),
            "model": {"version": self.model.version, "path": str(self.model.path),
                      "threshold": self.model.threshold},
            "window": self.window, "targets": self.targets, "inputs": self.inputs, "timings": self.timings,
        }

    def write(self, out: str | Path, out_format: str = "jsonl") -> Path:
        """Write scores, clusters and campaigns (.jsonl, or .parquet with out_format="parquet"), rejected.jsonl and
        summary.json into `out` (created if missing)."""
        started = time.perf_counter()
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        with open(out / "rejected.jsonl", "wb") as f:
            for record in self.rejected:
                f.write(orjson.dumps(record) + b"\n")
        write_outputs(self, out, out_format)  # scores, clusters, campaigns: .jsonl or .parquet
        write_report(self, out)
        self.timings["write"] = round(time.perf_counter() - started, 3)
        self.timings["total"] = round(self.timings["scoring"] + self.timings["write"], 3)
        (out / "summary.json").write_bytes(orjson.dumps(self.summary(), option=orjson.OPT_INDENT_2) + b"\n")
        return out


def score_dumps(inputs: Sequence[str | Path], *, out: str | Path | None = None, fmt: str | None = None,
                options: ReadOptions | None = None, model: Model | str | Path | None = None,
                window: float | None = None, targets: dict[str, list[str]] | None = None,
                on_read: ReadProgress | None = None, out_format: str = "jsonl") -> BatchScoring:
    """Score and cluster the posts of dump files (any format `smearwatch ingest` reads; .gz and .zst too).

    Every input is opened first, so an unreadable one fails (SourceError) before any work. Records that cannot
    be read are kept in `result.rejected`. With `out`, the documented files are written there as well.
    """
    started = time.perf_counter()
    sources = [open_source(path, fmt, options or ReadOptions()) for path in inputs]
    rejected: list[dict] = []
    counts = {"read": 0}
    total = sum(s.size for s in sources)

    def posts() -> Iterator[dict]:
        done = 0
        for source in sources:
            for i, item in enumerate(source.items()):
                counts["read"] += 1
                if isinstance(item, Rejection):
                    rejected.append({"source": str(source.path), "line": item.line, "reason": item.reason})
                else:
                    yield item
                if on_read is not None and i % 2048 == 0:
                    on_read(done + source.bytes_done, total)
            done += source.size
            if on_read is not None:
                on_read(done, total)

    result = _score(posts(), model=model, window=window, targets=targets, started=started)
    result.rejected, result.read, result.inputs = rejected, counts["read"], [str(p) for p in inputs]
    if out is not None:
        result.write(out, out_format)
    return result


def score_posts(posts: Iterable[dict] | Any, *, out: str | Path | None = None, model: Model | str | Path | None = None,
                window: float | None = None, targets: dict[str, list[str]] | None = None,
                mapping: dict[str, str] | None = None, out_format: str = "jsonl") -> BatchScoring:
    """Score and cluster normalized posts given as dicts (the JSONL contract: ISO times as strings or datetimes),
    or as a pandas DataFrame or Arrow table (columns named as the contract's fields, or renamed by `mapping`
    {field: column}; read as Parquet files are).

    A post that breaks the contract is rejected with its position (source "<posts>", line = 1-based index or row).
    """
    started = time.perf_counter()
    rejected: list[dict] = []
    counts = {"read": 0}
    table = as_table(posts)
    if mapping and table is None:
        raise ValueError("mapping is for a DataFrame or an Arrow table, not for dicts")

    def normalized() -> Iterator[dict]:
        if table is not None:
            options = ReadOptions(mapping=dict(mapping or {}))
            for record in table_records(table, options):
                counts["read"] += 1
                items = [record] if isinstance(record, Rejection) else normalize_row(record, options)
                for item in items:
                    if isinstance(item, Rejection):
                        rejected.append({"source": "<posts>", "line": item.line, "reason": item.reason})
                    else:
                        yield item
            return
        for line, post in enumerate(posts, start=1):
            counts["read"] += 1
            for item in normalize_contract(RawRecord(line, _as_contract(post))):
                if isinstance(item, Rejection):
                    rejected.append({"source": "<posts>", "line": line, "reason": item.reason})
                else:
                    yield item

    result = _score(normalized(), model=model, window=window, targets=targets, started=started)
    result.rejected, result.read = rejected, counts["read"]
    if out is not None:
        result.write(out, out_format)
    return result


def _as_contract(post: dict) -> dict:
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in post.items()}


def _score(posts: Iterable[dict], *, model, window, targets, started: float) -> BatchScoring:
    if window is not None and window <= 0:
        raise ValueError("window must be a positive number of seconds")
    model = model if isinstance(model, Model) else load_model(model)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    frame = PostFrame.from_records(posts)
    timings["read"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    detection = detect(frame, model, window=window, targets=targets or None)
    timings["detect"] = round(time.perf_counter() - t0, 3)
    timings.update({f"detect.{k}": round(v, 3) for k, v in detection.timings.items()})
    timings["scoring"] = timings["total"] = round(time.perf_counter() - started, 3)
    return BatchScoring(frame=frame, detection=detection, model=model, window=window, targets=targets or {},
                        timings=timings)


def cluster_record(c, frame: PostFrame) -> dict:
    """One clusters.jsonl line: the contract's fields plus targets and the evidence edges."""
    def ref(row):
        return {"id": frame.id[row], "platform": frame.platform[row], "author_id": frame.author_id[row]}

    return {
        "cluster": c.key, "score": round(c.score, 6), "flagged": c.flagged, "kind": c.kind,
        "coordination": round(c.coordination, 6), "smear": round(c.smear, 6), "label": c.label,
        "accounts": c.accounts, "posts": [frame.id[r] for r in c.rows],
        "start": _iso(c.start), "end": _iso(c.end), "signals": c.signals, "targets": c.targets,
        "evidence": [{"signal": e.signal, "a": ref(e.row_a), "b": ref(e.row_b), "seconds": round(e.seconds, 1),
                      "similarity": round(e.similarity, 3)} for e in c.edges],
    }


def campaign_record(campaign, clusters) -> dict:
    """One campaigns.jsonl line: the contract's fields; `posts` counts the posts of its clusters."""
    sizes = {c.key: len(c.rows) for c in clusters}
    return {
        "campaign": campaign.key, "label": campaign.label, "score": round(campaign.score, 6),
        "flagged": campaign.flagged, "clusters": campaign.clusters, "accounts": campaign.accounts,
        "posts": sum(sizes[k] for k in campaign.clusters), "targets": campaign.targets,
        "start": _iso(campaign.start), "end": _iso(campaign.end),
    }


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
