"""Streamed batch scoring: a dump of any size in memory bounded by its densest time partition, same output as one
in-memory run (worker/batch_scoring.py).

1. Sort (worker/external_sort.py): the posts are read once and kept on disk in canonical time order; while they
   are merged, the popular hashtag bursts of the whole dump are counted (worker/hashtag_bursts.py).
2. Partitions: consecutive runs of `partition_posts` posts (the core), each read with a pad of the longest signal
   window on both sides. A core post then sees every post it can share an evidence edge with, so its text score
   and the edges it starts (its row is the lower end) are exactly those of one in-memory run. What its posts acted
   on per signal goes to disk (worker/null_uses.py). Partitions are independent: `jobs` processes (or Celery
   workers, worker/queued_scoring.py) score them.
3. Clusters: connected components of all the edges (classifiers.components.group_rows: a chain of posts may go
   on for days), read a partition's file at a time: what is held grows with the posts, not with the edges. Kept
   per post: its time, author code and text score. Then the null model's counts of the clustered posts: their
   uses among those of the posts within half a day.
4. Judgements: clusters in the order of their first post, in batches of about JUDGE_POSTS posts (or fewer), each
   batch read with its clusters' evidence edges and null-model counts (on disk in cluster order,
   worker/cluster_columns.py) and with the originals its sampled posts repost, answer or link to (found by one
   pass over the dump ids and links: an original may be far earlier). One ClusterMentions is shared by the batches (it names
   targets), and the heavy entity models name the flagged clusters' targets once at the end, as in detect(); their
   NER, the costliest part, is cut into pieces for the same processes or workers as the partitions.
   Each cluster's post ids, evidence, edges, accounts and signals go to disk as it is judged (SpilledRecords);
   what stays in memory per cluster is its verdict, scores, targets and rows, and what group_campaigns reads of
   it (an organic cluster is never joined: its brief holds no accounts).
"""

from __future__ import annotations

import multiprocessing
import resource
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from classifiers import DetectConfig, DetectedCluster, Model, PostFrame
from classifiers.campaigns import ClusterBrief, brief_of
from classifiers.components import TOPICAL_SIGNALS, group_rows
from classifiers.detect import (
    NAME_SAMPLE,
    TARGET_SAMPLE,
    ClusterMentions,
    Links,
    find_edges,
    judge_groups,
    name_flagged,
    name_smear_target,
    score_texts,
)
from classifiers.entities import NER_BATCH, NerSpan, ner_spans
from classifiers.signals import SIGNALS, Edge, EdgeSet
from classifiers.text import normalize_text
from worker.cluster_columns import ClusterColumns
from worker.external_sort import SortedPosts, sort_posts, table_frame
from worker.hashtag_bursts import HashtagBursts
from worker.null_uses import core_uses, count_uses, save_uses

PARTITION_POSTS = 200_000
NER_PIECE_TEXTS = 512  # texts per piece of the flagged clusters' NER spread over processes or workers
EDGE_FIELDS = ("a", "b", "seconds", "similarity")
JUDGE_POSTS = 50_000  # at most this many posts (of whole clusters, with their originals) read to judge at once
# (phase, done, total): "scoring" counts posts of partitions scored, "judging" clusters, "naming" the flagged
# clusters' texts read by the NER.
Progress = Callable[[str, int, int], None]


@dataclass
class Partition:
    lo: int                          # core: global rows [lo, hi)
    hi: int
    text_scores: np.ndarray          # per core row
    spill: Path                      # its core posts' uses (worker/null_uses.py)
    edges: list[EdgeSet]             # edges whose lower end is a core row, in global rows
    edge_file: Path | None = None    # where they are once the run has them (_spill_edges: they add up)


@dataclass
class Streamed:
    """Everything a streamed run found; worker.batch_scoring.StreamedScoring writes it out."""

    dump: SortedPosts
    clusters: list[DetectedCluster]  # rows and edges in global rows
    records: SpilledRecords          # per cluster: {"posts": ids, "evidence": [...], "edges": [...]} on disk
    briefs: list                     # per cluster: its ClusterBrief
    post_scores: np.ndarray
    post_cluster: np.ndarray
    timings: dict
    partitions: int
    peak_rss_mb: dict                # after each phase, in this process


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def use_system_allocator() -> None:
    """Arrow allocates from the C library's malloc from now on (in this process and the processes it forks).
    pyarrow's default, mimalloc, keeps the pages of freed buffers for reuse: the sort's and the judged batches'
    tables would then add to the peak of the phases after them (measured in the README's bench/scale.py rows)."""
    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())


