"""The `smearwatch` command: the composition root that wires settings, store, sources, classifiers and workers.

Each command lives in its own module exposing `add_arguments(parser)` and `run(args) -> int`, with its imports
at the top. Only the module of the command being run is imported (by name, from COMMANDS), so a command loads
what it uses and no more: `smearwatch status` never loads scikit-learn.
"""

import argparse
import os
import sys
from importlib import import_module

from cli.errors import CommandError, describe_error
from smearwatch import __version__

# name -> (module, one-line help). The order is the order of `smearwatch --help`.
COMMANDS = {
    "demo": ("cli.demo", "set up the embedded default, ingest and score the sample feeds"),
    "ingest": ("cli.ingest", "store posts from dump files (idempotent), then score and cluster them"),
    "status": ("cli.status", "counts of posts, accounts, clusters and recent ingest runs"),
    "recover": ("cli.recover", "end ingest runs whose process is gone and score posts left unscored"),
    "score": ("cli.score", "score and cluster dump files with no database or broker"),
    "train": ("cli.train", "train a model from labelled samples, or a new version from reviewers' decisions"),
    "evaluate": ("cli.evaluate", "measure a model on labelled samples"),
    "serve": ("cli.serve", "run the review app and JSON API"),
    "users": ("cli.users", "manage reviewer and admin accounts and their API tokens"),
    "feeds": ("cli.feeds", "watch RSS/Atom feeds, dump URLs and folders on a schedule"),
    "worker": ("cli.worker", "start a Celery worker process (needs SMEARWATCH_BROKER_URL)"),
    "beat": ("cli.beat", "start the scheduler that dispatches due feeds (exactly one per deployment)"),
    "models": ("cli.models", "model versions: list, show, activate (rescoring), roll back"),
    "export": ("cli.export", "export the account network of clusters for Gephi and other graph tools"),
    "db": ("cli.db", "database migrations (upgrade, downgrade, current, check)"),
}

def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser (`command` None), or with the options of that one command only (the others are listed by
    name, so `smearwatch --help` and each command load only what they need)."""
    parser = argparse.ArgumentParser(
        prog="smearwatch",
        description="Find coordinated smear campaigns in social-media posts and flag them for human review.",
        epilog="Settings come from SMEARWATCH_* environment variables; see README.md.",
    )
    parser.add_argument("--version", action="version", version=f"smearwatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        command_parser.set_defaults(_module=module_name)
        if command is None or command == name:
            import_module(module_name).add_arguments(command_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((word for word in argv if not word.startswith("-")), None)
    try:  # importing a command's module reads the settings (the Celery app): their errors are one line too
        args = build_parser(command if command in COMMANDS else "").parse_args(argv)  # "": no command's options
        return import_module(args._module).run(args)
    except CommandError as error:
        return _fail(str(error), error.code)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as error:  # one clear line, never a traceback (SMEARWATCH_DEBUG=1 shows it)
        if os.environ.get("SMEARWATCH_DEBUG"):
            raise
        message, code = describe_error(error)
        return _fail(message, code)


def _fail(message: str, code: int) -> int:
    print(f"smearwatch: error: {message}", file=sys.stderr)
    return code
