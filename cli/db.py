"""`smearwatch db upgrade|downgrade|current|check`: Alembic migrations, the only way tables are made."""

import argparse

from smearwatch import migrate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["upgrade", "downgrade", "current", "check"],
                        help="upgrade to head, downgrade to base (or --revision), show current, or check models vs migrations")
    parser.add_argument("--revision", help="target revision (default: head for upgrade, base for downgrade)")


def run(args: argparse.Namespace) -> int:
    if args.action == "upgrade":
        migrate.upgrade(revision=args.revision or "head")
    elif args.action == "downgrade":
        migrate.downgrade(revision=args.revision or "base")
    elif args.action == "check":
        migrate.check()
    else:
        migrate.current()
    return 0