def pad_seconds(config: DetectConfig) -> float:
    """The longest signal window: no evidence edge is longer."""
    return float(max(value for name, value in asdict(config).items() if name.endswith("_window")))


def partition_bounds(n: int, partition_posts: int) -> list[tuple[int, int]]:
    return [(lo, min(lo + partition_posts, n)) for lo in range(0, n, partition_posts)]


def score_stream(posts, model: Model, config: DetectConfig, targets: dict | None, *, work: Path | None = None,
                 partition_posts: int = PARTITION_POSTS, jobs: int = 1, on_progress: Progress | None = None,
                 workers: Workers | None = None, make_runs: Callable[[Path, int], list[Path]] | None = None
                 ) -> Streamed:
    """Score and cluster normalized posts (dicts, any order) streamed; see the module doc. The parallel parts
    (partitions, NER) go to `workers` (default: LocalWorkers(jobs)). `make_runs`: the posts are read by it into
    sorted runs instead (worker/parallel_read.py), and `posts` is not read."""
    if partition_posts < 1:
        raise ValueError("partition_posts must be at least 1")
    use_system_allocator()
    work_dir = tempfile.TemporaryDirectory(prefix="smearwatch-sort-", dir=work)
    timings: dict[str, float] = {}
    peaks: dict[str, float] = {}  # this process's peak RSS after each phase (MB): where memory goes
    t0 = time.perf_counter()
    bursts = HashtagBursts(config.co_hashtag_window, config.hashtag_max_accounts)
    dump = sort_posts(posts, Path(work_dir.name), on_block=bursts.feed, make_runs=make_runs)
    bursts.finish()
    dump.work_dir = work_dir  # kept alive (and its files) as long as the result is
    timings["sort"] = time.perf_counter() - t0
    peaks["sort"] = peak_rss_mb()
    n = len(dump)
    t0 = time.perf_counter()
    bounds = partition_bounds(n, partition_posts)
    workers = workers or LocalWorkers(jobs)
    job = PartitionJob(dump, model, config, bursts, bounds)
    parts = _score_partitions(job, workers, on_progress) if n else []
    timings["partitions"] = time.perf_counter() - t0
    peaks["partitions"] = peak_rss_mb()
    text_scores = np.concatenate([p.text_scores for p in parts]) if parts else np.zeros(0)
    spills = [p.spill for p in parts]
    edge_files = [p.edge_file for p in parts]
    del parts
    t0 = time.perf_counter()
    # Components from the edges' ends only, a partition's file at a time; their times and similarities stay on disk.
    keep, groups, post_cluster = group_rows(n, len(SIGNALS), _file_ends(edge_files, n), dump.author_code,
                                            config.min_accounts) if n \
        else ([None] * len(SIGNALS), [], np.zeros(0, np.int64))
    # what the judgements read of the kept edges, on disk in cluster order (a batch reads its clusters')
    work_path = Path(work_dir.name)
    edge_columns = [(signal, ClusterColumns.from_batches(work_path / f"edges-{signal}.bin", len(groups),
                                                         _kept_edge_rows(edge_files, signal, signal_keep, post_cluster)))
                    for signal, signal_keep in zip(SIGNALS, keep, strict=True)] if n else []
    del keep  # a mask per topical edge: it grows with the edges
    for path in edge_files:
        path.unlink()
    timings["clusters"] = time.perf_counter() - t0
    peaks["clusters"] = peak_rss_mb()
    t0 = time.perf_counter()
    clustered = np.nonzero(post_cluster >= 0)[0]
    per_partition = count_uses(dump.created, bounds, spills, clustered, config.co_hashtag_window)
    use_columns = ClusterColumns.from_batches(
        work_path / "uses.bin", len(groups),
        lambda: ((post_cluster[rows], {"row": rows, **uses}) for rows, uses in per_partition),
        counts=np.bincount(post_cluster[clustered], minlength=len(groups)))
    del clustered
    for path in spills:
        path.unlink()
    timings["null_model"] = time.perf_counter() - t0
    peaks["null_model"] = peak_rss_mb()
    t0 = time.perf_counter()
    judged = _judge(dump, groups, post_cluster, edge_columns, use_columns, text_scores, model, config, targets,
                    min(partition_posts, JUDGE_POSTS), on_progress, work_path, workers)
    timings["judgements"] = time.perf_counter() - t0
    peaks["judgements"] = peak_rss_mb()
    scores = np.asarray([c.score for c in judged.clusters])
    cluster_score = np.where(post_cluster >= 0, scores[np.maximum(post_cluster, 0)] if len(scores) else 0.0,
                             config.unclustered_factor)
    post_scores = np.clip(text_scores * cluster_score, 0.0, 1.0)
    return Streamed(dump, judged.clusters, judged.records, judged.briefs, post_scores, post_cluster,
                    {k: round(v, 3) for k, v in timings.items()}, len(bounds), peaks)


