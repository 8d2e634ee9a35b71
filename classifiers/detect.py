"""detect(): post scores, coordination edges, clusters of posts and accounts, cluster scores, targets."""

from __future__ import annotations

import hashlib
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime

import numpy as np

from classifiers.attack import attack_scores
from classifiers.components import ends_of, group_rows
from classifiers.coordination import SignalUses, judge_all
from classifiers.digests import DigestMap
from classifiers.entities import PLACE, NerMap, extract_entities, fast_spans, handle_key, span_type
from classifiers.frame import PostFrame, to_datetime
from classifiers.signals import (
    SIGNALS,
    Edge,
    EdgeSet,
    chain_edges,
    codes_of,
    lsh_keys,
    minhash_signatures,
    rare_bursts,
    signature_similarity,
)
from classifiers.smear import judge as judge_smear
from classifiers.targets import EntityIndex, alias_keys, cluster_targets, watched_in
from classifiers.text import normalize_text, normalize_url
from classifiers.verdict import verdict


@dataclass
class DetectConfig:
    """Every window and cut-off of coordination detection (seconds unless named otherwise).

    Stored in the model card ("detection") so a model and its clustering travel together.
    """

    co_repost_window: float = 600.0       # the five pairwise windows: chosen by `train` (see WINDOW_GRID)
    near_duplicate_window: float = 600.0
    co_link_window: float = 600.0
    co_hashtag_window: float = 600.0
    co_reply_window: float = 600.0
    burst_window: float = 3600.0          # max gap between consecutive posts of one narrative burst
    near_duplicate_similarity: float = 0.5  # estimated Jaccard of character 4-gram sets
    near_duplicate_min_chars: int = 20
    minhash_perm: int = 32
    lsh_bands: int = 8
    hashtag_max_accounts: int = 100       # "rare": a hashtag burst (uses <= co_hashtag_window apart) with more
                                          # distinct accounts is popular, not coordination (absolute, per burst)
    burst_min_score: float = 0.5          # posts whose text score reaches this join narrative bursts
    min_accounts: int = 3                 # a cluster needs this many distinct accounts
    unclustered_factor: float = 0.1       # P(coordinated) given to a post in no cluster
    tz_offset_hours: float = 6.0          # local time for the office-hours feature (Almaty, UTC+6)
    max_edges_per_cluster: int = 500      # evidence edges kept per cluster (strongest first)

    def with_window(self, window: float | None) -> DetectConfig:
        if window is None:
            return self
        out = DetectConfig(**asdict(self))
        for name in PAIRWISE_WINDOWS:
            setattr(out, name, float(window))
        return out

    @classmethod
    def from_dict(cls, data: dict | None) -> DetectConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})


PAIRWISE_WINDOWS = ("co_repost_window", "near_duplicate_window", "co_link_window", "co_hashtag_window",
                    "co_reply_window")

CLUSTER_FEATURES = (
    "log_posts", "log_accounts", "posts_per_account", "top_account_share", "log_span_hours",
    "peak_hour_share", "log_median_gap_min", "log_creation_iqr_days", "creation_batch_share",
    "creation_missing_share", "log_median_age_days", "new_account_share", "median_log_followers",
    "max_log_followers", "low_follower_share", "mean_edge_similarity", "distinct_text_share",
    "mean_post_score", "high_post_score_share", "repost_share", "reply_share", "url_share", "hashtag_share",
    "office_hours_share", "weekend_share", "n_platforms", "outlet_share", "log_edges_per_account",
    *(f"signal_{s}_share" for s in SIGNALS),
)
OUTLET_PLATFORMS = {"web", "rss", "news", "media"}
TARGET_SAMPLE = 400  # posts read per cluster to judge the smear and name its targets
NAME_SAMPLE = 60     # posts per flagged cluster whose texts the heavy entity models read to name its targets


@dataclass
class DetectedCluster:
    key: str
    score: float
    flagged: bool
    kind: str
    rows: np.ndarray
    accounts: list[str]
    start: datetime | None
    end: datetime | None
    signals: dict
    targets: list[dict]         # {"name", "aliases", "type"}, most named first
    edges: list[Edge] = field(default_factory=list)
    features: dict = field(default_factory=dict)
    coordination: float = 0.0   # how unlikely its co-actions are by chance (classifiers.coordination)
    smear: float = 0.0          # share of its posts attacking a shared target (classifiers.smear)
    label: str = "organic"      # the verdict: smear | coordinated | organic (classifiers.verdict)


