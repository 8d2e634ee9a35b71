"""Openly licensed real Russian sentences with an "attack / not an attack" label, for the attack scorer.

Each reader takes the directory of one public dataset as its repository lays it out (a checkout, or a copy in
the bench cache) and returns (texts, labels), one row per distinct sentence, in a stable order. Licences and
attribution: docs/attack-model.md.

- RuSentNE-2023 (dialogue-evaluation/RuSentNE-evaluation, MIT; sentences from Russian news): a sentence is
  labelled 1 when it expresses a negative attitude towards any of its annotated entities (person,
  organisation, country, profession, nationality), else 0.
- OpenSentimentCorpus (yarfruct/open-sentiment-corpus, CC BY-SA 3.0; sentences of OpenCorpora): a sentence
  whose author's attitude is negative is 1, neutral or positive 0; "mixed" sentences are left out.

Neither is "attack on reputation" exactly (both include negative statements about events); they are the
nearest openly licensed real labels found, and they bring real news and blog vocabulary next to our
generated posts.
"""

from __future__ import annotations

import csv
from pathlib import Path

RUSENTNE_FILES = ("train_data.csv", "validation_data_labeled.csv")
OPEN_SENTIMENT_FILE = "opensentimentcorpus-final-by-majority.csv"


class AttackDataError(ValueError):
    """A dataset directory that does not hold the expected files."""


def _need(path: Path) -> Path:
    if not path.is_file():
        raise AttackDataError(f"{path}: not found")
    return path


def read_rusentne(directory: str | Path) -> tuple[list[str], list[int]]:
    """RuSentNE-2023 sentences: 1 when any entity in the sentence is spoken of negatively."""
    negative: dict[str, bool] = {}
    for name in RUSENTNE_FILES:
        with open(_need(Path(directory) / name), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                sentence = (row.get("sentence") or "").strip()
                if sentence:
                    negative[sentence] = negative.get(sentence, False) or row.get("label", "").strip() == "-1"
    texts = sorted(negative)
    return texts, [int(negative[t]) for t in texts]


def read_open_sentiment(directory: str | Path) -> tuple[list[str], list[int]]:
    """OpenSentimentCorpus sentences (majority label): negative 1, neutral/positive 0, mixed left out."""
    labels: dict[str, int] = {}
    with open(_need(Path(directory) / OPEN_SENTIMENT_FILE), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            sentence = (row.get("Sentence") or "").strip()
            sentiment = (row.get("Sentiment") or "").strip()
            if sentence and sentiment in ("negative", "neutral", "positive"):
                labels[sentence] = max(labels.get(sentence, 0), int(sentiment == "negative"))
    texts = sorted(labels)
    return texts, [labels[t] for t in texts]
