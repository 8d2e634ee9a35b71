"""Targets: the people and organisations a cluster attacks, with aliases across scripts.

An entity is a capitalized word that is not the first word of a sentence; its key is its `normalize_text`
skeleton, so "Жаксылыков", "Zhaksylykov" and "Jaqsylyqov" are one entity. Watched targets given by the researcher
(`{name: [aliases]}`) are matched on the same skeleton, whole words only.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from classifiers.text import normalize_text

WORD_RE = re.compile(r"[^\W\d_][\w'’-]{2,}", re.UNICODE)
SENTENCE_END = re.compile(r"[.!?…:\n]\s*$")
# very common capitalized function words (any script) that are not entities; kept tiny on purpose
_STOP = {normalize_text(w) for w in (
    "The", "This", "That", "These", "They", "What", "When", "Who", "Why", "How", "And", "But", "For",
    "Это", "Эти", "Этот", "Все", "Они", "Как", "Что", "Кто", "Так", "Вот", "Почему", "Когда", "Если",
    "Бұл", "Олар", "Және", "Неге", "Rt", "Via", "Http", "Https",
)}


STEM = 6  # entity keys keep the first STEM skeleton letters: a script-independent stemmer for inflected names
HANDLE_RE = re.compile(r"@(\w{3,})")


@lru_cache(maxsize=1 << 18)
def _skeleton(word: str) -> str:
    return normalize_text(word)


@lru_cache(maxsize=1 << 18)
def entity_key(word: str) -> str:
    return normalize_text(word)[:STEM]


def entity_mentions(text: str) -> list[tuple[str, str]]:
    """(key, surface) of every entity mention in a raw text: capitalized words that do not start a
    sentence, and @handles. Keys are stemmed skeletons, so inflected and transliterated forms agree."""
    out = []
    text = text or ""
    for m in HANDLE_RE.finditer(text):
        out.append(("@" + normalize_text(m.group(1)), "@" + m.group(1)))
    for m in WORD_RE.finditer(text):
        word = m.group(0)
        if not word[0].isupper():
            continue
        before = text[:m.start()]
        if before.endswith("@"):
            continue
        if before.endswith("#"):
            pass
        elif not before.strip() or SENTENCE_END.search(before):
            continue  # sentence-initial capital is no evidence of a name
        if word.isupper() and len(word) > 6:
            continue  # shouting, not a name
        key = entity_key(word)
        if len(key) < 3 or _skeleton(word) in _STOP:
            continue
        out.append((key, word.strip("'’-")))
    return out


def alias_keys(targets: dict[str, list[str]] | None) -> dict[str, str]:
    """{normalized alias: target name} for watched targets (the name itself is an alias too)."""
    keys: dict[str, str] = {}
    for name, aliases in (targets or {}).items():
        for alias in [name, *aliases]:
            key = normalize_text(alias)
            if key:
                keys[key] = name
    return keys


def watched_in(norm_text: str, keys: dict[str, str]) -> list[str]:
    """Watched target names whose alias occurs as whole words in a normalized text."""
    if not keys:
        return []
    padded = f" {norm_text} "
    found = []
    for key, name in keys.items():
        if f" {key} " in padded and name not in found:
            found.append(name)
    return found


class EntityIndex:
    """Entity counts over a set of posts, to name a cluster's targets by how much more often it mentions them."""

    def __init__(self):
        self.surface: dict[str, Counter] = {}

    def mentions(self, text: str) -> list[str]:
        keys = []
        for key, surface in entity_mentions(text):
            self.surface.setdefault(key, Counter())[surface] += 1
            if key not in keys:
                keys.append(key)
        return keys

    def display(self, key: str) -> str:
        counter = self.surface.get(key)
        return counter.most_common(1)[0][0] if counter else key


def cluster_targets(post_keys: list[list[str]], index: EntityIndex, watched: list[list[str]],
                    min_share: float = 0.3, top: int = 3) -> list[str]:
    """Names a cluster attacks: watched targets mentioned by >= min_share of its posts, else its most
    mentioned entities (by >= min_share of its posts and at least two posts)."""
    n = max(len(post_keys), 1)
    counts_w = Counter(name for names in watched for name in set(names))
    named = [name for name, c in counts_w.most_common() if c / n >= min_share]
    if named:
        return named[:top]
    counts = Counter(k for keys in post_keys for k in set(keys))
    return [index.display(k) for k, c in counts.most_common(top) if c >= 2 and c / n >= min_share]


def handle_key(author_name: str) -> str:
    """The entity key of an account, as an @mention of it would give."""
    return "@" + normalize_text(author_name.lstrip("@"))
