#!/usr/bin/env python3
"""Write samples/attack/*.csv (text,label) from the public datasets in the bench cache (see samples/attack/README.md)."""

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.attack_data import read_open_sentiment, read_rusentne  # noqa: E402
from smearwatch.settings import get_settings  # noqa: E402

TABLES = (("rusentne2023.csv", read_rusentne, "rusentne2023"),
          ("open_sentiment_corpus.csv", read_open_sentiment, "open-sentiment-corpus"))


def main() -> int:
    cache = Path(get_settings().bench_cache)
    for name, reader, directory in TABLES:
        texts, labels = reader(cache / directory)
        with open(ROOT / "samples" / "attack" / name, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["text", "label"])
            writer.writerows(zip(texts, labels, strict=True))
        print(f"{name}: {len(texts)} sentences, {sum(labels)} labelled 1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
