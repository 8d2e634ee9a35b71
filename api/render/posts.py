"""The posts of a cluster: links and hashtags they share, near-duplicate groups, differences marked word by word."""

import difflib
import re
from collections import Counter, defaultdict

from smearwatch.models import Evidence, Post

_WORDS = re.compile(r"\S+|\s+")


def shared_items(posts: list[Post]) -> dict:
    links = Counter(url for post in posts for url in dict.fromkeys(post.urls or []))
    tags = Counter(tag.lower() for post in posts for tag in dict.fromkeys(post.hashtags or []))
    return {"links": links.most_common(20), "hashtags": tags.most_common(20)}


def duplicate_groups(posts: list[Post], evidence: list[Evidence]) -> list[list[Post]]:
    """Posts joined by near-duplicate evidence (or identical text), largest group first, in time order."""
    parent = {post.id: post.id for post in posts}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a, b):
        if a in parent and b in parent:
            parent[find(a)] = find(b)

    for item in evidence:
        if item.signal == "near_duplicate":
            union(item.post_a, item.post_b)
    by_text: dict[str, int] = {}
    for post in posts:
        key = " ".join(post.text.lower().split())
        if key and key in by_text:
            union(post.id, by_text[key])
        by_text.setdefault(key, post.id)
    groups: dict[int, list[Post]] = defaultdict(list)
    for post in posts:
        groups[find(post.id)].append(post)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0].created_at))


def diff_segments(reference: str, text: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, differs_from_reference) segments, word by word."""
    a, b = _WORDS.findall(reference), _WORDS.findall(text)
    segments: list[tuple[str, bool]] = []
    for tag, _i1, _i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        piece = "".join(b[j1:j2])
        if piece:
            segments.append((piece, tag != "equal" and bool(piece.strip())))
    return segments
