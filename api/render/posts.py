"""The posts of a cluster: links and hashtags they share, near-duplicate groups, differences marked.

Groups compare like with like: posts are grouped by the detector's near-duplicate pairs, by one normalized text
(the Latin skeleton of classifiers.text, so a Cyrillic post and its Kazakh-Latin transliteration are one group),
and by near-identical normalized texts (typo variants such as "besinshi" / "besisnhi"). Within a group, a post is
compared with the first post of its own script: a transliteration is said to be one, not marked all over, and a
typo is marked letter by letter, not as a whole word.
"""

import difflib
import re
from collections import Counter, defaultdict

from classifiers.text import normalize_text
from smearwatch.models import Post

_WORDS = re.compile(r"\S+|\s+")
TYPO_RATIO = 0.9          # normalized texts this similar (difflib ratio) are typo variants of one text
TYPO_MIN_CHARS = 20       # shorter texts are too short to tell a typo from another text
TYPO_REPRESENTATIVES = 300  # each text is compared with at most this many groups (bounded work on big clusters)
SCRIPT_NAMES = {"cyrillic": "Cyrillic", "latin": "Latin"}


def shared_items(posts: list[Post]) -> dict:
    links = Counter(url for post in posts for url in dict.fromkeys(post.urls or []))
    tags = Counter(tag.lower() for post in posts for tag in dict.fromkeys(post.hashtags or []))
    return {"links": links.most_common(20), "hashtags": tags.most_common(20)}


def script_of(text: str) -> str:
    """"cyrillic" or "latin", by which letters the text has more of; "none" without letters."""
    cyrillic = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    latin = sum(1 for ch in text if ch.isalpha() and ch.isascii() or "\u00c0" <= ch <= "\u024f")
    if not cyrillic and not latin:
        return "none"
    return "cyrillic" if cyrillic >= latin else "latin"


def group_by_pairs(posts: list[Post], pairs: list[tuple[int, int]]) -> list[list[Post]]:
    """Posts joined by these near-duplicate pairs, one normalized text or typo variants of one, largest group
    first, in time order."""
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
    representatives: list[tuple[str, int]] = []
    for post in posts:
        key = normalize_text(post.text or "")
        if not key:
            continue
        if key in by_text:
            union(post.id, by_text[key])
            continue
        by_text[key] = post.id
        if len(key) >= TYPO_MIN_CHARS:
            typo_of = _typo_variant_of(key, representatives)
            if typo_of is not None:
                union(post.id, typo_of)
            elif len(representatives) < TYPO_REPRESENTATIVES:
                representatives.append((key, post.id))
    groups: dict[int, list[Post]] = defaultdict(list)
    for post in posts:
        groups[find(post.id)].append(post)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0].created_at))


def _typo_variant_of(key: str, representatives: list[tuple[str, int]]) -> int | None:
    for other, post_id in representatives:
        if abs(len(other) - len(key)) > 0.1 * max(len(other), len(key)):
            continue
        matcher = difflib.SequenceMatcher(a=other, b=key, autojunk=False)
        if matcher.quick_ratio() >= TYPO_RATIO and matcher.ratio() >= TYPO_RATIO:
            return post_id
    return None


def diff_segments(reference: str, text: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, differs_from_reference) segments: word by word, and letter by letter where one word
    replaces one word (a typo marks its letters, not the word)."""
    a, b = _WORDS.findall(reference), _WORDS.findall(text)
    segments: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            for old, new in zip(a[i1:i2], b[j1:j2], strict=True):
                segments += _letter_segments(old, new)
            continue
        piece = "".join(b[j1:j2])
        if piece:
            segments.append((piece, tag != "equal" and bool(piece.strip())))
    return segments


def _letter_segments(old: str, new: str) -> list[tuple[str, bool]]:
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    if matcher.ratio() < 0.5:  # another word, not a typo of it
        return [(new, bool(new.strip()))]
    return [(new[j1:j2], tag != "equal") for tag, _i1, _i2, j1, j2 in matcher.get_opcodes() if j2 > j1]


def group_page(groups: list[list[Post]], *, page: int, per_page: int, members_shown: int) -> list[dict]:
    """One page of groups: each its first post, how many posts it has, and up to `members_shown` of the others,
    each compared with the first post of its own script (a version in another script is named as such)."""
    shown = []
    for group in groups[(page - 1) * per_page:page * per_page]:
        first = group[0]
        first_script = script_of(first.text or "")
        references = {first_script: first}
        others = []
        for post in group[1:members_shown + 1]:
            script = script_of(post.text or "")
            reference = references.setdefault(script, post)
            note = None
            if script != first_script and "none" not in (script, first_script):
                note = (f"{SCRIPT_NAMES.get(script, script)} version (transliteration or translation) of the "
                        f"{SCRIPT_NAMES.get(first_script, first_script)} text above")
            segments = None if reference is post else diff_segments(reference.text, post.text)
            others.append((post, segments, note))
        shown.append({"first": first, "size": len(group), "others": others})
    return shown
