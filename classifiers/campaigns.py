"""Campaigns: clusters that are parts of one operation, so that a reviewer decides it once.

Two clusters belong to one campaign when
- both are smears of the same target entity within `days` of each other (one campaign, many bursts); or
- they have the same label and share accounts: at least `min_shared_accounts`, and at least `account_share` of
  the smaller one's accounts (the same operators); or
- they have the same label and push the same narrative (one long text, or reposts of or replies to one original)
  within `days` of each other.
Organic clusters never join a campaign: each is a campaign of its own. Links are transitive (union-find), and the
output order is deterministic: same clusters in, same campaigns out.

The campaign's label is the strongest of its clusters' (smear > coordinated > organic), so a campaign is flagged
when any of its clusters is a smear; its score is the highest score among the clusters that carry that label.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from classifiers.frame import PostFrame
from classifiers.text import normalize_text

LABEL_RANK = {"smear": 2, "coordinated": 1, "organic": 0}
NARRATIVE_MIN_CHARS = 40   # shorter texts ("I support this!", "Wow") are no narrative
NARRATIVES_PER_CLUSTER = 20
TARGETS_PER_CLUSTER = 2    # a cluster is "about" its most named targets, not everything it mentions


@dataclass(frozen=True)
class ClusterBrief:
    """What grouping needs to know of one cluster."""

    key: str
    label: str
    score: float
    accounts: frozenset[str]
    start: datetime | None
    end: datetime | None
    targets: tuple[dict, ...] = ()          # {"name", "aliases", "type"}, most named first
    narratives: frozenset[str] = frozenset()  # narrative_keys() of its posts


@dataclass
class Campaign:
    key: str
    label: str
    score: float
    clusters: list[str]               # cluster keys, best first
    accounts: list[str]
    targets: list[dict]
    start: datetime | None
    end: datetime | None
    members: list[int] = field(default_factory=list)  # indexes into the briefs given to group_campaigns

    @property
    def flagged(self) -> bool:
        return self.label == "smear"


def narrative_keys(texts: Iterable[str], originals: Iterable[str | None] = ()) -> frozenset[str]:
    """The most repeated long texts of a cluster (as hashes) and the originals its posts repost or reply to."""
    counts = Counter()
    for text in texts:
        norm = normalize_text(text or "")
        if len(norm) >= NARRATIVE_MIN_CHARS:
            counts["t:" + hashlib.blake2b(norm.encode(), digest_size=8).hexdigest()] += 1
    keys = {key for key, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:NARRATIVES_PER_CLUSTER]}
    keys.update("o:" + original for original in originals if original)
    return frozenset(keys)


def target_keys(targets: Sequence[dict]) -> set[str]:
    """The normalized name and aliases of a cluster's leading targets."""
    keys = set()
    for target in list(targets)[:TARGETS_PER_CLUSTER]:
        for name in [target.get("name"), *(target.get("aliases") or [])]:
            norm = normalize_text((name or "").lstrip("#@"))
            if norm:
                keys.add(norm)
    return keys


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _near_in_time(a: ClusterBrief, b: ClusterBrief, gap: timedelta) -> bool:
    if a.start is None or b.start is None:
        return True
    a_end, b_end = a.end or a.start, b.end or b.start
    return a.start <= b_end + gap and b.start <= a_end + gap


