"""The `smearwatch` command: the composition root that wires settings, store, sources, classifiers and workers.

Each command lives in its own module exposing `add_arguments(parser)` and `run(args) -> int`; modules are
imported only when their command runs, so `smearwatch --help` stays fast.
"""

import argparse
import os
import sys
from importlib import import_module

from smearwatch import __version__

# name -> (module, one-line help). The order is the order of `smearwatch --help`.
COMMANDS = {
    "demo": ("smearwatch.cli.demo", "set up the embedded default, ingest and score the sample feeds"),
    "ingest": ("smearwatch.cli.ingest", "store posts from dump files (idempotent), then score and cluster them"),
    "status": ("smearwatch.cli.status", "counts of posts, accounts, clusters and recent ingest runs"),
    "score": ("smearwatch.cli.score", "score and cluster dump files with no database or broker"),
    "train": ("smearwatch.cli.train", "train a model from labelled samples, or a new version from reviewers' decisions"),
    "evaluate": ("smearwatch.cli.evaluate", "measure a model on labelled samples"),
    "serve": ("smearwatch.cli.serve", "run the review app and JSON API"),
    "users": ("smearwatch.cli.users", "manage reviewer and admin accounts and their API tokens"),
    "feeds": ("smearwatch.cli.feeds", "watch RSS/Atom feeds, dump URLs and folders on a schedule"),
    "worker": ("smearwatch.cli.worker", "start a Celery worker process (needs SMEARWATCH_BROKER_URL)"),
    "beat": ("smearwatch.cli.beat", "start the scheduler that dispatches due feeds (exactly one per deployment)"),
    "models": ("smearwatch.cli.models", "model versions: list, show, activate (rescoring), roll back"),
    "db": ("smearwatch.cli.db", "database migrations (upgrade, downgrade, current, check)"),
}

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3


class CommandError(Exception):
    """A failure to report as one line; `code` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smearwatch",
        description="Find coordinated smear campaigns in social-media posts and flag them for human review.",
        epilog="Settings come from SMEARWATCH_* environment variables; see README.md.",
    )
    parser.add_argument("--version", action="version", version=f"smearwatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(_module=module_name)
        _command_module(module_name).add_arguments(command)
    return parser


def _command_module(module_name: str):
    return import_module(module_name)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _command_module(args._module).run(args)
    except CommandError as error:
        return _fail(str(error), error.code)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as error:  # one clear line, never a traceback (SMEARWATCH_DEBUG=1 shows it)
        if os.environ.get("SMEARWATCH_DEBUG"):
            raise
        from smearwatch.cli.errors import describe

        message, code = describe(error)
        return _fail(message, code)


def _fail(message: str, code: int) -> int:
    print(f"smearwatch: error: {message}", file=sys.stderr)
    return code
