"""The posts of a cluster: links and hashtags they share, near-duplicate groups, differences marked word by word."""

import difflib
import re
from collections import Counter, defaultdict

from smearwatch.models import Post

_WORDS = re.compile(r"\S+|\s+")


def shared_items(posts: list[Post]) -> dict:
    links = Counter(url for post in posts for url in dict.fromkeys(post.urls or []))
    tags = Counter(tag.lower() for post in posts for tag in dict.fromkeys(post.hashtags or []))
    return {"links": links.most_common(20), "hashtags": tags.most_common(20)}


def group_by_pairs(posts: list[Post], pairs: list[tuple[int, int]]) -> list[list[Post]]:
    """Posts joined by these near-duplicate pairs (or identical text), largest group first, in time order."""
    parent = {post.id: post.id for post in posts}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a, b):
        if a in parent and b in parent:
            parent[find(a)] = find(b)

    for a, b in pairs:
        union(a, b)
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


def group_page(groups: list[list[Post]], *, page: int, per_page: int, members_shown: int) -> list[dict]:
    """One page of groups: each its first post, how many posts it has, and up to `members_shown` of the others
    with what differs from the first marked."""
    shown = []
    for group in groups[(page - 1) * per_page:page * per_page]:
        first = group[0]
        shown.append({"first": first, "size": len(group),
                      "others": [(post, diff_segments(first.text, post.text)) for post in group[1:members_shown + 1]]})
    return shown