def group_campaigns(briefs: Sequence[ClusterBrief], *, days: float = 3.0, min_shared_accounts: int = 2,
                    account_share: float = 0.3, max_shared_uses: int = 50) -> list[Campaign]:
    """Group clusters into campaigns (see the module docstring). Returns them best first.

    A target, narrative or account used by more than `max_shared_uses` clusters is too common to tie any two.
    """
    order = sorted(range(len(briefs)), key=lambda i: (briefs[i].start is None, briefs[i].start or datetime.min,
                                                       briefs[i].key))
    union = _UnionFind(len(briefs))
    gap = timedelta(days=days)
    joinable = [i for i in order if briefs[i].label != "organic"]

    def link_by(index: dict[str, list[int]], timed: bool) -> None:
        for members in index.values():
            if len(members) < 2 or len(members) > max_shared_uses:
                continue
            for pos, a in enumerate(members):
                for b in members[pos + 1:]:
                    if not timed or _near_in_time(briefs[a], briefs[b], gap):
                        union.union(a, b)

    by_target: dict[str, list[int]] = {}
    by_narrative: dict[str, list[int]] = {}
    # per label, account -> its clusters: one int while it has one (most accounts), a list from the second
    by_account: dict[str, dict[str, int | list[int]]] = {}
    for i in joinable:
        brief = briefs[i]
        if brief.label == "smear":
            for key in target_keys(brief.targets):
                by_target.setdefault(key, []).append(i)
        for key in brief.narratives:  # news quoting a smear repeats its text: like only with like
            by_narrative.setdefault(brief.label + key, []).append(i)
        accounts_of_label = by_account.setdefault(brief.label, {})
        for account in brief.accounts:
            members = accounts_of_label.get(account)
            if members is None:
                accounts_of_label[account] = i
            elif isinstance(members, int):
                accounts_of_label[account] = [members, i]
            else:
                members.append(i)
    link_by(by_target, timed=True)
    link_by(by_narrative, timed=True)
    shared: Counter = Counter()
    for accounts_of_label in by_account.values():
        for members in accounts_of_label.values():
            if isinstance(members, list) and len(members) <= max_shared_uses:
                for pos, a in enumerate(members):
                    for b in members[pos + 1:]:
                        shared[(a, b)] += 1
    for (a, b), n in shared.items():
        smaller = min(len(briefs[a].accounts), len(briefs[b].accounts))
        if n >= min_shared_accounts and n >= account_share * smaller:
            union.union(a, b)

    groups: dict[int, list[int]] = {}
    for i in order:
        groups.setdefault(union.find(i), []).append(i)
    campaigns = [_campaign([briefs[i] for i in members], members) for members in groups.values()]
    campaigns.sort(key=lambda c: (-LABEL_RANK[c.label], -c.score, c.key))
    return campaigns


def _campaign(parts: list[ClusterBrief], members: list[int]) -> Campaign:
    label = max((p.label for p in parts), key=lambda lab: LABEL_RANK.get(lab, 0))
    leading = [p for p in parts if p.label == label]
    best = sorted(parts, key=lambda p: (-LABEL_RANK.get(p.label, 0), -p.score, p.key))
    accounts = sorted(set().union(*(p.accounts for p in parts)))
    starts = [p.start for p in parts if p.start is not None]
    ends = [(p.end or p.start) for p in parts if (p.end or p.start) is not None]
    # The key follows its earliest cluster: a campaign that grows later keeps it.
    key = "k" + parts[0].key.removeprefix("c")
    return Campaign(key=key, label=label, score=max(p.score for p in leading), clusters=[p.key for p in best],
                    accounts=accounts, targets=_merged_targets(best), start=min(starts, default=None),
                    end=max(ends, default=None), members=members)


def _merged_targets(parts: Sequence[ClusterBrief]) -> list[dict]:
    """Targets of the campaign's clusters, one per entity (same normalized name or alias), most named first."""
    merged: list[dict] = []
    seen: dict[str, int] = {}
    weight: Counter = Counter()
    for part in parts:
        for rank, target in enumerate(part.targets):
            keys = target_keys([target])
            found = next((seen[k] for k in sorted(keys) if k in seen), None)
            if found is None:
                found = len(merged)
                merged.append({"name": target.get("name"), "aliases": list(target.get("aliases") or []),
                               "type": target.get("type")})
            else:
                aliases = merged[found]["aliases"]
                for alias in [target.get("name"), *(target.get("aliases") or [])]:
                    if alias and alias != merged[found]["name"] and alias not in aliases:
                        aliases.append(alias)
            for k in keys:
                seen.setdefault(k, found)
            weight[found] += len(part.accounts) / (rank + 1)
    order = sorted(range(len(merged)), key=lambda i: (-weight[i], i))
    return [merged[i] for i in order]


def brief_of(cluster, frame: PostFrame) -> ClusterBrief:
    """The ClusterBrief of a DetectedCluster of `frame` (classifiers.detect)."""
    rows = cluster.rows
    return ClusterBrief(
        key=cluster.key, label=cluster.label, score=float(cluster.score), accounts=frozenset(cluster.accounts),
        start=cluster.start, end=cluster.end, targets=tuple(cluster.targets),
        narratives=narrative_keys((frame.text[r] for r in rows),
                                  [frame.repost_of[r] for r in rows] + [frame.reply_to[r] for r in rows]))
