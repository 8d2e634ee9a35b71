"""`smearwatch evaluate LABELLED... --model DIR`: post-level precision, recall, F1 and average precision.

Prints one JSON object to stdout: {"precision", "recall", "f1", "average_precision", "n"}. The score of a post
is the model's post scorer output; a post counts as predicted smear at 0.5.
"""

from __future__ import annotations

import argparse

import orjson

from smearwatch.cli import EXIT_OK, EXIT_USAGE, CommandError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="LABELLED", help="labelled samples: .csv (header) or .jsonl")
    parser.add_argument("--model", metavar="DIR", help="model directory (default: the packaged model)")


def run(args: argparse.Namespace) -> int:
    from classifiers import ModelError, evaluate_posts, load_model
    from smearwatch.cli.train import labelled_frame

    try:
        model = load_model(args.model)
    except ModelError as error:
        raise CommandError(str(error), EXIT_USAGE) from None
    frame = labelled_frame(args.inputs)
    print(orjson.dumps(evaluate_posts(model, frame, frame.extra["label"])).decode())
    return EXIT_OK
