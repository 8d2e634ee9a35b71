"""`smearwatch score INPUT... --out DIR`: score and cluster dump files with no database or broker.

Writes DIR/scores.jsonl (one line per input post), DIR/clusters.jsonl, DIR/rejected.jsonl and DIR/summary.json
(see DESIGN.md, "Batch scoring output"). Exit 0 when every record was read, 3 when some were rejected, 2 for
usage errors and unreadable inputs or models.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import orjson

from smearwatch.cli import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, CommandError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from smearwatch.cli.options import add_input_options

    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="dump files (plain, .gz or .zst)")
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory (created if missing)")
    add_input_options(parser)
    parser.add_argument("--model", metavar="DIR", help="model directory (default: the packaged model)")
    parser.add_argument("--window", type=float, metavar="SECONDS",
                        help="time window of the pairwise coordination signals (co-repost, near-duplicate, "
                             "co-link, co-hashtag, co-reply); default: the model's")
    parser.add_argument("--target", action="append", default=[], metavar="NAME=ALIAS,...",
                        help="watch a named target with its aliases in any script (repeatable)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def parse_targets(values: list[str]) -> dict[str, list[str]]:
    targets: dict[str, list[str]] = {}
    for value in values:
        name, sep, aliases = value.partition("=")
        name = name.strip()
        if not name:
            raise CommandError(f"--target {value!r}: expected NAME=alias1,alias2", EXIT_USAGE)
        targets.setdefault(name, []).extend(a.strip() for a in aliases.split(",") if sep and a.strip())
    return targets


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def read_inputs(paths: list[str], fmt: str | None, options, rejected_file, progress: bool):
    """Open every input first (so an unreadable one fails before any work), then stream its posts."""
    from worker.sources import Skip, open_source

    sources = [open_source(path, fmt, options) for path in paths]
    counts = {"read": 0, "rejected": 0}
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=sum(s.size for s in sources), unit="B", unit_scale=True, desc="reading",
                   file=sys.stderr, mininterval=0.5, disable=None)

    def posts():
        for source in sources:
            last = 0
            for i, item in enumerate(source.items()):
                counts["read"] += 1
                if isinstance(item, Skip):
                    counts["rejected"] += 1
                    rejected_file.write(orjson.dumps({"source": str(source.path), "line": item.line,
                                                      "reason": item.reason}) + b"\n")
                else:
                    yield item
                if bar is not None and i % 2048 == 0:
                    now = source.bytes_done
                    bar.update(now - last)
                    last = now
            if bar is not None:
                bar.update(source.size - last)
        if bar is not None:
            bar.close()

    return posts(), counts


def run(args: argparse.Namespace) -> int:
    from classifiers import ModelError, PostFrame, detect, load_model
    from smearwatch.cli.options import read_options

    started = time.perf_counter()
    targets = parse_targets(args.target)
    options = read_options(args)
    if args.window is not None and args.window <= 0:
        raise CommandError("--window must be a positive number of seconds", EXIT_USAGE)
    try:
        model = load_model(args.model)
    except ModelError as error:
        raise CommandError(str(error), EXIT_USAGE) from None
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"{out}: cannot create output directory: {error.strerror or error}", EXIT_USAGE) from None
    progress = not args.no_progress
    timings = {}
    with open(out / "rejected.jsonl", "wb") as rejected_file:
        t0 = time.perf_counter()
        posts, counts = read_inputs(args.inputs, args.format, options, rejected_file, progress)
        frame = PostFrame.from_records(posts)
        timings["read"] = round(time.perf_counter() - t0, 3)
    if progress:
        print(f"scoring {len(frame)} posts", file=sys.stderr)
    t0 = time.perf_counter()
    result = detect(frame, model, window=args.window, targets=targets or None)
    timings["detect"] = round(time.perf_counter() - t0, 3)
    timings.update({f"detect.{k}": round(v, 3) for k, v in result.timings.items()})

    t0 = time.perf_counter()
    keys = [c.key for c in result.clusters]
    with open(out / "scores.jsonl", "wb") as f:
        ids, platforms = frame.id, frame.platform
        scores, cluster = result.post_scores, result.post_cluster
        lines = []
        for i in range(len(frame)):
            c = int(cluster[i])
            lines.append(orjson.dumps({"id": ids[i], "platform": platforms[i], "score": round(float(scores[i]), 6),
                                       "cluster": keys[c] if c >= 0 else None}))
            if len(lines) >= 65536:
                f.write(b"\n".join(lines) + b"\n")
                lines = []
        if lines:
            f.write(b"\n".join(lines) + b"\n")
    flagged = 0
    with open(out / "clusters.jsonl", "wb") as f:
        for c in sorted(result.clusters, key=lambda c: (-c.score, c.key)):
            flagged += c.flagged
            f.write(orjson.dumps(cluster_record(c, frame)) + b"\n")
    timings["write"] = round(time.perf_counter() - t0, 3)
    timings["total"] = round(time.perf_counter() - started, 3)
    summary = {
        "read": counts["read"], "scored": len(frame), "rejected": counts["rejected"],
        "clusters": len(result.clusters), "flagged": int(flagged),
        "model": {"version": model.version, "path": str(model.path), "threshold": model.threshold},
        "window": args.window, "targets": targets, "inputs": [str(p) for p in args.inputs],
        "timings": timings,
    }
    (out / "summary.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
    if progress:
        print(f"{len(frame)} posts scored, {len(result.clusters)} clusters, {flagged} flagged, "
              f"{counts['rejected']} rejected -> {out}", file=sys.stderr)
    return EXIT_REJECTED if counts["rejected"] else EXIT_OK


def cluster_record(c, frame) -> dict:
    """One clusters.jsonl line: the DESIGN.md fields plus targets and the evidence edges."""
    def ref(row):
        return {"id": frame.id[row], "platform": frame.platform[row], "author_id": frame.author_id[row]}

    return {
        "cluster": c.key, "score": round(c.score, 6), "flagged": c.flagged, "kind": c.kind,
        "accounts": c.accounts, "posts": [frame.id[r] for r in c.rows],
        "start": _iso(c.start), "end": _iso(c.end), "signals": c.signals, "targets": c.targets,
        "evidence": [{"signal": e.signal, "a": ref(e.row_a), "b": ref(e.row_b), "seconds": round(e.seconds, 1),
                      "similarity": round(e.similarity, 3)} for e in c.edges],
    }
