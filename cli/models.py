"""`smearwatch models list|show|judge|activate|rollback`: model versions, their metrics, and which one scores."""

import argparse
import sys

import orjson

from cli.errors import CommandError
from smearwatch import registry
from smearwatch.db import get_engine
from smearwatch.jobs import get_job
from worker import service


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["list", "show", "judge", "activate", "rollback"],
                        help="list versions, show one, judge a kept one again with today's decisions (activating "
                             "it if it passes), activate one (rescoring stored posts), or roll back to the "
                             "previously active version")
    parser.add_argument("version", nargs="?", help="version id or name (show, judge, activate)")
    parser.add_argument("--json", action="store_true", help="print JSON (list: a list of versions)")
    parser.add_argument("--actor", default="cli", help="who made the choice, recorded with it (default: cli)")
    parser.add_argument("--no-rescore", action="store_true",
                        help="activate without rescoring the stored posts now")
    parser.add_argument("--force", action="store_true",
                        help="activate a version the activation gate refused (recorded as forced)")


def _view(version: dict) -> dict:
    card = version.get("card") or {}
    return {
        "id": version["id"], "name": version["name"], "active": bool(version["active"]), "path": version["path"],
        "created_at": version["created_at"].isoformat() if version.get("created_at") else None,
        "threshold": card.get("threshold"), "metrics": version.get("metrics") or card.get("metrics"),
        "training_data": card.get("training_data"),
        # the activation gate (docs/retraining.md): why it refused the version, and what it would do to the store
        "refused": registry.refusal_of(version), "preview": (version.get("metrics") or {}).get("preview"),
    }


def run(args: argparse.Namespace) -> int:
    engine = get_engine()
    if args.action == "list":
        versions = [_view(v) for v in registry.list_versions(engine)]
        if args.json:
            sys.stdout.write(orjson.dumps(versions).decode() + "\n")
        else:
            for v in versions:
                evaluation = (v["metrics"] or {}).get("evaluation") or (v["metrics"] or {}).get("post_heldout") or {}
                print(f"{'*' if v['active'] else ' '} {v['id']:>3}  {v['name']:24} f1 {evaluation.get('f1', '-')}  "
                      f"AP {evaluation.get('average_precision', '-')}  {v['path']}")
        return 0
    if args.action == "show":
        version = registry.get_version(engine, _required(args))
        if version is None:
            raise CommandError(f"no model version {args.version!r}")
        sys.stdout.write(orjson.dumps({**_view(version), "card": version.get("card")},
                                      option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    if args.action == "judge":
        return _judge(engine, args)
    if args.action == "activate":
        version = registry.get_version(engine, _required(args))
        if version is None:
            raise CommandError(f"no model version {args.version!r}")
        target, reason = version["id"], "chosen by an admin"
        refused = registry.refusal_of(version)
        if refused and not args.force:
            raise CommandError(f"version {version['name']} {refused} (--force to activate it anyway)")
        if refused:
            reason = "forced past the gate: chosen by an admin"
    else:
        target = registry.previous_version(engine)
        if target is None:
            raise CommandError("nothing to roll back to: no earlier active version")
        reason = "rollback"
    if args.no_rescore:
        registry.activate_version(engine, target, actor=args.actor, reason=reason)
        print(f"active model: version {target} (stored posts keep their scores until rescored)")
        return 0
    job_id = service.start_activation(engine, target, created_by=args.actor, reason=reason, wait=True, force=True,
                              on_progress=lambda p, m: print(f"[{p:4.0%}] {m}", file=sys.stderr))
    job = get_job(engine, job_id)
    print(f"active model: version {target}; rescoring job {job_id}: {job['status']} {job['message'] or ''}".rstrip())
    return 0 if job["status"] == "done" else 1


def _judge(engine, args: argparse.Namespace) -> int:
    version = registry.get_version(engine, _required(args))
    if version is None:
        raise CommandError(f"no model version {args.version!r}")
    try:
        job_id = service.start_judge(engine, version["id"], created_by=args.actor, wait=True,
                                     on_progress=lambda p, m: print(f"[{p:4.0%}] {m}", file=sys.stderr))
    except service.ServiceError as error:
        raise CommandError(str(error)) from None
    job = get_job(engine, job_id)
    print(f"judge job {job_id}: {job['status']} {job['message'] or ''}".rstrip())
    return 0 if job["status"] == "done" else 1


def _required(args) -> str:
    if not args.version:
        raise CommandError(f"models {args.action} needs a version id or name")
    return args.version
