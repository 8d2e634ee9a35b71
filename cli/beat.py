"""`smearwatch beat`: the scheduler that dispatches due feed polls (run exactly one per deployment)."""

import argparse
import logging
import signal
import threading

from smearwatch.db import get_engine
from smearwatch.settings import get_settings
from worker.beat import run_beat

EPILOG = """Without SMEARWATCH_BROKER_URL the polls run in this process (the embedded default). Two schedulers
by mistake dispatch nothing twice (feeds are claimed atomically in the database), but one is the plan."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument("--interval", type=float, default=1.0, metavar="SECONDS",
                        help="how often to look for due feeds (default: 1)")
    parser.add_argument("--sweep-every", type=float, default=60.0, metavar="SECONDS",
                        help="how often to re-enqueue work whose message was lost (default: 60)")
    parser.add_argument("--once", action="store_true", help="dispatch the feeds due now, then exit")
    parser.add_argument("--loglevel", default="INFO", help="log level (default: INFO)")


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.loglevel.upper(), format="[%(asctime)s: %(levelname)s/beat] %(message)s")
    settings = get_settings()
    mode = f"broker {settings.broker_url.split('@')[-1]}" if settings.broker_url else "in-process (no broker)"
    logging.getLogger("smearwatch.beat").info("beat started: %s, checking every %.1f s", mode, args.interval)
    stop = threading.Event()
    if not args.once:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    run_beat(get_engine(), interval=args.interval, sweep_every=args.sweep_every, once=args.once, stop=stop)
    return 0
