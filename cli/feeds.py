"""`smearwatch feeds add|list|remove|poll`: the RSS/Atom feeds, dump URLs and folders watched on a schedule."""

import argparse
import sys

import orjson

from cli.errors import CommandError
from smearwatch.db import get_engine
from worker import service
from worker.feeds import KINDS, FeedError, add_feed, list_feeds, remove_feed
from worker.sources import FORMATS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="watch a feed", description="watch an RSS/Atom feed, a dump URL or a folder")
    add.add_argument("name", help="a unique name for the feed")
    add.add_argument("--kind", choices=KINDS, required=True,
                     help="rss: RSS/Atom URL or file; url: a dump file at a URL; folder: new files in a folder")
    where = add.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="http(s):// or file:// URL (rss, url)")
    where.add_argument("--path", help="a folder (folder) or a local file (rss, url)")
    add.add_argument("--every", default="5m", help="poll interval: 30s, 5m, 2h, 1d (default: 5m)")
    add.add_argument("--format", choices=FORMATS, help="format of the documents (default: detected)")
    add.add_argument("--json", action="store_true", help="print the feed as one JSON object")
    listing = sub.add_parser("list", help="list the feeds", description="list the watched feeds")
    listing.add_argument("--json", action="store_true", help="print a JSON array of feeds")
    remove = sub.add_parser("remove", help="stop watching a feed", description="stop watching a feed")
    remove.add_argument("name")
    poll = sub.add_parser("poll", help="poll a feed now", description="poll a feed now, in this process")
    poll.add_argument("name")
    poll.add_argument("--json", action="store_true", help="print what the poll did as one JSON object")


def run(args: argparse.Namespace) -> int:
    engine = get_engine()
    try:
        if args.action == "add":
            feed = add_feed(engine, name=args.name, kind=args.kind, location=args.url or args.path,
                            every=args.every, fmt=args.format)
            if args.json:
                _print_json(feed)
            else:
                print(f"feed {feed['name']} ({feed['kind']}) every {feed['every']}: {feed['location']}")
            return 0
        if args.action == "list":
            feeds = list_feeds(engine)
            if args.json:
                _print_json(feeds)
            else:
                for feed in feeds:
                    print(f"{feed['name']:24} {feed['kind']:6} every {feed['every']:5} "
                          f"{'enabled ' if feed['enabled'] else 'disabled'} {feed['location']}  "
                          f"[{feed['last_status'] or 'never polled'}]")
            return 0
        if args.action == "remove":
            if not remove_feed(engine, args.name):
                raise CommandError(f"no feed named {args.name!r}", 1)
            print(f"removed feed {args.name}")
            return 0
        feed = next((f for f in list_feeds(engine) if f["name"] == args.name), None)
        if feed is None:
            raise CommandError(f"no feed named {args.name!r}", 1)
        result = service.start_feed_poll(engine, feed["id"], here=True)
        if args.json:
            _print_json(result)
        else:
            print(f"feed {args.name}: {result['outcome']}")
        return 1 if result["outcome"].startswith("error") else 0
    except FeedError as error:
        raise CommandError(str(error), 2) from None


def _print_json(value) -> None:
    sys.stdout.write(orjson.dumps(value).decode() + "\n")
