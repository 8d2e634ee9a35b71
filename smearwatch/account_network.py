"""The account network of a set of clusters (one cluster, or the clusters of a campaign), read from the store.

Nodes are the accounts that wrote the clusters' posts; an edge is a pair of accounts and one signal, weighted by
the number of co-actions (evidence rows) of that pair on that signal, with the time of the first and the last one.
A co-action happens when the second of its two posts is made, so that is the time an edge's first/last are read
from. The writers for Gephi and other tools are in smearwatch.network_files.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from smearwatch.models import Account, ClusterMember, Evidence, Post

CHUNK = 500  # ids per IN (...): one index scan each, well under SQLite's bound-parameter limit


@dataclass(frozen=True)
class AccountNode:
    id: str  # "platform:account_id", unique across platforms
    platform: str
    account_id: str
    name: str  # the profile name, else the name on its posts, else the account id
    posts: int  # its posts in these clusters
    followers: int | None
    created_at: datetime | None  # UTC


@dataclass(frozen=True)
class AccountEdge:
    source: str
    target: str  # source < target: the network is undirected
    signal: str
    weight: int  # co-actions of the pair on this signal
    first: datetime  # UTC
    last: datetime


@dataclass(frozen=True)
class AccountNetwork:
    clusters: tuple[int, ...]
    nodes: tuple[AccountNode, ...]  # ordered by id
    edges: tuple[AccountEdge, ...]  # ordered by (source, target, signal)


def utc(value: datetime | None) -> datetime | None:
    """Aware UTC; a naive time from the store is UTC already (SQLite keeps no offset)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _chunks(values: Sequence, size: int = CHUNK):
    for i in range(0, len(values), size):
        yield values[i:i + size]


def node_id(platform: str, account_id: str) -> str:
    return f"{platform}:{account_id}"


def account_network(session: Session, cluster_ids: Sequence[int]) -> AccountNetwork:
    ids = sorted(set(cluster_ids))
    posts: dict[tuple[str, str], int] = {}
    post_names: dict[tuple[str, str], str | None] = {}
    for chunk in _chunks(ids):
        # A post in two clusters of a campaign counts once for its author.
        for platform, author, name, n in session.exec(
            select(Post.platform, Post.author_id, func.max(Post.author_name), func.count(func.distinct(Post.id)))
            .join(ClusterMember, ClusterMember.post_id == Post.id)
            .where(ClusterMember.cluster_id.in_(chunk))
            .group_by(Post.platform, Post.author_id)
        ):
            posts[(platform, author)] = posts.get((platform, author), 0) + int(n)
            post_names[(platform, author)] = post_names.get((platform, author)) or name
    edges = _edges(session, ids)
    for key in {key for edge in edges for key in edge[:2]}:
        posts.setdefault(key, 0)  # an evidence post outside the members: its author is still a node
    profiles = _profiles(session, list(posts))
    nodes = []
    for key in sorted(posts, key=lambda k: node_id(*k)):
        name, followers, created_at = profiles.get(key, (None, None, None))
        nodes.append(AccountNode(id=node_id(*key), platform=key[0], account_id=key[1],
                                 name=name or post_names.get(key) or key[1], posts=posts[key],
                                 followers=followers, created_at=utc(created_at)))
    links = [AccountEdge(source=node_id(*a), target=node_id(*b), signal=signal, weight=weight, first=first, last=last)
             for (a, b, signal), (weight, first, last) in edges.items()]
    links.sort(key=lambda e: (e.source, e.target, e.signal))
    return AccountNetwork(clusters=tuple(ids), nodes=tuple(nodes), edges=tuple(links))


def _edges(session: Session, ids: list[int]) -> dict[tuple, tuple[int, datetime, datetime]]:
    post_a, post_b = aliased(Post), aliased(Post)
    seen: set[tuple[str, int, int]] = set()
    edges: dict[tuple, tuple[int, datetime, datetime]] = {}
    for chunk in _chunks(ids):
        rows = session.exec(
            select(Evidence.signal, Evidence.post_a, Evidence.post_b,
                   post_a.platform, post_a.author_id, post_a.created_at,
                   post_b.platform, post_b.author_id, post_b.created_at)
            .join(post_a, post_a.id == Evidence.post_a).join(post_b, post_b.id == Evidence.post_b)
            .where(Evidence.cluster_id.in_(chunk))
        )
        for signal, id_a, id_b, platform_a, author_a, time_a, platform_b, author_b, time_b in rows:
            a, b = (platform_a, author_a), (platform_b, author_b)
            tie = (signal, *sorted((id_a, id_b)))
            if a == b or tie in seen:  # the same two posts tied in two clusters of a campaign count once
                continue
            seen.add(tie)
            when = max(utc(time_a), utc(time_b))
            key = (*sorted((a, b), key=lambda k: node_id(*k)), signal)
            weight, first, last = edges.get(key, (0, when, when))
            edges[key] = (weight + 1, min(first, when), max(last, when))
    return edges


def _profiles(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple]:
    by_platform: dict[str, list[str]] = {}
    for platform, author in keys:
        by_platform.setdefault(platform, []).append(author)
    profiles = {}
    for platform, authors in by_platform.items():
        for chunk in _chunks(sorted(authors)):
            for account_id, name, followers, created_at in session.exec(
                select(Account.account_id, Account.name, Account.followers, Account.created_at)
                .where(Account.platform == platform, Account.account_id.in_(chunk))
            ):
                profiles[(platform, account_id)] = (name, followers, created_at)
    return profiles