@dataclass
class DetectResult:
    post_scores: np.ndarray
    post_cluster: np.ndarray
    clusters: list[DetectedCluster]
    text_scores: np.ndarray
    timings: dict


SCORE_CHUNK = 65536


def _linear_parts(post_scorer):
    """(text pipeline, behaviour transformer or None, text coef, behaviour coef, intercept) when the post
    scorer is our ColumnTransformer + LogisticRegression Pipeline; else None (generic predict_proba)."""
    try:
        features = post_scorer.named_steps["features"]
        clf = post_scorer.named_steps["clf"]
        named = dict((name, (tr, cols)) for name, tr, cols in features.transformers_)
        text_tr = named["text"][0]
        beh = named.get("behaviour", (None, None))[0]
        if beh == "drop":
            beh = None
        n_text = text_tr.named_steps["tfidf"].idf_.shape[0]
        coef = clf.coef_.ravel()
        if clf.classes_.tolist() != [0, 1]:
            return None
        return text_tr, beh, coef[:n_text], coef[n_text:], float(clf.intercept_[0])
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def score_texts(model, frame: PostFrame, norm: list[str] | None = None) -> np.ndarray:
    """Text (and behaviour) smear probability per post.

    Each distinct text is featurized once, in chunks (bounded memory); behaviour columns are added per post.
    `norm` (already normalized texts) skips normalizing again.
    """
    n = len(frame)
    if n == 0:
        return np.zeros(0)
    base = getattr(model, "base_scorer", None)
    if base is not None:  # text-only retraining keeps its base scorer: the higher of the two (classifiers.model)
        own = _scores(model.post_scorer, bool(model.card.get("behaviour", False)), frame, norm)
        return np.maximum(own, _scores(base, False, frame, norm))
    return _scores(model.post_scorer, bool(model.card.get("behaviour", False)), frame, norm)


def _scores(post_scorer, behaviour: bool, frame: PostFrame, norm: list[str] | None) -> np.ndarray:
    n = len(frame)
    parts = _linear_parts(post_scorer)
    if parts is None and not behaviour:  # the attack scorer (or any text pipeline): each distinct text once
        return attack_scores(post_scorer, frame.text, normalized=norm)
    if parts is None:  # any other Pipeline: plain chunked predict_proba
        X = frame.post_matrix() if behaviour else frame.text.reshape(-1, 1)
        return np.concatenate([post_scorer.predict_proba(X[i:i + SCORE_CHUNK])[:, 1]
                               for i in range(0, n, SCORE_CHUNK)])
    text_tr, beh, coef_text, coef_beh, intercept = parts
    texts = norm if norm is not None else frame.text
    uniq: dict[str, int] = {}
    inv = np.fromiter((uniq.setdefault(t, len(uniq)) for t in texts), dtype=np.int64, count=n)
    distinct = list(uniq)
    hasher = text_tr.named_steps["hasher"]
    saved = hasher.normalize
    if norm is not None:
        hasher.normalize = False
    try:
        z_text = np.concatenate([
            np.asarray(text_tr.transform(np.asarray(distinct[i:i + SCORE_CHUNK], dtype=object)) @ coef_text).ravel()
            for i in range(0, len(distinct), SCORE_CHUNK)])
    finally:
        hasher.normalize = saved
    z = z_text[inv] + intercept
    if behaviour and beh is not None and len(coef_beh):
        B = frame.post_matrix()[:, 1:].astype(np.float64)
        z += beh.transform(B) @ coef_beh
    return 1.0 / (1.0 + np.exp(-z))


