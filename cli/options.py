"""Command-line options shared by the commands that read dumps (ingest, score)."""

import argparse

from cli.errors import CommandError
from worker.sources import FORMATS, ReadOptions
from worker.sources.parquet import is_parquet


def add_input_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, help="input format (default: detected per file)")
    parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                        help="generic CSV or Parquet: which column holds a post field, e.g. --map text=message "
                             "--map created_at=ts")
    parser.add_argument("--platform", help="platform name to record for every post (default: from the format)")


def read_options(args: argparse.Namespace) -> ReadOptions:
    mapping = {}
    for item in args.map:
        field, sep, column = item.partition("=")
        if not sep or not field or not column:
            raise CommandError(f"--map expects FIELD=COLUMN, got {item!r}")
        mapping[field.strip()] = column.strip()
    if mapping and args.format is None:  # a mapping is for the generic CSV, or for Parquet files
        paths = getattr(args, "files", None) or getattr(args, "inputs", None) or []
        args.format = "parquet" if paths and all(is_parquet(path) for path in paths) else "csv"
    return ReadOptions(mapping=mapping, platform=args.platform)