# ---- partitions -------------------------------------------------------------------------------------------

@dataclass
class PartitionJob:
    """What scoring a partition reads: the sorted posts, the model, the configuration and the dump's popular
    hashtag bursts (worker/partition_files.py puts it on disk for workers in other processes or machines)."""

    dump: SortedPosts
    model: Model
    config: DetectConfig
    bursts: HashtagBursts
    bounds: list[tuple[int, int]]

    @property
    def work(self) -> Path:
        return self.dump.parts[0].parent


class Workers(Protocol):
    """Where the parallel parts of a streamed run go: its partitions, and the NER of its flagged clusters' texts
    (LocalWorkers here; worker/queued_scoring.py: Celery workers)."""

    def partitions(self, job: PartitionJob, on_done: Callable[[Partition], None]) -> list[Partition]:
        """Score every partition of `job`, calling on_done(partition) as each finishes (in any order)."""

    def ner(self, texts: list[str], work: Path, on_texts: Callable[[int], None]) -> list[list[NerSpan]]:
        """classifiers.entities.ner_spans of `texts`, in pieces (ner_pieces), calling on_texts(n) as each piece
        of n texts is done; `work` is the run's folder."""


class LocalWorkers:
    """The parallel parts in this process (jobs=1) or in `jobs` forked processes."""

    def __init__(self, jobs: int = 1, ner_piece_texts: int = NER_PIECE_TEXTS):
        self.jobs, self.ner_piece_texts = jobs, ner_piece_texts

    def partitions(self, job: PartitionJob, on_done: Callable[[Partition], None]) -> list[Partition]:
        out = []
        if self.jobs > 1 and len(job.bounds) > 1:
            _CONTEXT["job"] = job
            try:
                with multiprocessing.get_context("fork").Pool(min(self.jobs, len(job.bounds))) as pool:
                    for part in pool.imap_unordered(_score_forked, range(len(job.bounds))):
                        out.append(part)
                        on_done(part)
            finally:
                _CONTEXT.clear()
        else:
            for k in range(len(job.bounds)):
                out.append(score_partition(job, k))
                on_done(out[-1])
        return out

    def ner(self, texts: list[str], work: Path, on_texts: Callable[[int], None]) -> list[list[NerSpan]]:
        pieces = ner_pieces(texts, self.ner_piece_texts)
        out: list[list[NerSpan]] = []
        if self.jobs < 2 or len(pieces) < 2:
            for piece in pieces:
                out += ner_spans(piece)
                on_texts(len(piece))
            return out
        # forked from a server started fresh, not from this process: a fork would carry (and count in its resident
        # memory) everything this process holds by now, which grows with the dump
        with multiprocessing.get_context("forkserver").Pool(min(self.jobs, len(pieces))) as pool:
            for spans in pool.imap(ner_spans, pieces):
                out += spans
                on_texts(len(spans))
        return out


