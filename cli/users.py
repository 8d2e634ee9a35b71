"""`smearwatch users add|list|token|disable`: reviewer and admin accounts and their API tokens.

Passwords and tokens are generated, printed once, and stored only as an argon2 hash and a sha256.
"""

import argparse
import sys

import orjson
from sqlmodel import Session, select

from cli.errors import CommandError
from smearwatch.db import get_engine
from smearwatch.models import User
from smearwatch.users import ROLES, UserError, create_user, disable_user, issue_token


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="create a user; prints a generated password and API token once")
    add.add_argument("name", help="username (letters, digits, '.', '_', '-')")
    add.add_argument("--role", choices=ROLES, default="reviewer", help="reviewer (default) or admin")
    add.add_argument("--json", action="store_true", help='print one JSON object {"username", "password", "token"}')
    listing = sub.add_parser("list", help="list users")
    listing.add_argument("--json", action="store_true", help="print one JSON object per line")
    token = sub.add_parser("token", help="issue another API token for a user (printed once)")
    token.add_argument("name")
    disable = sub.add_parser("disable", help="disable a user: no login, tokens refused")
    disable.add_argument("name")


def _user(session: Session, name: str) -> User:
    user = session.exec(select(User).where(User.username == name)).first()
    if user is None:
        raise CommandError(f"no user {name!r}", 1)
    return user


def run(args: argparse.Namespace) -> int:
    with Session(get_engine()) as session:
        if args.action == "add":
            try:
                credentials = create_user(session, username=args.name, role=args.role)
            except UserError as error:
                raise CommandError(str(error), 1) from None
            if args.json:
                payload = {"username": credentials.username, "password": credentials.password,
                           "token": credentials.token}
                sys.stdout.write(orjson.dumps(payload).decode() + "\n")
            else:
                print(f"created {credentials.role} {credentials.username!r}; shown once, keep them safe:")
                print(f"  password  {credentials.password}")
                print(f"  API token {credentials.token}")
            return 0
        if args.action == "list":
            for user in session.exec(select(User).order_by(User.id)):
                row = {"username": user.username, "role": user.role, "active": user.active,
                       "created_at": user.created_at.isoformat()}
                if args.json:
                    sys.stdout.write(orjson.dumps(row).decode() + "\n")
                else:
                    print(f"{user.username:20} {user.role:9} {'active' if user.active else 'disabled'}")
            return 0
        user = _user(session, args.name)
        if args.action == "token":
            token = issue_token(session, user=user)
            session.commit()
            print(token)
            return 0
        disable_user(session, user=user)  # its open login sessions end too
        print(f"disabled {user.username!r}")
        return 0