def detect(frame: PostFrame, model, window: float | None = None, targets: dict | None = None,
           text_scores: np.ndarray | None = None) -> DetectResult:
    """Score posts, find coordination clusters and score them with `model` (see classifiers.load_model)."""
    timings = {}
    t0 = time.perf_counter()
    norm = _norm_unique(frame.text)
    timings["normalize"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    if text_scores is None:
        text_scores = score_texts(model, frame, norm)
    timings["post_scorer"] = time.perf_counter() - t0
    config = DetectConfig.from_dict(model.card.get("detection")).with_window(window)
    return detect_with_scores(frame, text_scores, config, model.threshold,
                              targets=targets, timings=timings, norm=norm)


def _norm_unique(texts: np.ndarray) -> list[str]:
    cache: dict[str, str] = {}
    out = []
    for t in texts:
        v = cache.get(t)
        if v is None:
            v = normalize_text(t)
            cache[t] = v
        out.append(v)
    return out


def find_edges(frame: PostFrame, text_scores: np.ndarray, config: DetectConfig,
               timings: dict, norm: list[str] | None = None, popular_hashtags=None
               ) -> tuple[list[EdgeSet], np.ndarray, list[str], np.ndarray, dict[str, SignalUses]]:
    """All signals' evidence edges, plus MinHash signatures, normalized texts, the burst entity per row and
    what each post acted on per signal (for the coordination null model).

    `popular_hashtags(tags, times)` (for a time slice of a dump) gives per hashtag use, in row order, whether it
    lies in a burst too popular over the whole dump (classifiers.signals.rare_bursts)."""
    n = len(frame)
    t = frame.created
    authors = frame.author_code
    if norm is None:
        t0 = time.perf_counter()
        norm = _norm_unique(frame.text)
        timings["normalize"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    is_repost = np.array([r is not None for r in frame.repost_of], dtype=bool)
    lengths = np.fromiter((len(x) for x in norm), dtype=np.int64, count=n)
    eligible = (~is_repost) & (lengths >= config.near_duplicate_min_chars)
    # signatures for distinct eligible texts only
    sig = np.full((n, config.minhash_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    idx = np.nonzero(eligible)[0]
    if len(idx):
        texts_e = [norm[i] for i in idx]
        uniq: dict[str, int] = {}
        inv = np.fromiter((uniq.setdefault(x, len(uniq)) for x in texts_e), dtype=np.int64, count=len(idx))
        sig[idx] = minhash_signatures(list(uniq), num_perm=config.minhash_perm)[inv]
    timings["minhash"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    edge_sets = []
    uses: dict[str, SignalUses] = {}

    def add(signal, rows, keys, window, min_sim=None):
        uses[signal] = SignalUses.of(signal, rows, keys, t)
        a, b = chain_edges(rows, keys, t, authors, window)
        sim = signature_similarity(sig, a, b)
        if min_sim is not None:
            keep = sim >= min_sim
            a, b, sim = a[keep], b[keep], sim[keep]
        edge_sets.append(EdgeSet(signal, a, b, np.abs(t[a] - t[b]), sim))

    rows, keys = codes_of(list(frame.repost_of))
    add("co_repost", rows, keys, config.co_repost_window)

    rows, keys = lsh_keys(sig, config.lsh_bands, config.minhash_perm // config.lsh_bands, eligible)
    add("near_duplicate", rows, keys, config.near_duplicate_window, config.near_duplicate_similarity)

    urls = [[normalize_url(u) for u in us] if us else None for us in frame.urls]
    rows, keys = codes_of(urls)
    add("co_link", rows, keys, config.co_link_window)

    tags = [[normalize_text(h) for h in hs] if hs else None for hs in frame.hashtags]
    rows, keys = codes_of(tags)
    popular = popular_hashtags(tags, t) if popular_hashtags is not None else None
    rows, keys = rare_bursts(rows, keys, t, authors, config.co_hashtag_window, config.hashtag_max_accounts, popular)
    add("co_hashtag", rows, keys, config.co_hashtag_window)

    rows, keys = codes_of(list(frame.reply_to))
    add("co_reply", rows, keys, config.co_reply_window)
    timings["signals"] = time.perf_counter() - t0

    # narrative burst: high-scoring posts about the same entity, many accounts within hours
    t0 = time.perf_counter()
    # every entity a high-scoring post names is a key (so one unnamed alias does not split a narrative)
    entity = np.full(n, None, dtype=object)
    cand = np.nonzero(text_scores >= config.burst_min_score)[0]
    for i in cand:
        entity[i] = attackable_mentions(frame.text[i]) or None
    rows, keys = codes_of(list(entity))
    add("burst", rows, keys, config.burst_window)
    timings["burst"] = time.perf_counter() - t0
    return edge_sets, sig, norm, entity, uses


def attackable_mentions(text: str) -> list[str]:
    """Entity keys (rules only) of the persons, organisations and accounts a text names: a narrative burst is
    about a target, and a country named in the news all day is none."""
    keys: list[str] = []
    for span in fast_spans(text):
        if span_type(span) != PLACE and span.key not in keys:
            keys.append(span.key)
    return keys


def detect_with_scores(frame: PostFrame, text_scores: np.ndarray, config: DetectConfig, threshold: float,
                       targets: dict | None = None, timings: dict | None = None,
                       norm: list[str] | None = None) -> DetectResult:
    """Find coordination clusters and give each its two judgements and its verdict (see classifiers.verdict).

    `text_scores` is each post's attack probability (the post scorer); `threshold` the model's verdict level.
    """
    timings = {} if timings is None else timings
    n = len(frame)
    text_scores = np.asarray(text_scores, dtype=np.float64)
    if n == 0:
        return DetectResult(np.zeros(0), np.zeros(0, np.int64), [], text_scores, timings)
    edge_sets, sig, norm, _, uses = find_edges(frame, text_scores, config, timings, norm)

    t0 = time.perf_counter()
    edge_sets, groups, post_cluster = group_posts(n, edge_sets, frame.author_code, config.min_accounts)
    timings["clusters"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    uses_per_row = {signal: u.per_row(n) for signal, u in uses.items()}
    mentions = ClusterMentions(targets)
    clusters, scores, links = judge_groups(frame, groups, post_cluster, edge_sets, uses_per_row, text_scores, norm,
                                           config, threshold, mentions)
    name_flagged(frame, [c for c in clusters if c.flagged], links, norm, mentions.watched_keys, targets)
    cluster_score = np.where(post_cluster >= 0, scores[np.maximum(post_cluster, 0)] if len(scores) else 0.0,
                             config.unclustered_factor)
    post_scores = np.clip(text_scores * cluster_score, 0.0, 1.0)
    timings["judgements"] = time.perf_counter() - t0
    return DetectResult(post_scores, post_cluster, clusters, text_scores, timings)


def group_posts(n: int, edge_sets: list[EdgeSet], authors: np.ndarray,
                min_accounts: int) -> tuple[list[EdgeSet], list[np.ndarray], np.ndarray]:
    """The kept edge sets, the clusters' rows (components with enough distinct accounts, in the order of their
    first row) and the cluster index of each post (-1: none)."""
    keep, groups, post_cluster = group_rows(n, len(edge_sets), ends_of(edge_sets), authors, min_accounts)
    return kept_edges(edge_sets, keep), groups, post_cluster


def kept_edges(edge_sets: list[EdgeSet], keep: list[np.ndarray | None]) -> list[EdgeSet]:
    """The edge sets filtered by their keep masks (None: all kept)."""
    return [e if k is None else EdgeSet(e.signal, e.a[k], e.b[k], e.seconds[k], e.similarity[k])
            for e, k in zip(edge_sets, keep, strict=True)]


class ClusterMentions:
    """The entity keys posts name (rule-only entities, by text: copy-pasted posts are read once), shared by the
    clusters judged in one run: the index's surface and type counts name targets, so a run judged in pieces
    (worker/stream_scoring.py) passes one of these to every piece, in cluster order."""

    def __init__(self, targets: dict | None):
        self.targets = targets
        self.watched_keys = alias_keys(targets)
        self.index = EntityIndex()
        # per text read (by a 128-bit digest, not the text: a streamed run reads millions), its keys: the number
        # of one shared tuple per distinct set of keys (most texts name the same few)
        self._read = DigestMap()
        self._key_sets: list[tuple[str, ...]] = []
        self._key_set_number: dict[tuple[str, ...], int] = {}
        self._place: dict[str, bool] = {}

    def of(self, text: str, norm: str) -> tuple[str, ...]:
        """Entity keys a post names that can be attacked (a place named in passing is not a target)."""
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        number = self._read.get(digest)
        if number is None:
            found = []
            for key in self.index.mentions(text):
                if key not in self._place:
                    self._place[key] = self.index.get(key).type == PLACE
                if not self._place[key]:
                    found.append(sys.intern(key))
            found += watched_in(norm, self.watched_keys)
            keys = tuple(found)
            number = self._key_set_number.get(keys)
            if number is None:
                number = self._key_set_number[keys] = len(self._key_sets)
                self._key_sets.append(keys)
            self._read.put(digest, number)
        return self._key_sets[number]


def judge_groups(frame: PostFrame, groups: list[np.ndarray], post_cluster: np.ndarray, edge_sets: list[EdgeSet],
                 uses_per_row: dict[str, np.ndarray], text_scores: np.ndarray, norm: list[str],
                 config: DetectConfig, threshold: float, mentions: ClusterMentions
                 ) -> tuple[list[DetectedCluster], np.ndarray, Links]:
    """Judge each group of rows (coordination, smear, verdict, features, targets by rules): its DetectedCluster,
    the cluster scores and the Links of the posts read. Targets of flagged clusters are named later
    (name_flagged)."""
    edge_cluster = {}
    for es in edge_sets:
        c = post_cluster[es.a]
        for ci in np.unique(c[c >= 0]):
            edge_cluster.setdefault(int(ci), []).append((es, np.nonzero(c == ci)[0]))
    authors = frame.author_code
    coordination, chance_evidence = judge_all(post_cluster, len(groups), edge_sets, uses_per_row, authors)
    samples = [g if len(g) <= TARGET_SAMPLE else g[np.linspace(0, len(g) - 1, TARGET_SAMPLE).astype(int)]
               for g in groups]
    links = Links.of(frame, np.concatenate(samples) if samples else np.zeros(0, np.int64))
    index, watched_keys, targets = mentions.index, mentions.watched_keys, mentions.targets

    def keys_of(row: int) -> tuple[str, ...]:
        return mentions.of(frame.text[row], norm[row])

    clusters = []
    scores = np.zeros(len(groups))
    for ci, g in enumerate(groups):
        parts = edge_cluster.get(ci, [])
        counts = {es.signal: int(len(sel)) for es, sel in parts}
        kind = max(counts, key=lambda s: (counts[s], s)) if counts else "none"
        sample = samples[ci]
        post_keys = [links.keys_with_originals(r, keys_of) for r in sample.tolist()]
        named = shared_targets(post_keys, watched_keys)
        smear = judge_smear(sample, text_scores, post_keys, links.original, named)
        label = verdict(float(coordination[ci]), smear.score, threshold)
        score = min(float(coordination[ci]), smear.score)
        scores[ci] = score
        # descriptive features for the reviewer, of the clusters a reviewer sees (the verdict does not use them)
        f = ({} if label == "organic" else dict(zip(CLUSTER_FEATURES, (round(float(x), 4) for x in cluster_features(
            frame, g, text_scores, norm, parts, config)), strict=True)))
        signals = {}
        for es, sel in parts:  # one EdgeSet per signal
            chance = chance_evidence[ci].get(es.signal, {})
            signals[es.signal] = {
                "edges": counts[es.signal],
                # the median over its posts of the gap to their closest co-action of this signal
                "median_seconds": chance.get("median_seconds", 0.0),
                "mean_similarity": round(float(es.similarity[sel].mean()), 3),
                **{f"null_{k}": v for k, v in chance.items()}}
        signals["features"] = f
        signals["judgement"] = {"coordination": float(coordination[ci]), "smear": smear.score,
                                "smear_target": index.display(smear.target) if smear.target else None,
                                "attacking_posts": smear.attacking, "attack_in_originals": smear.from_originals,
                                "posts_judged": int(len(sample)), "threshold": threshold}
        ids = sorted(f"{frame.platform[i]}:{frame.id[i]}" for i in g)
        key = "c-" + hashlib.sha1("\n".join(ids).encode()).hexdigest()[:12]
        clusters.append(DetectedCluster(
            key=key, score=round(score, 6), flagged=label == "smear", kind=kind, rows=np.sort(g),
            accounts=sorted(set(frame.author_id[g].tolist())),
            start=to_datetime(np.nanmin(frame.created[g])), end=to_datetime(np.nanmax(frame.created[g])),
            signals=signals,
            targets=cluster_targets(post_keys, index, [watched_in(norm[r], watched_keys) for r in sample], targets),
            edges=_top_edges(parts, config.max_edges_per_cluster), features=f,
            coordination=float(coordination[ci]), smear=smear.score, label=label,
        ))
    return clusters, scores, links


@dataclass
class Links:
    """What clustered posts spread or answer: row -> row of the original they repost or quote (when in the input),
    else of the post that carries the link they share with the most text (the article, not another "Read this!"),
    and row -> entity key of the author they reply to."""

    original: dict[int, int]
    parent_author: dict[int, str]

    @classmethod
    def of(cls, frame: PostFrame, rows: np.ndarray) -> Links:
        wanted = {}
        links = {}
        for r in rows.tolist():
            for ref in (frame.repost_of[r], frame.reply_to[r]):
                if ref is not None:
                    wanted.setdefault(ref, None)
            for url in frame.urls[r]:
                links.setdefault(url, None)
        if wanted:
            for i, post_id in enumerate(frame.id):
                if post_id in wanted and wanted[post_id] is None:
                    wanted[post_id] = i
        if links:
            for i, urls in enumerate(frame.urls):
                for url in urls:
                    if url in links:
                        best = links[url]
                        if best is None or len(frame.text[i]) > len(frame.text[best]):
                            links[url] = i
        original, parent_author = {}, {}
        for r in rows.tolist():
            source = wanted.get(frame.repost_of[r]) if frame.repost_of[r] is not None else None
            if source is None and frame.urls[r]:
                carriers = [links[u] for u in frame.urls[r] if links.get(u) is not None]
                source = max(carriers, key=lambda i: (len(frame.text[i]), -i)) if carriers else None
            if source is not None and source != r:
                original[r] = source
            parent = wanted.get(frame.reply_to[r]) if frame.reply_to[r] is not None else None
            if parent is not None and frame.author_name[parent]:
                parent_author[r] = handle_key(frame.author_name[parent])
        return cls(original, parent_author)

    def keys_with_originals(self, row: int, keys_of) -> list[str]:
        """The entity keys a post names, with those of the original it spreads and the account it answers."""
        keys = list(keys_of(row))
        if row in self.original:
            keys += keys_of(self.original[row])
        if row in self.parent_author:
            keys.append(self.parent_author[row])
        return keys


def shared_targets(post_keys: list[list[str]], watched_keys: dict[str, str], min_share: float = 0.3,
                   top: int = 3) -> list[str]:
    """Keys of the targets a cluster's posts share: watched targets first, then entities named by at least
    `min_share` of its posts (with the originals they spread and the authors they answer) and at least two.
    Ties go by key, so two runs agree."""
    counts: Counter = Counter()
    for keys in post_keys:
        counts.update(set(keys))
    n = max(len(post_keys), 1)
    watched = set(watched_keys.values())
    ranked = sorted(counts.items(), key=lambda kv: (kv[0] not in watched, -kv[1], kv[0]))
    return [k for k, c in ranked if c >= 2 and c / n >= min_share][:top]


def name_flagged(frame: PostFrame, flagged: list[DetectedCluster], links: Links, norm: list[str],
                 watched_keys: dict[str, str], targets: dict | None, ner_map: NerMap | None = None) -> None:
    """Name the targets of flagged clusters with the heavy entity models (NER, inflections, transliterations,
    merged aliases), reading the unique texts of up to NAME_SAMPLE posts of each and of the originals they spread.
    Only flagged clusters: they are what a reviewer reads first, and the models cost milliseconds a text.
    `ner_map` may spread the NER over processes (classifiers.entities.NerMap)."""
    chosen = {c.key: (c.rows if len(c.rows) <= NAME_SAMPLE
                      else c.rows[np.linspace(0, len(c.rows) - 1, NAME_SAMPLE).astype(int)]) for c in flagged}
    texts: dict[str, int] = {}
    for rows in chosen.values():
        for r in rows.tolist():
            for row in (r, links.original.get(r)):
                if row is not None:
                    texts.setdefault(frame.text[row], len(texts))
    if not texts:
        return
    extraction = extract_entities(list(texts), ner_map=ner_map)

    def keys(row: int) -> list[str]:
        return extraction.keys(texts[frame.text[row]])

    for c in flagged:
        rows = chosen[c.key].tolist()
        post_keys = [links.keys_with_originals(r, keys) for r in rows]
        c.targets = cluster_targets(post_keys, extraction.table, [watched_in(norm[r], watched_keys) for r in rows],
                                    targets)
        name_smear_target(c.signals, c.targets)


def name_smear_target(signals: dict, targets: list[dict]) -> None:
    """The judgement of a flagged cluster names its first target, once name_flagged has named them."""
    if targets:
        signals["judgement"]["smear_target"] = targets[0]["name"]


def _top_edges(parts, limit: int) -> list[Edge]:
    """The `limit` strongest evidence edges (most similar, then closest in time)."""
    if not parts:
        return []
    sim = np.concatenate([es.similarity[sel] for es, sel in parts])
    sec = np.concatenate([es.seconds[sel] for es, sel in parts])
    which = np.concatenate([np.full(len(sel), k) for k, (_, sel) in enumerate(parts)])
    pos = np.concatenate([sel for _, sel in parts])
    order = np.lexsort((sec, -sim))[:limit]
    return [Edge(parts[which[j]][0].signal, int(parts[which[j]][0].a[pos[j]]), int(parts[which[j]][0].b[pos[j]]),
                 float(sec[j]), float(sim[j])) for j in order]


def post_flags(frame: PostFrame) -> dict[str, np.ndarray]:
    """Per-post booleans the cluster features average (cached on the frame)."""
    if "_flags" not in frame.__dict__:
        frame.__dict__["_flags"] = {
            "repost": np.array([r is not None for r in frame.repost_of], dtype=float),
            "reply": np.array([r is not None for r in frame.reply_to], dtype=float),
            "url": np.array([bool(u) for u in frame.urls], dtype=float),
            "hashtag": np.array([bool(h) for h in frame.hashtags], dtype=float),
            "outlet": np.array([p in OUTLET_PLATFORMS for p in frame.platform], dtype=float),
        }
    return frame.__dict__["_flags"]


def cluster_features(frame: PostFrame, g: np.ndarray, text_scores: np.ndarray, norm: list[str], parts,
                     config: DetectConfig) -> list[float]:
    flags = post_flags(frame)
    n = len(g)
    authors = frame.author_code[g]
    uniq_auth, first = np.unique(authors, return_index=True)
    n_acc = len(uniq_auth)
    t = np.sort(frame.created[g])
    span = (t[-1] - t[0]) / 3600.0
    hours = np.floor((t - t[0]) / 3600.0)
    peak = np.bincount(hours.astype(np.int64)).max() / n
    gaps = np.diff(t) / 60.0
    med_gap = float(np.median(gaps)) if len(gaps) else 0.0
    created = frame.author_created[g][first]
    known = created[~np.isnan(created)]
    if len(known) >= 2:
        days = np.sort(known) / 86400.0
        iqr = np.percentile(days, 75) - np.percentile(days, 25)
        near = np.minimum(np.r_[np.inf, np.diff(days)], np.r_[np.diff(days), np.inf])
        batch = float(np.mean(near <= 2.0))
        log_iqr = np.log1p(iqr)
    else:
        batch, log_iqr = np.nan, np.nan
    age = (frame.created[g] - frame.author_created[g]) / 86400.0
    age = age[~np.isnan(age)]
    fol = frame.followers[g][first]
    fol = np.log1p(np.maximum(fol[~np.isnan(fol)], 0))
    sims = np.concatenate([es.similarity[sel] for es, sel in parts]) if parts else np.zeros(0)
    n_edges = sum(len(sel) for _, sel in parts)
    sig_counts = {s: 0 for s in SIGNALS}
    for es, sel in parts:
        sig_counts[es.signal] += len(sel)
    local = frame.created[g] + config.tz_offset_hours * 3600.0
    hour = (local % 86400.0) / 3600.0
    weekday = ((local // 86400.0) + 3) % 7  # 1970-01-01 was a Thursday -> 0 = Monday
    office = ((hour >= 9) & (hour < 18) & (weekday < 5)).mean()
    platforms = frame.platform[g]
    return [
        np.log1p(n), np.log1p(n_acc), n / n_acc, np.bincount(authors).max() / n, np.log1p(span), peak,
        np.log1p(med_gap), log_iqr, batch, 1.0 - len(known) / n_acc,
        np.log1p(np.median(age)) if len(age) else np.nan, float(np.mean(age < 90)) if len(age) else np.nan,
        float(np.median(fol)) if len(fol) else np.nan, float(np.max(fol)) if len(fol) else np.nan,
        float(np.mean(fol < np.log1p(100))) if len(fol) else np.nan,
        float(sims.mean()) if len(sims) else 0.0, len({norm[i] for i in g}) / n,
        float(text_scores[g].mean()), float(np.mean(text_scores[g] >= 0.5)),
        float(flags["repost"][g].mean()), float(flags["reply"][g].mean()),
        float(flags["url"][g].mean()), float(flags["hashtag"][g].mean()),
        float(office), float(np.mean(weekday >= 5)), float(len(np.unique(platforms.astype(str)))),
        float(flags["outlet"][g].mean()), np.log1p(n_edges / n_acc),
        *(sig_counts[s] / max(n_edges, 1) for s in SIGNALS),
    ]
