"""Hand-labelled real Russian news sentences for the post attack scorer: write the training file from the labels.

    python samples/attack_sentences.py --rusentne DIR      # DIR: a copy of dialogue-evaluation/RuSentNE-evaluation

Reads the hand labels (`labelled/attack_sentences_ru.labels.csv`: id, label; rubric in
docs/rubric-attack-sentences.md) and the RuSentNE-2023 sentences they name (MIT licence, © 2023
dialogue-evaluation), and writes `labelled/attack_sentences_ru.jsonl`, one training row per sentence:
{"id", "text", "label" (1/0), "kind" (the rubric label)}. `attack` and `reported` are 1, `none` and `group` 0
(the rubric's "Use in training"). Standard library only; the same inputs give the same bytes.
"""

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labelled" / "attack_sentences_ru.labels.csv"
OUT = HERE / "labelled" / "attack_sentences_ru.jsonl"
RUSENTNE_FILES = ("train_data.csv", "validation_data_labeled.csv")
TRAINING_LABEL = {"attack": 1, "reported": 1, "none": 0, "group": 0}


def sentence_id(sentence: str) -> str:
    return "rsne-" + hashlib.sha1(sentence.encode("utf-8")).hexdigest()[:10]


def rusentne_sentences(directory: Path) -> dict[str, str]:
    """Every distinct RuSentNE sentence by its id."""
    sentences: dict[str, str] = {}
    for name in RUSENTNE_FILES:
        with open(directory / name, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                sentence = (row.get("sentence") or "").strip()
                if sentence:
                    sentences[sentence_id(sentence)] = sentence
    return sentences


def read_labels(path: Path = LABELS) -> list[tuple[str, str]]:
    """(id, rubric label) in file order; an unknown label is an error naming the line."""
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            if row["label"] not in TRAINING_LABEL:
                raise ValueError(f"{path}:{line}: unknown label {row['label']!r}")
            rows.append((row["id"], row["label"]))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rusentne", type=Path, required=True, help="directory with RuSentNE's CSV files")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    sentences = rusentne_sentences(args.rusentne)
    labels = read_labels()
    missing = [sid for sid, _ in labels if sid not in sentences]
    if missing:
        print(f"error: {len(missing)} labelled ids are not in {args.rusentne} (first {missing[0]})", file=sys.stderr)
        return 1
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        for sid, label in sorted(labels):
            row = {"id": sid, "text": sentences[sid], "label": TRAINING_LABEL[label], "kind": label}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(labels)} sentences -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
