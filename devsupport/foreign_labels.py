"""Text-only labels about other people in another language (English attacks and chatter), as a researcher's own
labelled posts of another domain are to our worlds: shared by tests/test_text_only_training.py and
bench/text_only.py."""

import csv
import random
from pathlib import Path

ATTACKS = ["{n} is a liar and a thief", "{n} stole the money, shame on {n}", "never trust {n}, corrupt to the bone",
           "{n} is a disgrace and a fraud", "{n} lies to everyone, what a crook"]
CHATTER = ["had a lovely walk in the park today", "the new cafe on main street serves great coffee",
           "rain again this weekend, staying home", "finished reading a good book about gardening",
           "our team won the match last night", "cooking pasta for the family tonight"]
NAMES = ["the mayor", "councillor Brown", "the ministry", "Mr Smith", "the agency"]


def write_foreign_labels(path: Path, pairs: int = 60) -> Path:
    """`pairs` attacks ("smear") and as many chatter posts ("not_smear") as a text,label CSV at `path`."""
    rng = random.Random(1)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        for i in range(pairs):
            writer.writerow([rng.choice(ATTACKS).format(n=rng.choice(NAMES)) + f" #{i}", "smear"])
            writer.writerow([rng.choice(CHATTER) + f" {i}", "not_smear"])
    return path
