"""`smearwatch evaluate LABELLED... --model DIR`: post-level precision, recall, F1 and average precision.

Prints one JSON object to stdout: {"precision", "recall", "f1", "average_precision", "n"}. The score of a post
is the model's post scorer output; a post counts as predicted smear at 0.5.
"""

from __future__ import annotations

import argparse

import numpy as np
import orjson

from smearwatch.cli import EXIT_OK, EXIT_USAGE, CommandError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="LABELLED", help="labelled samples: .csv (header) or .jsonl")
    parser.add_argument("--model", metavar="DIR", help="model directory (default: the packaged model)")


def run(args: argparse.Namespace) -> int:
    from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score

    from classifiers import ModelError, load_model
    from classifiers.detect import score_texts
    from smearwatch.cli.train import labelled_frame

    try:
        model = load_model(args.model)
    except ModelError as error:
        raise CommandError(str(error), EXIT_USAGE) from None
    frame = labelled_frame(args.inputs)
    y = np.asarray(frame.extra["label"], dtype=int)
    p = score_texts(model, frame)
    pred = (p >= 0.5).astype(int)
    out = {
        "precision": round(float(precision_score(y, pred, zero_division=0)), 4),
        "recall": round(float(recall_score(y, pred, zero_division=0)), 4),
        "f1": round(float(f1_score(y, pred, zero_division=0)), 4),
        "average_precision": round(float(average_precision_score(y, p)), 4) if len(set(y)) > 1 else None,
        "n": int(len(y)),
    }
    print(orjson.dumps(out).decode())
    return EXIT_OK
