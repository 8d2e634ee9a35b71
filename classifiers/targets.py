"""Targets: the people and organisations a cluster attacks, as entities with their aliases and type.

Entities come from `classifiers.entities` (NER for Russian, rules for Kazakh and English, inflections,
transliterations, hashtags and handles merged). A cluster's targets are the researcher's watched targets
(`{name: [aliases]}`) that at least `min_share` of its posts mention, then the entities that many of its posts
mention, persons and organisations first; places ("Казахстан" in passing) last, or dropped when a person or
an organisation is there. Each target is `{"name": str, "aliases": [str], "type": str}`, in a deterministic order.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Protocol

from classifiers.entities import (
    EDGE_ZIPF,
    ORGANISATION,
    OTHER,
    PERSON,
    PLACE,
    Entity,
    fast_spans,
    handle_key,
    is_common,
    name_key,
    span_type,
    split_camel,
)
from classifiers.text import normalize_text

MAX_ALIASES = 12  # a target lists its most frequent forms (sorted); the entity table keeps them all
_RANK = {PERSON: 0, ORGANISATION: 0, OTHER: 1, PLACE: 2}


class EntityLookup(Protocol):
    def resolve(self, key: str) -> str | None: ...

    def get(self, key: str) -> Entity | None: ...


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


def phrase_key(phrase: str) -> str | None:
    """The entity key of a researcher's alias: "AshyqAlan", "бюро «Ашык Алан»" and "Ashyq Alan Bureau" all give
    the key of "Ашык Алан"; "@handle" its handle key."""
    phrase = phrase.strip()
    if phrase.startswith("@"):
        return handle_key(phrase)
    words = [part for token in re.findall(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", phrase) for part in split_camel(token)]
    capitalised = [w for w in words if w[0].isupper()] or words
    kept = list(capitalised)
    while len(kept) > 1 and is_common(kept[-1], EDGE_ZIPF):
        kept.pop()
    while len(kept) > 1 and is_common(kept[0], EDGE_ZIPF):
        kept.pop(0)
    return name_key(kept) if kept else None


def watched_entity_keys(targets: Mapping[str, Sequence[str]] | None, table: EntityLookup) -> dict[str, str]:
    """{canonical entity key: watched name} for the entities a researcher's aliases name."""
    found: dict[str, str] = {}
    for name in sorted(targets or {}):
        for alias in [name, *sorted(targets[name])]:
            key = phrase_key(alias)
            canonical = table.resolve(key) if key else None
            if canonical and canonical not in found:
                found[canonical] = name
    return found


def cluster_targets(post_keys: Sequence[Sequence[str]], table: EntityLookup,
                    watched: Sequence[Sequence[str]] | None = None,
                    targets: Mapping[str, Sequence[str]] | None = None,
                    min_share: float = 0.3, top: int = 3) -> list[dict]:
    """A cluster's targets from the entity keys of its posts (`Extraction.keys(i)` or `fast_mentions`).

    `watched[i]` are the watched names found in post i (`watched_in`); `targets` is the researcher's
    `{name: [aliases]}`, which also matches watched names through the entity table. Watched targets mentioned by
    >= `min_share` of the posts come first (by count, then name); then entities mentioned by >= `min_share` of the
    posts and at least two, persons and organisations before others, places last and only when no person or
    organisation is named; at most `top`."""
    n = max(len(post_keys), 1)
    named_targets = {name: list(aliases) for name, aliases in (targets or {}).items()}
    for names in watched or ():
        for name in names:
            named_targets.setdefault(name, [])  # a watched name is an alias of itself ("AshyqAlan")
    watched_keys = watched_entity_keys(named_targets, table)
    names: Counter = Counter()
    entities: Counter = Counter()
    for i, keys in enumerate(post_keys):
        resolved = {table.resolve(k) or k for k in keys}
        post_names = set(watched[i]) if watched is not None and i < len(watched) else set()
        post_names |= {watched_keys[k] for k in resolved if k in watched_keys}
        names.update(post_names)
        entities.update(k for k in resolved if k not in watched_keys and table.get(k) is not None)

    chosen: list[dict] = []
    for name, count in sorted(names.items(), key=lambda nc: (-nc[1], nc[0])):
        if count / n >= min_share:
            keys = sorted(k for k, w in watched_keys.items() if w == name)
            type_ = next((table.get(k).type for k in keys if table.get(k) is not None), OTHER)
            chosen.append({"name": name, "aliases": sorted(set((targets or {}).get(name, ()))), "type": type_})
    found = [table.get(k) for k, c in entities.items() if c >= 2 and c / n >= min_share]
    found.sort(key=lambda e: (_RANK[e.type], -entities[e.key], e.name, e.key))
    named = bool(chosen) or any(e.type in (PERSON, ORGANISATION) for e in found)
    chosen += [e.as_target(MAX_ALIASES) for e in found if not (named and e.type == PLACE)]
    return chosen[:top]


class EntityIndex:
    """Rule-only entities of the texts it has seen (`fast_spans`), with the lookup `cluster_targets` needs.

    For a caller that has not run `extract_entities` (detect.py until it does); that table's entities are better:
    NER types, pymorphy3 lemmas, typo, first-name and handle merges."""

    def __init__(self):
        self.surfaces: dict[str, Counter] = {}
        self.types: dict[str, Counter] = {}

    def mentions(self, text: str) -> list[str]:
        keys: list[str] = []
        for span in fast_spans(text):
            key = span.key
            self.surfaces.setdefault(key, Counter())[span.surface] += 1
            self.types.setdefault(key, Counter())[span_type(span)] += 1
            if key not in keys:
                keys.append(key)
        return keys

    def resolve(self, key: str) -> str | None:
        return key if key in self.surfaces else None

    def get(self, key: str) -> Entity | None:
        surfaces = self.surfaces.get(key)
        if not surfaces:
            return None
        ranked = tuple(sorted(surfaces.items(), key=lambda sc: (-sc[1], sc[0])))
        votes = Counter({t: c for t, c in self.types[key].items() if t != OTHER})
        type_ = min(votes, key=lambda t: (-votes[t], _RANK[t], t)) if votes else OTHER
        return Entity(key, ranked[0][0], tuple(sorted(surfaces)), type_, sum(surfaces.values()), ranked)

    def display(self, key: str) -> str:
        entity = self.get(key)
        return entity.name if entity else key

