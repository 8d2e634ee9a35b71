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
from collections.abc import Callable, Sequence
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


def judge(rows: np.ndarray, attack: np.ndarray, mentions: Callable[[int], Sequence[str]],
          original: dict[int, int], parent_author: dict[int, str], candidates: Sequence[str]) -> Smear:
    """Smear score of one cluster.

    rows: its posts; attack: attack probability per row of the input; mentions(row): entity keys a post names;
    original: row -> row of the post it reposts or quotes (when in the input); parent_author: row -> entity key of
    the author of the post it replies to; candidates: the cluster's target keys (persons and organisations first).
    """
    if len(rows) == 0:
        return Smear(0.0, None, 0, 0)
    per_target: Counter = Counter()
    attacking: Counter = Counter()
    borrowed: Counter = Counter()
    total = 0.0
    wanted = set(candidates)
    for r in rows:
        r = int(r)
        own = float(attack[r])
        names = set(mentions(r))
        source = original.get(r)
        spread = 0.0
        if source is not None:
            spread = float(attack[source])
            names.update(mentions(source))
        if r in parent_author:
            names.add(parent_author[r])
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
