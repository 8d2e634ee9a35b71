"""`smearwatch worker`: a Celery worker process consuming the ingest and score queues (needs SMEARWATCH_BROKER_URL)."""

import argparse

from cli.errors import CommandError
from smearwatch.settings import get_settings
from worker.celery_app import app

EPILOG = """Run as many as you like, on as many machines as you like, against the same Redis and database.
Dump files queued with `smearwatch ingest --queue` must be readable at the same path on every worker machine."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument("--queues", default="ingest,score",
                        help="comma-separated queues to consume (default: ingest,score)")
    parser.add_argument("--concurrency", type=int, default=None, metavar="N",
                        help="worker processes (default: the number of CPUs)")
    parser.add_argument("--name", default=None, help="Celery node name (default: smearwatch@HOSTNAME)")
    parser.add_argument("--loglevel", default="INFO", help="log level (default: INFO)")
    parser.add_argument("--max-memory", type=int, default=None, metavar="KB",
                        help="replace a pool process once it uses this much resident memory")


def celery_argv(args: argparse.Namespace) -> list[str]:
    argv = ["worker", f"--queues={args.queues}", f"--loglevel={args.loglevel}", "--without-gossip",
            "--without-mingle", f"--hostname={args.name or 'smearwatch@%h'}"]
    if args.concurrency:
        argv.append(f"--concurrency={args.concurrency}")
    if args.max_memory:
        argv.append(f"--max-memory-per-child={args.max_memory}")
    return argv


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.broker_url:
        raise CommandError("SMEARWATCH_BROKER_URL is not set: without a broker, tasks run in-process and no "
                           "worker is needed", 2)
    app.worker_main(celery_argv(args))
    return 0
