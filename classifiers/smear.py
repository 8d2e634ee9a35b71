"""Smear judgement: does a cluster attack the reputation of a target its posts share?

A post speaks through its own text and, when it reposts, quotes, replies or shares a link, through the original it
spreads: a repost with an empty text or an "I support this!" comment carries the attack of the post it reposts, a
"Read this!" with a link carries the article's, and a reply swarm under a person's post is about that person. So
each post is judged with its original: its attack score is the higher of the two and its targets are the union of
both, plus the author of the post it replies to.

`smear` is the share of the cluster's posts that attack a named target (soft: a post the scorer calls an attack
counts by its attack probability, one it does not call an attack adds nothing): a cluster of reposted news about a named person scores low (no attack), and so does a cluster of
slogans that name nobody. One troll network attacking several people with one template is a smear of each of them;
the target reported is the one most attacked among the cluster's shared targets (the entities most of its posts
name), else the one most attacked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ATTACK_LEVEL = 0.5  # a post whose attack probability reaches this counts as attacking, for the evidence count


def confidence(probability: float) -> float:
    """What a post adds to the share of attacking posts: its attack probability when the scorer calls it an attack
    (>= ATTACK_LEVEL), else nothing, so a cluster of posts the scorer is unsure about (a language it barely knows,
    reports that quote an insult) does not add up to a smear half a post at a time."""
    return probability if probability >= ATTACK_LEVEL else 0.0


@dataclass
class Smear:
    score: float
    target: str | None      # the key of the most attacked shared target
    attacking: int          # posts (with their originals) that attack it
    from_originals: int     # of those, posts whose attack is in the original they spread


def judge(rows: np.ndarray, attack: np.ndarray, post_keys: Sequence[Sequence[str]], original: dict[int, int],
          candidates: Sequence[str]) -> Smear:
    """Smear score of one cluster.

    rows: its posts; attack: attack probability per row of the input; post_keys[i]: the entity keys rows[i] names
    with the original it spreads and the author it answers (detect.Links.keys_with_originals); original: row -> row
    of the post it reposts, quotes or links to (when in the input); candidates: the cluster's shared target keys.
    """
    if len(rows) == 0:
        return Smear(0.0, None, 0, 0)
    per_target: Counter = Counter()
    attacking: Counter = Counter()
    borrowed: Counter = Counter()
    total = 0.0
    wanted = set(candidates)
    for r, keys in zip(rows.tolist(), post_keys, strict=True):
        own = float(attack[r])
        names = set(keys)
        source = original.get(r)
        spread = float(attack[source]) if source is not None else 0.0
        strength = confidence(max(own, spread))
        if names:
            total += strength
        for key in names:
            per_target[key] += strength
            if max(own, spread) >= ATTACK_LEVEL:
                attacking[key] += 1
                borrowed[key] += spread > own
    if not per_target:
        return Smear(0.0, None, 0, 0)
    # the most attacked target, shared targets first; ties by the caller's order of targets, then by key
    rank = {key: i for i, key in enumerate(candidates)}
    target = max(per_target, key=lambda key: (key in wanted, per_target[key], -rank.get(key, 0), key))
    score = total / len(rows)
    return Smear(round(float(score), 6), target, int(attacking[target]), int(borrowed[target]))
