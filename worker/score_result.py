"""The results of batch scoring, in memory (worker.batch_scoring.BatchScoring) or streamed (StreamedScoring here):
what both share (campaigns, tables, summary, the files) and the records of the output contract."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from classifiers import Model, PostFrame
from classifiers.campaigns import group_campaigns
from classifiers.signals import Edge
from worker.batch_report import reported, told_in_full, write_report
from worker.external_sort import table_frame
from worker.score_output import result_table, to_pandas, write_outputs
from worker.stream_scoring import Streamed, restore


class ScoringOutputs:
    """What an in-memory and a streamed result share: campaigns, tables, the summary and the files. A subclass
    has model, rejected, read, inputs, window, targets, timings, _campaigns, scores(), clusters(),
    detected_clusters(), briefs(), post_span() and report_view()."""

    @cached_property
    def grouped_campaigns(self) -> list:
        """The campaigns (classifiers.campaigns.Campaign: clusters grouped by target, accounts and narrative),
        flagged ones first."""
        return group_campaigns(self.briefs())

    def campaigns(self) -> list[dict]:
        """One record per campaign, flagged ones first."""
        if self._campaigns is None:
            sizes = {c.key: len(c.rows) for c in self.detected_clusters()}  # once: a dump has 10^4-10^5 clusters
            self._campaigns = [campaign_record(c, sizes) for c in self.grouped_campaigns]
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
        clusters = self.detected_clusters()
        flagged = sum(bool(c.flagged) for c in clusters)
        campaigns = self.grouped_campaigns  # counted without making their records (a streamed run reads disk)
        return {
            "read": self.read, "scored": self.post_span()[0], "rejected": len(self.rejected),
            "clusters": len(clusters), "flagged": int(flagged),
            "campaigns": len(campaigns), "flagged_campaigns": sum(c.flagged for c in campaigns),
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
        write_report(self.report_view(), out)
        self.timings["write"] = round(time.perf_counter() - started, 3)
        self.timings["total"] = round(self.timings["scoring"] + self.timings["write"], 3)
        (out / "summary.json").write_bytes(orjson.dumps(self.summary(), option=orjson.OPT_INDENT_2) + b"\n")
        return out


@dataclass
class StreamedScoring(ScoringOutputs):
    """What one streamed batch scoring produced (worker/stream_scoring.py); the same API and files as
    BatchScoring, with scores written in canonical time order. Its sorted posts stay on disk (in a temporary
    folder) as long as it lives."""

    streamed: Streamed
    model: Model
    rejected: list[dict] = field(default_factory=list)
    read: int = 0
    inputs: list[str] = field(default_factory=list)
    window: float | None = None
    targets: dict[str, list[str]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    partition_posts: int = 0
    jobs: int = 1
    _campaigns: Sequence[dict] | None = field(default=None, repr=False)

    def scores(self) -> Iterator[dict]:
        """One record per scored post, in canonical time order: {"id", "platform", "score", "cluster"}."""
        keys = [c.key for c in self.streamed.clusters]
        scores, cluster = self.streamed.post_scores, self.streamed.post_cluster
        for offset, table in self.streamed.dump.columns(["id", "platform"]):
            for i, (post_id, platform) in enumerate(zip(table.column("id").to_pylist(),
                                                        table.column("platform").to_pylist(), strict=True)):
                c = int(cluster[offset + i])
                yield {"id": post_id, "platform": platform, "score": round(float(scores[offset + i]), 6),
                       "cluster": keys[c] if c >= 0 else None}

    def campaigns(self) -> Sequence[dict]:
        """One record per campaign, flagged ones first; each made when it is read (a dump has 10^5 of them)."""
        if self._campaigns is None:
            self._campaigns = CampaignRecords(self.streamed, self.grouped_campaigns)
        return self._campaigns

    def clusters(self) -> Sequence[dict]:
        """One record per cluster, best first (ties by key); read from disk as they are used."""
        return ClusterRecords(self.streamed)

    def detected_clusters(self) -> list:
        """The clusters without their accounts and signals (on disk: stream_scoring.restore reads them back)."""
        return self.streamed.clusters

    def briefs(self) -> list:
        return self.streamed.briefs

    def post_span(self) -> tuple[int, float | None, float | None]:
        created = self.streamed.dump.created
        return len(created), (float(created[0]) if len(created) else None), \
            (float(created[-1]) if len(created) else None)

    def summary(self) -> dict:
        summary = super().summary()
        summary["stream"] = {"partition_posts": self.partition_posts, "partitions": self.streamed.partitions,
                             "jobs": self.jobs}
        summary["timings"] = {**summary["timings"],
                              **{f"peak_rss_mb.{k}": v for k, v in self.streamed.peak_rss_mb.items()}}
        return summary

    def report_view(self):
        """What worker.batch_report reads: the flagged clusters it tells in full with their posts and the
        originals they repost or answer, read back from the sorted posts."""
        told = told_in_full(self.streamed.clusters)
        dump = self.streamed.dump
        rows = np.unique(np.concatenate([c.rows for c in told])) if told else np.zeros(0, np.int64)
        refs = dump.take(rows, ["repost_of", "reply_to"]) if len(rows) else None
        wanted = set() if refs is None else {
            r for r in refs.column("repost_of").to_pylist() + refs.column("reply_to").to_pylist() if r is not None}
        originals: dict[str, int] = {}
        if wanted:
            wanted_ids = pa.array(sorted(wanted), pa.string())
            for offset, table in dump.columns(["id"]):
                mask = pc.is_in(table.column("id"), value_set=wanted_ids)
                hits = pc.indices_nonzero(mask).to_numpy()
                for i, post_id in zip(hits.tolist(), table.column("id").take(pa.array(hits)).to_pylist(),
                                      strict=True):
                    originals[post_id] = offset + i  # the last post with that id, as the in-memory report finds
        rows = np.unique(np.r_[rows, np.asarray(list(originals.values()), np.int64)]).astype(np.int64)
        frame = table_frame(dump.take(rows)) if len(rows) else PostFrame.from_records([])
        told_keys = {c.key for c in told}
        read_keys = {c.key for c in reported(self.streamed.clusters)}
        clusters = []
        for k, c in enumerate(self.streamed.clusters):
            if c.key in read_keys:
                parts = self.streamed.records[k]
                c = restore(c, parts)
                if c.key in told_keys:
                    edges = [Edge(signal, int(np.searchsorted(rows, a)), int(np.searchsorted(rows, b)), seconds,
                                  similarity) for signal, a, b, seconds, similarity in parts["edges"]]
                    c = replace(c, rows=np.searchsorted(rows, c.rows), edges=edges)
            clusters.append(c)
        span = self.post_span()
        return SimpleNamespace(frame=frame, model=self.model, detection=SimpleNamespace(clusters=clusters),
                               inputs=self.inputs, read=self.read, rejected=self.rejected, targets=self.targets,
                               post_span=lambda: span)


class LazyRecords(Sequence):
    """Output records made one at a time when asked for (a streamed run has 10^5 of them): a subclass gives
    __len__ and record(i)."""

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self.record(i)

    def record(self, i: int) -> dict:
        raise NotImplementedError


class ClusterRecords(LazyRecords):
    """The clusters.jsonl records of a streamed run, best first, each read from disk when asked for."""

    def __init__(self, streamed: Streamed):
        self.streamed = streamed
        clusters = streamed.clusters
        self.order = sorted(range(len(clusters)), key=lambda i: (-clusters[i].score, clusters[i].key))

    def __len__(self) -> int:
        return len(self.order)

    def record(self, i: int) -> dict:
        k = self.order[i]
        parts = self.streamed.records[k]
        return record_of(restore(self.streamed.clusters[k], parts), parts["posts"], parts["evidence"])


class CampaignRecords(LazyRecords):
    """The campaigns.jsonl records of a streamed run, in order, each made when asked for: an organic campaign is
    one cluster, whose brief holds no accounts (stream_scoring), so they are read from its record on disk."""

    def __init__(self, streamed: Streamed, campaigns: list):
        self.streamed, self.campaigns = streamed, campaigns
        self.position = {c.key: k for k, c in enumerate(streamed.clusters)}

    def __len__(self) -> int:
        return len(self.campaigns)

    def record(self, i: int) -> dict:
        campaign = self.campaigns[i]
        members = [self.position[key] for key in campaign.clusters]
        record = campaign_record(campaign, {key: len(self.streamed.clusters[k].rows)
                                            for key, k in zip(campaign.clusters, members, strict=True)})
        if campaign.label == "organic":
            record["accounts"] = sorted(set(self.streamed.records[members[0]]["accounts"]))
        return record


def cluster_record(c, frame: PostFrame) -> dict:
    """One clusters.jsonl line: the contract's fields plus targets and the evidence edges."""
    def ref(row):
        return {"id": frame.id[row], "platform": frame.platform[row], "author_id": frame.author_id[row]}

    return record_of(c, [frame.id[r] for r in c.rows],
                     [{"signal": e.signal, "a": ref(e.row_a), "b": ref(e.row_b), "seconds": round(e.seconds, 1),
                       "similarity": round(e.similarity, 3)} for e in c.edges])


def record_of(c, posts: list[str], evidence: list[dict]) -> dict:
    """A clusters.jsonl line from a cluster, the ids of its posts and its evidence records."""
    return {
        "cluster": c.key, "score": round(c.score, 6), "flagged": c.flagged, "kind": c.kind,
        "coordination": round(c.coordination, 6), "smear": round(c.smear, 6), "label": c.label,
        "accounts": c.accounts, "posts": posts,
        "start": _iso(c.start), "end": _iso(c.end), "signals": c.signals, "targets": c.targets,
        "evidence": evidence,
    }


def campaign_record(campaign, sizes: dict[str, int]) -> dict:
    """One campaigns.jsonl line: the contract's fields; `posts` counts the posts of its clusters (`sizes`: posts
    per cluster key)."""
    return {
        "campaign": campaign.key, "label": campaign.label, "score": round(campaign.score, 6),
        "flagged": campaign.flagged, "clusters": campaign.clusters, "accounts": campaign.accounts,
        "posts": sum(sizes[k] for k in campaign.clusters), "targets": campaign.targets,
        "start": _iso(campaign.start), "end": _iso(campaign.end),
    }


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
