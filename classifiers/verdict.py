"""The verdict: two judgements, each grounded on its own, decide one label.

    organic       co-actions no more surprising than chance would make them (coordination < threshold)
    coordinated   coordinated, but not attacking a shared target: spam, promotion, news rebroadcast, fan and
                  solidarity campaigns; kept and shown apart, never flagged
    smear         coordinated and attacking a shared target: flagged for review
"""

from __future__ import annotations

LABELS = ("smear", "coordinated", "organic")
# Both judgements are on a probability-like [0, 1] scale; a cluster is coordinated, and a smear, when the
# judgement is more likely than not. Fixed, not fitted: a level learned on our own world would learn that world.
VERDICT_LEVEL = 0.5


def verdict(coordination: float, smear: float, threshold: float) -> str:
    if coordination < threshold:
        return "organic"
    return "smear" if smear >= threshold else "coordinated"
