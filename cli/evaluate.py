"""`smearwatch evaluate LABELLED... --model DIR`: post-level precision, recall, F1 and average precision.

Prints one JSON object to stdout: {"precision", "recall", "f1", "average_precision", "n"}. The score of a post
is the model's post scorer output; a post counts as predicted smear at 0.5.
"""

from __future__ import annotations

import argparse

import orjson

from classifiers import LabelledDataError, ModelError, evaluate_posts, labelled_frame, load_model
from cli.errors import EXIT_OK, EXIT_USAGE, CommandError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="LABELLED", help="labelled samples: .csv (header) or .jsonl")
    parser.add_argument("--model", metavar="DIR", help="model directory (default: the packaged model)")


def run(args: argparse.Namespace) -> int:
    try:
        model = load_model(args.model)
    except ModelError as error:
        raise CommandError(str(error), EXIT_USAGE) from None
    try:
        frame = labelled_frame(args.inputs)
    except LabelledDataError as error:
        raise CommandError(str(error), EXIT_USAGE) from None
    print(orjson.dumps(evaluate_posts(model, frame, frame.extra["label"])).decode())
    return EXIT_OK