def ner_pieces(texts: list[str], piece_texts: int = NER_PIECE_TEXTS) -> list[list[str]]:
    """Texts in pieces of a multiple of the tagger's batch: each text is tagged as in one list."""
    size = max(NER_BATCH, piece_texts // NER_BATCH * NER_BATCH)
    return [texts[i:i + size] for i in range(0, len(texts), size)]


_CONTEXT: dict = {}  # the job of the forked processes, set before they fork


def _score_forked(k: int) -> Partition:
    return score_partition(_CONTEXT["job"], k)


def _score_partitions(job: PartitionJob, workers: Workers, on_progress) -> list[Partition]:
    n, done = len(job.dump), [0]

    def on_done(part: Partition) -> None:
        _spill_edges(part, job.work / f"edges-{part.lo:012d}.npz")
        done[0] += part.hi - part.lo
        if on_progress is not None:
            on_progress("scoring", done[0], n)

    parts = sorted(workers.partitions(job, on_done), key=lambda p: p.lo)
    if [(p.lo, p.hi) for p in parts] != job.bounds:
        raise RuntimeError("partitions missing or repeated")  # a bug of `workers`, never silently merged
    return parts


def _spill_edges(part: Partition, path: Path) -> None:
    """The partition's edges to disk: held until all partitions are scored, they would add up over the dump."""
    np.savez(path, **{f"{es.signal}.{f}": getattr(es, f) for es in part.edges for f in EDGE_FIELDS})
    part.edges, part.edge_file = [], path


def _file_ends(files: list[Path], n: int):
    """classifiers.components.EdgeEnds of the partitions' edge files: a batch per file and signal (slot: its index
    in SIGNALS), int32 rows when the dump (of n posts) allows."""
    rows = np.int32 if n < 2**31 else np.int64

    def ends(topical: bool):
        for path in files:
            with np.load(path) as arrays:
                for slot, signal in enumerate(SIGNALS):
                    if (signal in TOPICAL_SIGNALS) == topical:
                        yield slot, arrays[f"{signal}.a"].astype(rows), arrays[f"{signal}.b"].astype(rows)
    return ends


def _kept_edge_rows(files: list[Path], signal: str, keep: np.ndarray | None, post_cluster: np.ndarray):
    """worker.cluster_columns.Batches of one signal's kept edges, a partition's file at a time: their fields, owned
    by the cluster of their lower end. `keep`: the mask of the signal's edges of all files in order (None: all)."""
    def batches():
        done = 0
        for path in files:
            with np.load(path) as arrays:
                columns = {f: arrays[f"{signal}.{f}"] for f in EDGE_FIELDS}
            size = len(columns["a"])
            if keep is not None:
                columns = {f: values[keep[done:done + size]] for f, values in columns.items()}
            done += size
            yield post_cluster[columns["a"]], columns
    return batches


def score_partition(job: PartitionJob, k: int) -> Partition:
    """Text scores, uses and owned edges of the core of partition k (see the module doc)."""
    dump, model, config = job.dump, job.model, job.config
    lo, hi = job.bounds[k]
    pad = pad_seconds(config)
    first = int(np.searchsorted(dump.created, dump.created[lo] - pad, side="left"))
    last = int(np.searchsorted(dump.created, dump.created[hi - 1] + pad, side="right"))
    frame = table_frame(dump.slice(first, last))
    norm = normalized(frame.text)
    text_scores = np.asarray(score_texts(model, frame, norm), dtype=np.float64)
    edge_sets, _, _, entity, uses = find_edges(frame, text_scores, config, {}, norm, popular_hashtags=job.bursts)
    core_lo, core_hi = lo - first, hi - first
    spill = save_uses(job.work / f"uses-{k:05d}.npz",
                      core_uses(frame, slice(core_lo, core_hi), first, entity, uses["near_duplicate"], job.bursts))
    edges = []
    for es in edge_sets:
        keep = (es.a >= core_lo) & (es.a < core_hi)
        edges.append(EdgeSet(es.signal, es.a[keep] + first, es.b[keep] + first, es.seconds[keep],
                             es.similarity[keep]))
    return Partition(lo, hi, text_scores[core_lo:core_hi], spill, edges)


def normalized(texts) -> list[str]:
    """normalize_text of each text, each distinct text once (as classifiers.detect does)."""
    cache: dict[str, str] = {}
    out = []
    for t in texts:
        v = cache.get(t)
        if v is None:
            v = cache[t] = normalize_text(t)
        out.append(v)
    return out


# ---- judgements -------------------------------------------------------------------------------------------

@dataclass
class _Judged:
    clusters: list[DetectedCluster]
    records: SpilledRecords
    briefs: list


def _judge(dump: SortedPosts, groups, post_cluster, edge_columns: list[tuple[str, ClusterColumns]],
           use_columns: ClusterColumns, text_scores, model, config, targets, batch_posts: int, on_progress,
           work: Path, workers: Workers) -> _Judged:
    samples = [g if len(g) <= TARGET_SAMPLE else g[np.linspace(0, len(g) - 1, TARGET_SAMPLE).astype(int)]
               for g in groups]
    extras = _original_rows(dump, samples)
    del samples
    mentions = ClusterMentions(targets)
    clusters: list[DetectedCluster] = []
    records = SpilledRecords(work / "clusters.spill")
    accounts: dict[str, str] = {}  # one copy of each account id across briefs
    briefs: list = []
    naming: list[tuple[DetectedCluster, list[str], dict, dict]] = []
    seen_texts: dict[str, str] = {}
    start = 0
    while start < len(groups):
        end, size = start, 0
        while end < len(groups) and (end == start or size + len(groups[end]) <= batch_posts):
            size += len(groups[end]) + len(extras[end])
            end += 1
        rows = np.unique(np.concatenate([groups[ci] for ci in range(start, end)] +
                                        [np.asarray(extras[ci], np.int64) for ci in range(start, end)]))
        frame = table_frame(dump.take(rows))
        local_groups = [np.searchsorted(rows, groups[ci]) for ci in range(start, end)]
        local_cluster = np.full(len(rows), -1, np.int64)
        for j, g in enumerate(local_groups):
            local_cluster[g] = j
        local_edges = []
        for signal, columns in edge_columns:
            e = columns.read(start, end)
            local_edges.append(EdgeSet(signal, np.searchsorted(rows, e["a"]), np.searchsorted(rows, e["b"]),
                                       e["seconds"], e["similarity"]))
        norm = normalized(frame.text)
        found, _, links = judge_groups(frame, local_groups, local_cluster, local_edges,
                                       _uses_of(rows, use_columns.read(start, end)), text_scores[rows], norm, config,
                                       model.threshold, mentions)
        for ci, c in zip(range(start, end), found, strict=True):
            records.add({"posts": [frame.id[r] for r in c.rows.tolist()],
                         "evidence": [_evidence(frame, e) for e in c.edges],
                         "edges": [[e.signal, int(rows[e.row_a]), int(rows[e.row_b]), e.seconds, e.similarity]
                                   for e in c.edges],
                         "accounts": c.accounts, "signals": c.signals})
            if c.label == "organic":  # never joined to another (group_campaigns): its accounts are on disk
                briefs.append(ClusterBrief(key=c.key, label=c.label, score=float(c.score), accounts=frozenset(),
                                           start=c.start, end=c.end))
            else:
                c.accounts = [accounts.setdefault(a, a) for a in c.accounts]  # one copy of each across briefs
                briefs.append(brief_of(c, frame))
            if c.flagged:
                naming.append(_naming_part(frame, c, links, seen_texts))
            # What grows with the cluster is on disk with its record (restore() reads it back when needed).
            c.rows = groups[ci]  # = rows[c.rows] (a group's rows are sorted): shared with groups, not a copy
            c.edges, c.accounts, c.signals, c.features = [], [], {}, {}
            clusters.append(c)
        # let this batch's posts go before the next is read: two at once would double the largest batch
        del frame, norm, found, links, local_edges, e
        start = end
        if on_progress is not None:
            on_progress("judging", start, len(groups))
    records.close()
    del extras, seen_texts  # the naming below holds the most at once
    _name_flagged(naming, mentions, _ner_map(workers, work, on_progress))
    briefs = [replace(b, targets=tuple(c.targets)) for b, c in zip(briefs, clusters, strict=True)]
    return _Judged(clusters, records, briefs)


def _ner_map(workers: Workers, work: Path, on_progress: Progress | None):
    """A classifiers.entities.NerMap on `workers`, with progress as phase "naming" (texts tagged)."""
    def ner_map(texts: list[str]) -> list[list[NerSpan]]:
        done = [0]

        def on_texts(n: int) -> None:
            done[0] += n
            if on_progress is not None:
                on_progress("naming", done[0], len(texts))
        return workers.ner(texts, work, on_texts)
    return ner_map


def restore(c: DetectedCluster, parts: dict) -> DetectedCluster:
    """A cluster of a streamed run with its accounts and signals read back from its record (`parts`)."""
    signals = parts["signals"]
    if c.flagged:
        name_smear_target(signals, c.targets)
    return replace(c, accounts=parts["accounts"], signals=signals, features=signals.get("features", {}))


class SpilledRecords:
    """Per cluster, the parts of its output record that grow with it (post ids, evidence, edges in global rows),
    kept on disk as JSON (one append, then reads by position): memory must not grow with the dump's clusters."""

    def __init__(self, path: Path):
        self.path = path
        self.spans: list[tuple[int, int]] = []
        self._file = open(path, "wb")
        self._reader = None  # opened at the first read: the records are read back one by one, many of them
        self._size = 0

    def add(self, parts: dict) -> None:
        data = orjson.dumps(parts)
        self._file.write(data)
        self.spans.append((self._size, len(data)))
        self._size += len(data)

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    def __len__(self) -> int:
        return len(self.spans)

    def __getitem__(self, i: int) -> dict:
        self.close()
        if self._reader is None:
            self._reader = open(self.path, "rb")
        start, size = self.spans[i]
        self._reader.seek(start)
        return orjson.loads(self._reader.read(size))


def _uses_of(rows: np.ndarray, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The null model's counts of `rows` from those of the batch's clustered posts (`columns`: their "row" and a
    count per signal). Only a cluster's own posts are read (classifiers.coordination.judge_all); the others: -1."""
    at = np.searchsorted(rows, columns["row"])  # every clustered post of the batch is one of its rows
    out = {}
    for signal, values in columns.items():
        if signal != "row":
            out[signal] = np.full(len(rows), -1, np.int64)
            out[signal][at] = values
    return out


def _evidence(frame: PostFrame, e: Edge) -> dict:
    def ref(row):
        return {"id": frame.id[row], "platform": frame.platform[row], "author_id": frame.author_id[row]}

    return {"signal": e.signal, "a": ref(e.row_a), "b": ref(e.row_b), "seconds": round(e.seconds, 1),
            "similarity": round(e.similarity, 3)}


def _original_rows(dump: SortedPosts, samples: list[np.ndarray]) -> list[np.ndarray]:
    """Per cluster: the global rows (sorted) of the originals its sampled posts repost or answer (the first post
    with that id) and of the posts carrying their links with the most text (the first such): what detect.Links
    finds in a whole in-memory frame. In Arrow and numpy arrays: a dense dump samples millions of posts."""
    if not samples:
        return []
    sampled = np.unique(np.concatenate(samples))
    refs = dump.take(sampled, ["repost_of", "reply_to", "urls"])
    ids = pc.unique(pa.chunked_array(refs.column("repost_of").chunks + refs.column("reply_to").chunks,
                                     pa.string())).drop_null()
    urls = pc.unique(pc.list_flatten(refs.column("urls"))).drop_null()
    first_row = np.full(len(ids), -1, np.int64)  # per wanted id: the first row with it
    best_length = np.full(len(urls), -1, np.int64)  # per link: the longest text carrying it, and its first row
    best_row = np.full(len(urls), -1, np.int64)
    for offset, table in dump.columns(["id", "urls", "text"]):
        if len(ids):
            rows, which = _found(table.column("id"), ids)
            found, at = np.unique(which, return_index=True)
            new = first_row[found] < 0
            first_row[found[new]] = offset + rows[at[new]]
        if len(urls):
            hits, which = _found(pc.list_flatten(table.column("urls")), urls)
            if len(hits):
                rows = pc.list_parent_indices(table.column("urls")).take(pa.array(hits)).to_numpy()
                lengths = pc.utf8_length(table.column("text").take(pa.array(rows))).to_numpy()
                order = np.lexsort((rows, -lengths, which))
                best = order[np.r_[True, which[order][1:] != which[order][:-1]]]
                better = lengths[best] > best_length[which[best]]
                best_length[which[best][better]] = lengths[best][better]
                best_row[which[best][better]] = offset + rows[best][better]
    # (position in sampled, extra row) of every reference of a sampled post that the dump holds
    positions, extra = [], []
    for column in ("repost_of", "reply_to"):
        at, which = _found(refs.column(column), ids)
        keep = first_row[which] >= 0
        positions.append(at[keep])
        extra.append(first_row[which][keep])
    hits, which = _found(pc.list_flatten(refs.column("urls")), urls)
    positions.append(pc.list_parent_indices(refs.column("urls")).take(pa.array(hits)).to_numpy().astype(np.int64))
    extra.append(best_row[which])
    position, extra_row = np.concatenate(positions), np.concatenate(extra)
    order = np.argsort(position, kind="stable")
    position, extra_row = position[order], extra_row[order]
    bounds = np.searchsorted(position, np.arange(len(sampled) + 1))
    out = []
    for sample in samples:
        k = np.searchsorted(sampled, sample)
        lo, sizes = bounds[k], bounds[k + 1] - bounds[k]
        starts = np.repeat(lo - np.cumsum(sizes) + sizes, sizes)
        out.append(np.unique(extra_row[starts + np.arange(int(sizes.sum()))]))
    return out


def _found(values, value_set) -> tuple[np.ndarray, np.ndarray]:
    """(position, index in value_set) of each of `values` (Arrow) that is in `value_set`."""
    at = pc.index_in(values, value_set=value_set)
    hits = pc.indices_nonzero(pc.is_valid(at))
    return hits.to_numpy().astype(np.int64), at.take(hits).to_numpy().astype(np.int64)


def _naming_part(frame: PostFrame, c: DetectedCluster, links: Links, seen: dict[str, str]):
    """The texts name_flagged reads for a flagged cluster (its chosen posts, each followed by its original), with
    their links in that list's positions. `seen` keeps one copy of each text (copy-pasted posts repeat)."""
    chosen = c.rows if len(c.rows) <= NAME_SAMPLE else c.rows[np.linspace(0, len(c.rows) - 1, NAME_SAMPLE).astype(int)]
    texts, original, parent = [], {}, {}
    for r in chosen.tolist():
        at = len(texts)
        texts.append(seen.setdefault(frame.text[r], frame.text[r]))
        source = links.original.get(r)
        if source is not None:
            original[at] = len(texts)
            texts.append(seen.setdefault(frame.text[source], frame.text[source]))
        if r in links.parent_author:
            parent[at] = links.parent_author[r]
    return c, texts, original, parent


def _text_frame(texts: list[str]) -> PostFrame:
    """A PostFrame of texts only: all that name_flagged reads."""
    n = len(texts)
    none, nan = np.full(n, None, dtype=object), np.full(n, np.nan)
    text = np.empty(n, dtype=object)
    text[:] = texts
    return PostFrame(id=none, platform=none, author_id=none, author_name=none, author_created=nan, followers=nan,
                     text=text, created=nan, lang=none, urls=[[]] * n, hashtags=[[]] * n, repost_of=none,
                     reply_to=none)


def _name_flagged(naming: list, mentions: ClusterMentions, ner_map) -> None:
    """detect.name_flagged over every flagged cluster at once (one entity extraction, as in one in-memory run)."""
    if not naming:
        return
    texts, proxies, original, parent = [], [], {}, {}
    for c, own_texts, own_original, own_parent in naming:
        offset = len(texts)
        original.update({offset + k: offset + v for k, v in own_original.items()})
        parent.update({offset + k: v for k, v in own_parent.items()})
        sources = set(own_original.values())
        chosen = [offset + k for k in range(len(own_texts)) if k not in sources]
        # its signals are on disk: restore() names the smear target in them from the targets named here
        proxies.append(replace(c, rows=np.asarray(chosen, np.int64), signals={"judgement": {}}))
        texts.extend(own_texts)
    frame = _text_frame(texts)
    name_flagged(frame, proxies, Links(original, parent), normalized(frame.text), mentions.watched_keys,
                 mentions.targets, ner_map)
    for (c, *_), proxy in zip(naming, proxies, strict=True):
        c.targets = proxy.targets
